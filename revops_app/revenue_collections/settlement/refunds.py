"""Stripe refunds -> Pay Payment Entries that reverse the receipt, converging on Stripe's total.

A refund is a Pay Payment Entry to the customer from the clearing account, unallocated, linked to the
receipt it reverses (revops_refund_of), for the difference between what Stripe reports refunded
(cumulative) and what is already posted, so repeated or out-of-order refund events converge
(`plan_refund` decides). A refund before its payment is posted raises RetryLater (Error + backoff).
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.model.document import Document
from frappe.utils import flt

from revops_app.compat import get_payment_entry
from revops_app.core.collections.allocation import SettlementAction, plan_refund
from revops_app.core.gateway.payments import PaymentSettlement
from revops_app.core.gateway.posting_dates import PostingDate
from revops_app.core.gateway.webhooks.events import GatewayEvent
from revops_app.revenue_collections.constants import (
	CF_PAYMENT_INTENT,
	CF_REFUND_OF,
	CF_SETTLEMENT_FLAGS,
	CF_STRIPE_OBJECT,
)
from revops_app.revenue_collections.settlement.errors import RetryLater
from revops_app.revenue_collections.settlement.lookups import existing_receipt, fetch_settlement
from revops_app.revenue_collections.settlement.posting_dates import stripe_posting_date
from revops_app.revops.constants import LogStatus
from revops_app.revops.settings import get_settings

FLAG_REFUND = "refund"


def posted_reversals(receipt: str, flag: str) -> Decimal:
	rows = frappe.get_all(
		"Payment Entry",
		filters={CF_REFUND_OF: receipt, "docstatus": 1, "payment_type": "Pay"},
		fields=["paid_amount", "received_amount", "paid_from_account_currency", CF_SETTLEMENT_FLAGS],
	)
	total = Decimal(0)
	for row in rows:
		if flag in (row.get(CF_SETTLEMENT_FLAGS) or ""):
			# Party-currency amount of a Pay entry is received_amount (paid_to is the receivable).
			total += Decimal(str(flt(row.received_amount)))
	return total


def receipt_gross(receipt: str) -> Decimal:
	values = frappe.db.get_value(
		"Payment Entry", receipt, ["total_allocated_amount", "unallocated_amount"], as_dict=True
	)
	return Decimal(str(flt(values.total_allocated_amount) + flt(values.unallocated_amount)))


def settle_refund(
	event: GatewayEvent, invoice: str, link: frappe._dict | None, settlement: PaymentSettlement | None
) -> tuple[str, str]:
	pi = event.payment_intent
	if not pi:
		return LogStatus.ERROR, f"{event.event_type} {event.event_id} names no PaymentIntent; nothing posted"
	receipt = existing_receipt(pi)
	si = frappe.get_doc("Sales Invoice", invoice)
	settlement = settlement or fetch_settlement(pi)
	plan = plan_refund(
		refunded_total=settlement.amount_refunded,
		already_refunded_posted=posted_reversals(receipt, FLAG_REFUND) if receipt else Decimal(0),
		original_paid=receipt_gross(receipt) if receipt else None,
		currency=settlement.currency,
		invoice_currency=si.currency,
	)
	if plan.retry_later:
		raise RetryLater(plan.reason)
	if plan.action is SettlementAction.HOLD:
		return LogStatus.ERROR, f"held: {plan.reason}"
	if plan.action is not SettlementAction.POST:
		return LogStatus.SUCCESS, plan.reason
	pe = post_reversal(
		si,
		receipt,
		amount=plan.amount,
		payment_intent=pi,
		stripe_object=event.refund_id or event.charge or pi,
		flags=(FLAG_REFUND, *plan.flags),
		remark=f"Stripe refund {event.refund_id or ''} of {pi}: {plan.reason}",
		when=stripe_posting_date(si.company, "Payment Entry", event.refund_created, event),
	)
	return LogStatus.SUCCESS, f"refund Payment Entry {pe.name} submitted (reverses {receipt}): {plan.reason}"


def post_reversal(
	si: Document,
	receipt: str,
	*,
	amount: Decimal,
	payment_intent: str,
	stripe_object: str,
	flags: tuple[str, ...],
	remark: str,
	when: PostingDate,
) -> Document:
	"""A Pay Payment Entry to the customer from the clearing account, unallocated, linked to the receipt.

	Built by get_payment_entry(payment_type="Pay", party_amount=amount) so accounts, currencies and
	exchange rates are ERPNext's; its invoice reference is dropped because ERPNext v15 does not let a
	Pay entry allocate against a paid invoice. The customer's ledger shows the refund as an open debit
	until finance issues a credit note (or re-bills) and reconciles it."""
	settings = get_settings()
	pe = get_payment_entry(
		"Sales Invoice",
		si.name,
		party_amount=flt(amount),
		bank_account=settings.stripe_clearing_account,
		payment_type="Pay",
		created_from_payment_request=True,  # no Payment Request allocation for a refund
	)
	pe.set("references", [])
	if settings.mode_of_payment:
		pe.mode_of_payment = settings.mode_of_payment
	pe.reference_no = stripe_object
	pe.posting_date = when.date
	pe.reference_date = when.date
	pe.set(CF_PAYMENT_INTENT, payment_intent)
	pe.set(CF_REFUND_OF, receipt)
	pe.set(CF_STRIPE_OBJECT, stripe_object)
	pe.set(CF_SETTLEMENT_FLAGS, ", ".join(flags))
	pe.set_amounts()
	pe.custom_remarks = 1
	pe.remarks = f"{remark}. Reverses {receipt} on {si.name}." + (f" {when.remark}." if when.remark else "")
	pe.insert(ignore_permissions=True)
	pe.submit()
	return pe
