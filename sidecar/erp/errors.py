"""Errors raised by the ERPNext REST client, with Frappe's error body decoded.

Contract: every failed call raises `ErpError` (or a subclass) carrying the HTTP status (None when no
response arrived), Frappe's exception type (`exc_type`, e.g. "ValidationError"), the exception line and the
user-facing messages from `_server_messages`. Tracebacks (`exc`) are kept out of `str()` so they never land
in a one-line log; they stay on `.traceback` for whoever needs them. No secret is ever part of an error.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any


class ErpError(Exception):
	"""A call to ERPNext failed. `retryable` says whether trying again later can help."""

	def __init__(
		self,
		message: str,
		*,
		status: int | None = None,
		method: str = "",
		path: str = "",
		exc_type: str | None = None,
		exception: str | None = None,
		server_messages: list[str] | None = None,
		traceback: str | None = None,
	) -> None:
		self.status = status
		self.method = method
		self.path = path
		self.exc_type = exc_type
		self.exception = exception
		self.server_messages = server_messages or []
		self.traceback = traceback
		super().__init__(message)

	@property
	def retryable(self) -> bool:
		return self.status is None or self.status == 429 or self.status >= 500

	def __str__(self) -> str:
		where = f"{self.method} {self.path}".strip()
		status = f"HTTP {self.status}" if self.status is not None else "no response"
		parts = [f"{where}: {status}" if where else status, self.args[0] if self.args else ""]
		if self.exc_type:
			parts.append(f"[{self.exc_type}]")
		return " ".join(p for p in parts if p)


class ErpAuthError(ErpError):
	"""401/403: the API key/secret is wrong or the user lacks permission. Not retryable."""


class ErpNotFound(ErpError):
	"""404: the document, DocType or whitelisted method does not exist (is revops_app installed?)."""


class ErpConnectionError(ErpError):
	"""No HTTP response: DNS, refused connection, TLS, timeout. `detail` is the socket error, uncut."""

	detail = ""


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _strip_html(text: str) -> str:
	# Frappe messages often carry <b>/<br>; keep the words ("<= 1000" is not a tag).
	return html.unescape(_TAG.sub("", text)).strip()


def decode_server_messages(raw: Any) -> list[str]:
	"""`_server_messages` is a JSON string holding a list of JSON strings, each a dict with "message"
	(or, rarely, plain strings). Decode every layer; never raise on odd input."""
	if not raw:
		return []
	items = raw
	if isinstance(raw, str):
		try:
			items = json.loads(raw)
		except ValueError:
			return [_strip_html(raw)]
	if not isinstance(items, list):
		items = [items]
	messages = []
	for item in items:
		if isinstance(item, str):
			try:
				item = json.loads(item)
			except ValueError:
				messages.append(_strip_html(item))
				continue
		if isinstance(item, dict):
			text = item.get("message")
			if text:
				messages.append(_strip_html(str(text)))
		elif item is not None:
			messages.append(_strip_html(str(item)))
	return [m for m in messages if m]


def error_from_response(method: str, path: str, status: int, body: bytes, content_type: str) -> ErpError:
	"""Build the right ErpError subclass from a non-2xx response."""
	data: dict[str, Any] = {}
	if "json" in (content_type or "") or body[:1] in (b"{", b"["):
		try:
			parsed = json.loads(body.decode("utf-8", "replace"))
			data = parsed if isinstance(parsed, dict) else {}
		except ValueError:
			data = {}
	messages = decode_server_messages(data.get("_server_messages"))
	exc_type = data.get("exc_type") or None
	exception = data.get("exception") or None
	traceback = None
	if data.get("exc"):
		try:
			tb = json.loads(data["exc"]) if isinstance(data["exc"], str) else data["exc"]
			traceback = "\n".join(tb) if isinstance(tb, list) else str(tb)
		except ValueError:
			traceback = str(data["exc"])
	if messages:
		message = "; ".join(messages)
	elif exception:
		message = _strip_html(str(exception))
	elif data.get("message") and isinstance(data["message"], str):
		message = _strip_html(data["message"])
	else:
		snippet = body[:200].decode("utf-8", "replace").strip()
		message = _strip_html(snippet) or "empty response body"
	cls = ErpError
	if status in (401, 403):
		cls = ErpAuthError
	elif status == 404:
		cls = ErpNotFound
	return cls(
		message,
		status=status,
		method=method,
		path=path,
		exc_type=exc_type,
		exception=exception,
		server_messages=messages,
		traceback=traceback,
	)
