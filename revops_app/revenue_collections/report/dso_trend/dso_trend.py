"""DSO Trend: days sales outstanding per month, standard or countback method.

Method (also shown in the report message):
- Receivables at each month end: General Ledger balance of entries against Customer parties
  (debit - credit, company currency, cancelled entries excluded).
- Credit sales: submitted non-POS, non-opening Sales Invoices posted in the month (rounded total, returns
  as negatives, company currency).
- Standard: receivables at month end / credit sales in the month * days in the month.
- Countback: walk back from the month through monthly credit sales until the receivables are exhausted,
  adding whole months' days and the fraction of the last one (`metrics.dso_countback`).

Three aggregate queries (opening balance, monthly ledger movement, monthly sales); the arithmetic is the
core's.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, get_first_day, get_last_day, getdate, today

from revops_app.core.collections import metrics
from revops_app.revenue_collections import reports_data as data

MAX_MONTHS = 60
# Countback may walk back further than the months shown; this many extra months of sales are fetched.
COUNTBACK_HISTORY_MONTHS = 12


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	if not company:
		frappe.throw(_("Please select a Company"))
	months = cint(filters.get("months") or 12)
	if not 1 <= months <= MAX_MONTHS:
		frappe.throw(_("Months must be between 1 and {0}").format(MAX_MONTHS))
	method = filters.get("method") or "Standard"
	if method not in metrics.DSO_METHODS:
		frappe.throw(_("Method must be one of {0}").format(", ".join(metrics.DSO_METHODS)))
	end = getdate(filters.get("to_date") or today())
	currency = data.company_currency(company)

	points = dso_points(company, end.year, end.month, months, method)
	columns = get_columns()
	rows = [
		{
			"month": point.label,
			"month_end": point.month_end,
			"receivables": point.receivables,
			"credit_sales": point.credit_sales,
			"days_in_month": point.days_in_month,
			"dso": point.dso,
			"exhausted": int(point.exhausted),
			"currency": currency,
		}
		for point in points
	]
	return columns, rows, method_message(method), get_chart(points, method), get_summary(points, method)


def dso_points(
	company: str, end_year: int, end_month: int, months: int, method: str
) -> list[metrics.DsoPoint]:
	"""DSO for the `months` months ending with end_year-end_month (history fetched for countback)."""
	history = COUNTBACK_HISTORY_MONTHS if method == "Countback" else 0
	sequence = metrics.month_sequence(end_year, end_month, months + history)
	first = get_first_day(f"{sequence[0][0]:04d}-{sequence[0][1]:02d}-01")
	last = get_last_day(f"{end_year:04d}-{end_month:02d}-01")
	figures = metrics.month_figures(
		sequence,
		data.receivables_before(company, first),
		data.receivable_moves_by_month(company, first, last),
		data.credit_sales_by_month(company, first, last),
	)
	return metrics.dso(figures, method)[history:]


def get_columns() -> list[dict]:
	return [
		{"fieldname": "month", "label": _("Month"), "fieldtype": "Data", "width": 90},
		{"fieldname": "month_end", "label": _("Month End"), "fieldtype": "Date", "width": 110},
		{
			"fieldname": "receivables",
			"label": _("Receivables at Month End"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 170,
		},
		{
			"fieldname": "credit_sales",
			"label": _("Credit Sales in Month"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 160,
		},
		{"fieldname": "days_in_month", "label": _("Days"), "fieldtype": "Int", "width": 60},
		{"fieldname": "dso", "label": _("DSO (days)"), "fieldtype": "Float", "precision": 2, "width": 110},
		{"fieldname": "exhausted", "label": _("Lower Bound"), "fieldtype": "Check", "width": 100},
		{"fieldname": "currency", "label": _("Currency"), "fieldtype": "Data", "hidden": 1},
	]


def method_message(method: str) -> str:
	formula = (
		_("Standard DSO = receivables at month end / credit sales in the month * days in the month.")
		if method == "Standard"
		else _(
			"Countback DSO: starting at the month, walk back through monthly credit sales until the month-end receivables are used up, counting whole months' days and the used fraction of the last month. Lower Bound: sales history ran out first."
		)
	)
	return "<br>".join(
		[
			formula,
			_(
				"Receivables: General Ledger balance of entries against Customer parties at month end (company currency)."
			),
			_(
				"Credit sales: submitted non-POS, non-opening Sales Invoices, returns netted, company currency."
			),
		]
	)


def get_chart(points: list[metrics.DsoPoint], method: str) -> dict:
	return {
		"data": {
			"labels": [p.label for p in points],
			"datasets": [
				{"name": _("DSO ({0})").format(_(method)), "values": [float(p.dso or 0) for p in points]}
			],
		},
		"type": "line",
		"fieldtype": "Float",
	}


def get_summary(points: list[metrics.DsoPoint], method: str) -> list[dict]:
	known = [p.dso for p in points if p.dso is not None]
	if not known:
		return []
	latest = points[-1]
	summary = [
		{
			"value": latest.dso or 0,
			"label": _("DSO {0}").format(latest.label),
			"datatype": "Float",
			"indicator": "Blue",
		},
		{"value": sum(known) / len(known), "label": _("Average DSO"), "datatype": "Float"},
	]
	if len(known) >= 2:
		change = known[-1] - known[-2]
		summary.append(
			{
				"value": change,
				"label": _("Change vs Previous Month"),
				"datatype": "Float",
				"indicator": "Red" if change > 0 else "Green",
			}
		)
	return summary
