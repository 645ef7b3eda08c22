"""The previous Checkout Session before a new one: the rule on Stripe's facts, and the retrieve / expire
calls made by the real stripe SDK over real HTTP to a local stand-in (tests/core/fake_stripe.py)."""

from __future__ import annotations

import pytest

from revops_app.core.gateway.sessions import (
	REUSE_MIN_REMAINING_SECONDS,
	Action,
	SessionFacts,
	decide,
	is_forgettable,
	parse_session,
	prepare_checkout,
)
from tests.core.fake_stripe import fake_stripe

NOW = 1_764_050_000
API_KEY = "sk_test_core_sessions_key"
INVOICE = "ACC-SINV-2026-00042"
CS = "cs_test_prev_1"


def session(status="open", payment_status="unpaid", amount=12550, currency="usd", **extra) -> dict:
	data = {
		"id": CS,
		"object": "checkout.session",
		"status": status,
		"payment_status": payment_status,
		"amount_total": amount,
		"currency": currency,
		"expires_at": NOW + 20 * 3600,
		"url": f"https://checkout.stripe.com/c/pay/{CS}" if status == "open" else None,
		"payment_intent": None,
		"metadata": {"sales_invoice": INVOICE, "pay_link": "PL-1"},
	}
	data.update(extra)
	return data


def facts(**kwargs) -> SessionFacts:
	return parse_session(session(**kwargs))


def rule(f: SessionFacts, amount=12550, currency="USD", settled=False) -> str:
	return decide(
		f, invoice=INVOICE, minor_amount=amount, currency=currency, now=NOW, intent_settled=settled
	)[0]


@pytest.mark.parametrize(
	("kwargs", "amount", "expected"),
	[
		({}, 12550, Action.REUSE),
		({}, 5000, Action.EXPIRE),  # the amount owed changed
		({"currency": "eur"}, 12550, Action.EXPIRE),
		({"expires_at": NOW + REUSE_MIN_REMAINING_SECONDS - 1}, 12550, Action.EXPIRE),  # about to expire
		({"expires_at": NOW + REUSE_MIN_REMAINING_SECONDS}, 12550, Action.REUSE),
		({"metadata": {"sales_invoice": "OTHER"}}, 12550, Action.EXPIRE),
		({"status": "expired"}, 12550, Action.CREATE),
		({"status": "complete", "payment_status": "paid"}, 12550, Action.PROCESSING),
		({"status": "complete", "payment_status": "no_payment_required"}, 12550, Action.PROCESSING),
		(
			{"status": "complete", "payment_intent": {"id": "pi_1", "status": "processing"}},
			12550,
			Action.PROCESSING,
		),
		({"status": "complete", "payment_intent": "pi_1"}, 12550, Action.PROCESSING),  # unknown: in flight
		(
			{"status": "complete", "payment_intent": {"id": "pi_1", "status": "requires_payment_method"}},
			12550,
			Action.CREATE,
		),
		({"status": "weird"}, 12550, Action.UNSURE),
	],
)
def test_rule(kwargs, amount, expected):
	assert rule(facts(**kwargs), amount=amount) == expected


def test_paid_session_already_posted_allows_a_new_one():
	f = facts(status="complete", payment_status="paid", payment_intent={"id": "pi_1", "status": "succeeded"})
	assert (f.payment_intent, f.payment_intent_status) == ("pi_1", "succeeded")
	assert rule(f, settled=True) == Action.CREATE
	assert rule(f, settled=False) == Action.PROCESSING


def prepare(url: str, previous: str | None = CS, amount: int = 12550, settled=lambda pi: False):
	return prepare_checkout(
		API_KEY,
		previous,
		invoice=INVOICE,
		minor_amount=amount,
		currency="USD",
		now=NOW,
		is_settled=settled,
		api_base=url,
		timeout=5,
	)


def test_no_previous_session_asks_nothing():
	with fake_stripe([]) as fake:
		result = prepare(fake.url, previous=None)
	assert result.action == Action.CREATE and fake.requests == []


def test_open_session_for_the_same_amount_is_reused_without_expiring():
	with fake_stripe([(200, session())]) as fake:
		result = prepare(fake.url)
	assert result.action == Action.REUSE
	assert result.previous.url == f"https://checkout.stripe.com/c/pay/{CS}"
	(request,) = fake.requests
	assert (request["method"], request["path"]) == ("GET", f"/v1/checkout/sessions/{CS}")
	assert request["query"] == {"expand[0]": "payment_intent"}
	assert request["headers"]["authorization"] == f"Bearer {API_KEY}"


