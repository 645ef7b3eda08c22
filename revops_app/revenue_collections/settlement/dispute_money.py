"""Dispute money -> Journal Entries that follow Stripe's balance, not the dispute's outcome.

`plan_dispute_money` (core/collections/dispute_money.py) reads the dispute's balance transactions
(from the event, or GET /v1/disputes/{id} when they are not in it) and what is posted for the
dispute, and each due phase becomes one Journal Entry:
    withdrawal (chargeback created):  Dr customer receivable  amount   (the customer owes it again)
                                      Dr Stripe fee account   fee      (the dispute fee)
                                      Cr Stripe clearing      amount + fee
    reinstatement (won):              Dr Stripe clearing      amount (+ fee if Stripe gave it back)
                                      Cr customer receivable  amount, against the withdrawal entry
                                      (Cr Stripe fee account  the fee given back, if any)
A lost dispute posts nothing more: the withdrawal already took the money out. The invoice itself stays
Paid (its payment did happen); the receivable row is an open debit on the customer's ledger until the
reinstatement knocks it off or finance bills/writes it off. Each entry carries the unique key
"<dispute id>:<phase>" (revops_dispute_posting, a unique index), on top of the invoice row lock.
Entries are single-currency (company currency) only; anything else is held for a manual entry.
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.model.document import Document
from frappe.utils import flt

from revops_app.core.collections.allocation.common import SettlementAction
from revops_app.core.collections.dispute_money import (
	PHASES,
	DisputePosting,
	PostedPhase,
	plan_dispute_money,
)
from revops_app.core.gateway.disputes import REINSTATEMENT, WITHDRAWAL, DisputeFacts
from revops_app.core.gateway.posting_dates import PostingDate
from revops_app.core.gateway.webhooks.events import GatewayEvent
from revops_app.revenue_collections.constants import (
	CF_JE_DISPUTE_POSTING,
	CF_JE_STRIPE_DISPUTE,
	CF_REFUND_OF,
	CF_SETTLEMENT_FLAGS,
	CF_STRIPE_OBJECT,
	DISPUTE_FEE_REMARK,
)
from revops_app.revenue_collections.settlement.errors import RetryLater
from revops_app.revenue_collections.settlement.lookups import existing_receipt
from revops_app.revenue_collections.settlement.posting_dates import stripe_posting_date
from revops_app.revops.constants import LogStatus
from revops_app.revops.settings import get_settings

FLAG_DISPUTE_LOST = "dispute_lost"


def settle_dispute_money(
	event: GatewayEvent, invoice: str, facts: DisputeFacts, status: str
) -> tuple[str, str]:
	"""Post the withdrawal / reinstatement Journal Entries the plan says are due (under the row lock)."""
	si = frappe.get_doc("Sales Invoice", invoice)
	pi = facts.payment_intent or event.payment_intent
	receipt = existing_receipt(pi) if pi else None
	plan = plan_dispute_money(
		dispute_id=facts.dispute_id,
		status=status,
		movements=facts.movements,
		invoice_currency=si.currency,
		posted=posted_dispute_phases(facts.dispute_id, receipt),
		payment_posted=bool(receipt),
	)
	if plan.retry_later:
		# Keep the flag, the dunning pause and the ToDo written above, then retry the money later.
		frappe.db.commit()  # nosemgrep: the flag must not wait for the payment
		raise RetryLater(plan.reason)
	if plan.action is SettlementAction.HOLD:
		return LogStatus.ERROR, f"held: {plan.reason}"
	if plan.action is not SettlementAction.POST:
		return LogStatus.SUCCESS, plan.reason
	settings = get_settings()
	problem = dispute_posting_problem(si, settings, plan.postings)
	if problem:
		return LogStatus.ERROR, f"held: {problem}; {plan.reason} not posted"
	names = []
	withdrawal = posted_withdrawal_entry(facts.dispute_id)
	for posting in plan.postings:
		when = stripe_posting_date(si.company, "Journal Entry", posting.created or None, event)
		je = post_dispute_entry(si, facts, posting, settings, against=withdrawal, when=when)
		if posting.phase == WITHDRAWAL:
			withdrawal = je.name
		names.append(f"{posting.phase} Journal Entry {je.name}")
	return LogStatus.SUCCESS, f"{plan.reason}: {', '.join(names)} submitted"


def posting_key(dispute_id: str, phase: str) -> str:
	return f"{dispute_id}:{phase}"


def posted_dispute_phases(dispute_id: str, receipt: str | None) -> dict[str, PostedPhase]:
	"""What the ledger holds per phase for this dispute, read back from its Journal Entries
	(receivable row = amount, fee-remarked row = fee; submitted ones only) plus, for disputes lost
	before dispute accounting existed, the old reversal Payment Entry (amount only, no fee)."""
	entries = frappe.get_all(
		"Journal Entry",
		filters={CF_JE_STRIPE_DISPUTE: dispute_id},
		fields=["name", "docstatus", CF_JE_DISPUTE_POSTING],
	)
	posted: dict[str, PostedPhase] = {}
	for phase in PHASES:
		key = posting_key(dispute_id, phase)
		mine = [e for e in entries if e.get(CF_JE_DISPUTE_POSTING) == key]
		amount = fee = Decimal(0)
		for entry in (e for e in mine if e.docstatus == 1):
			for row in frappe.get_all(
				"Journal Entry Account",
				filters={"parent": entry.name, "parenttype": "Journal Entry"},
				fields=[
					"party_type",
					"debit_in_account_currency",
					"credit_in_account_currency",
					"user_remark",
				],
			):
				change = Decimal(
					str(flt(row.debit_in_account_currency) - flt(row.credit_in_account_currency))
				)
				if row.party_type:
					amount += change if phase == WITHDRAWAL else -change
				elif (row.user_remark or "").startswith(DISPUTE_FEE_REMARK):
					fee += change
		posted[phase] = PostedPhase(amount, fee, keyed=bool(mine))
	if receipt:
		legacy = frappe.get_all(
			"Payment Entry",
			filters={CF_REFUND_OF: receipt, CF_STRIPE_OBJECT: dispute_id, "docstatus": 1},
			fields=["received_amount", CF_SETTLEMENT_FLAGS],
		)
		old = sum(
			(
				Decimal(str(flt(r.received_amount)))
				for r in legacy
				if FLAG_DISPUTE_LOST in (r.get(CF_SETTLEMENT_FLAGS) or "")
			),
			Decimal(0),
		)
		if old:
			w = posted[WITHDRAWAL]
			posted[WITHDRAWAL] = PostedPhase(w.amount + old, w.fee, w.keyed)
	return posted


def posted_withdrawal_entry(dispute_id: str) -> str | None:
	return frappe.db.get_value(
		"Journal Entry",
		{CF_JE_DISPUTE_POSTING: posting_key(dispute_id, WITHDRAWAL), "docstatus": 1},
		"name",
	)


def dispute_posting_problem(
	si: Document, settings: Document, postings: tuple[DisputePosting, ...]
) -> str | None:
	"""Why the dispute entries cannot be posted automatically, or None. Single-currency only: the
	invoice, its receivable and the clearing account all in the company currency."""
	if not settings.stripe_clearing_account:
		return "RevOps Settings has no Stripe Clearing / Bank Account"
	if any(p.fee for p in postings) and not settings.stripe_fee_account:
		return "RevOps Settings has no Stripe Fee Account for the dispute fee"
	company_currency = frappe.get_cached_value("Company", si.company, "default_currency")
	clearing_currency = frappe.get_cached_value(
		"Account", settings.stripe_clearing_account, "account_currency"
	)
	currencies = {si.currency, si.party_account_currency or si.currency, clearing_currency}
	if currencies != {company_currency}:
		return (
			f"dispute accounting is automated for {company_currency} only (invoice {si.currency}, receivable "
			f"{si.party_account_currency}, clearing {clearing_currency}): post it manually at the right rate"
		)
	return None


def post_dispute_entry(
	si: Document,
	facts: DisputeFacts,
	posting: DisputePosting,
	settings: Document,
	*,
	against: str | None,
	when: PostingDate,
) -> Document:
	"""One Journal Entry for one phase (signs from the plan: + debit, - credit; see the module docstring)."""
	cost_center = settings.cost_center or frappe.get_cached_value("Company", si.company, "cost_center")
	je = frappe.new_doc("Journal Entry")
	je.voucher_type = "Journal Entry"
	je.company = si.company
	je.posting_date = when.date  # the day Stripe moved the money (or the first open date after it)
	je.cheque_no = facts.dispute_id  # Reference No: the dispute, with its balance transactions in the remark
	je.cheque_date = when.date
	je.set(CF_JE_STRIPE_DISPUTE, facts.dispute_id)
	je.set(CF_JE_DISPUTE_POSTING, posting_key(facts.dispute_id, posting.phase))

	def add(account: str, change: Decimal, **extra) -> None:
		value = flt(abs(change))
		je.append(
			"accounts",
			{
				"account": account,
				"cost_center": cost_center,
				"debit_in_account_currency": value if change > 0 else 0,
				"credit_in_account_currency": value if change < 0 else 0,
				**extra,
			},
		)

	if posting.amount:
		party = {"party_type": "Customer", "party": si.customer}
		if posting.phase == REINSTATEMENT and against:
			# Knock off the withdrawal's open debit on the customer's ledger (a credit may reference
			# an earlier Journal Entry's unmatched debit on the same account: validate_against_jv).
			party.update(reference_type="Journal Entry", reference_name=against)
		add(
			si.debit_to,
			posting.receivable,
			user_remark=f"Stripe dispute {facts.dispute_id} on {si.name}",
			**party,
		)
	if posting.fee:
		add(
			settings.stripe_fee_account, posting.fee, user_remark=f"{DISPUTE_FEE_REMARK} ({facts.dispute_id})"
		)
	add(settings.stripe_clearing_account, posting.clearing, user_remark="Stripe balance")
	what = "funds withdrawn" if posting.phase == WITHDRAWAL else "funds reinstated"
	je.user_remark = (
		f"Stripe dispute {facts.dispute_id} {what} for {si.name} (PaymentIntent {facts.payment_intent or '-'}; "
		f"balance transactions {', '.join(posting.balance_transactions) or '-'})"
		+ (f". {when.remark}" if when.remark else "")
	)
	je.insert(ignore_permissions=True)
	je.submit()
	return je
