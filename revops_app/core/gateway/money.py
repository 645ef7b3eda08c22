"""Major <-> minor currency units exactly as the Stripe API wants them.

Contract:
- `to_minor_units(amount, currency) -> int`: the integer Stripe expects in `amount`/`unit_amount`.
  Rounds half-up, once, to the smallest step Stripe accepts for the currency. Refuses negative,
  NaN, infinite, boolean and unparsable amounts and malformed currency codes with ValueError.
- `from_minor_units(minor, currency) -> Decimal`: the major-unit Decimal, quantized to the
  currency's API exponent (USD 1099 -> Decimal("10.99"), JPY 500 -> Decimal("500")).
- Nothing here is lossy in the reverse direction: `from_minor_units(to_minor_units(x))` equals x
  whenever x is already on the currency's step.

Stripe rules encoded (docs.stripe.com/currencies, read in the stored copies of that page):
- Zero-decimal currencies (amount = major units): BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND
  VUV XAF XOF XPF.
- Three-decimal currencies BHD JOD KWD OMR TND: minor unit = 1/1000, but "these API calls require
  the least-significant (last) digit to be 0. Your integration must round amounts to the nearest
  ten" (5.124 KWD -> 5120).
- ISK (support.stripe.com "Deprecation of fractional ISK charges and refunds"): stays two-decimal in
  the API (100 = 1 krona) but amounts must be evenly divisible by 100, so we round to whole kronur.
- HUF and TWD: Stripe treats them as zero-decimal for *payouts* only; charges accept two-decimal
  amounts, so for Checkout they are plain two-decimal (the HUF wording was read in an archived copy of
  the page; TWD's entry was not found in the stored material and follows the same documented pattern).
- UGX is on the zero-decimal list in every stored copy of the page, so it is zero-decimal here.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO_DECIMAL_CURRENCIES = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL_CURRENCIES = frozenset("BHD JOD KWD OMR TND".split())
# Minor-unit step Stripe accepts, where it is larger than 1 (see module docstring).
_STEP_OVERRIDES = {code: 10 for code in THREE_DECIMAL_CURRENCIES} | {"ISK": 100}

_CURRENCY_RE = re.compile(r"^[A-Za-z]{3}$")


def normalise_currency(currency: str) -> str:
	"""Upper-case ISO 4217 code; ValueError for anything that is not three letters."""
	if not isinstance(currency, str) or not _CURRENCY_RE.match(currency.strip()):
		raise ValueError(f"currency must be a three-letter ISO 4217 code, got {currency!r}")
	return currency.strip().upper()


def currency_exponent(currency: str) -> int:
	"""Number of decimal places of the currency's minor unit in the Stripe API (0, 2 or 3)."""
	code = normalise_currency(currency)
	if code in ZERO_DECIMAL_CURRENCIES:
		return 0
	if code in THREE_DECIMAL_CURRENCIES:
		return 3
	return 2


def minor_unit_step(currency: str) -> int:
	"""Smallest multiple of the minor unit Stripe accepts for a charge (1, 10 for BHD.., 100 for ISK)."""
	return _STEP_OVERRIDES.get(normalise_currency(currency), 1)


def to_decimal(amount: Decimal | str | float | int) -> Decimal:
	"""A finite, non-negative Decimal, or ValueError. Floats go through repr so 0.1 stays 0.1."""
	if isinstance(amount, bool):
		raise ValueError("amount must be a number, not a boolean")
	try:
		if isinstance(amount, Decimal):
			value = amount
		elif isinstance(amount, float):
			value = Decimal(repr(amount))
		elif isinstance(amount, (int, str)):
			value = Decimal(amount.strip() if isinstance(amount, str) else amount)
		else:
			raise ValueError(f"amount must be a Decimal, str, int or float, got {type(amount).__name__}")
	except InvalidOperation:
		raise ValueError(f"amount is not a number: {amount!r}")
	if not value.is_finite():
		raise ValueError(f"amount must be finite, got {amount!r}")
	if value < 0:
		raise ValueError(f"amount must not be negative, got {amount!r}")
	return value


def to_minor_units(amount: Decimal | str | float | int, currency: str) -> int:
	"""Major units -> Stripe integer amount, rounded half-up once to the currency's allowed step."""
	value = to_decimal(amount)
	exponent = currency_exponent(currency)
	step = minor_unit_step(currency)
	exact = value.scaleb(exponent)
	# One rounding only (to the step), so 5.1249 KWD is 5120, never 5.125 -> 5130 by double rounding.
	steps = (exact / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
	return int(steps) * step


def from_minor_units(minor: int, currency: str) -> Decimal:
	"""Stripe integer amount -> major-unit Decimal with the currency's exponent."""
	if isinstance(minor, bool) or not isinstance(minor, int):
		raise ValueError(f"minor amount must be an integer, got {minor!r}")
	exponent = currency_exponent(currency)
	return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))
