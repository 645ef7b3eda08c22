"""Dunning glue: facts from the database -> `revops_app.core.collections.dunning` -> emails, log, escalations.

Contract
- `collect_facts(on)` reads every open invoice that any policy could remind on day `on` with ONE SQL
  statement (invoice + customer + pay link + logged reminders, folded per invoice), no per-invoice get_doc.
- `plan(on)` = facts + policies + the engine's decisions and consolidated messages; nothing is written.
  The preview (`preview`, the "Dunning Preview" report) and the daily run both use it, so they agree.
- `run_dunning(on)` sends each consolidated message inside a savepoint: the reminder rows are inserted
  first (their `reminder_key` is unique, so a racing run fails on the insert and sends nothing), then the
  Communication and the Email Queue row are created and the pay links the email carries are marked Sent
  (`pay_links.mark_links_sent`), all committed together. A failure rolls the message
  back and records the invoices' rows as Failed (retried by the next run until the policy's attempts are
  used) plus an Error in the shared integration log. Escalations (ERPNext Dunning, ToDo, Issue) run after
  the message is recorded (`revops_app.revenue_collections.dunning.escalation`); a failure does not un-send the email, it
  becomes an Error log that the hourly sweep replays through `dunning_escalation.retry_escalation`.
- `daily()` is the scheduled entry point (scheduler_events daily_long), gated by RevOps Settings.
- Which policy applies, and the policy/Customer validation hooks, live in `revops_app.revenue_collections.dunning.policies`.

Template context (Jinja, the Email Template's subject and body; see README "Dunning"):
  customer          {name, customer_name, email}
  invoices          list of {name, posting_date, due_date, due_date_formatted, currency, grand_total,
                    outstanding_amount, outstanding_formatted, days_overdue, pay_url}, oldest due first
  invoices_label    "invoice SINV-0001" or "3 invoices" (for subjects)
  invoice           the first of `invoices` (single-invoice templates); also flattened as
                    outstanding_amount, currency, due_date, due_date_formatted, days_overdue, pay_url
  totals            list of {currency, amount, formatted}: outstanding per currency
  company, step, policy, run_date
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import add_days, cint, flt, fmt_money, formatdate, getdate, now_datetime, today

from revops_app.core.collections import dunning as engine
from revops_app.core.gateway.paylinks import LinkStatus
from revops_app.core.gateway.routing import LinkState
from revops_app.revenue_collections.constants import (
	CUSTOMER_DUNNING_POLICY_FIELD,
	CUSTOMER_OPT_OUT_FIELD,
	CUSTOMER_PAUSED_UNTIL_FIELD,
	DUNNING_REMINDER_DOCTYPE,
)
from revops_app.revenue_collections.dunning.policies import PolicySet, load_policies
from revops_app.revenue_collections.pay_links import mark_links_sent
from revops_app.revops.constants import (
	FINANCE_ROLES,
	INTEGRATION_DUNNING,
	LOG_DOCTYPE,
	SETTINGS_DOCTYPE,
	LogStatus,
)
from revops_app.revops.integration_log import create_log

PAYMENT_LINK_TABLE = "RevOps Payment Link"


# --- facts ----------------------------------------------------------------------------------------


@dataclass
class InvoiceRow:
	"""What the sender needs beyond the engine's facts (addresses, amounts to print, the pay URL)."""

	name: str
	customer: str
	customer_name: str
	company: str
	posting_date: date
	due_date: date
	currency: str
	grand_total: float
	outstanding: float
	contact_email: str | None
	pay_url: str | None
	language: str | None


@dataclass
class CustomerRow:
	name: str
	customer_name: str
	email: str | None
	account_manager: str | None
	state: engine.CustomerState


