"""HubSpot feedback submissions -> CX outbox, over real HTTP through the sidecar's HubSpotClient.

The local HubSpot stand-in (tests/sidecar/hubspot_server.py) checks every request against the vendored
OpenAPI specs; it is extended here with the associations v4 batch read the source uses for respondents.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine

from sidecar.cx.hubspot_feedback import CURSOR_NAME, HubSpotFeedbackSource, map_submission
from sidecar.cx.store import CxStore
from tests.sidecar.hubspot_server import HubSpotServer

hubspot_client = pytest.importorskip("sidecar.hubspot")


class FeedbackServer(HubSpotServer):
	def __init__(self) -> None:
		super().__init__()
		self.links: dict[str, list[str]] = {}  # submission id -> contact ids

	def route(self, method, path, query, body):
		m = re.match(r"^/crm/v4/associations/feedback_submissions/contacts/batch/read$", path)
		if m and method == "POST":
			results = [
				{
					"from": {"id": item["id"]},
					"to": [
						{
							"toObjectId": int(c),
							"associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1, "label": None}],
						}
						for c in self.links.get(item["id"], [])
					],
				}
				for item in body["inputs"]
			]
			return (
				200,
				{
					"status": "COMPLETE",
					"results": results,
					"startedAt": "2026-11-30T00:00:00Z",
					"completedAt": "2026-11-30T00:00:00Z",
				},
				{},
			)
		return super().route(method, path, query, body)


def submission(sid: str, survey_type: str, value: str, modified: str, content: str | None = None) -> dict:
	return {
		"id": sid,
		"properties": {
			"hs_survey_type": survey_type,
			"hs_value": value,
			"hs_content": content,
			"hs_submission_timestamp": "2026-11-20T09:30:00.000Z",
			"hs_lastmodifieddate": modified,
			"hs_survey_name": f"{survey_type} survey",
			"hs_response_group": "DETRACTOR",
		},
	}


@pytest.fixture
def server():
	srv = FeedbackServer()
	yield srv
	srv.close()


@pytest.fixture
def store(tmp_path):
	return CxStore(create_engine(f"sqlite:///{tmp_path / 'cx.sqlite3'}"))


def make_source(server) -> HubSpotFeedbackSource:
	from hubspot import HubSpot

	client = hubspot_client.HubSpotClient(server.token, base_url=server.url, sleep=lambda s: None)
	sdk = HubSpot(access_token=server.token, host=server.url)
	return HubSpotFeedbackSource(client, sdk.crm.associations.v4.batch_api, overlap_ms=60_000)


def test_mapping_per_survey_type():
	nps = map_submission(submission("1", "NPS", "3", "2026-11-20T10:00:00Z", "Too slow"), "ana@example.com")
	assert (nps.metric, nps.score, nps.scale_min, nps.scale_max) == ("NPS", 3, 0, 10)
	assert nps.comment == "Too slow" and nps.respondent_email == "ana@example.com"
	assert nps.external_id == "1" and nps.source == "hubspot"
	assert nps.submitted_at == "2026-11-20T09:30:00+00:00"
	csat = map_submission(submission("2", "CSAT", "0", "2026-11-20T10:00:00Z"))
	assert (csat.metric, csat.scale_min, csat.scale_max) == ("CSAT", 0, 2)
	ces = map_submission(submission("3", "CES", "6", "2026-11-20T10:00:00Z"))
	assert (ces.metric, ces.scale_min, ces.scale_max, ces.higher_is_better) == ("CES", 1, 7, True)
	assert map_submission(submission("4", "CUSTOM", "3", "2026-11-20T10:00:00Z")) is None


def test_incremental_pull_with_respondent_emails(server, store):
	server.add("contacts", {"id": "501", "properties": {"email": "ana@example.com"}})
	server.add("feedback_submissions", submission("101", "NPS", "3", "2026-11-20T10:00:00.000Z", "Slow"))
	server.add("feedback_submissions", submission("102", "CSAT", "2", "2026-11-21T10:00:00.000Z"))
	server.add("feedback_submissions", submission("103", "CUSTOM", "4", "2026-11-21T11:00:00.000Z"))
	server.links = {"101": ["501"]}
	source = make_source(server)

	stats = source.pull(store)
	assert stats == {"read": 3, "added": 2, "duplicates": 0, "skipped": 1, "invalid": 0}
	assert server.violations == []
	first = store.get("hubspot", "101").payload
	assert first["respondent_email"] == "ana@example.com" and first["score"] == 3
	assert first["raw_payload"]["properties"]["hs_response_group"] == "DETRACTOR"
	# no associated contact: delivered without an email, ERPNext keeps it as unmatched for review
	assert "respondent_email" not in store.get("hubspot", "102").payload
	assert store.get_cursor(CURSOR_NAME) == 1795258800000  # 2026-11-21T11:00:00Z in ms

	# next run: asks only for recent changes (cursor minus the overlap); a re-read is absorbed as duplicate
	server.add("feedback_submissions", submission("104", "CES", "2", "2026-11-22T08:00:00.000Z"))
	server.log.clear()
	stats = source.pull(store)
	assert stats["added"] == 1 and stats["read"] == 2 and stats["duplicates"] == 0 and stats["skipped"] == 1
	searches = [r for r in server.log if r["path"].endswith("/feedback_submissions/search")]
	assert len(searches) == 1
	assert store.counts() == {"pending": 3}
