"""Fields of the Stripe object an event carries (Checkout Session, PaymentIntent, Charge, Refund,
Dispute), as keyword arguments for `GatewayEvent` (framework-free).

References are ids, or expanded objects carrying `id`; amounts are minor units turned into major-unit
Decimals (`money.from_minor_units`). Missing fields and metadata are None, never an error; only an amount
that is not an integer or a currency that is not an ISO code is `WebhookRejected("malformed_payload")`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from revops_app.core.gateway.money import from_minor_units, normalise_currency
from revops_app.core.gateway.webhooks.errors import WebhookRejected


def _id_of(value: Any) -> str | None:
	"""A Stripe reference is an id string, or the expanded object carrying `id`."""
	if isinstance(value, str):
		return value or None
	if isinstance(value, Mapping):
		ref = value.get("id")
		return ref if isinstance(ref, str) and ref else None
	return None


def str_or_none(value: Any) -> str | None:
	if value is None:
		return None
	text = str(value).strip()
	return text or None


def metadata_of(obj: Mapping) -> Mapping:
	meta = obj.get("metadata")
	return meta if isinstance(meta, Mapping) else {}


def _currency(obj: Mapping) -> str | None:
	raw = obj.get("currency")
	if not raw:
		return None
	try:
		return normalise_currency(raw)
	except ValueError:
		raise WebhookRejected("malformed_payload", f"object currency {raw!r} is not an ISO code")


def _amount(minor: Any, currency: str | None) -> Decimal | None:
	if minor is None or currency is None:
		return None
	if isinstance(minor, bool) or not isinstance(minor, int):
		raise WebhookRejected("malformed_payload", f"amount {minor!r} is not an integer")
	return from_minor_units(minor, currency)


def _session_fields(obj: Mapping) -> dict:
	currency = _currency(obj)
	total = obj.get("amount_total")
	conversion = obj.get("currency_conversion")
	# Adaptive-pricing sessions (created before 2025-03-31) carry the customer's currency in
	# `currency`; the amount in the currency the session was created in is under currency_conversion.
	if isinstance(conversion, Mapping) and conversion.get("source_currency"):
		currency = _currency({"currency": conversion["source_currency"]})
		total = conversion.get("amount_total")
	return {
		"checkout_session": _id_of(obj.get("id")),
		"payment_intent": _id_of(obj.get("payment_intent")),
		"amount": _amount(total, currency),
		"currency": currency,
		"object_status": str_or_none(obj.get("payment_status")),
	}


def _charge_parts(charge: Any) -> dict:
	"""charge id and balance transaction id from a charge reference (id or expanded object)."""
	if isinstance(charge, Mapping):
		return {"charge": _id_of(charge), "balance_transaction": _id_of(charge.get("balance_transaction"))}
	return {"charge": _id_of(charge)}


def _payment_intent_fields(obj: Mapping) -> dict:
	currency = _currency(obj)
	received = obj.get("amount_received")
	fields = {
		"payment_intent": _id_of(obj.get("id")),
		"currency": currency,
		# amount_received is what was actually captured; fall back to amount for failures (0 received).
		"amount": _amount(received if received else obj.get("amount"), currency),
		"object_status": str_or_none(obj.get("status")),
		**_charge_parts(obj.get("latest_charge")),
	}
	error = obj.get("last_payment_error")
	if isinstance(error, Mapping):
		fields["failure_message"] = str_or_none(error.get("message")) or str_or_none(error.get("code"))
	return fields


def _created(value: object) -> int | None:
	return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _latest_refund(charge: Mapping) -> Mapping | None:
	refunds = charge.get("refunds")
	data = refunds.get("data") if isinstance(refunds, Mapping) else None
	if not isinstance(data, list):
		return None
	candidates = [r for r in data if isinstance(r, Mapping)]
	return max(candidates, key=lambda r: r.get("created") or 0, default=None)


def _charge_fields(obj: Mapping) -> dict:
	currency = _currency(obj)
	refunded = _amount(obj.get("amount_refunded"), currency)
	fields = {
		"charge": _id_of(obj.get("id")),
		"payment_intent": _id_of(obj.get("payment_intent")),
		"balance_transaction": _id_of(obj.get("balance_transaction")),
		"currency": currency,
		"amount": refunded,
		"amount_refunded_total": refunded,
		"original_amount": _amount(obj.get("amount_captured") or obj.get("amount"), currency),
		"object_status": str_or_none(obj.get("status")),
		"failure_message": str_or_none(obj.get("failure_message")),
	}
	latest = _latest_refund(obj)
	if latest is not None:
		fields["refund_id"] = _id_of(latest.get("id"))
		fields["refund_status"] = str_or_none(latest.get("status"))
		fields["refund_created"] = _created(latest.get("created"))
	return fields


def _refund_fields(obj: Mapping) -> dict:
	currency = _currency(obj)
	return {
		"refund_id": _id_of(obj.get("id")),
		"refund_status": str_or_none(obj.get("status")),
		"refund_created": _created(obj.get("created")),
		"charge": _id_of(obj.get("charge")),
		"payment_intent": _id_of(obj.get("payment_intent")),
		"balance_transaction": _id_of(obj.get("balance_transaction")),
		"currency": currency,
		"amount": _amount(obj.get("amount"), currency),
		"object_status": str_or_none(obj.get("status")),
		"failure_message": str_or_none(obj.get("failure_reason")),
	}


def _dispute_fields(obj: Mapping) -> dict:
	currency = _currency(obj)
	fields = {
		"dispute_id": _id_of(obj.get("id")),
		"dispute_status": str_or_none(obj.get("status")),
		"payment_intent": _id_of(obj.get("payment_intent")),
		"currency": currency,
		"amount": _amount(obj.get("amount"), currency),
		"object_status": str_or_none(obj.get("status")),
		**_charge_parts(obj.get("charge")),
	}
	return fields


EXTRACTORS = {
	"checkout.session": _session_fields,
	"payment_intent": _payment_intent_fields,
	"charge": _charge_fields,
	"refund": _refund_fields,
	"dispute": _dispute_fields,
}


def object_kind(event_type: str) -> str | None:
	"""Stripe object name an event type carries (None for types we do not handle)."""
	if event_type.startswith("checkout.session."):
		return "checkout.session"
	if event_type.startswith("payment_intent."):
		return "payment_intent"
	if event_type == "charge.refund.updated":
		return "refund"
	if event_type.startswith("charge.dispute."):
		return "dispute"
	if event_type.startswith("charge."):
		return "charge"
	return None
