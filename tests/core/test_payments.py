"""PaymentIntent retrieval for fees and cumulative refunds: parsing, and the SDK over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revops_app.core.collections.allocation import InvoiceState, SettlementAction, plan_payment
from revops_app.core.gateway.client import GatewayError
from revops_app.core.gateway.payments import parse_payment_intent, retrieve_payment
from tests.core.fake_stripe import fake_stripe
from tests.core.stripe_events import charge, fixture, payment_intent

API_KEY = "sk_test_core_payments_key"
PI = "pi_1PgafyB7WZ01zgkWSjxsAJo3"


def expanded_intent(*, fee=394, txn_currency="usd", exchange_rate=None, amount=12550, refunded=0) -> dict:
	txn = fixture("balance_transaction")
	txn.update(
		{
			"amount": amount,
			"fee": fee,
			"net": amount - fee,
			"currency": txn_currency,
			"exchange_rate": exchange_rate,
		}
	)
	latest = charge(amount=amount, amount_refunded=refunded)
	latest["balance_transaction"] = txn
	return payment_intent(amount=amount, latest_charge=latest)


def test_parse_expanded_intent():
	settlement = parse_payment_intent(expanded_intent(refunded=2500))
	assert settlement.payment_intent == PI and settlement.status == "succeeded"
	assert (settlement.currency, settlement.amount_received) == ("USD", Decimal("125.50"))
	assert settlement.charge == "ch_1PgafuB7WZ01zgkWXYmPNZs8"
	assert settlement.balance_transaction == "txn_1PgaxNB7WZ01zgkWEV3TLf40"
	assert (settlement.fee, settlement.fee_currency, settlement.net) == (
		Decimal("3.94"),
		"USD",
		Decimal("121.56"),
	)
	assert settlement.amount_refunded == Decimal("25.00")
	assert settlement.fee_known and settlement.sales_invoice == "ACC-SINV-2026-00001"


def test_unexpanded_charge_means_fee_unknown():
	settlement = parse_payment_intent(payment_intent(latest_charge="ch_abc"))
	assert settlement.charge == "ch_abc" and not settlement.fee_known and settlement.fee is None


def test_fee_in_settlement_currency_reaches_plan_payment_as_a_flag():
	settlement = parse_payment_intent(expanded_intent(fee=310, txn_currency="gbp", exchange_rate=0.79))
	assert settlement.fee_currency == "GBP" and settlement.exchange_rate == Decimal("0.79")
	invoice = InvoiceState(
		"ACC-SINV-2026-00001", "USD", Decimal("125.50"), Decimal("125.50"), 1, False, "Unpaid"
	)
	plan = plan_payment(
		invoice,
		amount=settlement.amount_received,
		currency=settlement.currency,
		fee=settlement.fee,
		fee_currency=settlement.fee_currency,
		already_posted=False,
	)
	assert plan.action is SettlementAction.POST and "fee_not_deducted" in plan.flags and plan.fee_amount == 0


def test_retrieve_over_http_expands_the_balance_transaction():
	with fake_stripe([(200, expanded_intent())]) as fake:
		settlement = retrieve_payment(API_KEY, PI, api_base=fake.url, timeout=5)
	assert settlement.fee == Decimal("3.94")
	(request,) = fake.requests
	assert request["method"] == "GET"
	assert request["path"] == f"/v1/payment_intents/{PI}"
	assert request["query"] == {"expand[0]": "latest_charge.balance_transaction"}
	assert request["headers"]["authorization"] == f"Bearer {API_KEY}"


def test_retrieve_not_found_is_not_retryable():
	error = {
		"error": {
			"type": "invalid_request_error",
			"code": "resource_missing",
			"message": f"No such payment_intent: '{PI}'",
		}
	}
	with fake_stripe([(404, error)]) as fake:
		with pytest.raises(GatewayError) as info:
			retrieve_payment(API_KEY, PI, api_base=fake.url, timeout=5)
	assert info.value.code == "resource_missing" and not info.value.retryable
	assert API_KEY not in str(info.value)
	assert len(fake.requests) == 1


def test_retrieve_refuses_what_is_not_a_payment_intent_id():
	for bad in ("", "ch_123", None, "pi_1/../../v1/charges"):
		if bad and bad.startswith("pi_"):
			# A path-shaped id is escaped by the SDK (sanitize_id), never sent raw: check it over HTTP.
			with fake_stripe([(200, expanded_intent())]) as fake:
				retrieve_payment(API_KEY, bad, api_base=fake.url, timeout=5)
			assert fake.requests[0]["path"].startswith("/v1/payment_intents/pi_1%2F")
			continue
		with pytest.raises(ValueError):
			retrieve_payment(API_KEY, bad)
