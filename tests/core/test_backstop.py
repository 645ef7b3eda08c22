"""The missed-event backstop's window, de-duplication and paged listing over HTTP."""

from __future__ import annotations

import pytest

from revops_app.core.gateway.backstop import (
	OVERLAP_SECONDS,
	RETENTION_MARGIN_SECONDS,
	RETENTION_SECONDS,
	list_events,
	missing,
	plan_window,
)
from revops_app.core.gateway.client import GatewayError
from tests.core.fake_stripe import fake_stripe

NOW = 1_780_000_000


def test_window_starts_at_the_checkpoint_with_an_overlap():
	window = plan_window(NOW - 3_600, NOW)
	assert window.start == NOW - 3_600 - OVERLAP_SECONDS
	assert window.next_checkpoint == NOW and window.lost_before is None


def test_window_never_reaches_past_stripes_30_days_and_says_so():
	old = NOW - 40 * 86_400
	window = plan_window(old, NOW)
	assert window.start == NOW - RETENTION_SECONDS + RETENTION_MARGIN_SECONDS
	assert window.lost_before == old


def test_first_run_starts_at_the_first_stripe_log_row_or_now():
	assert plan_window(None, NOW, first_seen=NOW - 7_200).start == NOW - 7_200 - OVERLAP_SECONDS
	assert plan_window(None, NOW).start == NOW - OVERLAP_SECONDS
	assert plan_window(None, NOW, first_seen=NOW - 90 * 86_400).lost_before is None


def test_missing_keeps_unknown_events_once_in_order():
	events = [{"id": "evt_1"}, {"id": "evt_2"}, {"id": "evt_2"}, {"id": ""}, {"id": "evt_3"}]
	assert [e["id"] for e in missing(events, ["evt_1"])] == ["evt_2", "evt_3"]


def event(event_id: str, created: int) -> dict:
	return {
		"id": event_id,
		"object": "event",
		"type": "payout.paid",
		"created": created,
		"livemode": False,
		"data": {"object": {"id": "po_1", "object": "payout"}},
	}


def test_list_events_pages_filters_and_returns_oldest_first():
	first = {
		"object": "list",
		"url": "/v1/events",
		"has_more": True,
		"data": [event("evt_3", 3), event("evt_2", 2)],
	}
	second = {"object": "list", "url": "/v1/events", "has_more": False, "data": [event("evt_1", 1)]}
	with fake_stripe([(200, first), (200, second)]) as fake:
		events = list_events(
			"sk_test_x", created_gte=NOW, types=["payout.paid", "charge.refunded"], api_base=fake.url
		)
	assert [e["id"] for e in events] == ["evt_1", "evt_2", "evt_3"]
	assert events[0]["data"]["object"]["id"] == "po_1"
	query = fake.requests[0]["query"]
	assert (query["created[gte]"], query["limit"]) == (str(NOW), "100")
	assert (query["types[0]"], query["types[1]"]) == ("payout.paid", "charge.refunded")
	assert fake.requests[1]["query"]["starting_after"] == "evt_2"


def test_list_events_failure_and_too_many_types():
	with fake_stripe([(401, {"error": {"type": "invalid_request_error", "message": "bad key"}})]) as fake:
		with pytest.raises(GatewayError) as raised:
			list_events("sk_test_x", created_gte=NOW, types=["payout.paid"], api_base=fake.url)
	assert not raised.value.retryable
	with pytest.raises(ValueError):
		list_events("sk_test_x", created_gte=NOW, types=[f"t{i}" for i in range(21)])
