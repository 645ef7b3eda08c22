"""Collection Bottlenecks: the funnel invoiced -> link sent -> link viewed -> paid, and the invoices stuck at
each stage.

Invoices in scope: submitted, non-return Sales Invoices posted in the date range (one SQL statement with
the pay link joined, `collections_data.invoices_for_funnel`). Stage counts and stuck lists come from
`revops_app.core.collections.metrics.collection_funnel`: an invoice counts at every stage up to the
furthest it reached (paid by any means counts as Paid, a view implies the link was sent), so the funnel
never widens. Amounts are invoice totals in company currency; stuck rows show the current outstanding.
Promised: an unpaid invoice under an Open promise to pay running today (`aging_data.promised_invoices`)
is listed at "Promised" with its date instead of at the stage it stopped; the four stage counts and the
chart do not change; the summary shows the promised count and their outstanding beside the stuck one.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from revops_app.core.collections import metrics
from revops_app.revenue_collections import aging_data
from revops_app.revenue_collections import reports_data as data

STAGE_HINTS = {
	metrics.STAGE_INVOICED: "pay link not sent",
	metrics.STAGE_SENT: "link sent, never opened",
	metrics.STAGE_VIEWED: "link opened, not paid",
	metrics.STAGE_PROMISED: "promised to pay by the date shown",
}
STAGE_FILTERS = (
	None,
	metrics.STAGE_INVOICED,
	metrics.STAGE_SENT,
	metrics.STAGE_VIEWED,
	metrics.STAGE_PROMISED,
)


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	if not company:
		frappe.throw(_("Please select a Company"))
	to_date = getdate(filters.get("to_date") or today())
	from_date = getdate(filters.get("from_date") or add_days(to_date, -90))
	if from_date > to_date:
		frappe.throw(_("From Date must be on or before To Date"))
	only_stage = filters.get("stage") or None
	if only_stage not in STAGE_FILTERS:
		frappe.throw(_("Stuck At must be one of {0}").format(", ".join(STAGE_FILTERS[1:])))
	as_of = getdate(today())
	currency = data.company_currency(company)

	invoices = data.invoices_for_funnel(company, from_date, to_date, filters.get("customer") or None)
	promised = aging_data.promised_invoices([row["invoice"] for row in invoices], as_of)
	stages = metrics.collection_funnel(invoices, promised)
	chain = [stage for stage in stages if stage.stage in metrics.FUNNEL_STAGES]
	promised_stage = next(stage for stage in stages if stage.stage == metrics.STAGE_PROMISED)
	names = {row["invoice"]: row.get("customer_name") for row in invoices}

	rows = []
	for stage in stages:
		if only_stage and stage.stage != only_stage:
			continue
		for item in stage.stuck:
			rows.append(
				{
					"stage": stage.stage,
					"hint": _(STAGE_HINTS.get(stage.stage, "")),
					"invoice": item.invoice,
					"customer": item.customer,
					"customer_name": names.get(item.invoice),
					"due_date": item.due_date,
					"days_overdue": metrics.days_overdue(item.due_date, as_of) if item.due_date else None,
					"amount": item.amount,
					"outstanding": item.outstanding,
					"pay_link_status": item.link_status,
					"promised_until": item.promised_until,
					"currency": currency,
				}
			)
	message = _(
		"Invoices posted {0} to {1}. Each invoice counts at every stage up to the furthest it reached; paid by any means counts as Paid. Rows list the unpaid invoices stuck at each stage; those under an open promise to pay are listed at Promised instead. Funnel amounts are invoice totals in company currency."
	).format(frappe.format(from_date, {"fieldtype": "Date"}), frappe.format(to_date, {"fieldtype": "Date"}))
	summary = get_summary(chain, currency)
	# before "Outstanding Stuck": what the links recorded, then the promised invoices
	summary[-1:-1] = engagement_summary(metrics.link_engagement(invoices)) + promised_summary(
		promised_stage, currency
	)
	return get_columns(), rows, message, get_chart(chain), summary


def get_columns() -> list[dict]:
	money = {"fieldtype": "Currency", "options": "currency", "width": 120}
	return [
		{"fieldname": "stage", "label": _("Stuck At"), "fieldtype": "Data", "width": 110},
		{"fieldname": "hint", "label": _("Meaning"), "fieldtype": "Data", "width": 170},
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
		{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 150},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_overdue", "label": _("Days Overdue"), "fieldtype": "Int", "width": 100},
		{"fieldname": "amount", "label": _("Invoice Total"), **money},
		{"fieldname": "outstanding", "label": _("Outstanding"), **money},
		{"fieldname": "pay_link_status", "label": _("Pay Link"), "fieldtype": "Data", "width": 120},
		{"fieldname": "promised_until", "label": _("Promised By"), "fieldtype": "Date", "width": 110},
		{"fieldname": "currency", "label": _("Currency"), "fieldtype": "Data", "hidden": 1},
	]


def get_chart(stages: list[metrics.FunnelStage]) -> dict:
	# Frappe Charts has no funnel type; a bar per stage in funnel order reads the same way.
	return {
		"data": {
			"labels": [_(stage.stage) for stage in stages],
			"datasets": [{"name": _("Invoices"), "values": [stage.count for stage in stages]}],
		},
		"type": "bar",
		"fieldtype": "Int",
	}


def get_summary(stages: list[metrics.FunnelStage], currency: str) -> list[dict]:
	summary = []
	for stage in stages:
		conversion = f" ({stage.conversion}%)" if stage.conversion is not None else ""
		summary.append(
			{
				"value": stage.count,
				"label": _(stage.stage) + conversion,
				"datatype": "Int",
				"indicator": "Green" if stage.stage == metrics.STAGE_PAID else "Blue",
			}
		)
	stuck = sum((stage.stuck_outstanding for stage in stages), metrics.ZERO)
	summary.append(
		{
			"value": stuck,
			"label": _("Outstanding Stuck"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Red",
		}
	)
	return summary


def engagement_summary(engagement: metrics.LinkEngagement) -> list[dict]:
	"""What the links themselves recorded (a sent time; a counted view), beside the furthest-stage funnel,
	where a paid invoice counts as sent and viewed."""
	return [
		{
			"value": engagement.sent,
			"label": _("Links Sent (by the link)"),
			"datatype": "Int",
			"indicator": "Blue",
		},
		{
			"value": engagement.viewed,
			"label": _("Links Viewed (by the link)"),
			"datatype": "Int",
			"indicator": "Blue",
		},
	]


def promised_summary(stage: metrics.FunnelStage, currency: str) -> list[dict]:
	"""Unpaid invoices under an Open promise: how many, and what they still owe."""
	return [
		{"value": stage.count, "label": _("Promised"), "datatype": "Int", "indicator": "Blue"},
		{
			"value": stage.stuck_outstanding,
			"label": _("Outstanding Promised"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Blue",
		},
	]
