"""Revenue by NPS Segment: customers' billed revenue (LTV to date) grouped by their latest NPS category.

Revenue = submitted Sales Invoices of the company, base grand total (company currency), returns
netted, optionally within a posting-date range; one grouped statement. Segment = the category of the
customer's latest NPS response (`cx_reports.latest_nps`), "No NPS" for customers who never answered.
Totals, average LTV and share per segment come from `core.cx.metrics.revenue_by_segment`.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate

from revops_app.core.cx import metrics
from revops_app.customer_experience import reports_data as cx_reports


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	if not company:
		frappe.throw(_("Please select a Company"))
	from_date = getdate(filters.from_date) if filters.get("from_date") else None
	to_date = getdate(filters.to_date) if filters.get("to_date") else None
	revenue = cx_reports.revenue_by_customer(company, from_date, to_date)
	nps = cx_reports.latest_nps(list(revenue))
	per_customer = [
		{"segment": (nps[c].category or "").title() if c in nps else "No NPS", "revenue": amount}
		for c, amount in revenue.items()
	]
	segments = metrics.revenue_by_segment(per_customer, order=cx_reports.NPS_SEGMENTS)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	rows = [
		{
			"segment": s.segment,
			"customers": s.customers,
			"revenue": s.revenue,
			"average_ltv": s.average_ltv,
			"share_percent": s.share_percent,
			"currency": currency,
		}
		for s in segments
	]
	return columns(), rows, None, chart(rows)


def chart(rows: list[dict]) -> dict:
	return {
		"data": {
			"labels": [_(r["segment"]) for r in rows],
			"datasets": [{"name": _("Revenue"), "values": [float(r["revenue"]) for r in rows]}],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}


def columns() -> list[dict]:
	return [
		{"fieldname": "segment", "label": _("NPS Segment"), "fieldtype": "Data", "width": 140},
		{"fieldname": "customers", "label": _("Customers"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "revenue",
			"label": _("Revenue"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 150,
		},
		{
			"fieldname": "average_ltv",
			"label": _("Average LTV"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 150,
		},
		{"fieldname": "share_percent", "label": _("Share of Revenue"), "fieldtype": "Percent", "width": 130},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