def collect_facts(
	on: date,
	policy_set: PolicySet,
	company: str | None = None,
	customer: str | None = None,
	invoices: Iterable[str] | None = None,
) -> tuple[list[engine.InvoiceFacts], dict[str, InvoiceRow], dict[str, CustomerRow]]:
	"""One statement: open submitted invoices any step could reach on `on`, with customer, pay link and
	logged reminders (one row per logged reminder, folded here)."""
	offsets = [offset for policy in policy_set.policies.values() for offset in policy.offsets]
	# An invoice is only interesting once due_date + earliest offset <= on.
	latest_due = add_days(on, -min(offsets)) if offsets else on
	conditions = ""
	params: dict[str, Any] = {"latest_due": latest_due, "company": company, "customer": customer}
	if company:
		conditions += " AND si.company = %(company)s"
	if customer:
		conditions += " AND si.customer = %(customer)s"
	if invoices is not None:
		params["invoices"] = tuple(invoices) or ("",)
		conditions += " AND si.name IN %(invoices)s"
	rows = frappe.db.sql(
		f"""
		SELECT si.name AS invoice, si.customer AS customer, si.company AS company,
			si.posting_date AS posting_date, si.due_date AS due_date, si.currency AS currency,
			si.party_account_currency AS party_currency, si.outstanding_amount AS outstanding,
			CASE WHEN si.party_account_currency = si.currency OR si.party_account_currency IS NULL
				THEN COALESCE(NULLIF(si.rounded_total, 0), si.grand_total)
				ELSE COALESCE(NULLIF(si.base_rounded_total, 0), si.base_grand_total) END AS total,
			si.contact_email AS contact_email, si.language AS language,
			c.customer_name AS customer_name, c.customer_group AS customer_group, c.email_id AS customer_email,
			c.account_manager AS account_manager, c.{CUSTOMER_DUNNING_POLICY_FIELD} AS own_policy,
			c.{CUSTOMER_PAUSED_UNTIL_FIELD} AS paused_until, c.{CUSTOMER_OPT_OUT_FIELD} AS opted_out,
			pl.url AS pay_url, pl.status AS link_status, pl.link_state AS link_state,
			pl.view_count AS view_count, pl.first_viewed_at AS first_viewed_at, pl.disputed AS disputed,
			r.policy AS logged_policy, r.step AS logged_step, r.outcome AS logged_outcome,
			r.attempts AS logged_attempts
		FROM `tabSales Invoice` si
		JOIN `tabCustomer` c ON c.name = si.customer
		LEFT JOIN `tab{PAYMENT_LINK_TABLE}` pl ON pl.sales_invoice = si.name
			AND COALESCE(pl.status, '') != 'Cancelled'
		LEFT JOIN `tab{DUNNING_REMINDER_DOCTYPE}` r ON r.sales_invoice = si.name
		WHERE si.docstatus = 1 AND si.is_return = 0 AND si.outstanding_amount > 0
			AND si.due_date <= %(latest_due)s{conditions}
		ORDER BY si.name
		""",
		params,
		as_dict=True,
	)
	facts: list[engine.InvoiceFacts] = []
	details: dict[str, InvoiceRow] = {}
	customers: dict[str, CustomerRow] = {}
	current: engine.InvoiceFacts | None = None
	logged: list[engine.LoggedStep] = []
	for row in rows:
		if current is None or current.invoice != row.invoice:
			if current is not None:
				current.logged = tuple(logged)
			logged = []
			current = _facts(row)
			facts.append(current)
			details[row.invoice] = _invoice_row(row)
			if row.customer not in customers:
				customers[row.customer] = _customer_row(row, policy_set)
		if row.logged_step:
			step = engine.LoggedStep(
				row.logged_policy or "", row.logged_step, row.logged_outcome, cint(row.logged_attempts) or 1
			)
			if step not in logged:
				logged.append(step)
	if current is not None:
		current.logged = tuple(logged)
	return facts, details, customers


def _link_flags(row: Any) -> tuple[bool, bool, bool]:
	"""(disputed, viewed, last payment failed) from the invoice's pay link (one per invoice: the
	link's sales_invoice is unique), as the Stripe worker and the pay page write it."""
	return (
		bool(cint(row.disputed) or row.link_state == LinkState.DISPUTED),
		bool(cint(row.view_count) > 0 or row.first_viewed_at or row.link_state == LinkState.VIEWED),
		row.link_state == LinkState.PAYMENT_FAILED,
	)


def _facts(row: Any) -> engine.InvoiceFacts:
	disputed, viewed, failed = _link_flags(row)
	outstanding = flt(row.outstanding)
	if row.link_status == LinkStatus.PAID or row.link_state == LinkState.PAID:
		# Stripe says paid and the Payment Entry is on its way: never dun in that gap.
		outstanding = 0.0
	return engine.InvoiceFacts(
		invoice=row.invoice,
		customer=row.customer,
		due_date=getdate(row.due_date),
		outstanding=outstanding,
		grand_total=flt(row.total),
		currency=row.party_currency or row.currency,
		disputed=disputed,
		link_viewed=viewed,
		last_payment_failed=failed,
	)


