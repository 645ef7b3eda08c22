"""The Customer form's connections: CX Survey Responses under "Customer Experience".

Contract: `customer_dashboard(data)` is the `override_doctype_dashboards` hook for Customer; it appends one
transactions group and returns the same dict.
"""

from frappe import _

from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE


def customer_dashboard(data: dict) -> dict:
	"""hook override_doctype_dashboards: CX Survey Responses under the Customer's connections."""
	transactions = data.setdefault("transactions", [])
	transactions.append({"label": _("Customer Experience"), "items": [CX_RESPONSE_DOCTYPE]})
	return data
