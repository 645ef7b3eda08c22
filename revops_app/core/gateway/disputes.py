"""What a Stripe dispute did to the Stripe balance: its balance transactions, parsed (framework-free).

Facts (stripe-python `stripe/_dispute.py`, `stripe/_balance_transaction.py`; stripe 16.1.0 as installed):
- `Dispute.balance_transactions` is a list (not an expandable field) of "zero, one, or two balance
  transactions that show funds withdrawn and reinstated to your Stripe account as a result of this
  dispute". An inquiry (`warning_*` statuses) withdraws nothing; a chargeback withdraws the disputed
  amount and the dispute fee when it is created; a won chargeback reinstates the amount.
- A balance transaction's `amount` is signed ("a negative value represents funds sent to another
  party"), `fee` is "represented as a positive integer when assessed" (so a fee Stripe gives back is
  negative), `net` = amount - fee, all in the minor units of the transaction's `currency`. Stripe's
  reporting categories split `type=adjustment` into `dispute` (funds withdrawn) and
  `dispute_reversal` (funds reinstated) (docs.stripe.com/reports/reporting-categories).

Contract:
- `parse_dispute(obj) -> DisputeFacts`: pure. Each balance transaction becomes a `DisputeMovement`
  whose phase is "withdrawal" or "reinstatement": from `reporting_category` when it says so, else from
  the sign of `amount`. `expanded` is False when the list is missing or holds bare ids: the caller then
  fetches the dispute (`retrieve_dispute`) instead of deciding from partial facts.
  `GatewayError` when the object is not a dispute or an amount is not an integer.
- `retrieve_dispute(api_key, dispute_id, *, api_base=None, timeout=20) -> DisputeFacts`: GET
  `/v1/disputes/{id}` through a per-call StripeClient (client.py), parsed; `GatewayError` on failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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

WITHDRAWAL = "withdrawal"
REINSTATEMENT = "reinstatement"
_CATEGORY_PHASE = {"dispute": WITHDRAWAL, "dispute_reversal": REINSTATEMENT}


@dataclass(frozen=True)
class DisputeMovement:
	"""One dispute balance transaction in major units: `amount` signed as Stripe gives it (withdrawn
	< 0, reinstated > 0), `fee` positive when charged and negative when given back."""

	id: str
	phase: str
	amount: Decimal
	fee: Decimal
	currency: str
	reporting_category: str | None = None
	created: int = 0


@dataclass(frozen=True)
class DisputeFacts:
	dispute_id: str
	status: str
	amount: Decimal | None
	currency: str | None
	charge: str | None
	payment_intent: str | None
	movements: tuple[DisputeMovement, ...]
	expanded: bool


def _ref(value: Any) -> str | None:
	if isinstance(value, str):
		return value or None
	if isinstance(value, Mapping) and isinstance(value.get("id"), str):
		return value["id"] or None
	return None


def _minor(value: Any, label: str) -> int:
	if value is None:
		return 0
	if isinstance(value, bool) or not isinstance(value, int):
		raise GatewayError(f"Stripe dispute has a non-integer {label}: {value!r}")
	return value


def _movement(txn: Mapping) -> DisputeMovement:
	try:
		currency = normalise_currency(txn.get("currency") or "")
	except ValueError:
		raise GatewayError(f"dispute balance transaction {txn.get('id')!r} has no valid currency")
	amount = _minor(txn.get("amount"), "balance transaction amount")
	fee = _minor(txn.get("fee"), "balance transaction fee")
	category = txn.get("reporting_category") if isinstance(txn.get("reporting_category"), str) else None
	phase = _CATEGORY_PHASE.get(category or "") or (WITHDRAWAL if amount < 0 else REINSTATEMENT)
	# Negative minor amounts: from_minor_units works on magnitudes, the sign is put back here.
	return DisputeMovement(
		id=str(txn.get("id") or ""),
		phase=phase,
		amount=from_minor_units(abs(amount), currency) * (-1 if amount < 0 else 1),
		fee=from_minor_units(abs(fee), currency) * (-1 if fee < 0 else 1),
		currency=currency,
		reporting_category=category,
		created=txn.get("created") if isinstance(txn.get("created"), int) else 0,
	)


def parse_dispute(obj: Mapping) -> DisputeFacts:
	"""DisputeFacts from a dispute dict (an event's data.object or an API reply)."""
	if not isinstance(obj, Mapping) or not obj.get("id") or obj.get("object", "dispute") != "dispute":
		raise GatewayError("Stripe returned no dispute")
	currency = None
	if obj.get("currency"):
		try:
			currency = normalise_currency(obj["currency"])
		except ValueError:
			raise GatewayError(f"dispute {obj['id']} has no valid currency")
	amount = obj.get("amount")
	raw = obj.get("balance_transactions")
	expanded = isinstance(raw, list) and all(isinstance(t, Mapping) for t in raw)
	movements = tuple(_movement(t) for t in raw) if expanded else ()
	return DisputeFacts(
		dispute_id=obj["id"],
		status=str(obj.get("status") or ""),
		amount=from_minor_units(_minor(amount, "amount"), currency)
		if amount is not None and currency
		else None,
		currency=currency,
		charge=_ref(obj.get("charge")),
		payment_intent=_ref(obj.get("payment_intent")),
		movements=movements,
		expanded=expanded,
	)


def retrieve_dispute(
	api_key: str,
	dispute_id: str,
	*,
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
) -> DisputeFacts:
	"""Fetch the dispute (its balance transactions come whole) and parse it."""
	if not dispute_id or not isinstance(dispute_id, str) or not dispute_id.startswith(("dp_", "du_")):
		raise ValueError(f"not a dispute id: {dispute_id!r}")
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		dispute = v1_services(client).disputes.retrieve(dispute_id)
	except stripe.StripeError as error:
		raise gateway_error("Dispute retrieve", error) from error
	return parse_dispute(as_mapping(dispute))
