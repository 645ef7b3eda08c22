"""Payouts and balance transactions: parsing, the ledger home of each type, the payout plan, listing over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revops_app.core.gateway.balance_transactions import (
	NOT_POSTED,
	BalanceTxn,
	VoucherKind,
	ledger_home,
	list_balance_transactions,
	parse_balance_transaction,
)
from revops_app.core.gateway.client import GatewayError
from revops_app.core.gateway.payouts import (
	PayoutAction,
	PostedPayout,
	parse_payout,
	payout_mismatch,
	plan_payout,
	retrieve_payout,
)
from tests.core.fake_stripe import fake_stripe

ARRIVAL = 1_780_000_000


def payout_obj(status="paid", amount=12_345, currency="usd", **extra) -> dict:
	return {
		"id": "po_1",
		"object": "payout",
		"status": status,
		"amount": amount,
		"currency": currency,
		"arrival_date": ARRIVAL,
		"created": ARRIVAL - 86_400,
		"balance_transaction": "txn_po_1",
		"automatic": True,
		**extra,
	}


def txn_obj(txn_id="txn_1", type_="charge", amount=10_000, fee=320, **extra) -> dict:
	return {
		"id": txn_id,
		"object": "balance_transaction",
		"type": type_,
		"amount": amount,
		"fee": fee,
		"net": amount - fee,
		"currency": "usd",
		"created": ARRIVAL - 3 * 86_400,
		"status": "available",
		**extra,
	}


def plan(payout, posted=None, bank="Bank - X", bank_currency="USD", clearing_currency="USD"):
	return plan_payout(
		payout,
		posted=posted,
		bank_account=bank,
		bank_currency=bank_currency,
		clearing_currency=clearing_currency,
	)


def test_parse_payout_major_units_and_dates():
	facts = parse_payout(payout_obj(amount=500, currency="jpy"))
	assert facts.amount == Decimal(500) and facts.currency == "JPY"
	assert facts.arrival_date == ARRIVAL and facts.balance_transaction == "txn_po_1"
	assert parse_payout(payout_obj()).amount == Decimal("123.45")


@pytest.mark.parametrize("bad", [{}, {"id": "ch_1"}, payout_obj(amount="12"), payout_obj(currency=None)])
def test_parse_payout_refuses_malformed(bad):
	with pytest.raises(GatewayError):
		parse_payout(bad)


def test_paid_payout_posts_once():
	facts = parse_payout(payout_obj())
	assert plan(facts).action is PayoutAction.POST
	again = plan(facts, posted=PostedPayout("ACC-PAY-1", 1))
	assert again.action is PayoutAction.NOTHING and "ACC-PAY-1" in again.reason


def test_paid_payout_whose_entry_was_cancelled_by_hand_is_held():
	result = plan(parse_payout(payout_obj()), posted=PostedPayout("ACC-PAY-1", 2))
	assert result.action is PayoutAction.HOLD and "cancelled" in result.reason


@pytest.mark.parametrize(
	"kwargs, words",
	[
		({"bank": None}, "Stripe Payout Bank Account"),
		({"bank_currency": "EUR"}, "bank account is in EUR"),
		({"clearing_currency": "GBP"}, "clearing account is in GBP"),
	],
)
def test_paid_payout_held_with_a_reason(kwargs, words):
	result = plan(parse_payout(payout_obj()), **kwargs)
	assert result.action is PayoutAction.HOLD and words in result.reason


def test_non_positive_payout_held():
	assert plan(parse_payout(payout_obj(amount=0))).action is PayoutAction.HOLD


@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_failed_or_canceled_payout_cancels_the_entry(status):
	facts = parse_payout(payout_obj(status=status, failure_code="account_closed"))
	assert plan(facts, posted=PostedPayout("ACC-PAY-1", 1)).action is PayoutAction.CANCEL
	assert plan(facts).action is PayoutAction.NOTHING  # never posted
	assert plan(facts, posted=PostedPayout("ACC-PAY-1", 2)).action is PayoutAction.NOTHING
	cleared = plan(facts, posted=PostedPayout("ACC-PAY-1", 1, cleared=True))
	assert cleared.action is PayoutAction.HOLD and "Bank Reconciliation Tool" in cleared.reason


def test_late_paid_event_for_a_failed_payout_posts_nothing():
	# The plan reads the payout's current state, not the event type.
	assert plan(parse_payout(payout_obj(status="failed"))).action is PayoutAction.NOTHING


@pytest.mark.parametrize("status", ["pending", "in_transit"])
def test_payout_not_yet_paid_waits(status):
	assert plan(parse_payout(payout_obj(status=status))).action is PayoutAction.NOTHING


def test_parse_balance_transaction_with_expanded_charge():
	txn = parse_balance_transaction(
		txn_obj(source={"id": "ch_1", "object": "charge", "payment_intent": "pi_1"})
	)
	assert (txn.source, txn.payment_intent, txn.net, txn.fee) == (
		"ch_1",
		"pi_1",
		Decimal("96.80"),
		Decimal("3.20"),
	)


def test_ledger_home_of_each_posted_type():
	def home(**kw):
		return ledger_home(parse_balance_transaction(txn_obj(**kw)))

	assert home(source={"id": "ch_1", "payment_intent": "pi_1"}) == home(
		type_="payment", source={"id": "py_1", "payment_intent": "pi_1"}
	)
	assert home(source={"id": "ch_1", "payment_intent": "pi_1"}).kind is VoucherKind.RECEIPT
	assert home(type_="refund", source="re_1", amount=-500, fee=0).key == "re_1"
	dispute = home(type_="adjustment", reporting_category="dispute", source="du_1", amount=-500, fee=1500)
	assert (dispute.kind, dispute.key) == (VoucherKind.DISPUTE, "du_1")
	assert home(type_="payout", source="po_1", amount=-9680, fee=0).kind is VoucherKind.PAYOUT


@pytest.mark.parametrize("type_", sorted(NOT_POSTED))
def test_every_unposted_type_says_why(type_):
	found = ledger_home(parse_balance_transaction(txn_obj(type_=type_, source="x_1")))
	assert found.kind is None and found.reason == NOT_POSTED[type_]


def test_unknown_type_and_other_adjustments_say_why():
	unknown = ledger_home(parse_balance_transaction(txn_obj(type_="brand_new")))
	assert unknown.kind is None and "'brand_new' is unknown" in unknown.reason
	other = ledger_home(
		parse_balance_transaction(txn_obj(type_="adjustment", reporting_category="other_adjustment"))
	)
	assert other.kind is None and "other_adjustment" in other.reason
	charge = ledger_home(parse_balance_transaction(txn_obj(source="ch_9")))
	assert charge.kind is None and "ch_9" in charge.reason


def _txn(net: str, type_="charge") -> BalanceTxn:
	return BalanceTxn("t", type_, Decimal(net), Decimal(0), Decimal(net), "USD")


def test_payout_mismatch():
	facts = parse_payout(payout_obj())
	assert payout_mismatch(facts, [_txn("100.00"), _txn("23.45"), _txn("-123.45", "payout")]) is None
	assert "net to 100.00" in payout_mismatch(facts, [_txn("100.00")])
	assert "no balance transactions" in payout_mismatch(facts, [])


def test_list_pages_through_every_transaction_with_the_payout_filter():
	first = {
		"object": "list",
		"url": "/v1/balance_transactions",
		"has_more": True,
		"data": [txn_obj("txn_1"), txn_obj("txn_2")],
	}
	second = {
		"object": "list",
		"url": "/v1/balance_transactions",
		"has_more": False,
		"data": [txn_obj("txn_3")],
	}
	with fake_stripe([(200, first), (200, second)]) as fake:
		txns = list_balance_transactions("sk_test_x", payout="po_1", api_base=fake.url)
	assert [t.id for t in txns] == ["txn_1", "txn_2", "txn_3"]
	assert [r["path"] for r in fake.requests] == ["/v1/balance_transactions"] * 2
	assert fake.requests[0]["query"]["payout"] == "po_1"
	assert fake.requests[0]["query"]["expand[0]"] == "data.source"
	assert fake.requests[0]["query"]["limit"] == "100"
	assert fake.requests[1]["query"]["starting_after"] == "txn_2"
	assert fake.requests[0]["headers"]["authorization"] == "Bearer sk_test_x"


def test_list_failure_is_a_gateway_error():
	with fake_stripe([(503, {"error": {"type": "api_error", "message": "down"}})] * 3) as fake:
		with pytest.raises(GatewayError) as raised:
			list_balance_transactions("sk_test_x", payout="po_1", api_base=fake.url)
	assert raised.value.retryable


def test_retrieve_payout_over_http():
	with fake_stripe([(200, payout_obj())]) as fake:
		facts = retrieve_payout("sk_test_x", "po_1", api_base=fake.url)
	assert facts.status == "paid" and fake.requests[0]["path"] == "/v1/payouts/po_1"
	with pytest.raises(ValueError):
		retrieve_payout("sk_test_x", "ch_1")
