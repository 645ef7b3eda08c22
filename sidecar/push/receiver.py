"""The push receiver: signed ERP change notices from the app -> the store's push queue, answered at once.

Route (WSGI app `make_app(queue, secrets, tolerance)`, served in `revops-sidecar run` by a thread):
- `POST /push/erp-changes` with JSON {"customers": [names], "event": "invoice_submitted", "committed_at": unix
  seconds (float)}; signed like the survey webhooks: `X-RevOps-Timestamp: <unix seconds>`, `X-RevOps-Signature:
  sha256=<hex>`, hex = HMAC-SHA256(secret, "<timestamp>." + raw body), timestamp within the tolerance either
  way, compared in constant time; every configured secret (comma-separated, for rotation) is tried.
- `GET /healthz`.
Order: size limit -> signature over the raw bytes -> JSON -> validation -> queue. Invalid requests queue nothing:
400 malformed, 401 signature, 413 too large, 503 no secret configured (never accepts unsigned input).
Accepted: 202 {"queued": n}. Every process on the store may receive; only the run-lock holder drains the
queue, so a push to a standby host is not lost. A push lost in transit costs latency only: the periodic pass
sees the same change through the signals feed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from sidecar.cx.signatures import DEFAULT_TOLERANCE, SignatureError, sign_generic, verify_generic
from sidecar.push.queue import PushQueue

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000
MAX_CUSTOMERS = 1000
PATH = "/push/erp-changes"

__all__ = ["PATH", "make_app", "sign_generic"]

Start = Callable[[str, list[tuple[str, str]]], Any]


def _answer(start: Start, status: str, body: dict[str, Any]) -> list[bytes]:
	raw = json.dumps(body).encode()
	start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))])
	return [raw]


def parse_push(raw: bytes) -> tuple[list[str], str | None, float | None]:
	data = json.loads(raw)
	if not isinstance(data, dict) or not isinstance(data.get("customers"), list):
		raise ValueError("body must be an object with a customers list")
	customers = data["customers"]
	if not customers or len(customers) > MAX_CUSTOMERS:
		raise ValueError(f"customers must hold 1..{MAX_CUSTOMERS} names")
	if not all(isinstance(c, str) and 0 < len(c) <= 140 for c in customers):
		raise ValueError("every customer must be a non-empty name of at most 140 characters")
	event = data.get("event")
	committed = data.get("committed_at")
	if committed is not None and not isinstance(committed, (int, float)):
		raise ValueError("committed_at must be unix seconds")
	return customers, str(event) if event else None, float(committed) if committed is not None else None


def make_app(queue: PushQueue, secrets: Iterable[str], tolerance: int = DEFAULT_TOLERANCE) -> Callable:
	keys = [s for s in secrets if s]

	def app(environ: dict[str, Any], start: Start) -> list[bytes]:
		method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
		if method == "GET" and path == "/healthz":
			return _answer(start, "200 OK", {"ok": True, "queued": queue.depth()})
		if path != PATH:
			return _answer(start, "404 Not Found", {"error": "no such route"})
		if method != "POST":
			return _answer(start, "405 Method Not Allowed", {"error": "POST only"})
		if not keys:
			return _answer(start, "503 Service Unavailable", {"error": "push secret not configured"})
		try:
			length = int(environ.get("CONTENT_LENGTH") or 0)
		except ValueError:
			length = -1
		if length < 0 or length > MAX_BODY:
			return _answer(start, "413 Payload Too Large", {"error": f"body over {MAX_BODY} bytes"})
		raw = environ["wsgi.input"].read(length) if length else b""
		try:
			verify_generic(
				raw,
				environ.get("HTTP_X_REVOPS_SIGNATURE"),
				environ.get("HTTP_X_REVOPS_TIMESTAMP"),
				keys,
				tolerance=tolerance,
			)
		except SignatureError as exc:
			return _answer(start, "401 Unauthorized", {"error": str(exc)})
		try:
			customers, event, committed = parse_push(raw)
		except ValueError as exc:
			return _answer(start, "400 Bad Request", {"error": str(exc)})
		queued = queue.add(customers, event, committed)
		return _answer(start, "202 Accepted", {"queued": queued})

	return app
