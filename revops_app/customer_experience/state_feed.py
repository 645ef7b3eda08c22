"""The customers' CX state for the sidecar: one page of Customers whose CX fields changed after a moment.

A page ends on a complete timestamp (rows sharing the last cx_updated_on are all returned), so passing
next_modified_after back never skips a customer; latest_* are None when the customer never answered that
metric. Permission checks are the endpoint's (revops_app.api.cx.customer_cx_state).
"""

from datetime import datetime

import frappe
from frappe.utils import get_datetime

from revops_app.customer_experience.constants import (
	CF_CUSTOMER_CHURN_FLAGGED_ON,
	CF_CUSTOMER_CHURN_REASON,
	CF_CUSTOMER_CHURN_RISK,
	CF_CUSTOMER_CX_SEGMENT,
	CF_CUSTOMER_CX_UPDATED_ON,
	CF_CUSTOMER_LATEST_CES,
	CF_CUSTOMER_LATEST_CSAT,
	CF_CUSTOMER_LATEST_NPS,
	CX_RESPONSE_DOCTYPE,
	CX_STATE_FIELDS,
	CXStatus,
)


def cx_state_page(after: datetime | None, limit: int) -> dict:
	fields = ["name", "customer_name", *CX_STATE_FIELDS, CF_CUSTOMER_CX_UPDATED_ON]
	filters = {CF_CUSTOMER_CX_UPDATED_ON: (">", after) if after else ("is", "set")}
	order = f"{CF_CUSTOMER_CX_UPDATED_ON} asc, name asc"
	rows = frappe.get_all("Customer", filters=filters, fields=fields, order_by=order, limit=limit)
	if len(rows) == limit:
		last = rows[-1]
		rows += frappe.get_all(
			"Customer",
			filters={CF_CUSTOMER_CX_UPDATED_ON: last[CF_CUSTOMER_CX_UPDATED_ON], "name": (">", last.name)},
			fields=fields,
			order_by=order,
		)
	answered = metrics_answered([row.name for row in rows])
	customers = [
		{
			"customer": row.name,
			"customer_name": row.customer_name,
			"latest_nps": row[CF_CUSTOMER_LATEST_NPS] if "NPS" in answered.get(row.name, ()) else None,
			"latest_csat": row[CF_CUSTOMER_LATEST_CSAT] if "CSAT" in answered.get(row.name, ()) else None,
			"latest_ces": row[CF_CUSTOMER_LATEST_CES] if "CES" in answered.get(row.name, ()) else None,
			"cx_segment": row[CF_CUSTOMER_CX_SEGMENT],
			"churn_risk": bool(row[CF_CUSTOMER_CHURN_RISK]),
			"churn_risk_reason": row[CF_CUSTOMER_CHURN_REASON],
			"churn_flagged_on": _iso(row[CF_CUSTOMER_CHURN_FLAGGED_ON]),
			"cx_updated_on": _iso(row[CF_CUSTOMER_CX_UPDATED_ON]),
		}
		for row in rows
	]
	next_after = customers[-1]["cx_updated_on"] if customers else (_iso(after) if after else None)
	return {"customers": customers, "next_modified_after": next_after}


def metrics_answered(customers: list[str]) -> dict[str, set[str]]:
	answered: dict[str, set[str]] = {}
	if not customers:
		return answered
	response = frappe.qb.DocType(CX_RESPONSE_DOCTYPE)
	rows = (
		frappe.qb.from_(response)
		.select(response.customer, response.metric)
		.distinct()
		.where(response.customer.isin(customers) & (response.status != CXStatus.UNMATCHED))
		.run()
	)
	for customer, metric in rows:
		answered.setdefault(customer, set()).add(metric)
	return answered


def _iso(value) -> str | None:
	return get_datetime(value).isoformat(sep=" ") if value else None
