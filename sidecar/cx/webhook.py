"""Signed survey webhooks: verify the raw body, validate, store in the CX outbox, answer at once.

Routes (WSGI app `make_app(store, secrets)`, served by `revops-sidecar cx-serve`):
- `POST /webhooks/survey`: the generic shape (one response object, or {"responses": [...]}) with fields
  source, external_id, metric (or survey_type), score, scale_min, scale_max, higher_is_better,
  respondent_email, customer, contact, comment, submitted_at, reference_doctype/name, raw_payload.
  Signed with `X-RevOps-Timestamp: <unix seconds>` and `X-RevOps-Signature: sha256=<hex>` where
  hex = HMAC-SHA256(secret, "<timestamp>." + raw body); the timestamp must be within the tolerance.
- `POST /webhooks/typeform`: Typeform's payload, signed `Typeform-Signature: sha256=<base64>` with
  base64 = HMAC-SHA256(secret, raw body) (Typeform sends no timestamp; replays are harmless because the
  response token is the idempotency key).
- `GET /healthz`.
Order: size limit -> signature over the raw bytes (constant-time compare) -> JSON -> validation -> store.
Invalid requests store nothing and get 400 (malformed), 401 (signature), 413 (too large); a route whose
secret is not configured answers 503 (never accepts unsigned input). Accepted: 202 with per-item status
("accepted" or "duplicate"). The raw payload is kept with each response.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sidecar.cx.model import InvalidResponse, SurveyResponse, parse_response
from sidecar.cx.store import CxStore

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000
DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
	"""The request is not signed by a holder of the secret (or is too old)."""


@dataclass
class WebhookSecrets:
	generic: list[str]  # several allowed, for rotation
	typeform: list[str]
	tolerance: int = DEFAULT_TOLERANCE

	@classmethod
	def from_config(cls, cx: Any) -> WebhookSecrets:
		def split(value: Any) -> list[str]:
			return [s.strip() for s in str(value or "").split(",") if s.strip()]

		return cls(
			generic=split(getattr(cx, "webhook_secret", "")),
			typeform=split(getattr(cx, "typeform_secret", "")),
			tolerance=int(getattr(cx, "signature_tolerance_seconds", DEFAULT_TOLERANCE) or DEFAULT_TOLERANCE),
		)


def _digest(secret: str, message: bytes) -> bytes:
	return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def sign_generic(secret: str, body: bytes, timestamp: int) -> str:
	"""The X-RevOps-Signature value a sender computes (also used by tests and the docs)."""
	return "sha256=" + _digest(secret, str(timestamp).encode() + b"." + body).hex()


def sign_typeform(secret: str, body: bytes) -> str:
	return "sha256=" + base64.b64encode(_digest(secret, body)).decode()


def verify_generic(
	body: bytes,
	signature: str | None,
	timestamp: str | None,
	secrets: Iterable[str],
	tolerance: int = DEFAULT_TOLERANCE,
	now: float | None = None,
) -> None:
	if not signature:
		raise SignatureError("missing X-RevOps-Signature header")
	if not timestamp:
		raise SignatureError("missing X-RevOps-Timestamp header")
	try:
		ts = int(timestamp.strip())
	except ValueError:
		raise SignatureError("X-RevOps-Timestamp must be Unix seconds")
	now = time.time() if now is None else now
	if abs(now - ts) > tolerance:
		raise SignatureError(f"timestamp outside the {tolerance} s tolerance (clock skew or replay)")
	value = signature.strip()
	if value.lower().startswith("sha256="):
		value = value[7:]
	try:
		given = bytes.fromhex(value)
	except ValueError:
		raise SignatureError("X-RevOps-Signature must be sha256=<hex>")
	message = str(ts).encode() + b"." + body
	# compare against every configured secret, without stopping early (rotation, constant time)
	ok = False
	for secret in secrets:
		ok |= hmac.compare_digest(_digest(secret, message), given)
	if not ok:
		raise SignatureError("signature does not match")


def verify_typeform(body: bytes, signature: str | None, secrets: Iterable[str]) -> None:
	if not signature:
		raise SignatureError("missing Typeform-Signature header")
	value = signature.strip()
	if not value.startswith("sha256="):
		raise SignatureError("Typeform-Signature must be sha256=<base64>")
	try:
		given = base64.b64decode(value[7:], validate=True)
	except (ValueError, TypeError):
		raise SignatureError("Typeform-Signature is not valid base64")
	ok = False
	for secret in secrets:
		ok |= hmac.compare_digest(_digest(secret, body), given)
	if not ok:
		raise SignatureError("signature does not match")


# --- Typeform payload mapping ------------------------------------------------------------------


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


# --- WSGI app ----------------------------------------------------------------------------------

Start = Callable[[str, list[tuple[str, str]]], Any]
STATUS_TEXT = {
	200: "200 OK",
	202: "202 Accepted",
	400: "400 Bad Request",
	401: "401 Unauthorized",
	404: "404 Not Found",
	405: "405 Method Not Allowed",
	411: "411 Length Required",
	413: "413 Payload Too Large",
	500: "500 Internal Server Error",
	503: "503 Service Unavailable",
}


def make_app(store: CxStore, secrets: WebhookSecrets, clock: Callable[[], float] = time.time) -> Callable:
	def respond(start: Start, status: int, body: dict[str, Any]) -> list[bytes]:
		data = json.dumps(body).encode()
		start(STATUS_TEXT[status], [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
		return [data]

	def app(environ: dict[str, Any], start: Start) -> list[bytes]:
		path = environ.get("PATH_INFO", "")
		method = environ.get("REQUEST_METHOD", "GET")
		if path == "/healthz":
			return respond(start, 200, {"ok": True, "outbox": store.counts()})
		if path not in ("/webhooks/survey", "/webhooks/typeform"):
			return respond(start, 404, {"error": "unknown path"})
		if method != "POST":
			return respond(start, 405, {"error": "POST only"})
		try:
			length = int(environ.get("CONTENT_LENGTH") or "")
		except ValueError:
			return respond(start, 411, {"error": "Content-Length required"})
		if length > MAX_BODY:
			return respond(start, 413, {"error": f"body larger than {MAX_BODY} bytes"})
		body = environ["wsgi.input"].read(length) if length else b""
		typeform = path == "/webhooks/typeform"
		configured = secrets.typeform if typeform else secrets.generic
		if not configured:
			return respond(start, 503, {"error": "no signing secret configured for this route; refusing"})
		try:
			if typeform:
				verify_typeform(body, environ.get("HTTP_TYPEFORM_SIGNATURE"), configured)
			else:
				verify_generic(
					body,
					environ.get("HTTP_X_REVOPS_SIGNATURE"),
					environ.get("HTTP_X_REVOPS_TIMESTAMP"),
					configured,
					secrets.tolerance,
					clock(),
				)
		except SignatureError as exc:
			log.warning("CX webhook %s refused: %s", path, exc)
			return respond(start, 401, {"error": str(exc)})
		try:
			payload = json.loads(body.decode("utf-8"))
		except (UnicodeDecodeError, ValueError) as exc:
			return respond(start, 400, {"error": f"body is not JSON: {exc}"})
		try:
			items = typeform_responses(payload) if typeform else generic_responses(payload)
		except InvalidResponse as exc:
			return respond(start, 400, {"error": "invalid survey response", "problems": exc.problems})
		try:
			results = [
				{
					"source": item.source,
					"external_id": item.external_id,
					"status": "accepted" if store.add(item) else "duplicate",
				}
				for item in items
			]
		except Exception:
			log.exception("CX webhook: store failed")
			return respond(start, 500, {"error": "could not store the response; send it again"})
		return respond(start, 202, {"results": results})

	return app


def make_server(app: Callable, host: str, port: int) -> Any:
	"""A threaded WSGI server (one thread per request) for `cx-serve` and the tests."""
	from socketserver import ThreadingMixIn
	from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
	from wsgiref.simple_server import make_server as wsgiref_server

	class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
		daemon_threads = True

	class QuietHandler(WSGIRequestHandler):
		def log_message(self, format: str, *args: Any) -> None:
			log.info("%s %s", self.address_string(), format % args)

	return wsgiref_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
