"""One invoice on two pages (its link and its customer page): the other side's sessions covering it are
expired, or block a new session while paid or in flight; the real stripe SDK over real HTTP to a local
stand-in (tests/core/fake_stripe.py)."""

from __future__ import annotations

import pytest

from revops_app.core.gateway.overlap import (
	close_other_sessions,
	covered_invoices,
	decide_other,
	overlapping_sessions,
)
from revops_app.core.gateway.sessions import Action, parse_session
from tests.core.fake_stripe import fake_stripe

API_KEY = "sk_test_core_overlap_key"
NOW = 1_764_050_000


def session(sid: str, status: str = "open", payment_status: str = "unpaid", **extra) -> dict:
	data = {
		"id": sid,
		"object": "checkout.session",
		"status": status,
		"payment_status": payment_status,
		"amount_total": 17550,
		"currency": "usd",
		"expires_at": NOW + 20 * 3600,
		"url": f"https://checkout.stripe.com/c/pay/{sid}" if status == "open" else None,
		"payment_intent": None,
		"metadata": {"customer_page": "CPP-1", "invoices": "SINV-1,SINV-2"},
	}
	data.update(extra)
	return data


def close(url: str, ids, settled=lambda pi: False):
	return close_other_sessions(API_KEY, ids, is_settled=settled, api_base=url, timeout=5)


def test_covered_invoices_reads_the_stored_selection():
	assert covered_invoices("SINV-1, SINV-2,SINV-1 ,") == ("SINV-1", "SINV-2")
	assert covered_invoices(None) == covered_invoices("") == ()


def test_overlapping_sessions_keeps_those_covering_an_invoice_once():
	candidates = [
		("cs_page", ("SINV-1", "SINV-2")),
		(None, ("SINV-3",)),  # no session on that link
		("cs_b", ("SINV-2",)),
		("cs_page", ("SINV-1",)),
		("cs_c", ("SINV-9",)),
	]
	assert overlapping_sessions(candidates, ["SINV-2", "SINV-3"]) == ("cs_page", "cs_b")
	assert overlapping_sessions(candidates, ["SINV-7"]) == ()


@pytest.mark.parametrize(
	("data", "settled", "expected"),
	[
		(session("cs_1"), False, Action.EXPIRE),  # open: never reused from the other side
		(session("cs_1", expires_at=NOW + 5), False, Action.EXPIRE),
		(session("cs_1", status="expired"), False, Action.CREATE),
		(session("cs_1", status="complete", payment_status="paid"), False, Action.PROCESSING),
		(session("cs_1", status="complete", payment_status="paid"), True, Action.CREATE),
		(session("cs_1", status="complete", payment_intent={"id": "pi_1", "status": "processing"}), False,
			Action.PROCESSING),
		(session("cs_1", status="complete", payment_intent={"id": "pi_1", "status": "canceled"}), False,
			Action.CREATE),
		(session("cs_1", status="weird"), False, Action.UNSURE),
	],
)  # fmt: skip
def test_rule_for_the_other_side(data, settled, expected):
	action, reason = decide_other(parse_session(data), intent_settled=settled)
	assert action == expected and reason


def test_no_other_session_asks_nothing():
	with fake_stripe([]) as fake:
		result = close(fake.url, ())
	assert (result.action, result.expired_now, fake.requests) == (Action.CREATE, False, [])


def test_an_open_other_session_is_expired_with_its_idempotency_key():
	with fake_stripe([(200, session("cs_page")), (200, session("cs_page", status="expired"))]) as fake:
		result = close(fake.url, ("cs_page",))
	assert (result.action, result.expired_now) == (Action.CREATE, True)
	assert "cs_page" in result.reason
	get, expire = fake.requests
	assert (get["method"], get["path"]) == ("GET", "/v1/checkout/sessions/cs_page")
	assert (expire["method"], expire["path"]) == ("POST", "/v1/checkout/sessions/cs_page/expire")
	assert expire["headers"]["idempotency-key"] == "revops-expire-cs_page"


def test_expired_and_unknown_sessions_need_no_call_but_the_look():
	missing = {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such"}}
	with fake_stripe([(200, session("cs_a", status="expired")), (404, missing)]) as fake:
		result = close(fake.url, ("cs_a", "cs_b"))
	assert (result.action, result.expired_now) == (Action.CREATE, False)
	assert [r["method"] for r in fake.requests] == ["GET", "GET"]


def test_a_paid_other_session_blocks_and_stops_there():
	paid = session(
		"cs_a", status="complete", payment_status="paid", payment_intent={"id": "pi_7", "status": "succeeded"}
	)
	with fake_stripe([(200, paid)]) as fake:
		result = close(fake.url, ("cs_a", "cs_b"))
	assert result.action == Action.PROCESSING and result.reason.startswith("cs_a: ")
	assert len(fake.requests) == 1  # cs_b is not touched: nothing new will be made anyway
	seen = []
	with fake_stripe([(200, paid), (200, session("cs_b", status="expired"))]) as fake:
		result = close(fake.url, ("cs_a", "cs_b"), settled=lambda pi: seen.append(pi) or True)
	assert result.action == Action.CREATE and seen == ["pi_7"]


def test_expire_refused_because_it_just_completed_is_processing():
	refused = {"error": {"type": "invalid_request_error", "message": "Only open sessions can be expired."}}
	paid = session("cs_a", status="complete", payment_status="paid")
	with fake_stripe([(200, session("cs_a")), (400, refused), (200, paid)]) as fake:
		result = close(fake.url, ("cs_a",))
	assert result.action == Action.PROCESSING
	assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in fake.requests] == [
		("GET", "cs_a"),
		("POST", "expire"),
		("GET", "cs_a"),
	]


def test_stripe_down_is_unsure_and_never_leaks_the_key():
	down = {"error": {"type": "api_error", "message": "down"}}
	with fake_stripe([(500, down)] * 3) as fake:
		result = close(fake.url, ("cs_a",))
	assert result.action == Action.UNSURE and API_KEY not in result.reason


def test_closed_names_every_other_session_found_or_made_expired_even_when_a_later_one_blocks():
	paid = session(
		"cs_c", status="complete", payment_status="paid", payment_intent={"id": "pi_9", "status": "succeeded"}
	)
	replies = [
		(200, session("cs_a", status="expired")),  # found expired
		(200, session("cs_b")),  # open: expired by this call
		(200, session("cs_b", status="expired")),
		(200, paid),  # paid: blocks, stays recorded
	]
	with fake_stripe(replies) as fake:
		result = close(fake.url, ("cs_a", "cs_b", "cs_c"))
	assert (result.action, result.closed) == (Action.PROCESSING, ("cs_a", "cs_b"))
	with fake_stripe(replies[:3]) as fake:
		result = close(fake.url, ("cs_a", "cs_b"))
	assert (result.action, result.expired_now, result.closed) == (Action.CREATE, True, ("cs_a", "cs_b"))
	with fake_stripe([]) as fake:
		assert close(fake.url, ()).closed == ()
