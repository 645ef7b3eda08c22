"""A local Frappe-like HTTP server for the ERP client tests (real sockets, real HTTP).

It checks what a Frappe site checks first (the `Authorization: token key:secret` header, the path and the
HTTP method), records every request, and answers from a per-test `responder`. Helpers build Frappe-style
error bodies (`exc_type`, `exception`, `_server_messages` as JSON-in-JSON) the way frappe.app does.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_KEY = "k3y-for-tests"
API_SECRET = "s3cret-never-logged"


@dataclass
class Seen:
	method: str
	path: str
	query: dict[str, str]
	form: dict[str, str]
	headers: dict[str, str]
	body: bytes


@dataclass
class Reply:
	status: int = 200
	body: Any = None
	headers: dict[str, str] = field(default_factory=dict)
	delay: float = 0.0
	raw: bytes | None = None


def frappe_error(status: int, exc_type: str, message: str, *, traceback: bool = False) -> Reply:
	body: dict[str, Any] = {
		"exception": f"frappe.exceptions.{exc_type}: {message}",
		"exc_type": exc_type,
		"_server_messages": json.dumps(
			[json.dumps({"message": f"<b>{message}</b>", "title": "Message", "indicator": "red"})]
		),
	}
	if traceback:
		body["exc"] = json.dumps(["Traceback (most recent call last):\n  File x\nValidationError"])
	return Reply(status, body)


class FrappeLikeServer:
	def __init__(self) -> None:
		self.requests: list[Seen] = []
		self.responder: Callable[[Seen], Reply] = lambda seen: Reply(404, {"exc_type": "DoesNotExistError"})
		self.expected_auth = f"token {API_KEY}:{API_SECRET}"
		server = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *args: Any) -> None:  # keep pytest output clean
				return

			def _handle(self) -> None:
				parts = urlsplit(self.path)
				length = int(self.headers.get("Content-Length") or 0)
				body = self.rfile.read(length) if length else b""
				form = {}
				if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
					form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
				seen = Seen(
					self.command,
					parts.path,
					{k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
					form,
					{k.lower(): v for k, v in self.headers.items()},
					body,
				)
				server.requests.append(seen)
				if self.headers.get("Authorization") != server.expected_auth:
					reply = frappe_error(401, "AuthenticationError", "Invalid API key or secret")
				else:
					reply = server.responder(seen)
				if reply.delay:
					time.sleep(reply.delay)
				payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
				try:
					self.send_response(reply.status)
					content_type = "text/html" if reply.raw is not None else "application/json"
					self.send_header("Content-Type", content_type)
					for key, value in reply.headers.items():
						self.send_header(key, value)
					self.send_header("Content-Length", str(len(payload)))
					self.end_headers()
					self.wfile.write(payload)
				except (BrokenPipeError, ConnectionResetError):
					pass  # the client gave up (timeout test)

			do_GET = _handle
			do_POST = _handle
			do_PUT = _handle
			do_DELETE = _handle

		self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.httpd.daemon_threads = True
		self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
		self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

	def __enter__(self) -> FrappeLikeServer:
		self.thread.start()
		return self

	def __exit__(self, *exc: Any) -> None:
		self.httpd.shutdown()
		self.httpd.server_close()


class SignalsFeed:
	"""The signals endpoint's cursor semantics over an in-memory list: records ordered by
	(modified, name), strictly after the (modified_after, after_name) cursor, `limit` per page."""

	def __init__(self, records: list[dict[str, Any]], deleted: list[tuple[str, str]] | None = None) -> None:
		self.records = sorted(records, key=lambda r: (r["modified"], r["customer"]))
		self.deleted = deleted or []  # (deleted_at, name)

	def full_page(self, after_name: str, limit: int, snapshot: str) -> dict[str, Any]:
		"""The full pass by name: records before the snapshot, then the hand-over cursor (snapshot, "")."""
		names = sorted((r for r in self.records if r["customer"] > after_name), key=lambda r: r["customer"])
		scanned, more = names[:limit], len(names) > limit
		page = [r for r in scanned if r["modified"] < snapshot]
		if more:
			next_cursor = {"modified": "", "name": scanned[-1]["customer"], "snapshot": snapshot}
		else:
			next_cursor = {"modified": snapshot, "name": ""}
		return {
			"records": page,
			"next_cursor": next_cursor,
			"deleted": [],
			"as_of": snapshot,
			"has_more": True,
		}

	def answer(self, query: dict[str, str], snapshot_now: str) -> dict[str, Any]:
		"""Dispatch like the endpoint: `snapshot` continues a full pass, `full=1` starts one at `snapshot_now`."""
		limit = int(query["limit"])
		if query.get("snapshot"):
			return self.full_page(query.get("after_name", ""), limit, query["snapshot"])
		if query.get("full") == "1":
			return self.full_page("", limit, snapshot_now)
		return self.page(query.get("modified_after", ""), query.get("after_name", ""), limit)

	def page(self, modified_after: str, after_name: str, limit: int) -> dict[str, Any]:
		after = (modified_after, after_name)
		rest = [r for r in self.records if not modified_after or (r["modified"], r["customer"]) > after]
		page = rest[:limit]
		has_more = len(rest) > limit
		upper = page[-1]["modified"] if has_more else "9999"
		deleted = [name for at, name in self.deleted if modified_after and modified_after < at <= upper]
		next_cursor = {"modified": page[-1]["modified"], "name": page[-1]["customer"]} if page else None
		return {
			"records": page,
			"next_cursor": next_cursor,
			"deleted": deleted,
			"as_of": "2026-11-30 10:00:00.000000",
			"has_more": has_more,
		}
