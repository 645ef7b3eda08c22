"""Minor units as Stripe wants them: two, zero and three decimals, ISK, half-up, bad input refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revops_app.core.gateway.money import (
	ZERO_DECIMAL_CURRENCIES,
	currency_exponent,
	from_minor_units,
	minor_unit_step,
	to_minor_units,
)


@pytest.mark.parametrize(
	("amount", "currency", "minor"),
	[
		(Decimal("10.99"), "USD", 1099),
		("10.99", "usd", 1099),
		(10.99, "EUR", 1099),  # float goes through repr: no 1098.9999 artefacts
		(0.1 + 0.2, "USD", 30),
		("10.994", "USD", 1099),
		("10.995", "USD", 1100),  # half-up, not banker's
		("0.005", "GBP", 1),
		(0, "USD", 0),
		(500, "JPY", 500),
		("500.5", "JPY", 501),
		("499.49", "KRW", 499),
		("1500", "UGX", 1500),
		("12000", "CLP", 12000),
		("5.124", "KWD", 5120),  # three-decimal: last digit must be 0, round to the nearest ten
		("5.125", "KWD", 5130),
		("5.1249", "BHD", 5120),  # one rounding only (no 5.125 -> 5130 double rounding)
		("1.000", "OMR", 1000),
		("0.005", "TND", 10),
		("40.10", "ISK", 4000),  # ISK: two-decimal in the API, whole kronur only
		("40.50", "ISK", 4100),
		("1234.56", "HUF", 123456),  # HUF/TWD: zero-decimal for payouts only, charges are two-decimal
		("99.99", "TWD", 9999),
	],
)
def test_to_minor_units(amount, currency, minor):
	assert to_minor_units(amount, currency) == minor


@pytest.mark.parametrize(
	("minor", "currency", "major"),
	[
		(1099, "usd", Decimal("10.99")),
		(5, "USD", Decimal("0.05")),
		(500, "JPY", Decimal("500")),
		(5120, "KWD", Decimal("5.120")),
		(4000, "ISK", Decimal("40.00")),
		(-250, "EUR", Decimal("-2.50")),  # balance transactions carry negative amounts
	],
)
def test_from_minor_units(minor, currency, major):
	value = from_minor_units(minor, currency)
	assert value == major
	assert value.as_tuple().exponent == major.as_tuple().exponent


def test_round_trip_on_every_zero_decimal_currency():
	for code in sorted(ZERO_DECIMAL_CURRENCIES):
		assert currency_exponent(code) == 0
		assert to_minor_units(from_minor_units(987654, code), code) == 987654


def test_steps():
	assert minor_unit_step("usd") == 1
	assert minor_unit_step("JOD") == 10
	assert minor_unit_step("isk") == 100
	assert currency_exponent("BHD") == 3


@pytest.mark.parametrize(
	"amount",
	[
		"-0.01",
		Decimal("-1"),
		-5,
		float("nan"),
		Decimal("NaN"),
		float("inf"),
		"Infinity",
		"abc",
		"",
		True,
		None,
		[1],
	],
)
def test_bad_amounts_are_refused(amount):
	with pytest.raises(ValueError):
		to_minor_units(amount, "USD")


@pytest.mark.parametrize("currency", ["US", "USDX", "", "12$", None, "u s"])
def test_bad_currencies_are_refused(currency):
	with pytest.raises(ValueError):
		to_minor_units("1.00", currency)


def test_from_minor_units_wants_an_integer():
	for bad in (10.5, "100", True, None):
		with pytest.raises(ValueError):
			from_minor_units(bad, "USD")


def test_random_amounts_round_trip_on_the_step():
	import random

	rng = random.Random(20261125)
	for currency in ("USD", "JPY", "KWD", "ISK", "BHD", "EUR", "CLP"):
		for _ in range(500):
			minor = rng.randrange(0, 10**9)
			major = from_minor_units(minor, currency)
			expected = minor - minor % minor_unit_step(currency)
			if minor % minor_unit_step(currency) * 2 >= minor_unit_step(currency):
				expected += minor_unit_step(currency)
			assert to_minor_units(major, currency) == expected
			assert to_minor_units(str(major), currency) == expected
