"""Survey payloads -> `SurveyResponse`s: Typeform's form_response webhook and the generic shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sidecar.cx.model import InvalidResponse, SurveyResponse, parse_response


def typeform_responses(payload: Mapping[str, Any]) -> list[SurveyResponse]:
	"""Map a Typeform `form_response` webhook to survey responses (one per scored question).

	- external id: the response `token` (+ "#<field ref>" when the form has several scored questions);
	- metric: hidden field `metric` when given; else a field of type `nps` -> NPS 0-10, `rating` -> CSAT
	  1..steps, `opinion_scale` -> NPS when it runs 0-10, else Custom on its own scale;
	- respondent: an `email` answer or hidden field `email`; customer from hidden field `customer`;
	- comment: the first long_text/short_text answer; submitted_at: `submitted_at`.
	"""
	form = payload.get("form_response")
	if not isinstance(form, Mapping):
		raise InvalidResponse(["form_response: missing (is this a Typeform form_response event?)"])
	token = form.get("token")
	if not token:
		raise InvalidResponse(["form_response.token: missing"])
	hidden = form.get("hidden") or {}
	definitions = {f.get("id"): f for f in ((form.get("definition") or {}).get("fields") or [])}
	answers = form.get("answers") or []
	email = hidden.get("email")
	comment = None
	scored = []
	for answer in answers:
		kind = answer.get("type")
		field_info = answer.get("field") or {}
		if kind == "email" and not email:
			email = answer.get("email")
		elif kind == "text" and comment is None:
			comment = answer.get("text")
		elif kind == "number" and field_info.get("type") in ("nps", "rating", "opinion_scale"):
			scored.append((answer, definitions.get(field_info.get("id"), field_info)))
	if not scored:
		raise InvalidResponse(["form_response.answers: no nps/rating/opinion_scale answer to score"])
	out = []
	for answer, definition in scored:
		field_info = answer.get("field") or {}
		ftype = field_info.get("type")
		props = definition.get("properties") or {}
		steps = props.get("steps")
		if ftype == "nps":
			metric, lo, hi = "NPS", 0, 10
		elif ftype == "rating":
			metric, lo, hi = "CSAT", 1, int(steps or 5)
		else:
			start = 1 if props.get("start_at_one") else 0
			n = int(steps or 11)
			lo, hi = start, start + n - 1
			metric = "NPS" if (lo, hi) == (0, 10) else "Custom"
		metric = hidden.get("metric") or metric
		ref = field_info.get("ref") or field_info.get("id") or "score"
		data = {
			"source": "typeform",
			"external_id": str(token) if len(scored) == 1 else f"{token}#{ref}",
			"metric": metric,
			"score": answer.get("number"),
			"scale_min": lo,
			"scale_max": hi,
			"respondent_email": email,
			"customer": hidden.get("customer"),
			"comment": comment,
			"submitted_at": form.get("submitted_at"),
			"reference_doctype": hidden.get("reference_doctype"),
			"reference_name": hidden.get("reference_name"),
			"raw_payload": dict(payload),
		}
		out.append(parse_response(data))
	return out


def generic_responses(payload: Any) -> list[SurveyResponse]:
	items = payload.get("responses") if isinstance(payload, Mapping) and "responses" in payload else [payload]
	if not isinstance(items, list) or not items:
		raise InvalidResponse(["responses: expected a non-empty list"])
	if len(items) > 200:
		raise InvalidResponse(["responses: at most 200 per request"])
	parsed, problems = [], []
	for index, item in enumerate(items):
		try:
			if isinstance(item, Mapping) and "raw_payload" not in item:
				item = {**item, "raw_payload": dict(item)}
			parsed.append(parse_response(item))
		except InvalidResponse as exc:
			prefix = f"responses[{index}]: " if len(items) > 1 else ""
			problems.extend(prefix + p for p in exc.problems)
	if problems:
		raise InvalidResponse(problems)  # all or nothing: a sender fixes and resends the whole request
	return parsed
