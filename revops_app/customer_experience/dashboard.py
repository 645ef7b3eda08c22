"""The Customer form's connections: CX Survey Responses under "Customer Experience", promises to pay under
"Collections".

Contract: `customer_dashboard(data)` is the `override_doctype_dashboards` hook for Customer; it appends two
transactions groups and returns the same dict.
"""

from frappe import _

from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE
from revops_app.revenue_collections.constants import PROMISE_DOCTYPE


def customer_dashboard(data: dict) -> dict:
	"""hook override_doctype_dashboards: CX Survey Responses and promises to pay in the Customer's connections."""
	transactions = data.setdefault("transactions", [])
	transactions.append({"label": _("Customer Experience"), "items": [CX_RESPONSE_DOCTYPE]})
	transactions.append({"label": _("Collections"), "items": [PROMISE_DOCTYPE]})
	return data
