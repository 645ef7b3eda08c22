"""The customer timeline's glue: every document that tells the customer's story, one statement per source.

Contract
- `events_for(customer, limit)` -> the newest `limit` TimelineEvents (core.cx.customer_timeline.ordered) of
  invoices, payments, dunning reminders and their escalations, the promise to pay (the dunning pause), payment
  disputes, survey responses, service-recovery Issues and their SLA escalations, and the lead handoffs the
  sidecar reported (RevOps Lead Handoff, revops/handoffs.py; each row's `external_url` is the HubSpot task,
  else the contact). Reads only; one statement per source, no document load.
- `timeline_rows(customer, limit)`: the same as dicts with each document's desk link
  (frappe.utils.get_url_to_form: /app on v15, /desk on v16), for the report and `api.signals.customer_timeline`.
"""

from datetime import datetime
from typing import Any

import frappe
from frappe.utils import flt, fmt_money, get_datetime, get_url_to_form, getdate

from revops_app.core.cx import customer_timeline as tl
from revops_app.core.cx.lead_handoff import summary as handoff_summary
from revops_app.customer_experience.constants import (
	CF_ISSUE_CX_ESCALATION_LEVEL,
	CF_ISSUE_CX_RESPONSE,
	CX_RESPONSE_DOCTYPE,
)

REMINDER = "RevOps Dunning Reminder"
PAYMENT_LINK = "RevOps Payment Link"
HANDOFF = "RevOps Lead Handoff"  # revops.handoffs.HANDOFF_DOCTYPE
PAUSED_UNTIL = "revops_dunning_paused_until"  # revenue_collections.constants.CUSTOMER_PAUSED_UNTIL_FIELD


def _when(value: Any) -> datetime:
	return tl.as_datetime(get_datetime(value) if isinstance(value, datetime | str) else getdate(value))


def events_for(customer: str, limit: int = tl.DEFAULT_LIMIT) -> list[tl.TimelineEvent]:
	sql, args = frappe.db.sql, {"customer": customer, "limit": int(limit)}
	events: list[tl.TimelineEvent] = []
	add = events.append
	for r in sql(
		"""SELECT name, posting_date, grand_total, currency, outstanding_amount, due_date, is_return, status
		FROM `tabSales Invoice` WHERE customer = %(customer)s AND docstatus = 1
		ORDER BY posting_date DESC LIMIT %(limit)s""",
		args,
		as_dict=True,
	):
		what = "credit note" if r.is_return else "invoice"
		add(
			tl.TimelineEvent(
				_when(r.posting_date),
				tl.INVOICE,
				"Sales Invoice",
				r.name,
				f"{what} {fmt_money(r.grand_total, currency=r.currency)}, due {r.due_date}, {r.status}"
				+ (
					f", {fmt_money(r.outstanding_amount, currency=r.currency)} open"
					if flt(r.outstanding_amount)
					else ""
				),
			)
		)
	for r in sql(
		"""SELECT name, posting_date, paid_amount, paid_from_account_currency AS currency, mode_of_payment
		FROM `tabPayment Entry` WHERE party_type = 'Customer' AND party = %(customer)s AND docstatus = 1
		ORDER BY posting_date DESC LIMIT %(limit)s""",
		args,
		as_dict=True,
	):
		how = f" by {r.mode_of_payment}" if r.mode_of_payment else ""
		add(
			tl.TimelineEvent(
				_when(r.posting_date),
				tl.PAYMENT,
				"Payment Entry",
				r.name,
				f"received {fmt_money(r.paid_amount, currency=r.currency)}{how}",
			)
		)
	if frappe.db.table_exists(REMINDER):
		for r in sql(
			f"""SELECT name, COALESCE(sent_at, creation) AS at, step, outcome, sales_invoice, escalation,
				escalation_doctype, escalation_reference, modified
			FROM `tab{REMINDER}` WHERE customer = %(customer)s ORDER BY at DESC LIMIT %(limit)s""",
			args,
			as_dict=True,
		):
			add(
				tl.TimelineEvent(
					_when(r.at), tl.REMINDER, REMINDER, r.name, f"{r.step} for {r.sales_invoice}: {r.outcome}"
				)
			)
			if r.escalation_doctype and r.escalation_reference:
				add(
					tl.TimelineEvent(
						_when(r.modified),
						tl.ESCALATION,
						r.escalation_doctype,
						r.escalation_reference,
						f"dunning escalation ({r.escalation}) after {r.step} for {r.sales_invoice}",
					)
				)
	paused = frappe.db.get_value("Customer", customer, PAUSED_UNTIL)
	if paused:
		add(
			tl.TimelineEvent(
				_when(paused),
				tl.PROMISE,
				"Customer",
				customer,
				f"promise to pay: reminders paused until {paused}",
			)
		)
	for r in sql(
		f"""SELECT name, sales_invoice, dispute_id, dispute_status, modified FROM `tab{PAYMENT_LINK}`
		WHERE customer = %(customer)s AND COALESCE(dispute_id, '') != '' ORDER BY modified DESC LIMIT %(limit)s""",
		args,
		as_dict=True,
	):
		add(
			tl.TimelineEvent(
				_when(r.modified),
				tl.DISPUTE,
				PAYMENT_LINK,
				r.name,
				f"payment on {r.sales_invoice} disputed ({r.dispute_status or 'open'})",
			)
		)
	for r in sql(
		f"""SELECT name, COALESCE(submitted_at, creation) AS at, metric, raw_score, category
		FROM `tab{CX_RESPONSE_DOCTYPE}` WHERE customer = %(customer)s ORDER BY at DESC LIMIT %(limit)s""",
		args,
		as_dict=True,
	):
		add(
			tl.TimelineEvent(
				_when(r.at),
				tl.SURVEY,
				CX_RESPONSE_DOCTYPE,
				r.name,
				f"{r.metric} {flt(r.raw_score):g} ({r.category})",
			)
		)
	for r in sql(
		f"""SELECT name, creation, subject, status, priority, `{CF_ISSUE_CX_ESCALATION_LEVEL}` AS level, modified
		FROM `tabIssue` WHERE customer = %(customer)s AND COALESCE(`{CF_ISSUE_CX_RESPONSE}`, '') != ''
		ORDER BY creation DESC LIMIT %(limit)s""",
		args,
		as_dict=True,
	):
		add(
			tl.TimelineEvent(
				_when(r.creation), tl.RECOVERY, "Issue", r.name, f"{r.subject} ({r.status}, {r.priority})"
			)
		)
		if int(r.level or 0) > 0:
			add(
				tl.TimelineEvent(
					_when(r.modified),
					tl.ESCALATION,
					"Issue",
					r.name,
					f"service recovery escalated, level {r.level}",
				)
			)
	for r in sql(
		f"""SELECT name, handed_off_at, contact_id, contact_name, owner_name, team, score, subject, task_url,
			contact_url
		FROM `tab{HANDOFF}` WHERE customer = %(customer)s ORDER BY handed_off_at DESC LIMIT %(limit)s""",
		args,
		as_dict=True,
	):
		add(
			tl.TimelineEvent(
				_when(r.handed_off_at),
				tl.HANDOFF,
				HANDOFF,
				r.name,
				handoff_summary(r),
				external_url=r.task_url or r.contact_url or "",
			)
		)
	return tl.ordered(events, limit)


def timeline_rows(customer: str, limit: int = tl.DEFAULT_LIMIT) -> list[dict[str, str]]:
	return tl.as_rows(events_for(customer, limit), get_url_to_form)
