"""Lead handoffs the sidecar reports (revops_app.core.cx.lead_handoff): checked before anything is written."""

from datetime import datetime

import pytest

from revops_app.core.cx import lead_handoff as lh

NOW = datetime(2026, 12, 2, 15, 0)
GOOD = {
	"handoff_key": "501:2",
	"customer": "Acme Ltd",
	"handed_off_at": "2026-12-02T13:30:00Z",
	"contact_id": 501,
	"contact_name": "Ann Lee",
	"contact_url": "https://app.hubspot.com/contacts/42/record/0-1/501",
	"task_id": "900",
	"task_url": "https://app.hubspot.com/contacts/42/record/0-1/501/view/1?taskId=900",
	"owner": "bdr@example.com",
	"team": "EMEA",
	"subject": "SQL: Ann Lee (Acme) scored 82",
	"score": "82.5",
}


def test_a_good_handoff_is_normalised_to_site_time():
	h = lh.parse_handoff(GOOD, "Europe/Berlin", NOW)
	assert h.handed_off_at == datetime(2026, 12, 2, 14, 30)  # 13:30 UTC = 14:30 in Berlin, naive
	assert (h.contact_id, h.score, h.owner) == ("501", 82.5, "bdr@example.com")
	fields = h.as_fields()
	assert fields["owner_name"] == "bdr@example.com" and fields["handoff_key"] == "501:2"
	assert lh.summary(fields) == (
		"lead Ann Lee handed to bdr@example.com (team EMEA), score 82.5: SQL: Ann Lee (Acme) scored 82"
	)


@pytest.mark.parametrize(
	"change, message",
	[
		({"handoff_key": ""}, "handoff_key is required"),
		({"handoff_key": "501 2"}, "may hold only letters"),
		({"handoff_key": "x" * 141}, "longer than 140"),
		({"customer": None}, "customer is required"),
		({"handed_off_at": None}, "handed_off_at is required"),
		({"handed_off_at": "yesterday"}, "handed_off_at 'yesterday' is not ISO 8601"),
		({"handed_off_at": "2026-12-02T16:00:00Z"}, "is in the future"),
		({"task_url": "javascript:alert(1)"}, "task_url must be an http(s) URL"),
		({"score": "high"}, "score must be a number"),
		({"score": 101}, "between 0 and 100"),
		({"owner": ["a"]}, "owner must be a string"),
	],
)
def test_bad_input_names_the_key(change, message):
	with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
		lh.parse_handoff({**GOOD, **change}, "UTC", NOW)


def test_a_retry_is_the_same_handoff_and_another_customer_or_moment_is_a_conflict():
	h = lh.parse_handoff(GOOD, "UTC", NOW)
	assert lh.conflict({"customer": "Acme Ltd", "handed_off_at": datetime(2026, 12, 2, 13, 30)}, h) is None
	assert "customer Other" in lh.conflict({"customer": "Other", "handed_off_at": h.handed_off_at}, h)
	assert "recorded at" in lh.conflict({"customer": "Acme Ltd", "handed_off_at": datetime(2026, 12, 1)}, h)


def test_summary_without_owner_or_name():
	assert lh.summary({"contact_id": "7"}) == "lead HubSpot contact 7 handed off (no owner)"
	assert lh.summary({"contact_id": "7", "team": "US"}) == "lead HubSpot contact 7 handed off (team US)"
	assert lh.summary({"contact_id": "7", "score": 0}) == "lead HubSpot contact 7 handed off (no owner)"
