"""What Stripe says a PaymentIntent settled for: amount, charge, fee and refunds (framework-free).

Webhook events do not carry the Stripe fee: it lives on the charge's balance transaction. Settlement
needs it as a Payment Entry deduction, and a `charge.refund.updated` event (a refund object) does not
carry the charge's cumulative refunded amount. Both come from one call:

- `retrieve_payment(api_key, payment_intent_id, *, api_base=None, timeout=20) -> PaymentSettlement`
  GETs `/v1/payment_intents/{id}?expand[]=latest_charge.balance_transaction` through a per-call
  StripeClient (see client.py) and parses it; `GatewayError` on failure.
- `parse_payment_intent(obj) -> PaymentSettlement` is the pure part, for a PaymentIntent dict with
  `latest_charge` (and its `balance_transaction`) expanded or not.

Fee currency: a balance transaction is in the account's *settlement* currency (`currency`, lower-case),
which can differ from the charge currency (then `exchange_rate` is set). `fee_currency` is reported as
is and `plan_payment(..., fee_currency=...)` decides (it does not convert; it flags). `fee_known` is
False while the charge has no balance transaction yet (some methods settle later): the caller should
retry rather than post without the fee.

`money_created` (balance transaction `created`, else charge `created`; Unix seconds) is when the money
moved: the receipt's posting date comes from it (posting_dates.py), not from when the worker ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import stripe

from revops_app.core.gateway.client import (
	DEFAULT_TIMEOUT,
	GatewayError,
	as_mapping,
	gateway_error,
	stripe_client,
	v1_services,
)
from revops_app.core.gateway.money import from_minor_units, normalise_currency

EXPAND = ["latest_charge.balance_transaction"]


@dataclass(frozen=True)
class PaymentSettlement:
	payment_intent: str
	status: str | None
	currency: str
	amount_received: Decimal
	charge: str | None = None
	charge_status: str | None = None
	amount_refunded: Decimal = Decimal(0)  # cumulative, on the latest charge
	disputed: bool = False
	balance_transaction: str | None = None
	fee: Decimal | None = None  # in fee_currency (the settlement currency)
	fee_currency: str | None = None
	net: Decimal | None = None
	exchange_rate: Decimal | None = None
	metadata: dict = field(default_factory=dict)
	charge_created: int | None = None  # Unix seconds (UTC), when the charge was made
	balance_transaction_created: int | None = None  # when the money reached the Stripe balance

	@property
	def money_created(self) -> int | None:
		"""When Stripe moved the money: the balance transaction's time, else the charge's."""
		return self.balance_transaction_created or self.charge_created

	@property
	def fee_known(self) -> bool:
		return self.fee is not None

	@property
	def sales_invoice(self) -> str | None:
		return self.metadata.get("sales_invoice") or None

	@property
	def pay_link(self) -> str | None:
		return self.metadata.get("pay_link") or None

	@property
	def customer_page(self) -> str | None:
		"""The RevOps Customer Pay Page a several-invoice payment was made from (customer_checkout)."""
		return self.metadata.get("customer_page") or None


def _int(value: Any, label: str) -> int:
	if isinstance(value, bool) or not isinstance(value, int):
		raise GatewayError(f"Stripe returned a non-integer {label}: {value!r}")
	return value


def _created(value: Any) -> int | None:
	return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def parse_payment_intent(obj: Mapping) -> PaymentSettlement:
	"""PaymentSettlement from a PaymentIntent dict (latest_charge expanded or an id)."""
	if not isinstance(obj, Mapping) or not obj.get("id"):
		raise GatewayError("Stripe returned no PaymentIntent")
	currency = normalise_currency(obj.get("currency") or "")
	received = from_minor_units(_int(obj.get("amount_received") or 0, "amount_received"), currency)
	metadata = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
	values: dict[str, Any] = {
		"payment_intent": obj["id"],
		"status": obj.get("status"),
		"currency": currency,
		"amount_received": received,
		"metadata": {str(k): str(v) for k, v in metadata.items()},
	}
	charge = obj.get("latest_charge")
	if isinstance(charge, str):
		values["charge"] = charge
	elif isinstance(charge, Mapping):
		charge_currency = normalise_currency(charge.get("currency") or currency)
		values.update(
			charge=charge.get("id"),
			charge_status=charge.get("status"),
			charge_created=_created(charge.get("created")),
			disputed=bool(charge.get("disputed")),
			amount_refunded=from_minor_units(
				_int(charge.get("amount_refunded") or 0, "amount_refunded"), charge_currency
			),
		)
		txn = charge.get("balance_transaction")
		if isinstance(txn, str):
			values["balance_transaction"] = txn
		elif isinstance(txn, Mapping):
			fee_currency = normalise_currency(txn.get("currency") or "")
			rate = txn.get("exchange_rate")
			values.update(
				balance_transaction=txn.get("id"),
				balance_transaction_created=_created(txn.get("created")),
				fee=from_minor_units(_int(txn.get("fee") or 0, "fee"), fee_currency),
				fee_currency=fee_currency,
				net=from_minor_units(_int(txn.get("net") or 0, "net"), fee_currency),
				exchange_rate=Decimal(str(rate)) if rate is not None else None,
			)
	return PaymentSettlement(**values)


def retrieve_payment(
	api_key: str,
	payment_intent_id: str,
	*,
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
) -> PaymentSettlement:
	"""Fetch the PaymentIntent with its latest charge and balance transaction expanded, and parse it."""
	if (
		not payment_intent_id
		or not isinstance(payment_intent_id, str)
		or not payment_intent_id.startswith("pi_")
	):
		raise ValueError(f"not a PaymentIntent id: {payment_intent_id!r}")
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		intent = v1_services(client).payment_intents.retrieve(payment_intent_id, params={"expand": EXPAND})
	except stripe.StripeError as error:
		raise gateway_error("PaymentIntent retrieve", error) from error
	return parse_payment_intent(as_mapping(intent))
