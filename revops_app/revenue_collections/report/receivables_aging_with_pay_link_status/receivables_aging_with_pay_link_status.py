"""Receivables Aging with Pay-Link Status: every unpaid invoice with its age bucket, pay-link state and the
last dunning reminder.

One SQL statement (`collections_data.open_invoices_with_links`) joins Sales Invoice, RevOps Payment Link
and, only when the dunning feature's table exists, the latest RevOps Dunning Reminder per invoice.
Buckets, pay-link status and totals come from `revops_app.core.collections.metrics`.

Ages are days past the invoice due date on the report date; the outstanding amount is the invoice's
current balance (payments after the report date included), in company currency. Dunning Held / Softened says
when the customer's reminders are held or softened for service recovery (`dunning.cx_standing`).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, getdate, today

from revops_app.core.collections import metrics
from revops_app.revenue_collections import reports_data as data
from revops_app.revenue_collections.dunning.cx_standing import cx_notes_for


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
	currency = data.company_currency(company)

	invoices = data.open_invoices_with_links(company, as_of, filters.get("customer") or None, min_days)
	has_reminders = data.reminder_table_exists()
	cx_notes = cx_notes_for({invoice["customer"] for invoice in invoices}, as_of)
	rows = []
	for invoice in invoices:
		days = metrics.days_overdue(invoice["due_date"], as_of)
		status = metrics.pay_link_status(
			invoice.get("link_state"),
			invoice.get("disputed"),
			invoice.get("view_count"),
			invoice.get("sent_at"),
		)
		if status_filter and status != status_filter:
			continue
		rows.append(
			{
				**invoice,
				"days_overdue": days,
				"bucket": metrics.aging_bucket(days, limits),
				"pay_link_status": status,
				"view_count": cint(invoice.get("view_count")),
				"company_currency": currency,
				"dunning_hold": cx_notes.get(invoice["customer"]),
			}
		)

	summary = metrics.aging_summary(rows, as_of, limits)
	message = _(
		"Age = days past due on {0}; buckets {1}. Outstanding is the invoice's current balance in company currency."
	).format(frappe.format(as_of, {"fieldtype": "Date"}), ", ".join(summary.labels))
	if not has_reminders:
		message += "<br>" + _("Last reminder: no dunning reminder log on this site yet.")
	return (
		get_columns(has_reminders),
		rows,
		message,
		get_chart(rows, summary),
		get_summary(summary, rows, currency),
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


def get_summary(summary: metrics.AgingSummary, rows: list[dict], currency: str) -> list[dict]:
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
	return items