def _invoice_row(row: Any) -> InvoiceRow:
	return InvoiceRow(
		name=row.invoice,
		customer=row.customer,
		customer_name=row.customer_name or row.customer,
		company=row.company,
		posting_date=getdate(row.posting_date),
		due_date=getdate(row.due_date),
		currency=row.party_currency or row.currency,
		grand_total=flt(row.total),
		outstanding=flt(row.outstanding),
		contact_email=row.contact_email,
		pay_url=row.pay_url,
		language=row.language,
	)


def _customer_row(row: Any, policy_set: PolicySet) -> CustomerRow:
	return CustomerRow(
		name=row.customer,
		customer_name=row.customer_name or row.customer,
		email=row.customer_email,
		account_manager=row.account_manager,
		state=engine.CustomerState(
			policy=policy_set.policy_for(row.own_policy, row.customer_group),
			paused_until=getdate(row.paused_until) if row.paused_until else None,
			opted_out=bool(cint(row.opted_out)),
		),
	)


# --- plan -----------------------------------------------------------------------------------------


@dataclass
class Plan:
	on: date
	policy_set: PolicySet
	decisions: list[engine.Decision]
	messages: list[engine.Message]
	invoices: dict[str, InvoiceRow]
	customers: dict[str, CustomerRow]


def plan(
	on: date | str | None = None,
	company: str | None = None,
	customer: str | None = None,
	invoices: Iterable[str] | None = None,
) -> Plan:
	"""What a run on `on` would do. Reads only."""
	on = getdate(on or today())
	policy_set = load_policies()
	facts, details, customers = collect_facts(on, policy_set, company, customer, invoices)
	states = {name: row.state for name, row in customers.items()}
	decisions = engine.decide(facts, states, policy_set.policies, on, policy_set.default)
	return Plan(on, policy_set, decisions, engine.group_messages(decisions), details, customers)


# --- rendering ------------------------------------------------------------------------------------


def template_context(message: engine.Message, the_plan: Plan) -> dict[str, Any]:
	customer = the_plan.customers[message.customer]
	invoices = []
	totals: dict[str, float] = {}
	for decision in sorted(
		message.decisions, key=lambda d: (the_plan.invoices[d.invoice].due_date, d.invoice)
	):
		row = the_plan.invoices[decision.invoice]
		invoices.append(
			{
				"name": row.name,
				"posting_date": row.posting_date,
				"due_date": row.due_date,
				"due_date_formatted": formatdate(row.due_date),
				"currency": row.currency,
				"grand_total": row.grand_total,
				"outstanding_amount": row.outstanding,
				"outstanding_formatted": fmt_money(row.outstanding, currency=row.currency),
				"days_overdue": decision.days_overdue,
				"pay_url": row.pay_url,
			}
		)
		totals[row.currency] = totals.get(row.currency, 0.0) + row.outstanding
	first = invoices[0]
	return {
		"customer": {"name": customer.name, "customer_name": customer.customer_name, "email": customer.email},
		"invoices": invoices,
		"invoice": first,
		# "invoice SINV-0001" or "3 invoices": short enough for a subject line (Email Template subjects
		# hold 140 characters of Jinja)
		"invoices_label": _("invoice {0}").format(first["name"])
		if len(invoices) == 1
		else _("{0} invoices").format(len(invoices)),
		"outstanding_amount": first["outstanding_amount"],
		"currency": first["currency"],
		"due_date": first["due_date"],
		"due_date_formatted": first["due_date_formatted"],
		"days_overdue": first["days_overdue"],
		"pay_url": first["pay_url"],
		"totals": [
			{"currency": cur, "amount": amount, "formatted": fmt_money(amount, currency=cur)}
			for cur, amount in sorted(totals.items())
		],
		"company": the_plan.invoices[first["name"]].company,
		"step": message.step.name,
		"policy": message.policy,
		"run_date": the_plan.on,
	}


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
	"""(subject, HTML body) of an Email Template rendered over `context`."""
	doc = frappe.get_cached_doc("Email Template", template)
	body = doc.response_html if cint(doc.use_html) else doc.response
	return (
		frappe.render_template(doc.subject or "", context).strip(),
		frappe.render_template(body or "", context),
	)


