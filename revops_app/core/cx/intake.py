"""Shape check of one survey response delivered to the ingest endpoint, before anything is written.

Contract: `parse_item(item, timezone)` turns one dict of the `revops_app.api.cx.ingest_responses`
batch into an `IntakeItem` or raises `ValueError` naming the bad key. It normalises the score
(`revops_app.core.cx.normalise`), so a response that cannot be scored is refused, not stored half
right. `dedupe_key(source, external_id)` is the uniqueness key stored on CX Survey Response: the
source lower-cased and trimmed, a colon, the external id trimmed (case kept: ids are opaque).

Timestamps: `submitted_at` is ISO 8601; one with an offset (or `Z`) is converted to the site's
time zone and stored naive, as Frappe stores Datetime; one without is taken as site time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from revops_app.core.cx.normalise import Normalised, normalise

MAX_BATCH = 200
MAX_TEXT = 140  # Data fields
MAX_PAYLOAD_CHARS = 100_000
REFERENCE_DOCTYPES = ("Issue", "Sales Order", "Sales Invoice", "Project", "Delivery Note")


@dataclass(frozen=True)
class IntakeItem:
	source: str
	external_id: str
	dedupe_key: str
	scored: Normalised
	submitted_at: datetime | None
	respondent_email: str | None
	customer: str | None
	contact: str | None
	comment: str | None
	reference_doctype: str | None
	reference_name: str | None
	raw_payload: str | None


def dedupe_key(source: str, external_id: str) -> str:
	return f"{source.strip().lower()}:{external_id.strip()}"


def _text(item: Mapping[str, Any], key: str, required: bool = False, limit: int = MAX_TEXT) -> str | None:
	value = item.get(key)
	if value is None or (isinstance(value, str) and not value.strip()):
		if required:
			raise ValueError(f"{key} is required")
		return None
	if isinstance(value, int | float) and not isinstance(value, bool) and key in ("external_id", "customer"):
		value = str(value)  # numeric ids from form tools
	if not isinstance(value, str):
		raise ValueError(f"{key} must be a string, got {type(value).__name__}")
	value = value.strip()
	if limit and len(value) > limit:
		raise ValueError(f"{key} is longer than {limit} characters")
	return value


def parse_datetime(value: Any, timezone: str) -> datetime | None:
	if value in (None, ""):
		return None
	if not isinstance(value, str):
		raise ValueError("submitted_at must be an ISO 8601 string")
	text = value.strip()
	if text.endswith(("Z", "z")):
		text = text[:-1] + "+00:00"
	try:
		parsed = datetime.fromisoformat(text)
	except ValueError:
		raise ValueError(f"submitted_at {value!r} is not ISO 8601 (e.g. 2026-11-02T09:30:00Z)")
	if parsed.tzinfo is not None:
		parsed = parsed.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
	return parsed


def _flag(value: Any) -> bool | None:
	if value is None or value == "":
		return None
	if isinstance(value, bool):
		return value
	if value in (0, 1, "0", "1"):
		return bool(int(value))
	if isinstance(value, str) and value.strip().lower() in ("true", "false"):
		return value.strip().lower() == "true"
	raise ValueError(f"higher_is_better must be true or false, got {value!r}")


def parse_item(item: Any, timezone: str) -> IntakeItem:
	if not isinstance(item, Mapping):
		raise ValueError(f"each response must be an object, got {type(item).__name__}")
	source = _text(item, "source", required=True)
	external_id = _text(item, "external_id", required=True)
	assert source is not None and external_id is not None
	key = dedupe_key(source, external_id)
	if len(key) > MAX_TEXT:
		raise ValueError(f"source:external_id is longer than {MAX_TEXT} characters")
	if item.get("metric") in (None, ""):
		raise ValueError("metric is required")
	if item.get("score") in (None, ""):
		raise ValueError("score is required")
	scored = normalise(
		item["metric"],
		item["score"],
		item.get("scale_min"),
		item.get("scale_max"),
		_flag(item.get("higher_is_better")),
	)
	email = _text(item, "respondent_email")
	if email is not None:
		email = email.lower()
		if "@" not in email or " " in email:
			raise ValueError(f"respondent_email {email!r} is not an email address")
	reference_doctype = _text(item, "reference_doctype")
	reference_name = _text(item, "reference_name")
	if bool(reference_doctype) != bool(reference_name):
		raise ValueError("give reference_doctype and reference_name together")
	if reference_doctype and reference_doctype not in REFERENCE_DOCTYPES:
		raise ValueError(f"reference_doctype must be one of {', '.join(REFERENCE_DOCTYPES)}")
	payload = item.get("raw_payload")
	if payload is not None and not isinstance(payload, str):
		try:
			payload = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
		except (TypeError, ValueError):
			raise ValueError("raw_payload is not JSON-serialisable")
	if payload is not None and len(payload) > MAX_PAYLOAD_CHARS:
		raise ValueError(f"raw_payload is larger than {MAX_PAYLOAD_CHARS} characters")
	comment = item.get("comment")
	if comment is not None and not isinstance(comment, str):
		raise ValueError("comment must be a string")
	return IntakeItem(
		source=source.lower(),
		external_id=external_id,
		dedupe_key=key,
		scored=scored,
		submitted_at=parse_datetime(item.get("submitted_at"), timezone),
		respondent_email=email,
		customer=_text(item, "customer"),
		contact=_text(item, "contact"),
		comment=(comment or "").strip()[:5000] or None,
		reference_doctype=reference_doctype,
		reference_name=reference_name,
		raw_payload=payload,
	)
