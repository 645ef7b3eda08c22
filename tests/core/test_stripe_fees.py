"""Stripe fees outside a charge: which transactions carry one, the plan per fee, the log sentence, the
balance check's part of a payout, and the payout's own (fee-bearing) balance transaction over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revops_app.core.gateway.balance_transactions import (
	FEE_TYPES,
	NOT_POSTED,
	VoucherKind,
	ledger_home,
	list_balance_transactions,
	parse_balance_transaction,
)
from revops_app.core.gateway.payouts import parse_payout, payout_mismatch, retrieve_payout
from revops_app.core.gateway.stripe_fees import (
	FeeAction,
	PostedFee,
	fee_movement,
	payout_unposted,
	plan_fees,
)
from tests.core.fake_stripe import fake_stripe
from tests.core.test_payouts import payout_obj, txn_obj

D = Decimal


def txn(**kw):
	return parse_balance_transaction(txn_obj(**kw))


def radar_fee(txn_id="txn_fee1", amount=-150, **kw):
	return txn(txn_id=txn_id, type_="stripe_fee", amount=amount, fee=0, description="Radar", **kw)


def payout_txn(fee=150, amount=-10_000, type_="payout"):
	return txn(txn_id="txn_po_1", type_=type_, amount=amount, fee=fee, source="po_1")


def plan(txns, posted=None, **kw):
	accounts = {
		"fee_account": "Stripe Fees - X",
		"clearing_account": "Stripe Clearing - X",
		"clearing_currency": "USD",
		"company_currency": "USD",
	}
	return plan_fees(txns, posted=posted or {}, **{**accounts, **kw})


def test_fee_types_post_to_the_fee_account_by_their_own_id():
	for type_ in FEE_TYPES:
		home = ledger_home(txn(type_=type_, amount=-100, fee=0))
		assert (home.kind, home.key) == (VoucherKind.FEE, "txn_1")
		assert type_ not in NOT_POSTED
	assert "payout_fee" not in FEE_TYPES  # Stripe has no such type: a payout fee is the payout's `fee`


def test_fee_movement_signs():
	charged = fee_movement(radar_fee())
	assert (charged.amount, charged.currency, charged.balance_transaction) == (D("1.50"), "USD", "txn_fee1")
	assert "Radar" in charged.what
	credit = fee_movement(radar_fee(amount=200))  # Stripe gave a fee back: the fee account is credited
	assert credit.amount == D("-2.00")
	payout = fee_movement(payout_txn(fee=150))
	assert payout.amount == D("1.50") and "payout fee of po_1" in payout.what
	returned = fee_movement(payout_txn(fee=-150, amount=10_000, type_="payout_failure"))
	assert returned.amount == D("-1.50")


@pytest.mark.parametrize(
	"found",
	[
		txn(source={"id": "ch_1", "payment_intent": "pi_1"}),  # a charge's fee is the receipt's deduction
		txn(type_="adjustment", reporting_category="other_adjustment", amount=-500, fee=0),
		payout_txn(fee=0),
		radar_fee(amount=0),
	],
)
def test_no_fee_movement(found):
	assert fee_movement(found) is None


def test_plan_posts_each_fee_once():
	txns = [radar_fee(), radar_fee(), payout_txn(), txn(source={"id": "ch_1", "payment_intent": "pi_1"})]
	result = plan(txns)
	assert [m.balance_transaction for m in result.to_post] == ["txn_fee1", "txn_po_1"]
	again = plan(txns, posted={"txn_fee1": PostedFee("ACC-JV-1", 1), "txn_po_1": PostedFee("ACC-JV-2", 1)})
	assert again.to_post == () and {i.action for i in again.items} == {FeeAction.POSTED}
	assert again.summary() == "2 already posted"


def test_fee_whose_entry_was_cancelled_by_hand_is_held():
	result = plan([radar_fee()], posted={"txn_fee1": PostedFee("ACC-JV-1", 2)})
	(item,) = result.held
	assert "ACC-JV-1 was cancelled" in item.reason and result.to_post == ()


@pytest.mark.parametrize(
	"kwargs, words",
	[
		({"fee_account": None}, "no Stripe Fee Account"),
		({"clearing_account": None}, "no Stripe clearing account"),
		({"clearing_currency": "EUR"}, "clearing account is in EUR"),
		({"clearing_currency": None, "company_currency": "INR"}, "company currency (INR) only"),
	],
)
def test_fee_held_with_a_reason(kwargs, words):
	(item,) = plan([radar_fee()], **kwargs).items
	assert item.action is FeeAction.HOLD and words in item.reason


def test_summary_names_entries_and_holds():
	result = plan([radar_fee(), payout_txn()])
	text = result.summary({"txn_fee1": "ACC-JV-9", "txn_po_1": "ACC-JV-10"})
	assert text.startswith("2 Stripe fee entries posted (")
	assert (
		"txn_fee1 1.50 USD as ACC-JV-9" in text
		and "payout fee of po_1 txn_po_1 1.50 USD as ACC-JV-10" in text
	)
	held = plan([radar_fee()], fee_account=None).summary()
	assert held == "1 held, not posted (txn_fee1: RevOps Settings has no Stripe Fee Account)"
	assert plan([]).summary() == "no Stripe fees outside charges"


def test_payout_unposted_parts():
	own = payout_txn(fee=150)
	assert payout_unposted(own, transfer_posted=True, fee_posted=True) is None
	assert payout_unposted(own, transfer_posted=False, fee_posted=False) == own
	assert payout_unposted(own, transfer_posted=True, fee_posted=False).net == D("-1.50")
	assert payout_unposted(own, transfer_posted=False, fee_posted=True).net == D("-100.00")
	no_fee = payout_txn(fee=0)
	assert payout_unposted(no_fee, transfer_posted=False, fee_posted=False) == no_fee
	assert payout_unposted(no_fee, transfer_posted=True, fee_posted=False) is None


def test_payout_parses_its_expanded_balance_transactions():
	own = txn_obj("txn_po_1", type_="payout", amount=-12_345, fee=150, source="po_1")
	failure = txn_obj("txn_pf_1", type_="payout_failure", amount=12_345, fee=-150, source="po_1")
	facts = parse_payout(payout_obj(balance_transaction=own, failure_balance_transaction=failure))
	assert facts.balance_transaction == "txn_po_1" and facts.own_txn.fee == D("1.50")
	assert facts.failure_txn.fee == D("-1.50")
	assert parse_payout(payout_obj()).own_txn is None  # not expanded: the id only


def test_payout_mismatch_counts_the_payout_fee():
	facts = parse_payout(payout_obj(amount=9_850))
	carried = [txn(txn_id="txn_c", amount=10_000, fee=0), payout_txn(fee=150, amount=-9_850)]
	assert payout_mismatch(facts, carried) is None
	assert "plus its fee 1.50" in payout_mismatch(facts, [txn(amount=9_850, fee=0), carried[1]])


def test_retrieve_payout_asks_for_its_balance_transactions_expanded():
	own = txn_obj("txn_po_1", type_="payout", amount=-12_345, fee=150, source="po_1")
	with fake_stripe([(200, payout_obj(balance_transaction=own))]) as fake:
		facts = retrieve_payout("sk_test_x", "po_1", api_base=fake.url)
	assert facts.own_txn.id == "txn_po_1"
	query = fake.requests[0]["query"]
	assert {query["expand[0]"], query["expand[1]"]} == {"balance_transaction", "failure_balance_transaction"}


def test_list_by_type_and_created():
	page = {"object": "list", "url": "/v1/balance_transactions", "has_more": False, "data": [txn_obj()]}
	with fake_stripe([(200, page)]) as fake:
		list_balance_transactions(
			"sk_test_x", type_="stripe_fee", created_gte=1_700_000_000, api_base=fake.url
		)
	query = fake.requests[0]["query"]
	assert (query["type"], query["created[gte]"]) == ("stripe_fee", "1700000000")
	assert "payout" not in query
