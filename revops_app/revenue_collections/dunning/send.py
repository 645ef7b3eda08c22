"""Dunning send: one consolidated message logged and emailed atomically, or recorded as failed.

Contract
- `send_message(message, plan)` works inside `SAVEPOINT`: the reminder rows are inserted first (their
  `reminder_key` is unique, so a racing run fails on the insert and sends nothing; fresh rows go in with one
  multi-row INSERT, a retry locks and reuses its Failed row), then the Communication and the Email Queue row
  are created and the pay links the email carries are marked Sent (`pay_links.mark_links_sent`), all
  committed together by the caller. If another run holds some of the steps, the message goes out without
  them; if it holds all of them, nothing is sent.
- A failure rolls the message back and records the invoices' rows as Failed (retried by the next run until
  the policy's attempts are used) plus an Error in the shared integration log.
- Nothing here commits.
"""

from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, now_datetime

from revops_app.core.collections import dunning as engine
from revops_app.revenue_collections.constants import DUNNING_REMINDER_DOCTYPE
from revops_app.revenue_collections.dunning.plan import SAVEPOINT, Plan
from revops_app.revenue_collections.dunning.render import recipients_for, render, template_context
from revops_app.revenue_collections.pay_links import mark_links_sent
from revops_app.revops.constants import INTEGRATION_DUNNING, LOG_DOCTYPE, LogStatus
from revops_app.revops.integration_log import create_log


class AlreadyLogged(Exception):
	"""Another run logged (and sent) this step for one of the message's invoices first."""


def send_message(message: engine.Message, the_plan: Plan) -> tuple[str | None, engine.Message]:
	"""Log + send one consolidated message atomically. Returns (Sent, Failed or None when another run
	holds every step, the message as handled). If another run holds some of the steps, the message goes
	out without them."""
	decisions = list(message.decisions)
	while decisions:
		current = engine.Message(message.customer, message.policy, message.step, tuple(decisions))
		frappe.db.savepoint(SAVEPOINT)
		try:
			rows = _claim(current, the_plan)
			communication = _email(current, the_plan)
			frappe.db.sql(
				f"UPDATE `tab{DUNNING_REMINDER_DOCTYPE}` SET communication = %(communication)s"
				" WHERE name IN %(rows)s",
				{"communication": communication, "rows": tuple(rows)},
			)
			frappe.db.release_savepoint(SAVEPOINT)
			return engine.Outcome.SENT, current
		except AlreadyLogged as taken:
			frappe.db.rollback(save_point=SAVEPOINT)
			decisions = [d for d in decisions if d.key != str(taken)]
		except Exception as error:
			traceback = frappe.get_traceback()
			frappe.db.rollback(save_point=SAVEPOINT)
			_record_failure(current, the_plan, error, traceback)
			return engine.Outcome.FAILED, current
	return None, engine.Message(message.customer, message.policy, message.step, ())


def _reminder_values(decision: engine.Decision, message: engine.Message, the_plan: Plan) -> dict[str, Any]:
	row = the_plan.invoices[decision.invoice]
	inst = the_plan.instalment_for(decision)
	return {
		"instalment": inst.index if inst else 0,
		"instalment_due_date": inst.due_date if inst else None,
		"sales_invoice": decision.invoice,
		"customer": decision.customer,
		"company": row.company,
		"policy": decision.policy,
		"step": message.step.name,
		"channel": message.step.channel,
		"email_template": message.step.template,
		"escalation": message.step.escalation,
		"days_overdue": decision.days_overdue,
		"currency": row.currency,
		"outstanding_amount": row.outstanding,
		"run_date": the_plan.on,
		"sent_at": now_datetime(),
	}


BULK_SAVEPOINT = "revops_dunning_bulk"
REMINDER_INSERT_FIELDS = (
	"reminder_key", "outcome", "attempts", "recipients", "sales_invoice", "customer", "company", "policy",
	"step", "channel", "email_template", "escalation", "days_overdue", "currency", "outstanding_amount",
	"run_date", "sent_at", "instalment", "instalment_due_date",
)  # fmt: skip


def _claim(message: engine.Message, the_plan: Plan) -> list[str]:
	"""Insert (or, for a retry, lock and reuse) the reminder rows of the message as Sent.

	Fresh rows go in with one multi-row INSERT; when the unique reminder_key refuses it (another run holds
	a step), the rows are inserted one by one to find which, and AlreadyLogged names it."""
	recipients = ", ".join(recipients_for(message, the_plan))
	fresh = [d for d in message.decisions if not d.retry]
	if fresh and len(fresh) == len(message.decisions):
		frappe.db.savepoint(BULK_SAVEPOINT)
		try:
			names = _bulk_insert(fresh, message, the_plan, recipients)
			frappe.db.release_savepoint(BULK_SAVEPOINT)
			return names
		except Exception as error:
			if not (frappe.db.is_unique_key_violation(error) or frappe.db.is_duplicate_entry(error)):
				raise
			frappe.db.rollback(save_point=BULK_SAVEPOINT)
	names = []
	for decision in message.decisions:
		values = _reminder_values(decision, message, the_plan)
		if decision.retry:
			existing = frappe.db.sql(
				f"SELECT name, outcome, attempts FROM `tab{DUNNING_REMINDER_DOCTYPE}`"
				" WHERE reminder_key = %(key)s FOR UPDATE",
				{"key": decision.key},
				as_dict=True,
			)
			if not existing or existing[0].outcome != engine.Outcome.FAILED:
				raise AlreadyLogged(decision.key)
			values.update(
				outcome=engine.Outcome.SENT,
				attempts=cint(existing[0].attempts) + 1,
				recipients=recipients,
				message=None,
			)
			frappe.db.set_value(DUNNING_REMINDER_DOCTYPE, existing[0].name, values)
			names.append(existing[0].name)
			continue
		doc = frappe.get_doc(
			{
				"doctype": DUNNING_REMINDER_DOCTYPE,
				"reminder_key": decision.key,
				"outcome": engine.Outcome.SENT,
				"attempts": 1,
				"recipients": recipients,
				**values,
			}
		)
		try:
			doc.insert(ignore_permissions=True)
		except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
			raise AlreadyLogged(decision.key)
		names.append(doc.name)
	return names


