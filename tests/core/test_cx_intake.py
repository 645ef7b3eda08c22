"""The ingest payload check: required keys, scoring, timestamps, dedupe key."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from revops_app.core.cx.intake import MAX_BATCH, dedupe_key, parse_datetime, parse_item
from revops_app.core.cx.normalise import Category
from revops_app.core.cx.rules import pick_assignee

GOOD = {
	"source": " HubSpot ",
	"external_id": "fb-123",
	"metric": "nps",
	"score": 3,
	"respondent_email": "Ana@Example.COM",
	"comment": "  slow support  ",
	"submitted_at": "2026-11-02T14:30:00Z",
	"raw_payload": {"b": 1, "a": [1, 2]},
}


def test_a_good_item():
	item = parse_item(GOOD, "Europe/Berlin")
	assert item.source == "hubspot" and item.dedupe_key == "hubspot:fb-123"
	assert item.scored.category is Category.DETRACTOR and item.scored.score == 30.0
	assert item.respondent_email == "ana@example.com"
	assert item.comment == "slow support"
	assert item.submitted_at == datetime(2026, 11, 2, 15, 30)  # 14:30 UTC is 15:30 in Berlin (CET)
	assert json.loads(item.raw_payload) == {"a": [1, 2], "b": 1}


def test_dedupe_key_keeps_id_case():
	assert dedupe_key("Typeform ", " AbC ") == "typeform:AbC"
	assert MAX_BATCH == 200


def test_numeric_ids_and_flags():
	item = parse_item(
		dict(
			GOOD, external_id=98765, metric="CES", score=4, scale_min=1, scale_max=5, higher_is_better="false"
		),
		"UTC",
	)
	assert item.external_id == "98765" and item.scored.category is Category.HARD  # (5-4)/4 = 25


def test_naive_timestamps_are_site_time():
	assert parse_datetime("2026-11-02T14:30:00", "Asia/Kolkata") == datetime(2026, 11, 2, 14, 30)
	assert parse_datetime("2026-11-02T14:30:00+05:30", "UTC") == datetime(2026, 11, 2, 9, 0)
	assert parse_datetime(None, "UTC") is None


@pytest.mark.parametrize(
	("change", "message"),
	[
		({"source": ""}, "source is required"),
		({"external_id": None}, "external_id is required"),
		({"metric": None}, "metric is required"),
		({"score": ""}, "score is required"),
		({"score": 12}, "outside its scale"),
		({"metric": "CSAT", "score": 3, "scale_min": 5, "scale_max": 1}, "below scale_max"),
		({"submitted_at": "yesterday"}, "not ISO 8601"),
		({"respondent_email": "not-an-email"}, "not an email"),
		({"reference_doctype": "Issue"}, "together"),
		({"reference_doctype": "User", "reference_name": "x"}, "must be one of"),
		({"higher_is_better": "maybe"}, "true or false"),
		({"external_id": "x" * 200}, "longer than"),
		({"comment": 5}, "comment must be a string"),
		({"raw_payload": "x" * 100_001}, "larger than"),
	],
)
def test_bad_items_name_the_problem(change, message):
	with pytest.raises(ValueError, match=message):
		parse_item(dict(GOOD, **change), "UTC")


def test_not_an_object():
	with pytest.raises(ValueError, match="must be an object"):
		parse_item(["x"], "UTC")


def test_pick_assignee_least_loaded_then_table_order():
	assert pick_assignee([], {}) is None
	assert pick_assignee(["a", "b", "c"], {"a": 2, "b": 1, "c": 1}) == "b"
	assert pick_assignee(["a", "b"], {}) == "a"
