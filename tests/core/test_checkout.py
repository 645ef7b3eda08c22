"""Checkout Session requests: parameters, idempotency, and the real stripe SDK over real HTTP.

A local http.server stands in for api.stripe.com; the SDK is pointed at it with `api_base` and the
test asserts what actually went over the wire (form-encoded body, headers) and the SDK's retry of a
500 with the same Idempotency-Key.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from revops_app.core.gateway.checkout import (
	GatewayError,
	InvoiceForCheckout,
	build_checkout_session,
	create_checkout_session,
)
from tests.core.fake_stripe import fake_stripe

NOW = 1_764_050_000  # 2025-11-25 05:53:20 UTC
API_KEY = "sk_test_core_checkout_key"
INVOICE = InvoiceForCheckout(
	name="ACC-SINV-2026-00042",
	customer_name="Grant Plastics Ltd.",
	currency="USD",
	outstanding_amount=Decimal("1234.56"),
	due_date=date(2026, 12, 1),
	company="RevOps Test Co",
	pay_link="PL-00042",
	customer_email="ap@grant.example",
)
SUCCESS = "https://erp.example.com/pay/tok123?result=success"
CANCEL = "https://erp.example.com/pay/tok123?result=cancel"


def build(invoice=INVOICE, attempt=1, now=NOW):
	return build_checkout_session(invoice, success_url=SUCCESS, cancel_url=CANCEL, attempt=attempt, now=now)


def test_params_shape():
	params, key = build()
	assert params["mode"] == "payment"
	(item,) = params["line_items"]
	assert item == {
		"quantity": 1,
		"price_data": {
			"currency": "usd",
			"unit_amount": 123456,
			"product_data": {
				"name": "Invoice ACC-SINV-2026-00042",
				"description": "Grant Plastics Ltd., due 2026-12-01",
			},
		},
	}
	meta = {"sales_invoice": "ACC-SINV-2026-00042", "pay_link": "PL-00042"}
	assert params["metadata"] == meta
	assert params["payment_intent_data"]["metadata"] == meta
	assert params["client_reference_id"] == "ACC-SINV-2026-00042"
	assert params["customer_email"] == "ap@grant.example"
	assert params["success_url"] == SUCCESS and params["cancel_url"] == CANCEL
	assert key == "revops-ACC-SINV-2026-00042-123456-USD-1"


def test_expiry_inside_stripe_window_and_stable_within_the_hour():
	for now in (NOW, NOW - NOW % 3600, NOW - NOW % 3600 + 3599):
		params, _ = build(now=now)
		assert 30 * 60 <= params["expires_at"] - now <= 24 * 3600
		assert params["expires_at"] - now >= 22 * 3600
	hour = NOW - NOW % 3600
	assert build(now=hour + 1)[0] == build(now=hour + 3500)[0]


def test_idempotency_key_changes_with_amount_and_attempt_only():
	_params, key1 = build()
	assert build()[1] == key1
	assert build(attempt=2)[1] == "revops-ACC-SINV-2026-00042-123456-USD-2"
	smaller = InvoiceForCheckout(**{**INVOICE.__dict__, "outstanding_amount": Decimal("1000.00")})
	assert build(smaller)[1] == "revops-ACC-SINV-2026-00042-100000-USD-1"


def test_zero_and_three_decimal_currencies():
	jpy = InvoiceForCheckout(
		**{**INVOICE.__dict__, "currency": "JPY", "outstanding_amount": Decimal("15000")}
	)
	params, key = build(jpy)
	assert params["line_items"][0]["price_data"] == {
		"currency": "jpy",
		"unit_amount": 15000,
		"product_data": {
			"name": "Invoice ACC-SINV-2026-00042",
			"description": "Grant Plastics Ltd., due 2026-12-01",
		},
	}
	assert key.endswith("-15000-JPY-1")
	kwd = InvoiceForCheckout(
		**{**INVOICE.__dict__, "currency": "kwd", "outstanding_amount": Decimal("5.124")}
	)
	params, key = build(kwd)
	assert params["line_items"][0]["price_data"]["unit_amount"] == 5120
	assert params["line_items"][0]["price_data"]["currency"] == "kwd"


def test_no_email_no_customer_email_no_due_date_no_description_part():
	params, _ = build(InvoiceForCheckout(**{**INVOICE.__dict__, "customer_email": None, "due_date": None}))
	assert "customer_email" not in params
	assert params["line_items"][0]["price_data"]["product_data"]["description"] == "Grant Plastics Ltd."
	params, _ = build(InvoiceForCheckout(**{**INVOICE.__dict__, "customer_name": "", "due_date": None}))
	assert "description" not in params["line_items"][0]["price_data"]["product_data"]


@pytest.mark.parametrize("outstanding", [Decimal("0"), Decimal("-5.00"), Decimal("0.004"), Decimal("NaN")])
def test_nothing_to_pay_is_refused(outstanding):
	with pytest.raises(ValueError, match="ACC-SINV-2026-00042"):
		build(InvoiceForCheckout(**{**INVOICE.__dict__, "outstanding_amount": outstanding}))


@pytest.mark.parametrize(
	("kwargs", "text"),
	[({"attempt": 0}, "attempt"), ({"attempt": "1"}, "attempt")],
)
def test_bad_arguments(kwargs, text):
	with pytest.raises(ValueError, match=text):
		build(**kwargs)
	with pytest.raises(ValueError, match="success_url"):
		build_checkout_session(INVOICE, success_url="/pay/x", cancel_url=CANCEL, attempt=1)


# --- over real HTTP --------------------------------------------------------------------------------


def session_reply(params: dict) -> dict:
	return {
		"id": "cs_test_a1local",
		"object": "checkout.session",
		"url": "https://checkout.stripe.com/c/pay/cs_test_a1local",
		"payment_intent": None,
		"expires_at": params["expires_at"],
		"status": "open",
		"payment_status": "unpaid",
		"metadata": params["metadata"],
	}


def test_create_over_http_sends_the_form_and_headers():
	params, key = build()
	with fake_stripe([(200, session_reply(params))]) as fake:
		result = create_checkout_session(API_KEY, params, key, api_base=fake.url, timeout=5)
	assert result == {
		"id": "cs_test_a1local",
		"url": "https://checkout.stripe.com/c/pay/cs_test_a1local",
		"payment_intent": None,
		"expires_at": params["expires_at"],
	}
	(request,) = fake.requests
	assert request["path"] == "/v1/checkout/sessions"
	headers = request["headers"]
	assert request["method"] == "POST"
	assert headers["authorization"] == f"Bearer {API_KEY}"
	assert headers["idempotency-key"] == "revops-ACC-SINV-2026-00042-123456-USD-1"
	assert headers["content-type"].startswith("application/x-www-form-urlencoded")
	form = request["form"]
	assert form["mode"] == "payment"
	assert form["line_items[0][quantity]"] == "1"
	assert form["line_items[0][price_data][currency]"] == "usd"
	assert form["line_items[0][price_data][unit_amount]"] == "123456"
	assert form["line_items[0][price_data][product_data][name]"] == "Invoice ACC-SINV-2026-00042"
	assert (
		form["line_items[0][price_data][product_data][description]"] == "Grant Plastics Ltd., due 2026-12-01"
	)
	assert form["metadata[sales_invoice]"] == "ACC-SINV-2026-00042"
	assert form["metadata[pay_link]"] == "PL-00042"
	assert form["payment_intent_data[metadata][sales_invoice]"] == "ACC-SINV-2026-00042"
	assert form["payment_intent_data[metadata][pay_link]"] == "PL-00042"
	assert form["client_reference_id"] == "ACC-SINV-2026-00042"
	assert form["customer_email"] == "ap@grant.example"
	assert form["expires_at"] == str(params["expires_at"])
	assert form["success_url"] == SUCCESS and form["cancel_url"] == CANCEL
	# stripe < 12.0.1 sent Python's "False"; every later release sends "false".
	assert form["adaptive_pricing[enabled]"].lower() == "false"


def test_a_500_is_retried_with_the_same_idempotency_key():
	params, key = build()
	error = {"error": {"type": "api_error", "message": "An unknown error occurred"}}
	with fake_stripe([(500, error), (200, session_reply(params))]) as fake:
		result = create_checkout_session(API_KEY, params, key, api_base=fake.url, timeout=5)
	assert result["id"] == "cs_test_a1local"
	assert len(fake.requests) == 2
	keys = [r["headers"]["idempotency-key"] for r in fake.requests]
	assert keys == [key, key]
	assert fake.requests[0]["raw"] == fake.requests[1]["raw"]


def test_persistent_500_gives_up_after_two_retries():
	params, key = build()
	error = {"error": {"type": "api_error", "message": "An unknown error occurred"}}
	with fake_stripe([(500, error)] * 5) as fake:
		with pytest.raises(GatewayError) as info:
			create_checkout_session(API_KEY, params, key, api_base=fake.url, timeout=5)
	assert len(fake.requests) == 3
	assert info.value.retryable and info.value.http_status == 500


def test_a_400_is_not_retried_and_never_echoes_the_key():
	params, key = build()
	error = {
		"error": {
			"type": "invalid_request_error",
			"code": "parameter_invalid_integer",
			"message": "Invalid integer: abc",
			"param": "line_items[0][price_data][unit_amount]",
		}
	}
	with fake_stripe([(400, error)]) as fake:
		with pytest.raises(GatewayError) as info:
			create_checkout_session(API_KEY, params, key, api_base=fake.url, timeout=5)
	assert len(fake.requests) == 1
	assert not info.value.retryable and info.value.http_status == 400
	assert info.value.code == "parameter_invalid_integer"
	assert "Invalid integer" in str(info.value)
	assert API_KEY not in str(info.value)


def test_unreachable_api_is_a_retryable_gateway_error():
	params, key = build()
	with fake_stripe([]) as fake:
		url = fake.url
	# The server is closed now: connection refused on every try.
	with pytest.raises(GatewayError) as info:
		create_checkout_session(API_KEY, params, key, api_base=url, timeout=2)
	assert info.value.retryable
	assert API_KEY not in str(info.value)


def test_missing_api_key_or_key():
	params, key = build()
	with pytest.raises(GatewayError, match="not configured"):
		create_checkout_session("", params, key)
	with pytest.raises(ValueError, match="idempotency"):
		create_checkout_session(API_KEY, params, "")


def test_global_stripe_api_key_is_untouched():
	import stripe

	params, key = build()
	before = stripe.api_key
	with fake_stripe([(200, session_reply(params))]) as fake:
		create_checkout_session(API_KEY, params, key, api_base=fake.url, timeout=5)
	assert stripe.api_key == before
