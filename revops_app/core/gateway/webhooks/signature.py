"""Stripe webhook signature verification (framework-free).

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
- Secrets are never logged nor put in exception messages.
- `livemode_of_key(secret_key)`: the mode (live / test / unknown) the site's API key works in, which the glue
  passes as `expect_livemode` (refused with reason "livemode_mismatch" when the event is of the other mode).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import stripe

from revops_app.core.gateway.webhooks.errors import WebhookRejected

DEFAULT_TOLERANCE = 300
SIGNATURE_SCHEME = "v1"


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
	except ValueError:
		raise WebhookRejected("malformed_payload", "body is not valid JSON")
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
