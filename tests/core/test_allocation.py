"""Settlement rules: full, partial, over, fees, holds, refunds (incl. out of order) and disputes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from revops_app.core.collections.allocation import (
	InvoiceState,
	SettlementAction,
	decide_dispute,
	dispute_status_after,
	plan_payment,
	plan_refund,
)

D = Decimal
INVOICE = InvoiceState(
	name="ACC-SINV-2026-00001",
	currency="USD",
	grand_total=D("125.50"),
	outstanding_amount=D("125.50"),
	docstatus=1,
	is_return=False,
	status="Unpaid",
)


def pay(invoice=INVOICE, amount="125.50", currency="USD", fee="3.94", already_posted=False, **kwargs):
	return plan_payment(
		invoice,
		amount=D(amount),
		currency=currency,
		fee=None if fee is None else D(fee),
		already_posted=already_posted,
		**kwargs,
	)


def test_full_payment_with_fee():
	plan = pay()
	assert plan.action is SettlementAction.POST
	assert (plan.allocated_amount, plan.unallocated_amount, plan.fee_amount, plan.paid_amount) == (
		D("125.50"),
		D("0"),
		D("3.94"),
		D("125.50"),
	)
	assert plan.net_amount == D("121.56")
	assert plan.flags == ()
	assert "full payment" in plan.reason and "fee 3.94" in plan.reason


def test_currency_compare_is_case_insensitive_and_fee_optional():
	plan = pay(currency="usd", fee=None)
	assert plan.action is SettlementAction.POST and plan.fee_amount == 0 and plan.net_amount == D("125.50")


def test_partial_payment():
	plan = pay(amount="50.00", fee="1.75")
	assert plan.action is SettlementAction.POST
	assert (plan.allocated_amount, plan.unallocated_amount) == (D("50.00"), D("0"))
	assert plan.flags == ("partial",)
	assert "50.00 of 125.50" in plan.reason


def test_second_partial_against_partly_paid_invoice():
	partly = replace(INVOICE, outstanding_amount=D("75.50"), status="Partly Paid")
	plan = pay(partly, amount="75.50", fee="0")
	assert plan.action is SettlementAction.POST and plan.flags == () and plan.allocated_amount == D("75.50")


def test_overpayment_is_left_unallocated_and_flagged():
	plan = pay(amount="150.00", fee="4.65")
	assert plan.action is SettlementAction.POST
	assert (plan.allocated_amount, plan.unallocated_amount) == (D("125.50"), D("24.50"))
	assert plan.allocated_amount + plan.unallocated_amount == plan.paid_amount
	assert plan.net_amount + plan.fee_amount == plan.paid_amount
	assert plan.flags == ("overpayment",)
	assert "24.50 USD left unallocated" in plan.reason


def test_zero_decimal_invoice():
	jpy = replace(INVOICE, currency="JPY", grand_total=D("15000"), outstanding_amount=D("15000"))
	plan = pay(jpy, amount="15000", currency="JPY", fee="540")
	assert plan.action is SettlementAction.POST and plan.net_amount == D("14460")


def test_already_posted_wins_over_everything():
	cancelled = replace(INVOICE, docstatus=2, status="Cancelled")
	for invoice in (INVOICE, cancelled):
		plan = pay(invoice, already_posted=True)
		assert plan.action is SettlementAction.ALREADY_SETTLED
		assert plan.allocated_amount == 0 and plan.fee_amount == 0


@pytest.mark.parametrize(
	("invoice", "kwargs", "flag", "text"),
	[
		(INVOICE, {"currency": "EUR"}, "currency_mismatch", "in EUR but invoice"),
		(replace(INVOICE, docstatus=0, status="Draft"), {}, "invoice_not_submitted", "is a draft"),
		(replace(INVOICE, docstatus=2, status="Cancelled"), {}, "invoice_not_submitted", "is cancelled"),
		(replace(INVOICE, is_return=True, status="Return"), {}, "return_invoice", "return/credit note"),
		(
			replace(INVOICE, outstanding_amount=D("0"), status="Paid"),
			{},
			"no_outstanding",
			"nothing outstanding",
		),
		(INVOICE, {"fee": "200.00"}, "bad_fee", "exceeds the payment"),
		(INVOICE, {"fee": "-1"}, "bad_fee", "negative"),
	],
)
def test_holds(invoice, kwargs, flag, text):
	plan = pay(invoice, **kwargs)
	assert plan.action is SettlementAction.HOLD
	assert flag in plan.flags
	assert text in plan.reason
	assert plan.allocated_amount == 0 and plan.unallocated_amount == 0


def test_non_positive_amount_is_held():
	assert pay(amount="0").action is SettlementAction.HOLD


def test_fee_in_settlement_currency_is_not_deducted():
	plan = pay(fee="3.10", fee_currency="GBP")
	assert plan.action is SettlementAction.POST
	assert plan.fee_amount == 0 and "fee_not_deducted" in plan.flags
	assert "GBP" in plan.reason
	assert pay(fee="3.94", fee_currency="usd").fee_amount == D("3.94")


def test_nan_amount_raises():
	with pytest.raises(ValueError):
		plan_payment(INVOICE, amount=D("NaN"), currency="USD", fee=None, already_posted=False)


def refund(**kwargs):
	args = {
		"refunded_total": D("25.00"),
		"already_refunded_posted": D("0"),
		"original_paid": D("125.50"),
		"currency": "usd",
		"invoice_currency": "USD",
	}
	args.update(kwargs)
	return plan_refund(**args)


def test_partial_then_full_refund_posts_only_the_difference():
	first = refund()
	assert (
		first.action is SettlementAction.POST
		and first.amount == D("25.00")
		and first.flags == ("partial_refund",)
	)
	second = refund(refunded_total=D("125.50"), already_refunded_posted=D("25.00"))
	assert (
		second.action is SettlementAction.POST
		and second.amount == D("100.50")
		and second.flags == ("full_refund",)
	)


def test_repeated_refund_event_is_already_settled():
	again = refund(refunded_total=D("25.00"), already_refunded_posted=D("25.00"))
	assert again.action is SettlementAction.ALREADY_SETTLED and again.amount == 0


def test_out_of_order_older_event_after_newer_posts_nothing_and_flags():
	# charge.refunded (40 total) was processed, then the older one (25 total) arrives late.
	late = refund(refunded_total=D("25.00"), already_refunded_posted=D("40.00"))
	assert late.action is SettlementAction.HOLD and "refund_reversed" in late.flags and late.amount == 0


def test_refund_before_payment_is_held_for_retry():
	early = refund(original_paid=None)
	assert early.action is SettlementAction.HOLD and early.retry_later
	assert "before its payment was posted" in early.reason
	# ...and once the sweep replays it after the payment posted, it posts.
	assert refund().action is SettlementAction.POST


def test_refund_holds():
	assert refund(currency="eur").action is SettlementAction.HOLD
	too_much = refund(refunded_total=D("200.00"))
	assert too_much.action is SettlementAction.HOLD and "refund_exceeds_payment" in too_much.flags
	assert refund(refunded_total=D("0")).action is SettlementAction.SKIP
	with pytest.raises(ValueError):
		refund(refunded_total=D("-1"))


@pytest.mark.parametrize(
	"status",
	[
		"warning_needs_response",
		"warning_under_review",
		"needs_response",
		"under_review",
		"appeal_needs_response",
		"appeal_under_review",
	],
)
def test_dispute_opened(status):
	decision = decide_dispute(status)
	assert decision.disputed and decision.pause_dunning and decision.create_todo
	assert decision.outcome == "open"
	assert decision.actions == ("flag_invoice", "pause_dunning", "create_todo")


@pytest.mark.parametrize("status", ["won", "warning_closed", "prevented"])
def test_dispute_won(status):
	decision = decide_dispute(status)
	assert not decision.disputed and not decision.pause_dunning and not decision.create_todo
	assert decision.outcome == "won"
	assert decision.actions == ("unflag_invoice", "resume_dunning")


def test_dispute_lost_asks_finance_and_moves_no_money_itself():
	decision = decide_dispute("lost")
	assert not decision.disputed and decision.create_todo and decision.outcome == "lost"
	assert decision.actions == ("unflag_invoice", "resume_dunning", "create_todo")
	assert "owes the amount again" in decision.reason


@pytest.mark.parametrize(
	"current, incoming, kept",
	[
		(None, "needs_response", "needs_response"),
		("needs_response", "under_review", "under_review"),
		("under_review", "won", "won"),
		("won", "needs_response", "won"),  # created delivered after closed
		("lost", "under_review", "lost"),
		("warning_closed", "warning_needs_response", "warning_closed"),
		("won", "lost", "lost"),  # closed -> closed: Stripe's newer word wins
		("needs_response", "", "needs_response"),
	],
)
def test_a_closed_dispute_status_is_final(current, incoming, kept):
	assert dispute_status_after(current, incoming) == kept


def test_unknown_dispute_status():
	with pytest.raises(ValueError, match="unknown Stripe dispute status"):
		decide_dispute("exploded")
