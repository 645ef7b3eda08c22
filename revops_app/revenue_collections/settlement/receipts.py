"""Stripe payments -> Receive Payment Entries; processing, failed and expired payments -> the pay link.

- `settle_payment`: amount, fee and charge come from Stripe (`retrieve_payment`, API base from
  settings), `plan_payment` decides, and a Receive Payment Entry is built by ERPNext's
  `get_payment_entry` (paid_to = Stripe clearing account, reference_no = PaymentIntent id,
  paid_amount = net, one deduction row = Stripe fee on the fee account and cost center, allocation =
  plan, the rest left unallocated and flagged, with a ToDo for an overpayment). HOLD plans end as
  Error with the plan's reason and nothing posted; a PaymentIntent that already has a submitted
  receipt posts nothing again. `posting_problem` says why an invoice cannot be posted automatically.
- `record_processing` / `record_failure` / `record_expiry`: a delayed method's processing payment, a
  failed payment (link_state, last_payment_failed_at, never moved back by an older event) and an
  expired Checkout Session (not a failure: the link stays valid) update the Payment Link only.
The entries are dated by posting_dates.stripe_posting_date. The steps both receipts share (succeeded
and fee known, held plans, stamping, net amount, rounding, submit) are used by customer_receipts.py too.
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.model.document import Document
from frappe.utils import flt, get_datetime

from revops_app.compat import get_payment_entry
from revops_app.core.collections.allocation import SettlementAction, plan_payment
from revops_app.core.gateway.payments import PaymentSettlement
from revops_app.core.gateway.routing import link_state_after
from revops_app.core.gateway.webhooks.events import GatewayEvent
from revops_app.revenue_collections.constants import CF_PAYMENT_INTENT, CF_SETTLEMENT_FLAGS
from revops_app.revenue_collections.pay_links import credited_amount
from revops_app.revenue_collections.settlement.errors import RetryLater
from revops_app.revenue_collections.settlement.lookups import (
	existing_receipt,
	fetch_settlement,
	invoice_facts,
	invoice_paid,
	invoice_state,
	update_link,
)
from revops_app.revenue_collections.settlement.naming import name_by_series_now
from revops_app.revenue_collections.settlement.posting_dates import event_time, stripe_posting_date
from revops_app.revenue_collections.settlement.todos import create_todo
from revops_app.revops.constants import LogStatus
from revops_app.revops.settings import get_settings


def settle_payment(
	event: GatewayEvent, invoice: str, link: frappe._dict | None, settlement: PaymentSettlement | None
) -> tuple[str, str]:
	pi = event.payment_intent
	if not pi:
		raise RetryLater(f"{event.event_type} {event.event_id} has no PaymentIntent yet")
	existing = existing_receipt(pi)
	si = invoice_facts(invoice)
	if existing:
		update_link(link, last_payment_intent=pi)
		return LogStatus.SUCCESS, f"PaymentIntent {pi} is already settled by {existing}; nothing posted again"

	settings = get_settings()
	problem = posting_problem(si, settings)
	if problem:
		return LogStatus.ERROR, f"{problem}; nothing posted"

	settlement = settlement or fetch_settlement(pi)
	check_succeeded(settlement)
	if settlement.sales_invoice and settlement.sales_invoice != invoice:
		return LogStatus.ERROR, (
			f"PaymentIntent {pi} belongs to {settlement.sales_invoice}, the event names {invoice}; nothing posted"
		)

	plan = plan_payment(
		invoice_state(si),
		amount=settlement.amount_received,
		currency=settlement.currency,
		fee=settlement.fee,
		fee_currency=settlement.fee_currency,
		already_posted=False,
	)
	held = held_reason(plan, settlement, settings)
	if held:
		return LogStatus.ERROR, held

	pe = submit_receipt(build_receipt(si, plan, settlement, settings, event))
	update_link(
		link,
		last_payment_intent=pi,
		link_state=link_state_after(
			link.link_state if link else None,
			paid=invoice_paid(invoice),
			disputed=bool(link and link.disputed),
			payment_made=True,
		),
	)
	if "overpayment" in plan.flags:
		create_todo(
			invoice,
			f"Stripe overpayment on {invoice}: {plan.unallocated_amount} {settlement.currency} is unallocated on "
			f"Payment Entry {pe.name}. Refund it or apply it to another invoice.",
			key=pe.name,
		)
	return LogStatus.SUCCESS, f"Payment Entry {pe.name} submitted: {plan.reason}"


def check_succeeded(settlement: PaymentSettlement) -> None:
	"""RetryLater until the PaymentIntent has succeeded and its Stripe fee is known."""
	pi = settlement.payment_intent
	if settlement.status != "succeeded":
		raise RetryLater(f"PaymentIntent {pi} is {settlement.status}, not succeeded yet")
	if not settlement.fee_known:
		raise RetryLater(f"PaymentIntent {pi}: the balance transaction (Stripe fee) is not available yet")


def held_reason(plan, settlement: PaymentSettlement, settings: Document) -> str | None:
	"""Why this plan posts nothing (a HOLD plan, or a fee with no fee account), or None."""
	if plan.action is SettlementAction.HOLD:
		return f"held: {plan.reason}"
	if plan.fee_amount and not settings.stripe_fee_account:
		return (
			f"held: Stripe fee {plan.fee_amount} {settlement.currency} cannot be deducted because RevOps "
			"Settings has no Stripe Fee Account; nothing posted"
		)
	return None


def submit_receipt(pe: Document) -> Document:
	"""Submit a built receipt (as the worker's system user) named by series now: the series row is not held
	until commit, so settlements run side by side (naming.py)."""
	pe.flags.ignore_permissions = True
	name_by_series_now(pe)
	pe.submit()  # a new document: one insert with docstatus 1, not insert + submit (two saves)
	return pe


def stamp_receipt(pe: Document, plan, settlement: PaymentSettlement, settings: Document, day) -> None:
	"""What every Stripe receipt carries: dated `day`, the settings' mode of payment, reference_no and the
	PaymentIntent field = the PaymentIntent, the plan's flags; no Bank Account record (get_payment_entry
	picks the company's default one; the money is in Stripe)."""
	pe.posting_date = pe.reference_date = day
	if settings.mode_of_payment:
		pe.mode_of_payment = settings.mode_of_payment
	pe.bank_account = None
	pe.reference_no = settlement.payment_intent
	pe.set(CF_PAYMENT_INTENT, settlement.payment_intent)
	pe.set(CF_SETTLEMENT_FLAGS, ", ".join(plan.flags) or None)


def set_net_amount(pe: Document, plan) -> None:
	"""paid_amount (party currency) = what reaches the clearing account; the fee is a deduction."""
	pe.paid_amount = flt(plan.net_amount, pe.precision("paid_amount"))
	if pe.paid_from_account_currency == pe.paid_to_account_currency:
		pe.received_amount = pe.paid_amount
	else:
		# Clearing account in company currency, receivable in the invoice currency: the same rate
		# get_payment_entry applied (the invoice's conversion rate), so the two legs balance.
		pe.received_amount = flt(
			pe.paid_amount * flt(pe.source_exchange_rate), pe.precision("received_amount")
		)


def absorb_rounding(pe: Document, plan) -> None:
	"""Rounding between the two exchange-rate legs: absorbed by the last fee row, as a finance user would."""
	if pe.difference_amount and plan.fee_amount and abs(flt(pe.difference_amount)) < 0.05:
		pe.deductions[-1].amount = flt(pe.deductions[-1].amount + pe.difference_amount)
		pe.set_amounts()


def posting_problem(si: Document, settings: Document) -> str | None:
	"""Why a Stripe payment for this invoice cannot be posted automatically, or None."""
	if not settings.stripe_clearing_account:
		return "RevOps Settings has no Stripe Clearing / Bank Account"
	if settings.company and si.company != settings.company:
		return f"invoice {si.name} belongs to {si.company}, RevOps Settings posts for {settings.company}"
	total = Decimal(str(flt(si.rounded_total or si.grand_total)))
	if si.docstatus == 1 and total > 0 and credited_amount(si.name) >= total:
		return (
			f"credit notes against {si.name} cover its total: refund the customer or apply it as an advance"
		)
	party_currency = si.party_account_currency or si.currency
	if party_currency != si.currency:
		return (
			f"invoice {si.name} is in {si.currency} but its receivable account {si.debit_to} is in "
			f"{party_currency}: record the payment manually with the right exchange rate"
		)
	clearing_currency = frappe.get_cached_value(
		"Account", settings.stripe_clearing_account, "account_currency"
	)
	company_currency = frappe.get_cached_value("Company", si.company, "default_currency")
	if clearing_currency not in (party_currency, company_currency):
		return (
			f"Stripe clearing account {settings.stripe_clearing_account} is in {clearing_currency}, neither the "
			f"invoice currency {party_currency} nor the company currency {company_currency}"
		)
	return None


def build_receipt(si, plan, settlement: PaymentSettlement, settings, event: GatewayEvent) -> Document:
	"""A Receive Payment Entry from ERPNext's get_payment_entry, adjusted to the settlement plan."""
	when = stripe_posting_date(si.company, "Payment Entry", settlement.money_created, event)
	pe = get_payment_entry(
		"Sales Invoice",
		si.name,
		bank_account=settings.stripe_clearing_account,
		reference_date=when.date,
	)
	stamp_receipt(pe, plan, settlement, settings, when.date)

	# Allocation: the plan's amount across the invoice's reference rows (several with payment terms).
	remaining = flt(plan.allocated_amount)
	for row in pe.references:
		row.allocated_amount = min(flt(row.outstanding_amount), remaining)
		remaining = flt(remaining - row.allocated_amount, row.precision("allocated_amount"))
	pe.set("references", [row for row in pe.references if flt(row.allocated_amount)])

	set_net_amount(pe, plan)
	if plan.fee_amount:
		pe.append(
			"deductions",
			{
				"account": settings.stripe_fee_account,
				"cost_center": settings.cost_center
				or frappe.get_cached_value("Company", si.company, "cost_center"),
				# Deductions are in company currency.
				"amount": flt(
					flt(plan.fee_amount) * flt(pe.source_exchange_rate or 1),
					pe.precision("amount", "deductions"),
				),
				"description": f"Stripe fee ({settlement.balance_transaction or settlement.charge})",
			},
		)
	pe.set_amounts()
	absorb_rounding(pe, plan)
	pe.custom_remarks = 1  # otherwise validate() regenerates remarks
	pe.remarks = (
		f"Stripe payment {settlement.payment_intent} (charge {settlement.charge}) for {si.name}: "
		f"{plan.reason}." + (f" {when.remark}." if when.remark else "")
	)
	return pe


def record_processing(event: GatewayEvent, invoice: str, link: frappe._dict | None) -> tuple[str, str]:
	update_link(link, **({"last_payment_intent": event.payment_intent} if event.payment_intent else {}))
	return (
		LogStatus.SUCCESS,
		"payment is processing (delayed method); waiting for async_payment_succeeded/failed",
	)


def record_failure(event: GatewayEvent, invoice: str, link: frappe._dict | None) -> tuple[str, str]:
	failed_at = event_time(event)
	values = {
		"link_state": link_state_after(
			link.link_state if link else None,
			paid=invoice_paid(invoice),
			disputed=bool(link and link.disputed),
			payment_failed=True,
		),
	}
	if link and (not link.last_payment_failed_at or get_datetime(link.last_payment_failed_at) <= failed_at):
		values.update(
			last_payment_failed_at=failed_at,
			last_failure_message=(event.failure_message or event.event_type)[:500],
		)
	update_link(link, **values)
	return LogStatus.SUCCESS, f"payment failed: {event.failure_message or 'no reason given'}"


def record_expiry(event: GatewayEvent, invoice: str, link: frappe._dict | None) -> tuple[str, str]:
	# An expired session is not a failed payment and never undoes one: the link stays valid and the
	# next press of Pay creates a fresh session. Expired is final: the link forgets it (when it still
	# names it), so the next press asks Stripe nothing about it.
	if link:
		state = link_state_after(link.link_state, paid=invoice_paid(invoice), disputed=bool(link.disputed))
		values: dict = {"link_state": state}
		if event.checkout_session and link.last_checkout_session == event.checkout_session:
			values["last_checkout_session"] = None
		update_link(link, **values)
	return LogStatus.SUCCESS, f"Checkout Session {event.checkout_session} expired; the pay link stays valid"
