"""Refunds of a gateway payment: `plan_refund` (framework-free, see the package docstring).

`plan_refund(*, refunded_total, already_refunded_posted, original_paid, currency, invoice_currency)`
works on cumulative totals (charge.amount_refunded), so repeated or out-of-order refund events
converge: it posts only the difference, and a refund seen before its payment is HOLD with
`retry_later=True` for the sweep to replay once the payment is posted. `original_paid` is the gross
amount of the posted payment (its plan's `paid_amount`), None while no payment is posted;
`already_refunded_posted` is the sum of refund entries already posted against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from revops_app.core.collections.allocation.common import ZERO, SettlementAction, as_money, same_currency


@dataclass(frozen=True)
class RefundPlan:
	action: SettlementAction
	amount: Decimal
	reason: str
	flags: tuple[str, ...] = ()
	retry_later: bool = False


def plan_refund(
	*,
	refunded_total: Decimal,
	already_refunded_posted: Decimal,
	original_paid: Decimal | None,
	currency: str,
	invoice_currency: str,
) -> RefundPlan:
	"""How much refund to post now, from the cumulative refunded total (see the module docstring)."""
	total = as_money(refunded_total, "refunded_total")
	posted = as_money(already_refunded_posted, "already_refunded_posted")
	original = as_money(original_paid, "original_paid", allow_none=True)
	if total < 0 or posted < 0:
		raise ValueError("refund totals must not be negative")
	if not same_currency(currency, invoice_currency):
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
