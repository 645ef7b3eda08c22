"""Customer Health: each customer's receivables, payment behaviour, latest CX scores, churn risk and open
recovery work side by side (sortable columns, a chart of outstanding money by CX segment).

Receivables and payment behaviour come from the signals records (`revops.signals.records.build_records`), so
this report, the sidecar's score and churn risk read the same figures: a fixed number of grouped statements
for any number of customers, amounts in the default company's currency. CX scores, segment and churn risk
are the Customer's CX fields (`customer_experience.customer_state`); open recovery Issues are counted in one
grouped statement.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, getdate, now_datetime, today

from revops_app.customer_experience.constants import (
	CF_CUSTOMER_CHURN_REASON,
	CF_CUSTOMER_CHURN_RISK,
	CF_CUSTOMER_CX_SEGMENT,
	CF_CUSTOMER_LATEST_CES,
	CF_CUSTOMER_LATEST_CSAT,
	CF_CUSTOMER_LATEST_NPS,
	CF_ISSUE_CX_RESPONSE,
	CX_RESPONSE_DOCTYPE,
	OPEN_ISSUE_STATUSES,
)
from revops_app.customer_experience.state_feed import metrics_answered
from revops_app.revops.signals.feed import default_currency
from revops_app.revops.signals.records import build_records


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	as_of = getdate(today())
	currency = default_currency()
	customers = _customers(filters.get("customer_group") or None)
	now = now_datetime()
	records = {r["customer"]: r for r in build_records([(c.name, now) for c in customers], as_of, currency)}
	recovery = dict(
		frappe.db.sql(
			f"""SELECT customer, COUNT(*) FROM `tabIssue`
			WHERE status IN %(open)s AND COALESCE(`{CF_ISSUE_CX_RESPONSE}`, '') != '' AND customer IN %(names)s
			GROUP BY customer""",
			{"open": OPEN_ISSUE_STATUSES, "names": tuple(c.name for c in customers) or ("",)},
		)
	)
	scored = metrics_answered([c.name for c in customers])  # the CX state feed's own rule
	rows = []
	for customer in customers:
		record = records.get(customer.name) or {}
		# the Customer's score fields hold 0 until a response of that metric arrives: blank, not a zero score
		has = scored.get(customer.name, ())
		row = {
			"customer": customer.name,
			"customer_name": customer.customer_name,
			"currency": currency,
			"open_amount": record.get("open_amount", 0.0),
			"overdue_amount": record.get("overdue_amount", 0.0),
			"max_days_overdue": record.get("max_days_overdue", 0),
			"oldest_due_date": record.get("oldest_due_date"),
			"avg_days_to_pay": record.get("avg_days_to_pay"),
			"days_to_pay_trend": record.get("days_to_pay_trend"),
			"failed_payments": record.get("failed_payment_count", 0),
			"broken_promises": record.get("broken_promise_count", 0),
			"disputes": record.get("dispute_count", 0),
			"latest_nps": customer.get(CF_CUSTOMER_LATEST_NPS) if "NPS" in has else None,
			"latest_csat": customer.get(CF_CUSTOMER_LATEST_CSAT) if "CSAT" in has else None,
			"latest_ces": customer.get(CF_CUSTOMER_LATEST_CES) if "CES" in has else None,
			"cx_segment": customer.get(CF_CUSTOMER_CX_SEGMENT) or "No Data",
			"churn_risk": cint(customer.get(CF_CUSTOMER_CHURN_RISK)),
			"churn_reason": customer.get(CF_CUSTOMER_CHURN_REASON),
			"open_recovery_issues": cint(recovery.get(customer.name)),
		}
		if cint(filters.get("at_risk_only")) and not row["churn_risk"]:
			continue
		if cint(filters.get("owing_only")) and not row["overdue_amount"]:
			continue
		rows.append(row)
	rows.sort(
		key=lambda r: (-r["churn_risk"], -r["open_recovery_issues"], -r["overdue_amount"], r["customer"])
	)
	return columns(), rows, None, chart(rows)


def _customers(customer_group: str | None) -> list:
	"""Customers with an invoice or a survey response (the others have nothing to show)."""
	group = "AND c.customer_group = %(group)s" if customer_group else ""
	return frappe.db.sql(
		f"""SELECT c.name, c.customer_name, c.{CF_CUSTOMER_LATEST_NPS}, c.{CF_CUSTOMER_LATEST_CSAT},
			c.{CF_CUSTOMER_LATEST_CES}, c.{CF_CUSTOMER_CX_SEGMENT}, c.{CF_CUSTOMER_CHURN_RISK},
			c.{CF_CUSTOMER_CHURN_REASON}
		FROM `tabCustomer` c
		WHERE c.disabled = 0 {group} AND (
			EXISTS (SELECT 1 FROM `tabSales Invoice` si WHERE si.customer = c.name AND si.docstatus = 1)
			OR EXISTS (SELECT 1 FROM `tab{CX_RESPONSE_DOCTYPE}` r WHERE r.customer = c.name))
		ORDER BY c.name""",
		{"group": customer_group},
		as_dict=True,
	)


def chart(rows: list[dict]) -> dict:
	"""Outstanding money by CX segment, overdue and not yet due: where unhappy customers owe."""
	segments = sorted({r["cx_segment"] for r in rows}) or ["No Data"]
	overdue = {s: 0.0 for s in segments}
	not_due = {s: 0.0 for s in segments}
	for r in rows:
		overdue[r["cx_segment"]] += r["overdue_amount"]
		not_due[r["cx_segment"]] += max(r["open_amount"] - r["overdue_amount"], 0.0)
	return {
		"data": {
			"labels": segments,
			"datasets": [
				{"name": _("Overdue"), "values": [round(overdue[s], 2) for s in segments]},
				{"name": _("Not Yet Due"), "values": [round(not_due[s], 2) for s in segments]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"fieldtype": "Currency",
	}


def columns() -> list[dict]:
	def col(fieldname: str, label: str, fieldtype: str, width: int = 100, **extra) -> dict:
		return {"fieldname": fieldname, "label": _(label), "fieldtype": fieldtype, "width": width, **extra}

	money = {"options": "currency"}
	return [
		col("customer", "Customer", "Link", 150, options="Customer"),
		col("customer_name", "Customer Name", "Data", 170),
		col("open_amount", "Open", "Currency", 110, **money),
		col("overdue_amount", "Overdue", "Currency", 110, **money),
		col("max_days_overdue", "Days Overdue", "Int", 90),
		col("oldest_due_date", "Oldest Due", "Date", 100),
		col("avg_days_to_pay", "Avg Days to Pay", "Float", 100, precision=1),
		col("days_to_pay_trend", "Days to Pay Trend", "Float", 110, precision=1),
		col("failed_payments", "Failed Payments", "Int", 100),
		col("broken_promises", "Broken Promises", "Int", 100),
		col("disputes", "Disputes", "Int", 80),
		# Frappe's Float formatter refuses precision 0; NPS is a whole 0-10 answer
		col("latest_nps", "Latest NPS", "Int", 80),
		col("latest_csat", "Latest CSAT", "Float", 80, precision=1),
		col("latest_ces", "Latest CES", "Float", 80, precision=1),
		col("cx_segment", "CX Segment", "Data", 100),
		col("churn_risk", "Churn Risk", "Check", 80),
		col("churn_reason", "Churn Risk Reason", "Data", 300),
		col("open_recovery_issues", "Open Recovery Issues", "Int", 110),
		col("currency", "Currency", "Link", 80, options="Currency", hidden=1),
	]
