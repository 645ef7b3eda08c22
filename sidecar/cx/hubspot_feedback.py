"""HubSpot feedback submissions (survey responses) as a CX source, read incrementally.

HubSpot's feedback submissions API is read-only (spec crm_feedback_submissions_v3: list, get by id,
batch read, search). We use search through the sidecar's `HubSpotClient.search_all` (rate limiter, retries,
id-cursor past the 10,000-result cap) with `hs_lastmodifieddate >= cursor - overlap`; the overlap absorbs the
search index's lag and the outbox's (source, external_id) key absorbs the re-reads. The respondent comes from
the submission's associated contact (associations v4 batch read, then the contacts' `email`).

Mapping (HubSpot property -> ingest field):
- `hs_object_id` -> external_id, source "hubspot";
- `hs_survey_type` NPS -> NPS 0-10; CSAT -> CSAT on HubSpot's 3-point scale 0-2 (0 unhappy, 2 happy);
  CES -> CES 1-7, higher is easier (HubSpot counts 1-3 as detractors, 6-7 as promoters);
  other types (custom surveys) have no known scale and are skipped, counted in the pull report;
- `hs_value` -> score; `hs_content` -> comment; `hs_submission_timestamp` (else `hs_createdate`) -> submitted_at;
- the whole object (properties, survey name/id/channel, response group, sentiment) -> raw_payload.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sidecar.cx.model import InvalidResponse, SurveyResponse, parse_response, parse_timestamp
from sidecar.cx.store import CxStore

log = logging.getLogger(__name__)

OBJECT_TYPE = "feedback_submissions"
CURSOR_NAME = "hubspot_feedback.lastmodified"
FEEDBACK_PROPERTIES = [
	"hs_object_id",
	"hs_survey_type",
	"hs_value",
	"hs_content",
	"hs_submission_timestamp",
	"hs_createdate",
	"hs_lastmodifieddate",
	"hs_survey_id",
	"hs_survey_name",
	"hs_survey_channel",
	"hs_response_group",
	"hs_sentiment",
]
SCALES = {"NPS": ("NPS", 0, 10), "CSAT": ("CSAT", 0, 2), "CES": ("CES", 1, 7)}
DEFAULT_OVERLAP_MS = 10 * 60 * 1000
ASSOCIATION_BATCH = 1000  # v4 associations batch read limit


def map_submission(obj: dict[str, Any], email: str | None = None) -> SurveyResponse | None:
	"""One submission -> SurveyResponse; None for survey types with no known scale."""
	props = obj.get("properties") or {}
	survey_type = str(props.get("hs_survey_type") or "").upper()
	if survey_type not in SCALES:
		return None
	metric, lo, hi = SCALES[survey_type]
	return parse_response(
		{
			"source": "hubspot",
			"external_id": str(obj.get("id") or props.get("hs_object_id") or ""),
			"metric": metric,
			"score": props.get("hs_value"),
			"scale_min": lo,
			"scale_max": hi,
			"respondent_email": email,
			"comment": props.get("hs_content"),
			"submitted_at": props.get("hs_submission_timestamp") or props.get("hs_createdate"),
			"raw_payload": dict(obj),
		}
	)


def _millis(value: Any) -> int | None:
	if not value:
		return None
	try:
		return int(parse_timestamp(value).timestamp() * 1000)
	except (TypeError, ValueError, OverflowError, OSError):
		return None


class HubSpotFeedbackSource:
	"""Pulls new/changed feedback submissions into the CX outbox.

	`hubspot` is the sidecar's `sidecar.hubspot.HubSpotClient`; `associations` is the SDK's associations v4
	`batch_api` (its calls go through the client's limiter and retries)."""

	def __init__(self, hubspot: Any, associations: Any, overlap_ms: int = DEFAULT_OVERLAP_MS) -> None:
		self.hubspot = hubspot
		self.associations = associations
		self.overlap_ms = overlap_ms

	@classmethod
	def from_config(cls, cfg: Any, hubspot: Any) -> HubSpotFeedbackSource:
		from hubspot import HubSpot

		h = cfg.hubspot
		sdk = HubSpot(access_token=h.token, host=str(h.base_url).rstrip("/"))
		return cls(hubspot, sdk.crm.associations.v4.batch_api)

	def contact_emails(self, submission_ids: Iterable[str]) -> dict[str, str]:
		"""submission id -> email of its first associated contact that has one."""
		from hubspot.crm.associations.v4 import (
			BatchInputPublicFetchAssociationsBatchRequest,
			PublicFetchAssociationsBatchRequest,
		)

		ids = [str(i) for i in submission_ids]
		contacts_of: dict[str, list[str]] = {}
		for start in range(0, len(ids), ASSOCIATION_BATCH):
			chunk = ids[start : start + ASSOCIATION_BATCH]
			request = BatchInputPublicFetchAssociationsBatchRequest(
				inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in chunk]
			)
			_, body = self.hubspot._request(
				"read", self.associations.get_page, OBJECT_TYPE, "contacts", request
			)
			for result in (body or {}).get("results", []):
				source_id = str((result.get("from") or {}).get("id"))
				contacts_of[source_id] = [str(t.get("toObjectId")) for t in result.get("to") or []]
		contact_ids = sorted({c for cs in contacts_of.values() for c in cs})
		if not contact_ids:
			return {}
		contacts = self.hubspot.batch_read("contacts", contact_ids, ["email"])
		emails = {}
		for submission, cs in contacts_of.items():
			for contact_id in cs:
				email = ((contacts.get(contact_id) or {}).get("properties") or {}).get("email")
				if email:
					emails[submission] = email
					break
		return emails

	def pull(self, store: CxStore, now: datetime | None = None) -> dict[str, int]:
		"""Read submissions modified since the stored cursor (minus the overlap) into the outbox."""
		cursor = store.get_cursor(CURSOR_NAME)
		filters = []
		if cursor is not None:
			since = max(int(cursor) - self.overlap_ms, 0)
			filters.append({"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(since)})
		objects = list(self.hubspot.search_all(OBJECT_TYPE, filters, FEEDBACK_PROPERTIES))
		emails = self.contact_emails([o["id"] for o in objects]) if objects else {}
		stats = {"read": len(objects), "added": 0, "duplicates": 0, "skipped": 0, "invalid": 0}
		high = int(cursor) if cursor is not None else None
		for obj in objects:
			modified = _millis(
				(obj.get("properties") or {}).get("hs_lastmodifieddate") or obj.get("updatedAt")
			)
			if modified is not None:
				high = modified if high is None else max(high, modified)
			try:
				response = map_submission(obj, emails.get(str(obj["id"])))
			except InvalidResponse as exc:
				stats["invalid"] += 1
				log.warning("HubSpot feedback submission %s not ingestible: %s", obj.get("id"), exc)
				continue
			if response is None:
				stats["skipped"] += 1
				continue
			stats["added" if store.add(response) else "duplicates"] += 1
		if high is not None:
			# never past "now": a clock-skewed future timestamp must not hide later submissions
			limit = int((now or datetime.now(timezone.utc)).timestamp() * 1000)
			store.set_cursor(CURSOR_NAME, min(high, limit))
		return stats
