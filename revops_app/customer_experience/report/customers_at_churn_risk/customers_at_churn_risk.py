"""Customers at Churn Risk: every Customer whose churn-risk flag is set, with why and what coincides.

The flag and its reason are written by revops_app.customer_experience.customer_state (core.cx.health.churn_risk:
NPS falling over the configured number of responses while a Contract ends within the window, invoices
are overdue or Issues are open), on each response and daily. This report reads them and the current coinciding facts
(next contract end, overdue invoices, open Issues) in one statement (`cx_reports.churn_risk_rows`).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, today

from revops_app.customer_experience import reports_data as cx_reports


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	as_of = getdate(today())
	rows = cx_reports.churn_risk_rows(as_of, filters.get("customer_group") or None)
	for row in rows:
		row["days_to_contract_end"] = (getdate(row.contract_end) - as_of).days if row.contract_end else None
	return columns(), rows


def columns() -> list[dict]:
	return [
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 160,
		},
		{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 180},
		{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 360},
		{"fieldname": "flagged_on", "label": _("Flagged On"), "fieldtype": "Datetime", "width": 150},
		{
			"fieldname": "latest_nps",
			"label": _("Latest NPS"),
			"fieldtype": "Float",
			"precision": 0,
			"width": 90,
		},
		{"fieldname": "contract_end", "label": _("Next Contract End"), "fieldtype": "Date", "width": 120},
		{"fieldname": "days_to_contract_end", "label": _("Days to End"), "fieldtype": "Int", "width": 90},
		{"fieldname": "overdue_invoices", "label": _("Overdue Invoices"), "fieldtype": "Int", "width": 110},
		{"fieldname": "open_issues", "label": _("Open Issues"), "fieldtype": "Int", "width": 100},
	]
