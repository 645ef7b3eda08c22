"""A gateway payment against one Sales Invoice: `plan_payment` (framework-free, see the package docstring).

- `plan_payment(invoice, *, amount, currency, fee, already_posted, fee_currency=None)` -> SettlementPlan
  * already_posted (a Payment Entry exists for this PaymentIntent) -> ALREADY_SETTLED, checked first so
    a duplicate or replayed event is a no-op whatever the invoice looks like now;
  * currency mismatch, draft/cancelled invoice, return/credit note, nothing outstanding, fee larger
    than the payment -> HOLD;
  * amount < outstanding -> POST, flag "partial" (the invoice ends Partly Paid);
  * amount > outstanding -> POST allocated = outstanding, unallocated = the rest, flag "overpayment"
    (kept on the Payment Entry as an unallocated advance: visible, never lost);
  * a fee in another currency than the payment (Stripe reports fees in the settlement currency) is not
    converted here: POST without the deduction, flag "fee_not_deducted".
  Mapping to an ERPNext Payment Entry (Receive): `paid_amount` = plan.net_amount (what reaches the
  Stripe clearing account), references[0].allocated_amount = plan.allocated_amount, one deduction row
  of plan.fee_amount to the fee account, and unallocated = plan.unallocated_amount, so
  allocated + unallocated = paid_amount (the gross) = net + fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from revops_app.core.collections.allocation.common import ZERO, SettlementAction, as_money, same_currency


@dataclass(frozen=True)
class InvoiceState:
	"""The Sales Invoice fields settlement needs (docstatus 0 draft, 1 submitted, 2 cancelled)."""

	name: str
	currency: str
	grand_total: Decimal
	outstanding_amount: Decimal
	docstatus: int
	is_return: bool
	status: str


@dataclass(frozen=True)
class SettlementPlan:
	action: SettlementAction
	allocated_amount: Decimal
	unallocated_amount: Decimal
	fee_amount: Decimal
	paid_amount: Decimal
	reason: str
	flags: tuple[str, ...] = ()

	@property
	def net_amount(self) -> Decimal:
		"""What reaches the gateway clearing account: the gross paid amount less the deducted fee."""
		return self.paid_amount - self.fee_amount


def _hold(reason: str, *, paid: Decimal, fee: Decimal = ZERO, flags: tuple[str, ...] = ()) -> SettlementPlan:
	return SettlementPlan(SettlementAction.HOLD, ZERO, ZERO, fee, paid, reason, flags)


def plan_payment(
	invoice: InvoiceState,
	*,
	amount: Decimal,
	currency: str,
	fee: Decimal | None,
	already_posted: bool,
	fee_currency: str | None = None,
) -> SettlementPlan:
	"""Decide how a gateway payment settles against the invoice (see the module docstring)."""
	paid = as_money(amount, "amount")
	fee_value = as_money(fee, "fee", allow_none=True) or ZERO
	if already_posted:
		return SettlementPlan(
			SettlementAction.ALREADY_SETTLED,
			ZERO,
			ZERO,
			ZERO,
			paid,
			f"a Payment Entry for this payment already exists on {invoice.name}; nothing posted again",
		)
	if paid <= 0:
		return _hold(f"payment amount {paid} {currency} is not positive; nothing posted", paid=paid)
	if not same_currency(currency, invoice.currency):
		return _hold(
			f"payment is in {currency} but invoice {invoice.name} is in {invoice.currency}; "
			"nothing posted, record it manually with the right exchange rate",
			paid=paid,
			flags=("currency_mismatch",),
		)
	if invoice.docstatus != 1:
		state = {0: "a draft", 2: "cancelled"}.get(invoice.docstatus, f"in docstatus {invoice.docstatus}")
		return _hold(
			f"invoice {invoice.name} is {state}; payment of {paid} {currency} received but not posted",
			paid=paid,
			flags=("invoice_not_submitted",),
		)
	if invoice.is_return:
		return _hold(
			f"{invoice.name} is a return/credit note; a customer payment cannot settle it, nothing posted",
			paid=paid,
			flags=("return_invoice",),
		)
	if fee_value < 0:
		return _hold(f"Stripe fee {fee_value} is negative; nothing posted", paid=paid, flags=("bad_fee",))

	flags: list[str] = []
	if fee_value and fee_currency and not same_currency(fee_currency, currency):
		# Stripe reports fees in the settlement currency; converting is finance's call.
		flags.append("fee_not_deducted")
		fee_value = ZERO
	if fee_value > paid:
		return _hold(
			f"Stripe fee {fee_value} exceeds the payment {paid} {currency}; nothing posted",
			paid=paid,
			fee=fee_value,
			flags=("bad_fee",),
		)

	outstanding = as_money(invoice.outstanding_amount, "outstanding_amount")
	if outstanding <= 0:
		return _hold(
			f"invoice {invoice.name} has nothing outstanding (status {invoice.status}); payment of {paid} "
			f"{currency} received: record it as an advance or refund it",
			paid=paid,
			fee=fee_value,
			flags=("overpayment", "no_outstanding"),
		)

	if paid < outstanding:
		flags.insert(0, "partial")
		reason = f"partial payment: {paid} of {outstanding} {currency} allocated to {invoice.name}"
		allocated, unallocated = paid, ZERO
	elif paid == outstanding:
		reason = f"full payment: {paid} {currency} allocated to {invoice.name}"
		allocated, unallocated = paid, ZERO
	else:
		flags.insert(0, "overpayment")
		allocated, unallocated = outstanding, paid - outstanding
		reason = (
			f"overpayment: {allocated} {currency} allocated to {invoice.name}, "
			f"{unallocated} {currency} left unallocated on the Payment Entry for finance to refund or apply"
		)
	if "fee_not_deducted" in flags:
		reason += f"; Stripe fee is in {fee_currency.upper()}, not deducted: post it manually"
	elif fee_value:
		reason += f"; Stripe fee {fee_value} {currency} deducted"
	return SettlementPlan(
		SettlementAction.POST, allocated, unallocated, fee_value, paid, reason, tuple(flags)
	)
