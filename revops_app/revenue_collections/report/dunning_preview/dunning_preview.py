"""Dunning Preview: what the daily dunning run would do on a chosen date, per invoice, without doing it.

Uses `revops_app.revenue_collections.dunning.plan.plan`, the same facts, policies and engine as the run itself, so the rows
marked Send are exactly the reminders a run on that date would log and email (one email per customer and
step: the Message column groups them). Skipped invoices, with the reason, appear when asked for. A reminder held or softened because the customer is in
service recovery (`core.collections.dunning_cx`) says so in Reason, and Service Recovery names the open Issue or
the detractor response. A promised invoice (Reason "payment promised") or a broken promise's step, and the
instalment an invoice with a payment schedule is reminded for, are named in Promise / Instalment.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, getdate, today

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import dunning_cx
from revops_app.revenue_collections.dunning.plan import plan


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	run_date = getdate(filters.get("run_date") or today())
	the_plan = plan(run_date, filters.get("company") or None, filters.get("customer") or None)
	message_of = {}
	for number, message in enumerate(the_plan.messages, start=1):
		for invoice in message.invoices:
			message_of[invoice] = number

	rows = []
	for decision in the_plan.decisions:
		if not decision.is_send and not cint(filters.get("show_skipped")):
			continue
		invoice = the_plan.invoices[decision.invoice]
		rows.append(
			{
				"action": _("Send") if decision.is_send else _("Skip"),
				"retry": 1 if decision.retry else 0,
				"message_no": message_of.get(decision.invoice),
				"customer": decision.customer,
				"sales_invoice": decision.invoice,
				"due_date": invoice.due_date,
				"days_overdue": decision.days_overdue,
				"currency": invoice.currency,
				"outstanding": invoice.outstanding,
				"policy": decision.policy,
				"step": decision.step.name if decision.step else None,
				"email_template": decision.step.template if decision.step else None,
				"escalation": decision.step.escalation if decision.step else None,
				"superseded": ", ".join(decision.superseded),
				"reason": decision.reason,
				"cx_note": the_plan.cx_notes.get(decision.customer) if decision.reason else None,
				"note": _note(the_plan, decision),
			}
		)
	summary = engine.summarise(the_plan.decisions)
	held = summary.get(dunning_cx.CX_HELD, 0)
	message = _("{0} reminders in {1} emails would go out on {2}.").format(
		summary.get(engine.SEND, 0), len(the_plan.messages), frappe.format(run_date, {"fieldtype": "Date"})
	)
	if held:
		message += "<br>" + _("{0} reminders held while customers are in service recovery.").format(held)
	if the_plan.policy_set.broken:
		message += "<br>" + _("Policies left out: {0}").format("; ".join(the_plan.policy_set.broken.values()))
	return get_columns(), rows, message


def _note(the_plan, decision: engine.Decision) -> str | None:
	"""Promise to pay (promised until, broken) and the instalment a decision is about."""
	parts = []
	if decision.invoice in the_plan.notes:
		parts.append(the_plan.notes[decision.invoice])
	inst = the_plan.instalments.get(decision.invoice)
	if inst is not None and (not decision.is_send or the_plan.instalment_for(decision)):
		parts.append(_("instalment {0} due {1}").format(inst.index, inst.due_date.isoformat()))
	return "; ".join(parts) or None


def get_columns() -> list[dict]:
	return [
		{"fieldname": "action", "label": _("Action"), "fieldtype": "Data", "width": 80},
		{"fieldname": "message_no", "label": _("Email #"), "fieldtype": "Int", "width": 70},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 160,
		},
		{
			"fieldname": "sales_invoice",
			"label": _("Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 160,
		},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_overdue", "label": _("Days Overdue"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "outstanding",
			"label": _("Outstanding"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 120,
		},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
		{
			"fieldname": "policy",
			"label": _("Policy"),
			"fieldtype": "Link",
			"options": "RevOps Dunning Policy",
			"width": 140,
		},
		{"fieldname": "step", "label": _("Step"), "fieldtype": "Data", "width": 140},
		{
			"fieldname": "email_template",
			"label": _("Email Template"),
			"fieldtype": "Link",
			"options": "Email Template",
			"width": 180,
		},
		{"fieldname": "escalation", "label": _("Escalation"), "fieldtype": "Data", "width": 120},
		{"fieldname": "retry", "label": _("Retry"), "fieldtype": "Check", "width": 60},
		{"fieldname": "superseded", "label": _("Passed Over (catch-up)"), "fieldtype": "Data", "width": 180},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 200},
		{"fieldname": "cx_note", "label": _("Service Recovery"), "fieldtype": "Data", "width": 260},
		{"fieldname": "note", "label": _("Promise / Instalment"), "fieldtype": "Data", "width": 240},
	]
