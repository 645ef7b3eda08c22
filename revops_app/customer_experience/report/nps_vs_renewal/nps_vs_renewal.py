"""NPS vs Renewal: each customer's latest NPS beside its renewal status from ERPNext Contracts.

Rows: customers with at least one NPS response (latest NPS per customer in one grouped statement),
their contracts in a second statement. Renewal status per customer from
`core.cx.metrics.renewal_status` (Renewal Due within the window / Lapsed = churned / Active / No
Contract); the summary counts each status per NPS category and gives the NPS of each status group
(`core.cx.metrics.nps`), which is the comparison the report exists for: do detractors lapse?
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, getdate, today

from revops_app.core.cx import metrics
from revops_app.customer_experience import reports_data as cx_reports
from revops_app.customer_experience.cx_settings import churn_config, cx_settings

STATUSES = (metrics.RENEWAL_DUE, metrics.LAPSED, metrics.ACTIVE, metrics.NO_CONTRACT)
CATEGORIES = ("promoter", "passive", "detractor")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	as_of = getdate(today())
	window = cint(filters.get("window_days")) or cint(churn_config(cx_settings()).contract_window_days)
	nps = cx_reports.latest_nps()
	customers = sorted(nps)
	contracts = cx_reports.contracts_by_customer(customers)
	names = cx_reports.customer_names(customers)
	rows = []
	for customer in customers:
		status, decisive = metrics.renewal_status(contracts[customer], as_of, window)
		if filters.get("renewal_status") and status != filters.renewal_status:
			continue
		latest = nps[customer]
		rows.append(
			{
				"customer": customer,
				"customer_name": names.get(customer),
				"latest_nps": latest.raw_score,
				"nps_category": (latest.category or "").title(),
				"answered_at": latest.answered_at,
				"renewal_status": status,
				"contract_end": decisive,
				"days_to_end": (decisive - as_of).days if decisive else None,
			}
		)
	rows.sort(key=lambda r: (STATUSES.index(r["renewal_status"]), r["latest_nps"], r["customer"]))
	return columns(), rows, None, chart(rows), summary(rows)


def counts(rows: list[dict]) -> dict[str, dict[str, int]]:
	table = {status: {c: 0 for c in CATEGORIES} for status in STATUSES}
	for row in rows:
		table[row["renewal_status"]][row["nps_category"].lower()] += 1
	return table


def summary(rows: list[dict]) -> list[dict]:
	table = counts(rows)
	out = []
	for status in STATUSES:
		c = table[status]
		score = metrics.nps(c["promoter"], c["passive"], c["detractor"])
		out.append(
			{
				"label": _("NPS of {0}").format(_(status)),
				"value": float(score) if score is not None else "-",
				"datatype": "Float" if score is not None else "Data",
				"indicator": "Red" if score is not None and score < 0 else "Green",
			}
		)
	return out


def chart(rows: list[dict]) -> dict:
	table = counts(rows)
	return {
		"data": {
			"labels": [_(s) for s in STATUSES],
			"datasets": [
				{"name": _(c.title()), "values": [table[s][c] for s in STATUSES]} for c in CATEGORIES
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


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
		{
			"fieldname": "latest_nps",
			"label": _("Latest NPS"),
			"fieldtype": "Float",
			"precision": 0,
			"width": 90,
		},
		{"fieldname": "nps_category", "label": _("NPS Category"), "fieldtype": "Data", "width": 110},
		{"fieldname": "answered_at", "label": _("Answered"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "renewal_status", "label": _("Renewal Status"), "fieldtype": "Data", "width": 120},
		{"fieldname": "contract_end", "label": _("Contract End"), "fieldtype": "Date", "width": 110},
		{"fieldname": "days_to_end", "label": _("Days to End"), "fieldtype": "Int", "width": 90},
	]
