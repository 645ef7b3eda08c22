"""One survey response in the shape the app's CX ingest endpoint takes, validated at the door.

Contract: `parse_response(mapping, source=None)` returns a `SurveyResponse` or raises `InvalidResponse`
listing every problem (field names as sent), so webhooks answer 400 and CSV imports report line numbers.
Scales: when a sender gives no scale, the metric's usual one applies (NPS 0-10, CSAT 1-5, CES 1-7);
"Custom" needs an explicit scale. The score must lie on the scale. `higher_is_better` defaults to true;
senders whose CES runs "1 = very easy" pass false. `to_ingest()` gives the dict posted to
`revops_app.api.cx.ingest_responses`; (source, external_id) is the idempotency key everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

METRICS = ("NPS", "CSAT", "CES", "Custom")
DEFAULT_SCALES = {"NPS": (0.0, 10.0), "CSAT": (1.0, 5.0), "CES": (1.0, 7.0)}
METRIC_ALIASES = {
	"nps": "NPS",
	"csat": "CSAT",
	"ces": "CES",
	"custom": "Custom",
	"net promoter": "NPS",
	"net_promoter_score": "NPS",
	"satisfaction": "CSAT",
	"effort": "CES",
}
# Doctypes the app's CX Survey Response may point at (issue 6).
REFERENCE_DOCTYPES = ("Issue", "Sales Order", "Sales Invoice", "Project", "Delivery Note")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ID = 140  # Frappe Data fields hold 140 characters
MAX_COMMENT = 10_000


class InvalidResponse(ValueError):
	"""The input cannot become a survey response; `problems` lists each reason."""

	def __init__(self, problems: list[str]) -> None:
		self.problems = problems
		super().__init__("; ".join(problems))


@dataclass(frozen=True)
class SurveyResponse:
	source: str
	external_id: str
	metric: str
	score: float
	scale_min: float
	scale_max: float
	submitted_at: str  # ISO 8601 with offset
	higher_is_better: bool = True
	respondent_email: str | None = None
	customer: str | None = None
	contact: str | None = None
	comment: str | None = None
	reference_doctype: str | None = None
	reference_name: str | None = None
	raw_payload: dict[str, Any] = field(default_factory=dict)

	@property
	def key(self) -> tuple[str, str]:
		return (self.source, self.external_id)

	def to_ingest(self) -> dict[str, Any]:
		data = asdict(self)
		return {k: v for k, v in data.items() if v is not None}


def _text(value: Any) -> str | None:
	if value is None:
		return None
	text = str(value).strip()
	return text or None


def _number(value: Any, name: str, problems: list[str]) -> float | None:
	if value is None or (isinstance(value, str) and not value.strip()):
		return None
	if isinstance(value, bool):
		problems.append(f"{name}: expected a number, got a boolean")
		return None
	try:
		number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
	except (TypeError, ValueError):
		problems.append(f"{name}: expected a number, got {str(value)[:40]!r}")
		return None
	if math.isnan(number) or math.isinf(number):
		problems.append(f"{name}: must be a finite number")
		return None
	return number


def _bool(value: Any, name: str, problems: list[str]) -> bool | None:
	if value is None or value == "":
		return None
	if isinstance(value, bool):
		return value
	text = str(value).strip().lower()
	if text in ("1", "true", "yes", "y"):
		return True
	if text in ("0", "false", "no", "n"):
		return False
	problems.append(f"{name}: expected true/false, got {str(value)[:20]!r}")
	return None


def parse_timestamp(value: Any) -> datetime:
	"""ISO 8601 (a trailing Z allowed), or Unix seconds/milliseconds; naive times are taken as UTC."""
	if isinstance(value, (int, float)) and not isinstance(value, bool):
		seconds = value / 1000 if value > 10**11 else value
		return datetime.fromtimestamp(seconds, tz=timezone.utc)
	text = str(value).strip()
	if re.fullmatch(r"\d{9,13}", text):
		return parse_timestamp(int(text))
	if text.endswith(("Z", "z")):
		text = text[:-1] + "+00:00"
	parsed = datetime.fromisoformat(text)
	return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def normalise_metric(value: Any) -> str | None:
	text = _text(value)
	if text is None:
		return None
	return METRIC_ALIASES.get(text.lower(), text if text in METRICS else None)


def parse_response(data: Mapping[str, Any], source: str | None = None) -> SurveyResponse:
	"""Validate one response. `source` fills in a missing `source` (a webhook route or CSV default)."""
	problems: list[str] = []
	if not isinstance(data, Mapping):
		raise InvalidResponse(["expected a JSON object"])
	src = _text(data.get("source")) or source
	if not src:
		problems.append("source: required")
	elif len(src) > MAX_ID:
		problems.append(f"source: longer than {MAX_ID} characters")
	external_id = _text(data.get("external_id"))
	if not external_id:
		problems.append("external_id: required (the survey tool's response id)")
	elif len(external_id) > MAX_ID:
		problems.append(f"external_id: longer than {MAX_ID} characters")

	raw_metric = data.get("metric") or data.get("survey_type")
	metric = normalise_metric(raw_metric)
	if metric is None:
		problems.append(f"metric: one of {', '.join(METRICS)} required, got {str(raw_metric)[:30]!r}")
	score = _number(data.get("score"), "score", problems)
	if score is None and "score: " not in " ".join(problems):
		problems.append("score: required")
	scale_min = _number(data.get("scale_min"), "scale_min", problems)
	scale_max = _number(data.get("scale_max"), "scale_max", problems)
	if metric and (scale_min is None or scale_max is None):
		default = DEFAULT_SCALES.get(metric)
		if default is None:
			problems.append("scale_min and scale_max: required for a Custom metric")
		else:
			scale_min = default[0] if scale_min is None else scale_min
			scale_max = default[1] if scale_max is None else scale_max
	if scale_min is not None and scale_max is not None:
		if scale_min >= scale_max:
			problems.append(f"scale: min {scale_min:g} must be below max {scale_max:g}")
		elif score is not None and not scale_min <= score <= scale_max:
			problems.append(f"score: {score:g} is outside the scale {scale_min:g}-{scale_max:g}")
	higher = _bool(data.get("higher_is_better"), "higher_is_better", problems)

	email = _text(data.get("respondent_email") or data.get("email"))
	if email:
		email = email.lower()
		if not EMAIL.match(email):
			problems.append(f"respondent_email: not an email address ({email[:60]!r})")
	customer = _text(data.get("customer") or data.get("customer_id"))
	contact = _text(data.get("contact"))
	submitted_raw = data.get("submitted_at")
	submitted_at = None
	if submitted_raw in (None, ""):
		problems.append("submitted_at: required (ISO 8601)")
	else:
		try:
			submitted_at = parse_timestamp(submitted_raw).isoformat()
		except (TypeError, ValueError, OverflowError, OSError):
			problems.append(f"submitted_at: not an ISO 8601 time ({str(submitted_raw)[:40]!r})")
	comment = _text(data.get("comment"))
	if comment and len(comment) > MAX_COMMENT:
		problems.append(f"comment: longer than {MAX_COMMENT} characters")
	reference_doctype = _text(data.get("reference_doctype"))
	reference_name = _text(data.get("reference_name"))
	if reference_doctype and reference_doctype not in REFERENCE_DOCTYPES:
		problems.append(f"reference_doctype: one of {', '.join(REFERENCE_DOCTYPES)}")
	if bool(reference_doctype) != bool(reference_name):
		problems.append("reference_doctype and reference_name: give both or neither")
	raw = data.get("raw_payload")
	if raw is None:
		raw = {k: v for k, v in data.items() if k != "raw_payload"}
	elif not isinstance(raw, Mapping):
		problems.append("raw_payload: must be a JSON object")
		raw = {}
	if problems:
		raise InvalidResponse(problems)
	return SurveyResponse(
		source=src,
		external_id=external_id,
		metric=metric,
		score=score,
		scale_min=scale_min,
		scale_max=scale_max,
		submitted_at=submitted_at,
		higher_is_better=True if higher is None else higher,
		respondent_email=email,
		customer=customer,
		contact=contact,
		comment=comment,
		reference_doctype=reference_doctype,
		reference_name=reference_name,
		raw_payload=dict(raw),
	)
