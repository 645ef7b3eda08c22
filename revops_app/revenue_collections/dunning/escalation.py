"""Dunning escalations: a draft ERPNext Dunning, a ToDo for the collector or an Issue, after a reminder went out.

Contract: `escalate(message, plan)` (called by `dunning.run.run_dunning`) runs inside its own savepoint
after the message's email and reminder rows are recorded (`dunning.send`); a failure never un-sends the
email. It becomes an Error in the RevOps Integration Log whose method is `retry_escalation` (registered in
jobs.RETRYABLE_WORKERS), so the hourly sweep replays it with backoff, and the replay escalates only the
invoices that are still open and not escalated yet. The escalation documents are recorded on the reminder
rows (escalation_doctype / escalation_reference).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import fmt_money, getdate, today

from revops_app.core.collections import dunning as engine
from revops_app.revenue_collections.constants import DUNNING_REMINDER_DOCTYPE
from revops_app.revenue_collections.dunning.facts import collect_facts
from revops_app.revenue_collections.dunning.plan import SAVEPOINT, Plan
from revops_app.revenue_collections.dunning.policies import load_policies
from revops_app.revops.constants import INTEGRATION_DUNNING, LOG_DOCTYPE, LogStatus
from revops_app.revops.integration_log import create_log, next_retry_time
from revops_app.revops.jobs import run_job_and_commit

ESCALATION_WORKER = "revops_app.revenue_collections.dunning.escalation.retry_escalation"


def escalate(message: engine.Message, the_plan: Plan) -> None:
	"""Escalate a sent message; a failure is kept apart (the email stays sent) and queued for retry."""
	if message.step.escalation == engine.Escalation.NONE:
		return
	frappe.db.savepoint(SAVEPOINT)
	try:
		_do_escalation(message, the_plan)
		frappe.db.release_savepoint(SAVEPOINT)
	except Exception as error:
		traceback = frappe.get_traceback()
		frappe.db.rollback(save_point=SAVEPOINT)
		text = f"{message.step.escalation} failed: {error.__class__.__name__}: {error}"[:1000]
		frappe.db.sql(
			f"UPDATE `tab{DUNNING_REMINDER_DOCTYPE}` SET message = %(message)s WHERE reminder_key IN %(keys)s",
			{"message": text, "keys": tuple(message.keys)},
		)
		log = create_log(
			INTEGRATION_DUNNING,
			ESCALATION_WORKER,
			status=LogStatus.ERROR,
			event_type=message.step.escalation,
			request_data={
				"customer": message.customer,
				"policy": message.policy,
				"step": message.step.name,
				"invoices": list(message.invoices),
				# per invoice: its reminder key (an instalment's or a broken promise's differs from the step's)
				"keys": [d.key for d in message.decisions],
				"on": str(the_plan.on),
			},
			message=text,
			reference_doctype="Sales Invoice",
			reference_name=message.invoices[0],
		)
		# The hourly sweep (jobs.sweep_stuck_logs) replays it; "Reprocess" on the log does too.
		frappe.db.set_value(
			LOG_DOCTYPE, log.name, {"traceback": traceback, "next_retry_at": next_retry_time(1)}
		)


def _do_escalation(message: engine.Message, the_plan: Plan) -> None:
	escalation = message.step.escalation
	if escalation == engine.Escalation.DUNNING:
		references = [(inv, _make_dunning(inv, message.step, the_plan.on)) for inv in message.invoices]
	elif escalation == engine.Escalation.TODO:
		todo = _make_todo(message, the_plan)
		references = [(inv, todo) for inv in message.invoices]
	else:
		issue = _make_issue(message, the_plan)
		references = [(inv, issue) for inv in message.invoices]
	doctype = {engine.Escalation.DUNNING: "Dunning", engine.Escalation.TODO: "ToDo"}.get(escalation, "Issue")
	keys = {d.invoice: d.key for d in message.decisions}
	for invoice, reference in references:
		frappe.db.set_value(
			DUNNING_REMINDER_DOCTYPE,
			{"reminder_key": keys[invoice]},
			{"escalation_doctype": doctype, "escalation_reference": reference, "message": None},
			update_modified=False,
		)


def retry_escalation(log_name: str) -> None:
	"""Replay a failed escalation from its integration log (registered in RETRYABLE_WORKERS)."""
	run_job_and_commit(log_name, _replay_escalation)


def _replay_escalation(log: Any) -> tuple[str, str | None] | None:
	data = json.loads(log.request_data or "{}")
	policy_set = load_policies()
	policy = policy_set.policies.get(data.get("policy"))
	if policy is None or data.get("step") not in policy.position:
		return LogStatus.SKIPPED, _("Policy {0} or its step {1} no longer exists").format(
			data.get("policy"), data.get("step")
		)
	step = policy.ordered[policy.position[data["step"]]]
	on = getdate(data.get("on") or today())
	keys = dict(
		zip(
			data["invoices"],
			data.get("keys") or [engine.reminder_key(i, policy.name, step.name) for i in data["invoices"]],
			strict=True,
		)
	)
	pending = set(
		frappe.get_all(
			DUNNING_REMINDER_DOCTYPE,
			filters={
				"reminder_key": ("in", list(keys.values())),
				"outcome": engine.Outcome.SENT,
				"escalation_reference": ("is", "not set"),
			},
			pluck="sales_invoice",
		)
	)
	# Still open (collect_facts reads only unpaid invoices) and not escalated yet.
	_facts, details, customers = collect_facts(on, policy_set, invoices=sorted(pending))
	if not details:
		return LogStatus.SKIPPED, _("Nothing left to escalate: paid, cancelled or already escalated")
	decisions = tuple(
		engine.Decision(
			invoice=row.name,
			customer=row.customer,
			action=engine.SEND,
			policy=policy.name,
			step=step,
			key=keys[row.name],
			days_overdue=max((on - row.due_date).days, 0),
		)
		for row in sorted(details.values(), key=lambda r: r.name)
	)
	the_plan = Plan(on, policy_set, list(decisions), [], details, customers)
	_do_escalation(engine.Message(data["customer"], policy.name, step, decisions), the_plan)
	return None


def _make_dunning(invoice: str, step: engine.Step, on: date) -> str:
	"""A draft ERPNext Dunning through ERPNext's own mapper (overdue payments, letter text, default type);
	the step's Dunning Type, when set, replaces the company default with its fee and interest."""
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import create_dunning

	dunning = create_dunning(invoice, ignore_permissions=True)
	dunning.posting_date = on
	if step.dunning_type:
		dunning_type = frappe.get_cached_doc("Dunning Type", step.dunning_type)
		dunning.dunning_type = dunning_type.name
		dunning.rate_of_interest = dunning_type.rate_of_interest
		dunning.dunning_fee = dunning_type.dunning_fee
		dunning.income_account = dunning_type.income_account
		dunning.cost_center = dunning_type.cost_center
		from erpnext.accounts.doctype.dunning.dunning import get_dunning_letter_text

		letter = get_dunning_letter_text(dunning_type=dunning_type.name, doc=dunning.as_dict())
		if letter:
			dunning.body_text = letter.get("body_text")
			dunning.closing_text = letter.get("closing_text")
			dunning.language = letter.get("language")
	dunning.flags.ignore_permissions = True
	dunning.insert()
	return dunning.name


