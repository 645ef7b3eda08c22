"""Dispute money: parsing a dispute's balance transactions and the cumulative posting plan.

Disputes are the fixtures3.json `dispute` object (an inquiry with no balance transactions) and
chargebacks built from it with balance transactions reshaped from the `balance_transaction` fixture
(see stripe_events.chargeback). Expected figures are worked out by hand in each test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from revops_app.core.collections.allocation.common import SettlementAction
from revops_app.core.collections.dispute_money import PostedPhase, plan_dispute_money
from revops_app.core.gateway.client import GatewayError
from revops_app.core.gateway.disputes import REINSTATEMENT, WITHDRAWAL, parse_dispute, retrieve_dispute
from tests.core.fake_stripe import fake_stripe
from tests.core.stripe_events import chargeback, dispute, dispute_balance_transaction, fixture

D = Decimal
DP = "dp_1Pgc71B7WZ01zgkWMevJiAUx"
API_KEY = "sk_test_core_disputes_key"


def plan(obj: dict, *, posted=None, payment_posted=True, invoice_currency="USD"):
	facts = parse_dispute(obj)
	return plan_dispute_money(
		dispute_id=facts.dispute_id,
		status=facts.status,
		movements=facts.movements,
		invoice_currency=invoice_currency,
		posted=posted,
		payment_posted=payment_posted,
	)


def after(*plans) -> dict:
	"""What the ledger holds once these plans were posted (the glue's sums), as PostedPhase per phase."""
	held: dict = {}
	for p in plans:
		for posting in p.postings:
			old = held.get(posting.phase, PostedPhase())
			held[posting.phase] = PostedPhase(old.amount + posting.amount, old.fee + posting.fee, True)
	return held


def test_the_fixture_inquiry_moves_no_money():
	facts = parse_dispute(fixture("dispute"))
	assert (facts.dispute_id, facts.status, facts.amount, facts.currency) == (
		DP,
		"warning_needs_response",
		D("10.00"),
		"USD",
	)
	assert facts.expanded and facts.movements == ()
	result = plan(fixture("dispute"))
	assert result.action is SettlementAction.SKIP and result.postings == ()


def test_parse_chargeback_movements():
	facts = parse_dispute(chargeback(status="won", reinstated=True, fee_returned=True))
	withdrawal, reinstatement = facts.movements
	assert (withdrawal.phase, withdrawal.amount, withdrawal.fee, withdrawal.currency) == (
		WITHDRAWAL,
		D("-70.00"),
		D("15.00"),
		"USD",
	)
	assert (reinstatement.phase, reinstatement.amount, reinstatement.fee) == (
		REINSTATEMENT,
		D("70.00"),
		D("-15.00"),
	)
	assert (
		withdrawal.reporting_category == "dispute" and reinstatement.reporting_category == "dispute_reversal"
	)


def test_phase_from_the_sign_when_no_reporting_category():
	obj = chargeback(status="needs_response")
	del obj["balance_transactions"][0]["reporting_category"]
	assert parse_dispute(obj).movements[0].phase == WITHDRAWAL


def test_ids_only_or_missing_list_is_not_expanded():
	obj = chargeback(status="needs_response")
	obj["balance_transactions"] = ["txn_abc"]
	assert not parse_dispute(obj).expanded
	del obj["balance_transactions"]
	assert not parse_dispute(obj).expanded


def test_bad_amounts_are_refused():
	obj = chargeback(status="needs_response")
	obj["balance_transactions"][0]["amount"] = "-7000"
	with pytest.raises(GatewayError, match="non-integer"):
		parse_dispute(obj)
	with pytest.raises(GatewayError):
		parse_dispute(fixture("charge"))


def test_created_posts_withdrawal_of_amount_and_fee():
	result = plan(chargeback(status="needs_response"))
	assert result.action is SettlementAction.POST
	(posting,) = result.postings
	# Stripe balance: -70.00 amount, 15.00 fee -> clearing -85.00, receivable +70.00, fee expense +15.00
	assert (posting.phase, posting.amount, posting.fee) == (WITHDRAWAL, D("70.00"), D("15.00"))
	assert (posting.receivable, posting.clearing) == (D("70.00"), D("-85.00"))
	assert posting.balance_transactions == (f"txn_{DP}_w",)
	assert result.flags == ("dispute_withdrawal",)


def test_duplicate_created_posts_nothing_more():
	first = plan(chargeback(status="needs_response"))
	again = plan(chargeback(status="needs_response"), posted=after(first))
	assert again.action is SettlementAction.ALREADY_SETTLED and again.postings == ()


def test_won_reinstates_the_amount_and_the_fee_stays():
	opened = plan(chargeback(status="needs_response"))
	won = plan(chargeback(status="won", reinstated=True), posted=after(opened))
	(posting,) = won.postings
	# +70.00 back into clearing, receivable -70.00, fee untouched (15.00 stays an expense)
	assert (posting.phase, posting.amount, posting.fee) == (REINSTATEMENT, D("70.00"), D("0"))
	assert (posting.receivable, posting.clearing) == (D("-70.00"), D("70.00"))
	net = [p.clearing for p in opened.postings + won.postings]
	assert sum(net) == D("-15.00")  # the Stripe balance is down by the fee only


def test_won_with_the_fee_given_back():
	opened = plan(chargeback(status="needs_response"))
	won = plan(chargeback(status="won", reinstated=True, fee_returned=True), posted=after(opened))
	(posting,) = won.postings
	assert (posting.amount, posting.fee, posting.clearing) == (D("70.00"), D("-15.00"), D("85.00"))
	assert sum(p.clearing for p in opened.postings + won.postings) == 0


def test_lost_posts_nothing_more():
	opened = plan(chargeback(status="needs_response"))
	lost = plan(chargeback(status="lost"), posted=after(opened))
	assert lost.action is SettlementAction.ALREADY_SETTLED and lost.postings == ()


def test_closed_before_created_converges():
	# won arrives first: its object already shows both movements, both are posted at once
	won = plan(chargeback(status="won", reinstated=True))
	assert [(p.phase, p.amount, p.fee) for p in won.postings] == [
		(WITHDRAWAL, D("70.00"), D("15.00")),
		(REINSTATEMENT, D("70.00"), D("0")),
	]
	# then the late created event (withdrawal only): nothing more
	late = plan(chargeback(status="needs_response"), posted=after(won))
	assert late.action is SettlementAction.ALREADY_SETTLED
	# lost first, then created: the same withdrawal once
	lost = plan(chargeback(status="lost"))
	assert [(p.phase, p.amount) for p in lost.postings] == [(WITHDRAWAL, D("70.00"))]
	assert plan(chargeback(status="needs_response"), posted=after(lost)).postings == ()
	# an object from before the withdrawal (no balance transactions yet) after it was posted
	early = plan(dispute(status="needs_response"), posted=after(lost))
	assert early.action is SettlementAction.ALREADY_SETTLED and "older than" in early.reason


def test_legacy_lost_reversal_counts_and_only_the_fee_is_posted():
	# Before dispute accounting, a lost dispute posted a 70.00 reversal (no fee, no keyed entry).
	legacy = {WITHDRAWAL: PostedPhase(D("70.00"), D("0"), keyed=False)}
	result = plan(chargeback(status="lost"), posted=legacy)
	(posting,) = result.postings
	assert (posting.phase, posting.amount, posting.fee, posting.clearing) == (
		WITHDRAWAL,
		D("0"),
		D("15.00"),
		D("-15.00"),
	)


def test_a_keyed_phase_with_other_figures_is_held():
	posted = {WITHDRAWAL: PostedPhase(D("60.00"), D("15.00"), keyed=True)}
	result = plan(chargeback(status="needs_response"), posted=posted)
	assert result.action is SettlementAction.HOLD and "dispute_posting_mismatch" in result.flags
	assert result.postings == ()
	# a cancelled entry (keyed, nothing posted) is not re-posted behind finance's back
	cancelled = {WITHDRAWAL: PostedPhase(keyed=True)}
	assert plan(chargeback(status="needs_response"), posted=cancelled).action is SettlementAction.HOLD


def test_more_fee_posted_than_stripe_charged_is_held():
	posted = {WITHDRAWAL: PostedPhase(D("0"), D("20.00"), keyed=False)}
	assert plan(chargeback(status="needs_response"), posted=posted).action is SettlementAction.HOLD


def test_before_the_payment_is_posted_retry_later():
	result = plan(chargeback(status="needs_response"), payment_posted=False)
	assert result.action is SettlementAction.HOLD and result.retry_later and result.postings == ()


def test_currency_mismatch_is_held():
	result = plan(chargeback(status="needs_response", currency="eur"))
	assert result.action is SettlementAction.HOLD and "currency_mismatch" in result.flags
	assert "EUR" in result.reason


def test_reinstated_more_than_withdrawn_is_held():
	obj = chargeback(status="won", reinstated=True)
	obj["balance_transactions"][1]["amount"] = 9000
	assert plan(obj).action is SettlementAction.HOLD


def test_zero_decimal_currency():
	obj = chargeback(status="needs_response", amount=5000, fee=2000, currency="jpy")
	(posting,) = plan(obj, invoice_currency="JPY").postings
	assert (posting.amount, posting.fee, posting.clearing) == (D("5000"), D("2000"), D("-7000"))


def test_unknown_phase_in_posted_is_a_programming_error():
	with pytest.raises(ValueError):
		plan(chargeback(status="needs_response"), posted={"payout": PostedPhase()})


def test_extra_withdrawal_transaction_is_summed():
	obj = chargeback(status="needs_response")
	obj["balance_transactions"].append(dispute_balance_transaction(txn_id="txn_extra", amount=-500, fee=0))
	(posting,) = plan(obj).postings
	assert (posting.amount, posting.fee) == (D("75.00"), D("15.00"))
	assert posting.balance_transactions == (f"txn_{DP}_w", "txn_extra")


def test_retrieve_dispute_over_http():
	reply = chargeback(status="won", reinstated=True)
	with fake_stripe([(200, reply)]) as fake:
		facts = retrieve_dispute(API_KEY, DP, api_base=fake.url, timeout=5)
	assert [m.phase for m in facts.movements] == [WITHDRAWAL, REINSTATEMENT]
	(request,) = fake.requests
	assert (request["method"], request["path"]) == ("GET", f"/v1/disputes/{DP}")
	assert request["headers"]["authorization"] == f"Bearer {API_KEY}"


def test_retrieve_dispute_refuses_other_ids_and_reports_errors():
	with pytest.raises(ValueError):
		retrieve_dispute(API_KEY, "ch_123")
	error = {
		"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such dispute"}
	}
	with fake_stripe([(404, error)]) as fake:
		with pytest.raises(GatewayError) as info:
			retrieve_dispute(API_KEY, DP, api_base=fake.url, timeout=5)
	assert not info.value.retryable and API_KEY not in str(info.value)


def test_dispute_fixture_helper_is_fixture_shaped():
	# the helpers only add what a chargeback has; the fixture's own keys are all still there
	assert set(fixture("dispute")) <= set(chargeback(status="lost"))
	assert set(fixture("balance_transaction")) <= set(
		dispute_balance_transaction(txn_id="t", amount=-1, fee=0)
	)
	assert dispute()["object"] == "dispute"
