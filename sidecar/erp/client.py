"""ERPNext REST client for the sidecar (requests Session, token auth, timeouts, retries, paging).

Contract:
- Auth is Frappe's API-key token: `Authorization: token <api_key>:<api_secret>` on every request. The
  secret is held on the session only; it is never logged, never put in an error, never in `repr()`.
- Every request has a (connect, read) timeout. Idempotent calls (GET, and POSTs the server dedupes, such
  as CX ingest keyed by source + external id) are retried on connection errors, timeouts, 429 and 5xx with
  exponential backoff and jitter, honouring `Retry-After`; non-idempotent calls are retried only when the
  server certainly did not act (429, connect failure). Anything else raises `ErpError` at once, with the
  HTTP status and Frappe's `exc_type` / `_server_messages` decoded.
- Retries follow the shared `sidecar.retry.RetryPolicy` (defaults: 4 retries, 0.5 s doubling to 30 s,
  jitter; the config's erp.max_retries / erp.backoff_seconds set it).
- Paging: `get_list` pages `/api/resource/<DocType>` with limit_start (fine for small, static lists; use
  cursors for sync). The app's own endpoints (signals feed, CX) are in endpoints.py, mixed into `ErpClient`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests

# the feed's names stay importable from here (sidecar.erp.client) as before the split
from sidecar.erp.cursor import Cursor, SignalsPage
from sidecar.erp.endpoints import (
	CX_INGEST_METHOD,
	CX_STATE_METHOD,
	MAX_INGEST_BATCH,
	MAX_SIGNALS_PAGE,
	SIGNALS_METHOD,
	AppEndpoints,
)
from sidecar.erp.errors import ErpConnectionError, ErpError, error_from_response
from sidecar.retry import RetryPolicy, retry_after_seconds

log = logging.getLogger(__name__)


class ErpClient(AppEndpoints):
	"""Talks to one ERPNext site. Thread-compatible per instance only (one Session)."""

	def __init__(
		self,
		base_url: str,
		api_key: str,
		api_secret: str,
		*,
		timeout: float | tuple[float, float] = (5.0, 60.0),
		retry: RetryPolicy | None = None,
		session: requests.Session | None = None,
		sleep: Callable[[float], None] = time.sleep,
		user_agent: str = "revops-sidecar",
	) -> None:
		if not base_url:
			raise ValueError("ERPNext base URL is required (erp.url / REVOPS_ERP_URL)")
		if not api_key or not api_secret:
			raise ValueError(
				"ERPNext API key and secret are required (REVOPS_ERP_API_KEY / REVOPS_ERP_API_SECRET)"
			)
		self.base_url = base_url.rstrip("/")
		self.timeout = timeout
		self.retry = retry or RetryPolicy()
		self._sleep = sleep
		self.session = session or requests.Session()
		self.session.headers.update(
			{
				"Authorization": f"token {api_key}:{api_secret}",
				"Accept": "application/json",
				"User-Agent": user_agent,
			}
		)
		self.calls = 0  # HTTP requests sent, retries included (for benchmarks and status)

	def __repr__(self) -> str:
		return f"ErpClient({self.base_url!r})"

	@classmethod
	def from_env(cls, environ: Mapping[str, str] | None = None, **kwargs: Any) -> ErpClient:
		env = os.environ if environ is None else environ
		return cls(
			env.get("REVOPS_ERP_URL", ""),
			env.get("REVOPS_ERP_API_KEY", ""),
			env.get("REVOPS_ERP_API_SECRET", ""),
			**kwargs,
		)

	@classmethod
	def from_config(cls, erp: Any, **kwargs: Any) -> ErpClient:
		"""Build from the sidecar config's `erp` section (attributes or mapping keys): base_url (or url),
		api_key, api_secret, timeout_seconds, connect_timeout_seconds, max_retries, backoff_seconds,
		verify_tls. Missing credentials fall back to the environment."""

		def get(name: str, default: Any = None) -> Any:
			value = erp.get(name, default) if isinstance(erp, Mapping) else getattr(erp, name, default)
			return default if value is None else value

		if "timeout" not in kwargs and get("timeout_seconds") is not None:
			kwargs["timeout"] = (float(get("connect_timeout_seconds", 5.0)), float(get("timeout_seconds")))
		if "retry" not in kwargs and (get("max_retries") is not None or get("backoff_seconds") is not None):
			kwargs["retry"] = RetryPolicy().from_settings(erp)
		client = cls(
			get("base_url") or get("url") or os.environ.get("REVOPS_ERP_URL", ""),
			get("api_key") or os.environ.get("REVOPS_ERP_API_KEY", ""),
			get("api_secret") or os.environ.get("REVOPS_ERP_API_SECRET", ""),
			**kwargs,
		)
		if get("verify_tls") is False:
			client.session.verify = False
		return client

	# --- transport ---------------------------------------------------------------------------

	def request(
		self,
		method: str,
		path: str,
		*,
		params: Mapping[str, Any] | None = None,
		data: Mapping[str, Any] | None = None,
		idempotent: bool | None = None,
	) -> Any:
		"""Send one call (with retries) and return the decoded JSON body."""
		method = method.upper()
		if idempotent is None:
			idempotent = method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")
		url = self.base_url + path
		attempt = 0
		while True:
			self.calls += 1
			try:
				response = self.session.request(
					method, url, params=params, data=data, timeout=self.timeout, allow_redirects=False
				)
			except (requests.ConnectionError, requests.Timeout) as exc:
				# A connect failure means nothing reached the server; a read timeout may mean it acted.
				safe = idempotent or isinstance(exc, requests.ConnectTimeout)
				if not (safe and self.retry.can_retry(attempt)):
					# the exception text names the URL and the socket error, never the Authorization header
					error = ErpConnectionError(
						f"{type(exc).__name__} after {attempt + 1} attempt(s): {str(exc)[:300]}",
						method=method,
						path=path,
					)
					error.detail = f"{type(exc).__name__}: {exc}"  # uncut, for the CLI's one-line cause
					raise error from None
				self._wait(method, path, type(exc).__name__, attempt, None)
				attempt += 1
				continue
			status = response.status_code
			if 200 <= status < 300:
				return self._decode(method, path, response)
			retryable = self.retry.retries_status(status) and (idempotent or status == 429)
			if not (retryable and self.retry.can_retry(attempt)):
				raise error_from_response(
					method, path, status, response.content, response.headers.get("Content-Type", "")
				)
			retry_after = retry_after_seconds(response.headers.get("Retry-After"))
			self._wait(method, path, f"HTTP {status}", attempt, retry_after)
			attempt += 1

	def _wait(self, method: str, path: str, why: str, attempt: int, retry_after: float | None) -> None:
		delay = self.retry.delay(attempt, retry_after)
		log.warning("ERPNext %s %s: %s; retry %d in %.1fs", method, path, why, attempt + 1, delay)
		self._sleep(delay)

	@staticmethod
	def _decode(method: str, path: str, response: requests.Response) -> Any:
		if not response.content:
			return None
		try:
			return response.json()
		except ValueError:
			raise ErpError(
				"response is not JSON (is the URL an ERPNext site?)",
				status=response.status_code,
				method=method,
				path=path,
			) from None

	def call(
		self,
		method_path: str,
		params: Mapping[str, Any] | None = None,
		*,
		http_method: str = "GET",
		idempotent: bool | None = None,
	) -> Any:
		"""Call a whitelisted method (`/api/method/<dotted.path>`) and return its `message`.
		List/dict arguments are sent JSON-encoded, as Frappe's own clients do."""
		encoded = {k: _encode_arg(v) for k, v in (params or {}).items() if v is not None}
		path = "/api/method/" + method_path
		if http_method.upper() == "GET":
			body = self.request("GET", path, params=encoded, idempotent=idempotent)
		else:
			body = self.request(http_method, path, data=encoded, idempotent=idempotent)
		return body.get("message") if isinstance(body, dict) else body

	# --- generic resource API ---------------------------------------------------------------

	def get_list(
		self,
		doctype: str,
		fields: Sequence[str] = ("name",),
		filters: Any = None,
		*,
		order_by: str = "name asc",
		page_length: int = 500,
		limit: int | None = None,
	) -> Iterator[dict[str, Any]]:
		"""Yield every matching row of `/api/resource/<doctype>`, paging with limit_start.
		Offset paging can skip or repeat rows that change mid-scan; the sync uses cursors instead."""
		if page_length < 1:
			raise ValueError("page_length must be >= 1")
		start, seen = 0, 0
		path = "/api/resource/" + quote(doctype, safe="")
		while True:
			length = page_length if limit is None else min(page_length, limit - seen)
			if length <= 0:
				return
			params = {
				"fields": json.dumps(list(fields)),
				"limit_start": start,
				"limit_page_length": length,
				"order_by": order_by,
			}
			if filters:
				params["filters"] = json.dumps(filters)
			body = self.request("GET", path, params=params)
			rows = (body or {}).get("data") or []
			yield from rows
			seen += len(rows)
			if len(rows) < length:
				return
			start += len(rows)

	def get_doc(self, doctype: str, name: str) -> dict[str, Any]:
		path = f"/api/resource/{quote(doctype, safe='')}/{quote(name, safe='')}"
		return (self.request("GET", path) or {}).get("data") or {}

	# --- app endpoints ----------------------------------------------------------------------


def _encode_arg(value: Any) -> Any:
	if isinstance(value, (dict, list, tuple)):
		return json.dumps(value, default=str, separators=(",", ":"))
	if isinstance(value, bool):
		return int(value)
	return value
