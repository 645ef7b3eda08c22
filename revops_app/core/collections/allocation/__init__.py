"""Settlement decisions for gateway money against one Sales Invoice (framework-free).

Contract: pure functions from facts (invoice state, amounts, what is already posted) to a plan.
They never post, never read the database and never raise for business conditions: anything that must
not be posted automatically comes back as `HOLD` with a reason a finance user can act on, and the
glue records it in the integration log (Error) with nothing posted. Only malformed arguments (NaN,
negative amounts) raise ValueError.

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
- `plan_refund(*, refunded_total, already_refunded_posted, original_paid, currency, invoice_currency)`
  works on cumulative totals (charge.amount_refunded), so repeated or out-of-order refund events
  converge: it posts only the difference, and a refund seen before its payment is HOLD with
  `retry_later=True` for the sweep to replay once the payment is posted. `original_paid` is the gross
  amount of the posted payment (its plan's `paid_amount`), None while no payment is posted;
  `already_refunded_posted` is the sum of refund entries already posted against it.
- `decide_dispute(status)` maps a Stripe dispute status to the invoice's flag, dunning pause and ToDo.
  Money is not its business: `core/collections/dispute_money.plan_dispute_money` decides the
  withdrawal / reinstatement postings from the dispute's balance transactions.
- `dispute_status_after(current, incoming)`: a closed status (won, lost, warning_closed, prevented)
  is final, so a `created`/`updated` event delivered after `closed` never reopens the dispute.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

ZERO = Decimal(0)

# Stripe dispute statuses (stripe-python stripe/_dispute.py).
DISPUTE_OPEN_STATUSES = frozenset(
	{
		"warning_needs_response",
		"warning_under_review",
		"needs_response",
		"under_review",
		"appeal_needs_response",
		"appeal_under_review",
	}
)
DISPUTE_WON_STATUSES = frozenset({"won", "warning_closed", "prevented"})
DISPUTE_LOST_STATUSES = frozenset({"lost"})


class SettlementAction(str, Enum):
	POST = "post"
	HOLD = "hold"
	ALREADY_SETTLED = "already_settled"
	SKIP = "skip"


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


@dataclass(frozen=True)
class RefundPlan:
	action: SettlementAction
	amount: Decimal
	reason: str
	flags: tuple[str, ...] = ()
	retry_later: bool = False


@dataclass(frozen=True)
class DisputeDecision:
	"""What a dispute status means for the invoice; `disputed` is the state to set, not a toggle."""

	status: str
	disputed: bool
	pause_dunning: bool
	create_todo: bool
	outcome: str  # "open", "won" or "lost"
	reason: str

	@property
	def actions(self) -> tuple[str, ...]:
		"""Short action names for the log: flag/unflag, pause/resume dunning, todo."""
		names = ["flag_invoice" if self.disputed else "unflag_invoice"]
		names.append("pause_dunning" if self.pause_dunning else "resume_dunning")
		if self.create_todo:
			names.append("create_todo")
		return tuple(names)


def _money(
	value: Decimal | int | str | float | None, label: str, *, allow_none: bool = False
) -> Decimal | None:
	if value is None:
		if allow_none:
			return None
		raise ValueError(f"{label} is required")
	if isinstance(value, bool):
		raise ValueError(f"{label} must be a number")
	try:
		number = (
			value
			if isinstance(value, Decimal)
			else Decimal(repr(value) if isinstance(value, float) else value)
		)
	except Exception:
		raise ValueError(f"{label} is not a number: {value!r}")
	if not number.is_finite():
		raise ValueError(f"{label} must be finite, got {value!r}")
	return number


def _same_currency(a: str | None, b: str | None) -> bool:
	return bool(a) and bool(b) and a.strip().upper() == b.strip().upper()


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
	paid = _money(amount, "amount")
	fee_value = _money(fee, "fee", allow_none=True) or ZERO
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
	if not _same_currency(currency, invoice.currency):
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
	if fee_value and fee_currency and not _same_currency(fee_currency, currency):
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

	outstanding = _money(invoice.outstanding_amount, "outstanding_amount")
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


def plan_refund(
	*,
	refunded_total: Decimal,
	already_refunded_posted: Decimal,
	original_paid: Decimal | None,
	currency: str,
	invoice_currency: str,
) -> RefundPlan:
	"""How much refund to post now, from the cumulative refunded total (see the module docstring)."""
	total = _money(refunded_total, "refunded_total")
	posted = _money(already_refunded_posted, "already_refunded_posted")
	original = _money(original_paid, "original_paid", allow_none=True)
	if total < 0 or posted < 0:
		raise ValueError("refund totals must not be negative")
	if not _same_currency(currency, invoice_currency):
		return RefundPlan(
			SettlementAction.HOLD,
			ZERO,
			f"refund is in {currency} but the invoice is in {invoice_currency}; nothing posted",
			("currency_mismatch",),
		)
	if original is None:
		# Out of order: Stripe may deliver charge.refunded before the payment's event was settled.
		return RefundPlan(
			SettlementAction.HOLD,
			ZERO,
			f"refund of {total} {currency} arrived before its payment was posted; will retry after the payment posts",
			("payment_not_posted",),
			retry_later=True,
		)
	if total == 0 and posted == 0:
		return RefundPlan(SettlementAction.SKIP, ZERO, "nothing has been refunded")
	delta = total - posted
	if delta < 0:
		return RefundPlan(
			SettlementAction.HOLD,
			ZERO,
			f"Stripe now reports {total} {currency} refunded but {posted} {currency} was already posted "
			"(a refund failed or was cancelled): reverse the excess refund entry manually",
			("refund_reversed",),
		)
	if delta == 0:
		return RefundPlan(
			SettlementAction.ALREADY_SETTLED, ZERO, f"refunds of {total} {currency} are already posted"
		)
	if total > original:
		return RefundPlan(
			SettlementAction.HOLD,
			ZERO,
			f"refunded total {total} {currency} exceeds the posted payment {original} {currency}; nothing posted",
			("refund_exceeds_payment",),
		)
	full = total == original
	return RefundPlan(
		SettlementAction.POST,
		delta,
		f"post refund of {delta} {currency} ({total} of {original} {currency} refunded in total)",
		("full_refund",) if full else ("partial_refund",),
	)


def decide_dispute(status: str) -> DisputeDecision:
	"""What to do for a Stripe dispute status (created events carry an open status, closed ones won/lost)."""
	value = (status or "").strip().lower()
	if value in DISPUTE_OPEN_STATUSES:
		return DisputeDecision(
			value,
			disputed=True,
			pause_dunning=True,
			create_todo=True,
			outcome="open",
			reason=f"dispute opened ({value}): invoice flagged, dunning paused, finance asked to respond",
		)
	if value in DISPUTE_WON_STATUSES:
		return DisputeDecision(
			value,
			disputed=False,
			pause_dunning=False,
			create_todo=False,
			outcome="won",
			reason=f"dispute closed in our favour ({value}): flag removed, the payment stands",
		)
	if value in DISPUTE_LOST_STATUSES:
		return DisputeDecision(
			value,
			disputed=False,
			pause_dunning=False,
			create_todo=True,
			outcome="lost",
			reason="dispute lost: the funds Stripe withdrew stay withdrawn; the customer owes the amount again",
		)
	raise ValueError(f"unknown Stripe dispute status {status!r}")


def dispute_status_after(current: str | None, incoming: str) -> str:
	"""The dispute status to keep: a closed status is final (see the module docstring)."""
	old, new = (current or "").strip().lower(), (incoming or "").strip().lower()
	closed = DISPUTE_WON_STATUSES | DISPUTE_LOST_STATUSES
	if old in closed and new not in closed:
		return old
	return new or old