def _bulk_insert(
	decisions: list[engine.Decision], message: engine.Message, the_plan: Plan, recipients: str
) -> list[str]:
	now, user = now_datetime(), frappe.session.user
	names, rows = [], []
	for decision in decisions:
		values = _reminder_values(decision, message, the_plan)
		values.update(
			reminder_key=decision.key, outcome=engine.Outcome.SENT, attempts=1, recipients=recipients
		)
		name = frappe.generate_hash(length=12)
		names.append(name)
		rows.append((name, now, now, user, user, 0, 0, *(values[field] for field in REMINDER_INSERT_FIELDS)))
	frappe.db.bulk_insert(
		DUNNING_REMINDER_DOCTYPE,
		["name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", *REMINDER_INSERT_FIELDS],
		rows,
	)
	return names


def _email(message: engine.Message, the_plan: Plan) -> str:
	"""Create the Communication (on every invoice's timeline) and queue the email. Returns its name."""
	recipients = recipients_for(message, the_plan)
	if not recipients:
		raise frappe.ValidationError(
			_("Customer {0} has no email address (invoice contact or customer email)").format(
				message.customer
			)
		)
	subject, body = render(message.step.template, template_context(message, the_plan))
	first = message.invoices[0]
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Sent",
			"subject": subject,
			"content": body,
			"recipients": ", ".join(recipients),
			"reference_doctype": "Sales Invoice",
			"reference_name": first,
			"email_template": message.step.template,
		}
	)
	for invoice in message.invoices[1:]:
		communication.append("timeline_links", {"link_doctype": "Sales Invoice", "link_name": invoice})
	communication.append("timeline_links", {"link_doctype": "Customer", "link_name": message.customer})
	communication.flags.skip_add_signature = True  # the run's user signature has no place in a reminder
	communication.insert(ignore_permissions=True)
	# The links this email really carries (a finance user's template may leave them out) are now sent.
	mark_links_sent(
		invoice
		for invoice in message.invoices
		if the_plan.invoices[invoice].pay_url and the_plan.invoices[invoice].pay_url in body
	)
	frappe.sendmail(
		recipients=recipients,
		subject=subject,
		message=body,
		reference_doctype="Sales Invoice",
		reference_name=first,
		communication=communication.name,
		add_unsubscribe_link=0,  # transactional; opting out is a field on the Customer
		delayed=True,
	)
	return communication.name


def _record_failure(
	message: engine.Message, the_plan: Plan, error: Exception, traceback: str | None = None
) -> None:
	"""The message was rolled back: mark its reminders Failed (retried next run) and log the error."""
	text = f"{error.__class__.__name__}: {error}"[:1000]
	for decision in message.decisions:
		values = _reminder_values(decision, message, the_plan)
		values.update(outcome=engine.Outcome.FAILED, message=text)
		if decision.retry:
			frappe.db.sql(
				f"UPDATE `tab{DUNNING_REMINDER_DOCTYPE}` SET attempts = attempts + 1, message = %(message)s,"
				" sent_at = %(sent_at)s WHERE reminder_key = %(key)s AND outcome = 'Failed'",
				{"message": text, "sent_at": values["sent_at"], "key": decision.key},
			)
			continue
		frappe.db.savepoint(SAVEPOINT)
		try:
			frappe.get_doc(
				{"doctype": DUNNING_REMINDER_DOCTYPE, "reminder_key": decision.key, "attempts": 1, **values}
			).insert(ignore_permissions=True)
			frappe.db.release_savepoint(SAVEPOINT)
		except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
			frappe.db.rollback(save_point=SAVEPOINT)  # another run holds it; nothing to record
	log = create_log(
		INTEGRATION_DUNNING,
		"run_dunning",
		status=LogStatus.ERROR,
		event_type=message.step.name,
		request_data={"customer": message.customer, "policy": message.policy, "invoices": message.invoices},
		message=_("Reminder not sent; it is retried by the next daily run. {0}").format(text)[:1000],
		reference_doctype="Sales Invoice",
		reference_name=message.invoices[0],
	)
	if traceback:
		frappe.db.set_value(LOG_DOCTYPE, log.name, "traceback", traceback, update_modified=False)