def recipients_for(message: engine.Message, the_plan: Plan) -> list[str]:
	"""The invoices' contact emails, else the customer's primary email."""
	emails: list[str] = []
	for invoice in message.invoices:
		email = (the_plan.invoices[invoice].contact_email or "").strip()
		if email and email not in emails:
			emails.append(email)
	if not emails and the_plan.customers[message.customer].email:
		emails.append(the_plan.customers[message.customer].email.strip())
	return emails


# --- preview --------------------------------------------------------------------------------------


@frappe.whitelist()
def preview(
	on: str | None = None, company: str | None = None, customer: str | None = None
) -> list[dict[str, Any]]:
	"""What the daily run would send on `on` (default today): one entry per consolidated message.
	Finance roles only; reads, never writes."""
	# Not frappe.only_for: it lets everyone through while tests run, so the test could not see a leak.
	if set(FINANCE_ROLES).isdisjoint(frappe.get_roles()):
		frappe.throw(_("Only finance users can preview dunning."), frappe.PermissionError)
	the_plan = plan(on, company, customer)
	result = []
	for message in the_plan.messages:
		entry: dict[str, Any] = {
			"customer": message.customer,
			"policy": message.policy,
			"step": message.step.name,
			"channel": message.step.channel,
			"email_template": message.step.template,
			"escalation": message.step.escalation,
			"invoices": list(message.invoices),
			"keys": list(message.keys),
			"retry": [d.invoice for d in message.decisions if d.retry],
			"superseded": sorted({s for d in message.decisions for s in d.superseded}),
			"recipients": recipients_for(message, the_plan),
		}
		try:
			entry["subject"] = render(message.step.template, template_context(message, the_plan))[0]
		except Exception as error:  # a broken template is exactly what a preview should reveal
			entry["subject"] = None
			entry["error"] = f"{error.__class__.__name__}: {error}"
		result.append(entry)
	return result


# --- run ------------------------------------------------------------------------------------------


def daily() -> None:
	"""scheduler_events daily_long: one run for today when RevOps Settings enables dunning."""
	settings = frappe.db.get_singles_dict(SETTINGS_DOCTYPE)
	if not (cint(settings.get("enabled")) and cint(settings.get("dunning_enabled"))):
		return
	run_dunning(commit=True)


def run_dunning(
	on: date | str | None = None, commit: bool = True, company: str | None = None
) -> dict[str, int]:
	"""Send what the plan for `on` says. Returns counts: messages sent/failed, reminders logged, skips.
	With commit=True each message is committed on its own (a crash keeps what was already sent)."""
	from revops_app.revenue_collections.dunning.escalation import escalate  # imports this module

	the_plan = plan(on, company)
	counts = {"messages_sent": 0, "messages_failed": 0, "reminders_sent": 0, "reminders_failed": 0}
	counts["already_logged"] = 0
	for policy, why in the_plan.policy_set.broken.items():
		create_log(INTEGRATION_DUNNING, "run_dunning", status=LogStatus.ERROR, message=f"{policy}: {why}")
	for message in the_plan.messages:
		outcome, done = _send_message(message, the_plan)
		counts["already_logged"] += len(message.decisions) - len(done.decisions)
		if outcome == engine.Outcome.SENT:
			counts["messages_sent"] += 1
			counts["reminders_sent"] += len(done.decisions)
			escalate(done, the_plan)
		elif outcome == engine.Outcome.FAILED:
			counts["messages_failed"] += 1
			counts["reminders_failed"] += len(done.decisions)
		if commit:
			frappe.db.commit()  # nosemgrep: the daily job ends each message's transaction
	for reason, number in engine.summarise(the_plan.decisions).items():
		if reason != engine.SEND:
			counts[reason] = number
	if commit:
		frappe.db.commit()  # nosemgrep: keeps the broken-policy log entries when nothing was sent
	return counts


SAVEPOINT = "revops_dunning_message"


class AlreadyLogged(Exception):
	"""Another run logged (and sent) this step for one of the message's invoices first."""


def _send_message(message: engine.Message, the_plan: Plan) -> tuple[str | None, engine.Message]:
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
	return {
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
	"run_date", "sent_at",
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
