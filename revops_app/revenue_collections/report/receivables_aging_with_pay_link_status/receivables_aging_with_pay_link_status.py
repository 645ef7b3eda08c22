"""Receivables Aging with Pay-Link Status: every open receivable as ERPNext's Accounts Receivable counts it,
with its age bucket and, for invoices, the pay-link state and the last dunning reminder.

The rows are ERPNext's own Accounts Receivable rows (`aging_data.erpnext_receivables`: same company, report
date, due-date ageing on the report date), so totals per customer and bucket equal ERPNext's Accounts
Receivable and its Summary, also for a past date: credit notes, unallocated payments and refunds, and the
app's dispute Journal Entries are rows of their own, each shown as what it is. Buckets, pay-link status and
totals come from `revops_app.core.collections.metrics` (Not Due = ERPNext's rows whose due date is ahead,
which it leaves out of every range).
Dunning Held / Softened says when the customer's reminders are held or softened for service recovery
(`dunning.cx_standing`). Promised By is the date of the promise to pay covering the invoice on the
report date as it stood that day (made by then, still Open then: `aging_data.promised_invoices`); the
summary adds the promised total (`metrics.promised_totals`).
Amounts and buckets are untouched by promises: the rows stay ERPNext's.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, getdate, today

from revops_app.core.collections import metrics
from revops_app.revenue_collections import aging_data
from revops_app.revenue_collections import reports_data as data
from revops_app.revenue_collections.dunning.cx_standing import cx_notes_for

PROMISED_FILTERS = (None, "Promised", "Not Promised")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	if not company:
		frappe.throw(_("Please select a Company"))
	as_of = getdate(filters.get("report_date") or today())
	limits = parse_limits(filters)
	min_days = filters.get("min_days_overdue")
	min_days = cint(min_days) if min_days not in (None, "") else None
	status_filter = filters.get("pay_link_status") or None
	promised_filter = filters.get("promised") or None
	if promised_filter not in PROMISED_FILTERS:
		frappe.throw(
			_("Promise to Pay filter must be Promised or Not Promised, not {0}").format(promised_filter)
		)
	currency = data.company_currency(company)

	receivables = aging_data.erpnext_receivables(company, as_of, limits, filters.get("customer") or None)
	kinds = aging_data.what_it_is(receivables)
	invoices = [r["voucher_no"] for r in receivables if r["voucher_type"] == "Sales Invoice"]
	links = aging_data.links_and_reminders(invoices)
	promised = aging_data.promised_invoices(invoices, as_of)
	names = aging_data.customer_names({r.get("party") for r in receivables if r.get("party")})
	has_reminders = data.reminder_table_exists()
	cx_notes = cx_notes_for({r["party"] for r in receivables if r.get("party")}, as_of)
	rows = []
	for item in receivables:
		days = cint(item.get("age"))
		if min_days is not None and days < min_days:
			continue
		is_invoice = item["voucher_type"] == "Sales Invoice"
		link = links.get(item["voucher_no"], {}) if is_invoice else {}
		status = metrics.pay_link_status(
			link.get("link_state"), link.get("disputed"), link.get("view_count"), link.get("sent_at")
		)
		if status_filter and status != status_filter:
			continue
		until = promised.get(item["voucher_no"]) if is_invoice else None
		if promised_filter and (until is not None) != (promised_filter == "Promised"):
			continue
		rows.append(
			{
				"last_reminder_step": None,
				"last_reminder_at": None,
				"last_reminder_outcome": None,
				"last_viewed_at": None,
				**link,
				"invoice": item["voucher_no"] if is_invoice else None,
				"voucher_type": item["voucher_type"],
				"voucher_no": item["voucher_no"],
				"kind": kinds.get((item["voucher_type"], item["voucher_no"]), item["voucher_type"]),
				"customer": item.get("party"),
				"customer_name": names.get(item.get("party")),
				"posting_date": item.get("posting_date"),
				"due_date": item.get("due_date")
				or item.get("posting_date"),  # ERPNext ages advances by posting date
				"outstanding": item.get("outstanding"),
				"days_overdue": days,
				"bucket": metrics.aging_bucket(days, limits),
				"pay_link_status": status,
				"promised_until": until,
				"view_count": cint(link.get("view_count")),
				"company_currency": currency,
				"dunning_hold": cx_notes.get(item.get("party")),
			}
		)

	summary = metrics.aging_summary(rows, as_of, limits)
	message = _(
		"Rows and amounts are ERPNext's Accounts Receivable on {0} (due-date ageing on that date, company currency); buckets {1}."
	).format(frappe.format(as_of, {"fieldtype": "Date"}), ", ".join(summary.labels))
	if not has_reminders:
		message += "<br>" + _("Last reminder: no dunning reminder log on this site yet.")
	return (
		get_columns(has_reminders),
		rows,
		message,
		get_chart(rows, summary),
		get_summary(summary, rows, currency, metrics.promised_totals(rows, promised)),
	)


def parse_limits(filters: dict) -> tuple[int, ...]:
	"""Bucket upper bounds from range1..range3 (defaults 30, 60, 90); blanks are skipped."""
	values = [filters.get(f"range{i}") for i in (1, 2, 3)]
	limits = tuple(cint(v) for v in values if v not in (None, "", 0, "0"))
	limits = limits or metrics.DEFAULT_AGING_LIMITS
	try:
		metrics.aging_labels(limits)
	except ValueError as exc:
		frappe.throw(_("Invalid ageing ranges: {0}").format(str(exc)))
	return limits


def get_columns(has_reminders: bool) -> list[dict]:
	columns = [
		{
			"fieldname": "invoice",
			"label": _("Sales Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 160,
		},
		{"fieldname": "kind", "label": _("What It Is"), "fieldtype": "Data", "width": 130},
		{"fieldname": "voucher_type", "label": _("Voucher Type"), "fieldtype": "Data", "hidden": 1},
		{
			"fieldname": "voucher_no",
			"label": _("Voucher"),
			"fieldtype": "Dynamic Link",
			"options": "voucher_type",
			"width": 160,
		},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 150,
		},
		{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_overdue", "label": _("Days Overdue"), "fieldtype": "Int", "width": 100},
		{"fieldname": "bucket", "label": _("Age Bucket"), "fieldtype": "Data", "width": 90},
		{
			"fieldname": "outstanding",
			"label": _("Outstanding"),
			"fieldtype": "Currency",
			"options": "company_currency",
			"width": 130,
		},
		{"fieldname": "pay_link_status", "label": _("Pay Link"), "fieldtype": "Data", "width": 120},
		{"fieldname": "promised_until", "label": _("Promised By"), "fieldtype": "Date", "width": 110},
		{"fieldname": "view_count", "label": _("Link Views"), "fieldtype": "Int", "width": 90},
		{"fieldname": "last_viewed_at", "label": _("Last Viewed"), "fieldtype": "Datetime", "width": 150},
	]
	if has_reminders:
		columns += [
			{
				"fieldname": "last_reminder_step",
				"label": _("Last Reminder Step"),
				"fieldtype": "Data",
				"width": 130,
			},
			{
				"fieldname": "last_reminder_at",
				"label": _("Last Reminder At"),
				"fieldtype": "Datetime",
				"width": 150,
			},
			{
				"fieldname": "last_reminder_outcome",
				"label": _("Reminder Outcome"),
				"fieldtype": "Data",
				"width": 120,
			},
		]
	columns.append(
		{
			"fieldname": "dunning_hold",
			"label": _("Dunning Held / Softened"),
			"fieldtype": "Data",
			"width": 240,
		}
	)
	columns.append(
		{"fieldname": "company_currency", "label": _("Currency"), "fieldtype": "Data", "hidden": 1}
	)
	return columns


def get_chart(rows: list[dict], summary: metrics.AgingSummary) -> dict:
	"""Outstanding per age bucket, stacked by pay-link status: where the money is and why."""
	datasets = []
	for status in metrics.PAY_LINK_STATUSES:
		values = {label: metrics.ZERO for label in summary.labels}
		for row in rows:
			if row["pay_link_status"] == status:
				values[row["bucket"]] += metrics.to_decimal(row["outstanding"])
		if any(values.values()):
			datasets.append({"name": _(status), "values": [float(values[label]) for label in summary.labels]})
	return {
		"data": {
			"labels": summary.labels,
			"datasets": datasets or [{"name": _("Outstanding"), "values": [0] * len(summary.labels)}],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"fieldtype": "Currency",
	}


def get_summary(
	summary: metrics.AgingSummary, rows: list[dict], currency: str, promised: metrics.PromisedTotals
) -> list[dict]:
	items = [
		{
			"value": summary.total,
			"label": _("Total Outstanding"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Blue",
		}
	]
	for label in summary.labels:
		items.append(
			{
				"value": summary.amounts[label],
				"label": _(label),
				"datatype": "Currency",
				"currency": currency,
				"indicator": "Green" if label == metrics.NOT_DUE else "Orange",
			}
		)
	unviewed = sum(
		1 for row in rows if row["pay_link_status"] in (metrics.LINK_NOT_SENT, metrics.LINK_NEVER_VIEWED)
	)
	items.append(
		{
			"value": unviewed,
			"label": _("Link Not Sent or Never Viewed"),
			"datatype": "Int",
			"indicator": "Red",
		}
	)
	items.append(
		{
			"value": promised.outstanding,
			"label": _("Promised to Pay ({0} invoices)").format(promised.count),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Blue",
		}
	)
	return items