def test_open_session_for_another_amount_is_expired_with_an_idempotency_key():
	replies = [
		(200, session(amount=12550)),
		(500, {"error": {"type": "api_error", "message": "try again"}}),  # the SDK retries it
		(200, session(status="expired")),
	]
	with fake_stripe(replies) as fake:
		result = prepare(fake.url, amount=5000)
	assert (result.action, result.expired_now) == (Action.CREATE, True)
	get, *expires = fake.requests
	assert get["method"] == "GET"
	assert [(r["method"], r["path"]) for r in expires] == [("POST", f"/v1/checkout/sessions/{CS}/expire")] * 2
	assert {r["headers"]["idempotency-key"] for r in expires} == {f"revops-expire-{CS}"}


def test_expire_refused_because_it_just_completed_creates_nothing():
	replies = [
		(200, session(expires_at=NOW + 60)),  # open, about to expire
		(
			400,
			{
				"error": {
					"type": "invalid_request_error",
					"message": "Only Checkout Sessions with a status of open can be expired.",
				}
			},
		),
		(
			200,
			session(
				status="complete", payment_status="paid", payment_intent={"id": "pi_9", "status": "succeeded"}
			),
		),
	]
	with fake_stripe(replies) as fake:
		result = prepare(fake.url)
	assert result.action == Action.PROCESSING
	assert [(r["method"], r["path"]) for r in fake.requests] == [
		("GET", f"/v1/checkout/sessions/{CS}"),
		("POST", f"/v1/checkout/sessions/{CS}/expire"),
		("GET", f"/v1/checkout/sessions/{CS}"),
	]


def test_expire_refused_and_still_open_creates_nothing():
	error = {"error": {"type": "invalid_request_error", "message": "payment in progress"}}
	with fake_stripe([(200, session(amount=1)), (400, error), (200, session(amount=1))]) as fake:
		result = prepare(fake.url)
	assert result.action == Action.UNSURE and "could not expire" in result.reason
	assert len(fake.requests) == 3


def test_expire_refused_but_already_expired_creates():
	error = {"error": {"type": "invalid_request_error", "message": "not open"}}
	with fake_stripe([(200, session(amount=1)), (400, error), (200, session(status="expired"))]) as fake:
		result = prepare(fake.url)
	assert result.action == Action.CREATE and not result.expired_now


def test_paid_session_makes_no_new_one_unless_posted():
	paid = session(
		status="complete", payment_status="paid", payment_intent={"id": "pi_7", "status": "succeeded"}
	)
	with fake_stripe([(200, paid), (200, paid)]) as fake:
		assert prepare(fake.url).action == Action.PROCESSING
		seen = []
		assert prepare(fake.url, settled=lambda pi: seen.append(pi) or True).action == Action.CREATE
	assert seen == ["pi_7"]
	assert all(r["method"] == "GET" for r in fake.requests)


def test_unknown_session_is_replaced_but_stripe_down_is_not():
	missing = {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such"}}
	with fake_stripe([(404, missing)]) as fake:
		assert prepare(fake.url).action == Action.CREATE
	down = {"error": {"type": "api_error", "message": "down"}}
	with fake_stripe([(500, down)] * 3) as fake:
		result = prepare(fake.url)
	assert result.action == Action.UNSURE and API_KEY not in result.reason
	assert len(fake.requests) == 3  # the SDK's own retries, then no session


def test_only_sessions_known_expired_are_closed_for_the_glue_to_forget():
	error = {"error": {"type": "invalid_request_error", "message": "not open"}}
	missing = {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such"}}
	failed = session(status="complete", payment_intent={"id": "pi_8", "status": "requires_payment_method"})
	paid = session(
		status="complete", payment_status="paid", payment_intent={"id": "pi_7", "status": "succeeded"}
	)
	with fake_stripe([(200, session(status="expired"))]) as fake:
		assert prepare(fake.url).closed == (CS,)  # Stripe said expired
	with fake_stripe([(200, session(amount=1)), (200, session(status="expired"))]) as fake:
		assert prepare(fake.url).closed == (CS,)  # expired by this call
	with fake_stripe([(200, session(amount=1)), (400, error), (200, session(status="expired"))]) as fake:
		assert prepare(fake.url).closed == (CS,)  # the second look saw it expired
	# Kept: open (reused), paid (settlement and "processing" read it), paid and posted, failed, unknown.
	with fake_stripe([(200, session()), (200, paid), (200, paid), (200, failed), (404, missing)]) as fake:
		assert prepare(fake.url).closed == ()
		assert prepare(fake.url).closed == ()
		assert prepare(fake.url, settled=lambda pi: True).closed == ()
		failed_answer = prepare(fake.url)
		assert (failed_answer.action, failed_answer.closed) == (Action.CREATE, ())
		assert prepare(fake.url).closed == ()
	assert is_forgettable(facts(status="expired")) and not is_forgettable(facts(status="complete"))
	assert not is_forgettable(None)
