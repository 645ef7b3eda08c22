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
Signatures are in signatures.py, payload mapping in payloads.py (both re-exported here).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from sidecar.cx.model import InvalidResponse
from sidecar.cx.payloads import generic_responses, typeform_responses

# sign_* and DEFAULT_TOLERANCE are re-exported for senders and tests
from sidecar.cx.signatures import (
	DEFAULT_TOLERANCE,
	SignatureError,
	WebhookSecrets,
	sign_generic,
	sign_typeform,
	verify_generic,
	verify_typeform,
)
from sidecar.cx.store import CxStore

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000


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
