"""A lead handoff as the sidecar reports it to ERPNext, checked before anything is written.

Contract: pure functions over plain values; never imports frappe or erpnext.
- `parse_handoff(item, timezone, now)` -> `LeadHandoff`, or `ValueError` naming the bad key.
  `handoff_key` is the sidecar's key of the crossing ("<HubSpot contact id>:<crossing number>"; letters,
  digits and `:._-`, at most 140 characters): the record's name, so a retried delivery finds the first one.
  `customer` is required. `handed_off_at` is ISO 8601; with an offset (or `Z`) it is converted to the site's
  time zone and kept naive, as Frappe stores Datetime (core.cx.intake.parse_datetime); it may not be more
  than `MAX_CLOCK_SKEW` after `now`. URLs must be http(s). `score` is 0-100 when given.
- `conflict(stored, handoff)`: why a record already stored under the same key cannot be this handoff (another
  customer or another moment), or None when it is the same one (a retry: answered "duplicate").
- `summary(handoff)`: the one-line text of the customer timeline row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from revops_app.core.cx.intake import parse_datetime

MAX_TEXT = 140  # Data fields
MAX_CLOCK_SKEW = timedelta(minutes=5)
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,139}$")
TEXT_KEYS = ("contact_id", "contact_name", "task_id", "owner", "team", "subject")
URL_KEYS = ("contact_url", "task_url")


@dataclass(frozen=True)
class LeadHandoff:
	handoff_key: str
	customer: str
	handed_off_at: datetime
	contact_id: str | None = None
	contact_name: str | None = None
	contact_url: str | None = None
	task_id: str | None = None
	task_url: str | None = None
	owner: str | None = None
	team: str | None = None
	subject: str | None = None
	score: float | None = None

	def as_fields(self) -> dict[str, Any]:
		"""The record's field values (fieldnames of RevOps Lead Handoff)."""
		return {
			"handoff_key": self.handoff_key,
			"customer": self.customer,
			"handed_off_at": self.handed_off_at,
			"contact_id": self.contact_id,
			"contact_name": self.contact_name,
			"contact_url": self.contact_url,
			"task_id": self.task_id,
			"task_url": self.task_url,
			"owner_name": self.owner,
			"team": self.team,
			"subject": self.subject,
			"score": self.score,
		}


def _text(item: Mapping[str, Any], key: str, required: bool = False) -> str | None:
	value = item.get(key)
	if value is None or (isinstance(value, str) and not value.strip()):
		if required:
			raise ValueError(f"{key} is required")
		return None
	if isinstance(value, int) and not isinstance(value, bool):
		value = str(value)  # HubSpot ids arrive as numbers from some callers
	if not isinstance(value, str):
		raise ValueError(f"{key} must be a string, got {type(value).__name__}")
	value = value.strip()
	if len(value) > MAX_TEXT:
		raise ValueError(f"{key} is longer than {MAX_TEXT} characters")
	return value


def _url(item: Mapping[str, Any], key: str) -> str | None:
	value = _text(item, key)
	if value is not None and not value.lower().startswith(("https://", "http://")):
		raise ValueError(f"{key} must be an http(s) URL, got {value[:40]!r}")
	return value


def _score(value: Any) -> float | None:
	if value is None or value == "":
		return None
	try:
		score = float(value)
	except (TypeError, ValueError):
		raise ValueError(f"score must be a number, got {value!r}") from None
	if not 0 <= score <= 100:
		raise ValueError(f"score must be between 0 and 100, got {score:g}")
	return score


def parse_handoff(item: Any, timezone: str, now: datetime) -> LeadHandoff:
	"""Check one handoff (see the module doc); `now` is the site's naive current time."""
	if not isinstance(item, Mapping):
		raise ValueError("a handoff must be an object")
	key = _text(item, "handoff_key", required=True) or ""
	if not KEY_PATTERN.match(key):
		raise ValueError(f"handoff_key {key[:40]!r} may hold only letters, digits and : . _ -")
	try:
		at = parse_datetime(item.get("handed_off_at"), timezone)
	except ValueError as exc:
		raise ValueError(str(exc).replace("submitted_at", "handed_off_at")) from None
	if at is None:
		raise ValueError("handed_off_at is required")
	if at > now + MAX_CLOCK_SKEW:
		raise ValueError(f"handed_off_at {at.isoformat(sep=' ')} is in the future")
	texts = {k: _text(item, k) for k in TEXT_KEYS}
	return LeadHandoff(
		handoff_key=key,
		customer=_text(item, "customer", required=True) or "",
		handed_off_at=at.replace(microsecond=0),
		contact_url=_url(item, "contact_url"),
		task_url=_url(item, "task_url"),
		score=_score(item.get("score")),
		**texts,
	)


def conflict(stored: Mapping[str, Any], handoff: LeadHandoff) -> str | None:
	if stored.get("customer") != handoff.customer:
		return f"handoff {handoff.handoff_key} was recorded for customer {stored.get('customer')}"
	at = stored.get("handed_off_at")
	if isinstance(at, datetime) and at.replace(microsecond=0) != handoff.handed_off_at:
		return f"handoff {handoff.handoff_key} was recorded at {at.isoformat(sep=' ')}"
	return None


def summary(handoff: Mapping[str, Any]) -> str:
	"""'lead Ann Lee handed to ann@x (team EMEA), score 82: SQL: Ann Lee (Acme) scored 82'."""
	who = handoff.get("contact_name") or f"HubSpot contact {handoff.get('contact_id') or '?'}"
	line = f"lead {who}"
	owner, team = handoff.get("owner_name"), handoff.get("team")
	if owner:
		line += f" handed to {owner}"
	elif team:
		line += " handed off"
	else:
		line += " handed off (no owner)"
	if team:
		line += f" (team {team})"
	if handoff.get("score"):  # a Float field reads 0 when none was given; a handoff never scores 0
		line += f", score {float(handoff['score']):g}"
	if handoff.get("subject"):
		line += f": {handoff['subject']}"
	return line