def _escalation_text(message: engine.Message, the_plan: Plan) -> str:
	lines = [
		_("Dunning step {0} ({1}) went to {2} for:").format(
			message.step.name, message.policy, message.customer
		)
	]
	for decision in message.decisions:
		row = the_plan.invoices[decision.invoice]
		lines.append(
			f"{row.name}: {fmt_money(row.outstanding, currency=row.currency)}, "
			+ _("{0} days overdue").format(decision.days_overdue)
		)
	return "<br>".join(frappe.utils.escape_html(line) for line in lines)


def _collector(message: engine.Message, the_plan: Plan) -> str | None:
	return (
		the_plan.policy_set.collectors.get(message.policy)
		or the_plan.customers[message.customer].account_manager
	)


def _make_todo(message: engine.Message, the_plan: Plan) -> str:
	collector = _collector(message, the_plan)
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": collector,
			# nobody named: the task is the Accounts Managers' (ToDo.role), not lost
			"role": None if collector else "Accounts Manager",
			"description": _escalation_text(message, the_plan),
			"reference_type": "Sales Invoice",
			"reference_name": message.invoices[0],
			"priority": "High",
			"date": the_plan.on,
		}
	)
	todo.insert(ignore_permissions=True)
	return todo.name


def _make_issue(message: engine.Message, the_plan: Plan) -> str:
	issue = frappe.get_doc(
		{
			"doctype": "Issue",
			"subject": _("Collections: {0} at dunning step {1}").format(
				the_plan.customers[message.customer].customer_name, message.step.name
			),
			"customer": message.customer,
			"company": the_plan.invoices[message.invoices[0]].company,
			"description": _escalation_text(message, the_plan),
		}
	)
	issue.insert(ignore_permissions=True)
	return issue.name
