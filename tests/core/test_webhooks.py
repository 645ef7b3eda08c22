"""Webhook verification: real stripe SDK signatures over fixture-built events, every refusal path."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import stripe

from revops_app.core.gateway.webhooks import (
	WebhookRejected,
	livemode_of_key,
	normalise_event,
	verify_event,
)
from tests.conftest import REFERENCE_DIR
from tests.core.stripe_events import OLD_SECRET, SECRET, checkout_session, encode, sign, wrap

NOW = 1700000000


def reference_vector() -> dict:
	"""The test vector printed in tests/reference/stripe/events.md (section 4)."""
	text = (REFERENCE_DIR / "stripe" / "events.md").read_text()
	block = text.split("### Test vector", 1)[1].split("```", 2)[1]
	values = {}
	for line in block.strip().splitlines():
		key, _, value = line.partition("=")
		values[key.strip()] = value.strip()
	return values


def signed_session_event(secret: str = SECRET, timestamp: int = NOW) -> tuple[bytes, str]:
	payload = encode(wrap(checkout_session(), "checkout.session.completed"))
	return payload, sign(payload, secret, timestamp)


def rejected(payload, header, secrets=(SECRET,), **kwargs) -> WebhookRejected:
	kwargs.setdefault("now", NOW)
	with pytest.raises(WebhookRejected) as info:
		verify_event(payload, header, list(secrets), **kwargs)
	return info.value


def test_reference_vector_verifies_and_matches_a_hand_built_hmac():
	vector = reference_vector()
	payload = vector["payload"].encode()
	# Cross-check: SDK helper, a hand-built HMAC and the documented header agree.
	mac = hmac.new(
		vector["secret"].encode(), f"{vector['timestamp']}.{vector['payload']}".encode(), hashlib.sha256
	)
	assert vector["header"] == f"t={vector['timestamp']},v1={mac.hexdigest()}"
	assert sign(payload, vector["secret"], int(vector["timestamp"])) == vector["header"]

	event = verify_event(payload, vector["header"], [vector["secret"]], now=int(vector["timestamp"]) + 10)
	assert event["id"] == "evt_test_reference_1"
	assert event["data"]["object"]["id"] == "cs_test_reference_1"


def test_reference_vector_is_stale_at_real_time():
	vector = reference_vector()
	error = rejected(vector["payload"].encode(), vector["header"], [vector["secret"]], now=None)
	assert error.reason == "stale_timestamp"


def test_valid_event_is_returned_parsed():
	payload, header = signed_session_event()
	event = verify_event(payload, header, [SECRET], now=NOW + 5)
	assert event == json.loads(payload)


def test_tampered_body_is_refused():
	payload, header = signed_session_event()
	tampered = payload.replace(b'"amount_total":12550', b'"amount_total":1')
	assert tampered != payload
	assert rejected(tampered, header).reason == "bad_signature"


def test_one_flipped_byte_is_refused():
	payload, header = signed_session_event()
	flipped = payload[:-2] + bytes([payload[-2] ^ 1]) + payload[-1:]
	assert rejected(flipped, header).reason == "bad_signature"


def test_wrong_secret_is_refused():
	payload, header = signed_session_event(secret="whsec_somebody_else")
	assert rejected(payload, header).reason == "bad_signature"


def test_rotated_secrets_every_secret_is_tried():
	payload, header = signed_session_event(secret=SECRET)
	# The matching secret is the second one configured.
	assert verify_event(payload, header, [OLD_SECRET, SECRET], now=NOW)["id"] == "evt_test_1"
	# During a rotation Stripe sends one v1 per active secret; any match passes.
	old_header = sign(payload, OLD_SECRET, NOW)
	both = f"{header},v1={old_header.split('v1=')[1]}"
	assert verify_event(payload, both, [OLD_SECRET], now=NOW)["id"] == "evt_test_1"
	assert verify_event(payload, both, [SECRET], now=NOW)["id"] == "evt_test_1"
	assert rejected(payload, both, ["whsec_third"]).reason == "bad_signature"


def test_a_single_secret_string_is_one_secret():
	payload, header = signed_session_event()
	assert verify_event(payload, header, SECRET, now=NOW)["id"] == "evt_test_1"


def test_blank_secrets_are_ignored_and_none_configured_is_refused():
	payload, header = signed_session_event()
	assert verify_event(payload, header, ["", "  ", SECRET], now=NOW)
	for secrets in ([], ["", " "], None):
		with pytest.raises(WebhookRejected) as info:
			verify_event(payload, header, secrets, now=NOW)
		assert info.value.reason == "no_secret_configured"


@pytest.mark.parametrize(
	("offset", "ok"),
	[
		(-301, False),
		(-300, True),
		(-299, True),
		(0, True),
		(299, True),
		(300, True),
		(301, False),
		(86400, False),
	],
)
def test_tolerance_both_sides(offset, ok):
	payload, header = signed_session_event(timestamp=NOW + offset)
	if ok:
		assert verify_event(payload, header, [SECRET], now=NOW)["id"] == "evt_test_1"
	else:
		assert rejected(payload, header).reason == "stale_timestamp"


def test_custom_tolerance():
	payload, header = signed_session_event(timestamp=NOW - 100)
	assert rejected(payload, header, tolerance=60).reason == "stale_timestamp"
	assert verify_event(payload, header, [SECRET], tolerance=120, now=NOW)


def test_signature_is_checked_before_the_timestamp():
	payload, header = signed_session_event(secret="whsec_wrong", timestamp=NOW - 10_000)
	assert rejected(payload, header).reason == "bad_signature"


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header(header):
	payload, _ = signed_session_event()
	assert rejected(payload, header).reason == "missing_signature"


@pytest.mark.parametrize(
	"header",
	[
		"garbage",
		"t=notanumber,v1=abc",
		f"t={NOW}",
		"v1=deadbeef",
		f"t={NOW},v0=deadbeef",
		f"t={NOW},v1=",
	],
)
def test_malformed_header(header):
	payload, _ = signed_session_event()
	assert rejected(payload, header).reason == "malformed_header"


def test_a_second_timestamp_cannot_refresh_an_old_signature():
	# A captured delivery signed long ago, with a fresh t= added: the SDK would verify the signature
	# against the first t= while a naive window check would read the last one.
	payload, old_header = signed_session_event(timestamp=NOW - 3600)
	for forged in (f"{old_header},t={NOW}", f"t={NOW},{old_header}"):
		assert rejected(payload, forged).reason == "malformed_header"


def test_v0_signatures_are_ignored_even_when_correct():
	payload, header = signed_session_event()
	v0 = header.replace("v1=", "v0=")
	assert rejected(payload, v0).reason == "malformed_header"


def test_malformed_json_with_a_valid_signature():
	body = b'{"id": "evt_1", "type": '
	assert rejected(body, sign(body)).reason == "malformed_payload"


def test_signed_json_nested_past_the_parser_limit_is_refused_not_crashed():
	body = b"[" * 100_000 + b"]" * 100_000
	assert rejected(body, sign(body)).reason == "malformed_payload"


@pytest.mark.parametrize(
	"body",
	[b"[1, 2]", b'"text"', b'{"type": "charge.refunded"}', b'{"id": "", "type": "x"}', b'{"id": "evt_1"}'],
)
def test_signed_json_that_is_not_an_event(body):
	assert rejected(body, sign(body)).reason == "malformed_payload"


def test_non_utf8_body():
	body = b'{"id": "evt_\xff"}'
	header = f"t={NOW},v1=" + hmac.new(SECRET.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
	assert rejected(body, header).reason == "malformed_payload"


def test_livemode_mismatch_only_when_asked():
	payload, header = signed_session_event()
	assert verify_event(payload, header, [SECRET], now=NOW, expect_livemode=False)
	assert rejected(payload, header, expect_livemode=True).reason == "livemode_mismatch"


def test_rejections_never_carry_the_secret():
	payload, header = signed_session_event(secret="whsec_other")
	for error in (
		rejected(payload, header),
		rejected(payload, None),
		rejected(payload, "garbage"),
		rejected(b"{", sign(b"{")),
	):
		assert SECRET not in str(error) and SECRET not in error.message
		assert error.reason in WebhookRejected.REASONS


def test_sdk_agrees_with_our_verdicts():
	# Same payload/header through the SDK's own construct_event: a pass here is a pass there.
	payload, header = signed_session_event(timestamp=NOW)
	event = stripe.Webhook.construct_event(payload, header, SECRET, tolerance=None)
	assert event["id"] == verify_event(payload, header, [SECRET], now=NOW)["id"]
	with pytest.raises(stripe.SignatureVerificationError):
		stripe.Webhook.construct_event(payload + b" ", header, SECRET, tolerance=None)


def test_verify_then_normalise():
	payload, header = signed_session_event()
	gateway_event = normalise_event(verify_event(payload, header, [SECRET], now=NOW))
	assert gateway_event.event_id == "evt_test_1"
	assert gateway_event.sales_invoice == "ACC-SINV-2026-00001"


@pytest.mark.parametrize(
	("key", "mode"),
	[
		("sk_live_51abc", True),
		("rk_live_51abc", True),
		("sk_test_51abc", False),
		(" rk_test_51abc ", False),
		("", None),
		(None, None),
		("pk_live_51abc", None),  # a publishable key is not the secret key: no opinion
	],
)
def test_livemode_of_key(key, mode):
	assert livemode_of_key(key) is mode
