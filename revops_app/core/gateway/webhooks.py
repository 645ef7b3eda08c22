"""Stripe webhook verification and event normalisation (framework-free).

Contract:
- `verify_event(payload, sig_header, secrets, *, tolerance=300, now=None, expect_livemode=None)`
  checks the `Stripe-Signature` header over the raw body with the stripe SDK
  (`stripe.WebhookSignature.verify_header`, constant-time comparison), trying every configured
  secret (rotation: Stripe signs with each active secret and we accept any match). Only after a
  signature matched does it parse the body, and it returns the parsed event dict. Every refusal is a
  `WebhookRejected` with a short `.reason` code, and nothing has been written by then: the glue
  answers 400 and stores nothing.
- Timestamps: refused (reason "stale_timestamp") when older than `tolerance` (as the SDK does) and
  also when more than `tolerance` in the future. The SDK only bounds the past; a header stamped far ahead would stay
  "fresh" for as long as the attacker chose, so a captured or forged-with-a-leaked-old-secret delivery
  could be replayed for days. Bounding both sides caps the replay window at 2 x tolerance while still
  allowing for `tolerance` seconds of clock skew between Stripe and this server. (Replays inside the
  window are stopped by the unique event id in the glue.) `tolerance=0` switches the window off, as
  in the SDK; the glue always passes 300.
- `normalise_event(event) -> GatewayEvent`: one flat, typed record for the settlement code whatever
  the Stripe object was. It never calls Stripe and never raises for missing metadata (fields are
  None and the glue decides); it raises `WebhookRejected("malformed_payload")` only when the
  envelope lacks id/type/data.object. Unknown types become `EventKind.IGNORED`.
- Secrets are never logged nor put in exception messages.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

import stripe

from revops_app.core.gateway.money import from_minor_units, normalise_currency

DEFAULT_TOLERANCE = 300
SIGNATURE_SCHEME = "v1"


class WebhookRejected(Exception):
	"""A delivery refused before anything is stored. `.reason` is a short stable code for logs and metrics."""

	REASONS = (
		"missing_signature",
		"malformed_header",
		"bad_signature",
		"stale_timestamp",
		"malformed_payload",
		"no_secret_configured",
		"livemode_mismatch",
	)

	def __init__(self, reason: str, message: str | None = None):
		self.reason = reason
		self.message = message or reason.replace("_", " ")
		super().__init__(f"{reason}: {self.message}")


def _parse_header(sig_header: str) -> tuple[int, list[str]]:
	"""(timestamp, v1 signatures) from `t=...,v1=...`; WebhookRejected('malformed_header') otherwise.

	Parsed here as well as in the SDK so a malformed header and a wrong signature get distinct
	reasons (the SDK raises the same exception class for both)."""
	timestamp: int | None = None
	signatures: list[str] = []
	for item in sig_header.split(","):
		key, sep, value = item.strip().partition("=")
		if not sep:
			continue
		if key == "t":
			# The SDK signs with the *first* t= and we check the window on ours: with two t= items an old
			# captured signature plus a fresh t= appended would pass both. One timestamp, or refused.
			if timestamp is not None:
				raise WebhookRejected("malformed_header", "more than one t= timestamp in Stripe-Signature")
			try:
				timestamp = int(value)
			except ValueError:
				raise WebhookRejected("malformed_header", "timestamp t= is not an integer")
		elif key == SIGNATURE_SCHEME and value:
			signatures.append(value)
	if timestamp is None:
		raise WebhookRejected("malformed_header", "no t= timestamp in Stripe-Signature")
	if not signatures:
		raise WebhookRejected("malformed_header", f"no {SIGNATURE_SCHEME}= signature in Stripe-Signature")
	return timestamp, signatures


def livemode_of_key(secret_key: str | None) -> bool | None:
	"""Which mode a Stripe API key works in: True for live keys (sk_live_, rk_live_), False for test keys
	(sk_test_, rk_test_), None when unknown. The webhook expects events of that mode only."""
	key = (secret_key or "").strip()
	if key.startswith(("sk_live_", "rk_live_")):
		return True
	if key.startswith(("sk_test_", "rk_test_")):
		return False
	return None


def verify_event(
	payload: bytes,
	sig_header: str | None,
	secrets: Sequence[str],
	*,
	tolerance: int = DEFAULT_TOLERANCE,
	now: float | None = None,
	expect_livemode: bool | None = None,
) -> dict:
	"""Verify a Stripe delivery and return the parsed event dict (see the module docstring)."""
	if isinstance(secrets, str):
		# A lone string is a Sequence[str] of characters: never let that silently mean "46 secrets".
		secrets = [secrets]
	usable = [s for s in (secrets or ()) if isinstance(s, str) and s.strip()]
	if not usable:
		raise WebhookRejected("no_secret_configured", "no Stripe webhook signing secret is configured")
	if not sig_header or not sig_header.strip():
		raise WebhookRejected("missing_signature", "Stripe-Signature header is missing")
	timestamp, _signatures = _parse_header(sig_header)

	if isinstance(payload, str):
		body = payload
	else:
		try:
			body = bytes(payload).decode("utf-8")
		except UnicodeDecodeError:
			# Stripe sends UTF-8 JSON; anything else cannot be what it signed.
			raise WebhookRejected("malformed_payload", "body is not UTF-8")

	matched = False
	for secret in usable:
		try:
			# tolerance=None: the time window is checked below, against `now`, on both sides.
			stripe.WebhookSignature.verify_header(body, sig_header, secret.strip(), tolerance=None)
		except stripe.SignatureVerificationError:
			continue
		matched = True
		break
	if not matched:
		raise WebhookRejected("bad_signature", "no signature matches any configured secret")

	current = time.time() if now is None else now
	if tolerance:
		if timestamp < current - tolerance:
			raise WebhookRejected(
				"stale_timestamp", f"signed {int(current - timestamp)} s ago (> {tolerance} s)"
			)
		if timestamp > current + tolerance:
			raise WebhookRejected(
				"stale_timestamp", f"signed {int(timestamp - current)} s in the future (> {tolerance} s)"
			)

	try:
		event = json.loads(body)
	except (ValueError, RecursionError):
		raise WebhookRejected("malformed_payload", "body is not valid JSON (or nests too deeply)")
	if not isinstance(event, dict):
		raise WebhookRejected("malformed_payload", "body is not a JSON object")
	if not isinstance(event.get("id"), str) or not event["id"] or not isinstance(event.get("type"), str):
		raise WebhookRejected("malformed_payload", "event has no id or type")
	if expect_livemode is not None and bool(event.get("livemode")) != expect_livemode:
		raise WebhookRejected(
			"livemode_mismatch",
			f"event livemode={bool(event.get('livemode'))} but this site expects livemode={expect_livemode}",
		)
	return event


class EventKind(str, Enum):
	PAYMENT_SUCCEEDED = "payment_succeeded"
	PAYMENT_PROCESSING = "payment_processing"
	PAYMENT_FAILED = "payment_failed"
	CHECKOUT_EXPIRED = "checkout_expired"
	REFUND_UPDATED = "refund_updated"
	DISPUTE_OPENED = "dispute_opened"
	DISPUTE_CLOSED = "dispute_closed"
	DISPUTE_FUNDS = "dispute_funds"  # charge.dispute.funds_withdrawn / funds_reinstated / updated
	IGNORED = "ignored"


@dataclass(frozen=True)
class GatewayEvent:
	"""A Stripe event reduced to what settlement needs. Amounts are major-unit Decimals.

	`amount` is the amount paid (payments), refunded (refund objects; cumulative for charge.refunded)
	or disputed. For a charge, `amount_refunded_total` is the cumulative refunded amount (current
	state, so out-of-order deliveries converge). `original_amount` is the charge/PaymentIntent amount
	behind a refund or dispute, when the object carries it.
	"""

	event_id: str
	event_type: str
	kind: EventKind
	created: int
	livemode: bool
	sales_invoice: str | None = None
	pay_link: str | None = None
	checkout_session: str | None = None
	payment_intent: str | None = None
	charge: str | None = None
	balance_transaction: str | None = None
	amount: Decimal | None = None
	currency: str | None = None
	amount_refunded_total: Decimal | None = None
	refund_id: str | None = None
	refund_status: str | None = None
	dispute_id: str | None = None
	dispute_status: str | None = None
	failure_message: str | None = None
	raw_object: dict = field(default_factory=dict, compare=False, repr=False)
	# Additions beyond the agreed interface (optional, defaulted):
	object_status: str | None = None  # status / payment_status of the Stripe object, for the log
	original_amount: Decimal | None = None
	refund_created: int | None = None  # the refund's `created` (latest refund on a charge), Unix seconds


# event type -> kind, for types whose kind does not depend on the object's state.
_STATIC_KINDS = {
	"checkout.session.async_payment_succeeded": EventKind.PAYMENT_SUCCEEDED,
	"checkout.session.async_payment_failed": EventKind.PAYMENT_FAILED,
	"checkout.session.expired": EventKind.CHECKOUT_EXPIRED,
	"payment_intent.succeeded": EventKind.PAYMENT_SUCCEEDED,
	"payment_intent.processing": EventKind.PAYMENT_PROCESSING,
	"payment_intent.payment_failed": EventKind.PAYMENT_FAILED,
	"charge.refunded": EventKind.REFUND_UPDATED,
	"charge.refund.updated": EventKind.REFUND_UPDATED,
	"charge.dispute.created": EventKind.DISPUTE_OPENED,
	"charge.dispute.closed": EventKind.DISPUTE_CLOSED,
	# Same dispute object; handled like the others (the worker reads the balance transactions), so a
	# withdrawal or reinstatement Stripe records after `created`/`closed` is still posted.
	"charge.dispute.updated": EventKind.DISPUTE_FUNDS,
	"charge.dispute.funds_withdrawn": EventKind.DISPUTE_FUNDS,
	"charge.dispute.funds_reinstated": EventKind.DISPUTE_FUNDS,
}
HANDLED_EVENT_TYPES = ("checkout.session.completed", *_STATIC_KINDS)


def _id_of(value: Any) -> str | None:
	"""A Stripe reference is an id string, or the expanded object carrying `id`."""
	if isinstance(value, str):
		return value or None
	if isinstance(value, Mapping):
		ref = value.get("id")
		return ref if isinstance(ref, str) and ref else None
	return None


def _str_or_none(value: Any) -> str | None:
	if value is None:
		return None
	text = str(value).strip()
	return text or None


def _metadata(obj: Mapping) -> Mapping:
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
		"object_status": _str_or_none(obj.get("payment_status")),
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
		"object_status": _str_or_none(obj.get("status")),
		**_charge_parts(obj.get("latest_charge")),
	}
	error = obj.get("last_payment_error")
	if isinstance(error, Mapping):
		fields["failure_message"] = _str_or_none(error.get("message")) or _str_or_none(error.get("code"))
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
		"object_status": _str_or_none(obj.get("status")),
		"failure_message": _str_or_none(obj.get("failure_message")),
	}
	latest = _latest_refund(obj)
	if latest is not None:
		fields["refund_id"] = _id_of(latest.get("id"))
		fields["refund_status"] = _str_or_none(latest.get("status"))
		fields["refund_created"] = _created(latest.get("created"))
	return fields


def _refund_fields(obj: Mapping) -> dict:
	currency = _currency(obj)
	return {
		"refund_id": _id_of(obj.get("id")),
		"refund_status": _str_or_none(obj.get("status")),
		"refund_created": _created(obj.get("created")),
		"charge": _id_of(obj.get("charge")),
		"payment_intent": _id_of(obj.get("payment_intent")),
		"balance_transaction": _id_of(obj.get("balance_transaction")),
		"currency": currency,
		"amount": _amount(obj.get("amount"), currency),
		"object_status": _str_or_none(obj.get("status")),
		"failure_message": _str_or_none(obj.get("failure_reason")),
	}


def _dispute_fields(obj: Mapping) -> dict:
	currency = _currency(obj)
	fields = {
		"dispute_id": _id_of(obj.get("id")),
		"dispute_status": _str_or_none(obj.get("status")),
		"payment_intent": _id_of(obj.get("payment_intent")),
		"currency": currency,
		"amount": _amount(obj.get("amount"), currency),
		"object_status": _str_or_none(obj.get("status")),
		**_charge_parts(obj.get("charge")),
	}
	return fields


_EXTRACTORS = {
	"checkout.session": _session_fields,
	"payment_intent": _payment_intent_fields,
	"charge": _charge_fields,
	"refund": _refund_fields,
	"dispute": _dispute_fields,
}


def _object_kind(event_type: str) -> str | None:
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


def normalise_event(event: dict) -> GatewayEvent:
	"""Reduce a verified Stripe event dict to a `GatewayEvent` (see the module docstring)."""
	if not isinstance(event, Mapping):
		raise WebhookRejected("malformed_payload", "event is not an object")
	event_id, event_type = event.get("id"), event.get("type")
	data = event.get("data")
	obj = data.get("object") if isinstance(data, Mapping) else None
	if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str) or not event_type:
		raise WebhookRejected("malformed_payload", "event has no id or type")
	if not isinstance(obj, Mapping):
		raise WebhookRejected("malformed_payload", f"event {event_id} has no data.object")
	created = event.get("created")
	if isinstance(created, bool) or not isinstance(created, int):
		created = 0

	base = {
		"event_id": event_id,
		"event_type": event_type,
		"created": created,
		"livemode": bool(event.get("livemode")),
		"raw_object": dict(obj),
	}
	kind = _STATIC_KINDS.get(event_type)
	if event_type == "checkout.session.completed":
		# paid: money is in; unpaid: a delayed method (bank debit...) will send async_payment_*.
		status = obj.get("payment_status")
		kind = {"paid": EventKind.PAYMENT_SUCCEEDED, "unpaid": EventKind.PAYMENT_PROCESSING}.get(
			status, EventKind.IGNORED
		)
	if kind is None:
		return GatewayEvent(kind=EventKind.IGNORED, **base)

	object_name = _object_kind(event_type)
	actual = obj.get("object")
	if actual is not None and actual != object_name:
		raise WebhookRejected(
			"malformed_payload", f"{event_type} carries a {actual!r} object, expected {object_name!r}"
		)
	fields = _EXTRACTORS[object_name](obj)
	meta = _metadata(obj)
	return GatewayEvent(
		kind=kind,
		sales_invoice=_str_or_none(meta.get("sales_invoice")),
		pay_link=_str_or_none(meta.get("pay_link")),
		**base,
		**fields,
	)
