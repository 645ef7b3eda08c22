"""Stripe balance vs the clearing account: parsing, comparison, retrieval over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revops_app.core.gateway.balance import compare_balance, parse_balance, retrieve_balance
from revops_app.core.gateway.balance_transactions import BalanceTxn
from revops_app.core.gateway.client import GatewayError
from tests.core.fake_stripe import fake_stripe

D = Decimal
BALANCE = {
	"object": "balance",
	"available": [{"amount": 10_000, "currency": "usd"}, {"amount": 500, "currency": "jpy"}],
	"pending": [{"amount": 2_550, "currency": "usd"}],
}


def txn(net: str, currency: str = "USD") -> BalanceTxn:
	return BalanceTxn("txn_x", "stripe_fee", D(net), D(0), D(net), currency)


def test_available_plus_pending_per_currency():
	assert parse_balance(BALANCE) == {"USD": D("125.50"), "JPY": D(500)}


def test_malformed_balance_refused():
	with pytest.raises(GatewayError):
		parse_balance({"available": [{"amount": "1", "currency": "usd"}]})


def test_equal_balances_are_ok():
	(check,) = compare_balance({"USD": D("10.00")}, {"USD": D("10.00")}, [])
	assert check.ok and check.difference == 0


def test_difference_explained_by_unposted_transactions():
	(check,) = compare_balance({"USD": D("0.00")}, {"USD": D("1.50")}, [txn("-1.50"), txn("-9", "EUR")])
	assert not check.ok
	assert (check.difference, check.unexplained) == (D("-1.50"), D("0.00"))
	assert len(check.explained_by) == 1


def test_currency_without_clearing_account_is_never_ok():
	checks = {c.currency: c for c in compare_balance({"USD": D(0), "EUR": D(5)}, {"USD": D(0)}, [])}
	assert checks["USD"].ok and not checks["EUR"].ok and checks["EUR"].ledger is None


def test_retrieve_balance_over_http():
	with fake_stripe([(200, BALANCE)]) as fake:
		assert retrieve_balance("sk_test_x", api_base=fake.url)["USD"] == D("125.50")
	assert fake.requests[0]["path"] == "/v1/balance"
