"""Stripe's balance against the clearing account, and what explains a difference (framework-free).

Contract:
- `retrieve_balance(api_key, *, api_base=None) -> dict[currency, Decimal]`: GET `/v1/balance`,
  available + pending summed per currency (major units); GatewayError on failure.
- `compare_balance(stripe, ledger, unposted) -> list[BalanceCheck]`: one check per currency Stripe or
  the ledger holds. `difference` = Stripe - ledger; `explained_by` = the balance transactions of that
  currency that no ERPNext voucher holds (their net is money Stripe moved that the ledger lacks);
  `unexplained` = difference - their net. `ok` when the difference is zero. A currency with a Stripe
  balance but no clearing account in it has ledger None and is never ok.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import stripe

from revops_app.core.gateway.balance_transactions import BalanceTxn
from revops_app.core.gateway.client import (
	DEFAULT_TIMEOUT,
	GatewayError,
	as_mapping,
	gateway_error,
	stripe_client,
	v1_services,
)
from revops_app.core.gateway.money import from_minor_units, normalise_currency

ZERO = Decimal(0)


@dataclass(frozen=True)
class BalanceCheck:
	currency: str
	stripe: Decimal
	ledger: Decimal | None  # None: no clearing account in this currency
	explained_by: tuple[BalanceTxn, ...] = field(default=())

	@property
	def difference(self) -> Decimal:
		return self.stripe - (self.ledger or ZERO)

	@property
	def unexplained(self) -> Decimal:
		return self.difference - sum((t.net for t in self.explained_by), ZERO)

	@property
	def ok(self) -> bool:
		return self.ledger is not None and self.difference == ZERO


def parse_balance(obj: Mapping) -> dict[str, Decimal]:
	if not isinstance(obj, Mapping):
		raise GatewayError("Stripe returned no balance")
	totals: dict[str, Decimal] = {}
	for part in ("available", "pending"):
		for row in obj.get(part) or ():
			amount = row.get("amount") if isinstance(row, Mapping) else None
			if isinstance(amount, bool) or not isinstance(amount, int):
				raise GatewayError(f"Stripe balance {part} row has a non-integer amount: {amount!r}")
			currency = normalise_currency(row.get("currency") or "")
			totals[currency] = totals.get(currency, ZERO) + from_minor_units(amount, currency)
	return totals


def retrieve_balance(
	api_key: str, *, api_base: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, Decimal]:
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		return parse_balance(as_mapping(v1_services(client).balance.retrieve()))
	except stripe.StripeError as error:
		raise gateway_error("balance retrieve", error) from error


def compare_balance(
	stripe_balance: Mapping[str, Decimal], ledger: Mapping[str, Decimal], unposted: Sequence[BalanceTxn]
) -> list[BalanceCheck]:
	checks = []
	for currency in sorted(set(stripe_balance) | set(ledger)):
		checks.append(
			BalanceCheck(
				currency=currency,
				stripe=stripe_balance.get(currency, from_minor_units(0, currency)),
				ledger=ledger.get(currency),
				explained_by=tuple(t for t in unposted if t.currency == currency),
			)
		)
	return checks
