"""ERPNext REST client for the sidecar (requests Session, token auth, timeouts, retries, paging).

Contract:
- Auth is Frappe's API-key token: `Authorization: token <api_key>:<api_secret>` on every request. The
  secret is held on the session only; it is never logged, never put in an error, never in `repr()`.
- Every request has a (connect, read) timeout. Idempotent calls (GET, and POSTs the server dedupes, such
  as CX ingest keyed by source + external id) are retried on connection errors, timeouts, 429 and 5xx with
  exponential backoff and jitter, honouring `Retry-After`; non-idempotent calls are retried only when the
  server certainly did not act (429, connect failure). Anything else raises `ErpError` at once, with the
  HTTP status and Frappe's `exc_type` / `_server_messages` decoded.
- Paging: `iter_customer_signals` follows the app's (modified, name) cursor page by page; `get_list` pages
  `/api/resource/<DocType>` with limit_start (fine for small, static lists; use cursors for sync).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests

from sidecar.erp.errors import ErpConnectionError, ErpError, error_from_response

log = logging.getLogger(__name__)

SIGNALS_METHOD = "revops_app.api.signals.customer_signals"
CX_INGEST_METHOD = "revops_app.api.cx.ingest_responses"
CX_STATE_METHOD = "revops_app.api.cx.customer_cx_state"

MAX_SIGNALS_PAGE = 1000  # the endpoint refuses more
MAX_INGEST_BATCH = 200  # the CX ingest endpoint refuses more
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Cursor:
	"""Position in the signals feed: the (modified, name) of the last record processed, or, while a full
	pass is under way, the last customer name it scanned and the pass's `snapshot` time (`modified` empty).
	The full pass ends by handing over the plain cursor (snapshot, "")."""

	modified: str
	name: str
	snapshot: str = ""

	@property
	def in_full_pass(self) -> bool:
		return bool(self.snapshot)

	def as_dict(self) -> dict[str, str]:
		if self.snapshot:
			return {"modified": self.modified, "name": self.name, "snapshot": self.snapshot}
		return {"modified": self.modified, "name": self.name}

	def order_key(self) -> tuple[int, str, str]:
		"""Cursors only move forward along this key: a full pass by name, then (modified, name)."""
		if self.snapshot:
			return (0, self.snapshot, self.name)
		return (1, self.modified, self.name)

	@classmethod
	def from_value(cls, value: Cursor | Mapping[str, str] | None) -> Cursor | None:
		if value is None or isinstance(value, Cursor):
			return value
		if value.get("snapshot"):
			return cls(str(value.get("modified") or ""), str(value.get("name") or ""), str(value["snapshot"]))
		if not value.get("modified"):
			return None
		return cls(str(value["modified"]), str(value.get("name") or ""))


@dataclass
class SignalsPage:
	"""One page of the signals feed. `next_cursor` is what to store once `records` and `deleted` are
	processed (the cursor passed in when the page is empty); `has_more` says whether to ask again."""

	records: list[dict[str, Any]]
	next_cursor: Cursor | None
	deleted: list[str]
	as_of: str | None = None
	has_more: bool = False

	# Lets callers unpack `records, next_cursor, deleted = page`.
	def __iter__(self):
		return iter((self.records, self.next_cursor, self.deleted))


@dataclass
class RetryPolicy:
	retries: int = 4  # attempts after the first
	backoff: float = 0.5  # seconds, doubled per attempt
	max_backoff: float = 30.0
	max_retry_after: float = 120.0  # never sleep longer than this on a server's Retry-After
	statuses: frozenset[int] = field(default_factory=lambda: RETRY_STATUSES)

	def delay(self, attempt: int, retry_after: float | None) -> float:
		if retry_after is not None:
			return min(max(retry_after, 0.0), self.max_retry_after)
		base = min(self.backoff * (2**attempt), self.max_backoff)
		return base * (0.5 + random.random() / 2)  # jitter: spread retries of parallel workers


def _retry_after_seconds(value: str | None) -> float | None:
	if not value:
		return None
	try:
		return float(value)
	except ValueError:
		pass
	try:
		return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
	except (TypeError, ValueError):
		return None


class ErpClient:
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
			kwargs["retry"] = RetryPolicy(
				retries=int(get("max_retries", 4)), backoff=float(get("backoff_seconds", 0.5))
			)
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
				if safe and attempt < self.retry.retries:
					delay = self.retry.delay(attempt, None)
					log.warning(
						"ERPNext %s %s: %s; retry %d in %.1fs",
						method,
						path,
						type(exc).__name__,
						attempt + 1,
						delay,
					)
					self._sleep(delay)
					attempt += 1
					continue
				# the exception text names the URL and the socket error, never the Authorization header
				raise ErpConnectionError(
					f"{type(exc).__name__} after {attempt + 1} attempt(s): {str(exc)[:300]}",
					method=method,
					path=path,
				) from None
			status = response.status_code
			if 200 <= status < 300:
				return self._decode(method, path, response)
			retryable = status in self.retry.statuses and (idempotent or status == 429)
			if retryable and attempt < self.retry.retries:
				delay = self.retry.delay(attempt, _retry_after_seconds(response.headers.get("Retry-After")))
				log.warning(
					"ERPNext %s %s: HTTP %d; retry %d in %.1fs", method, path, status, attempt + 1, delay
				)
				self._sleep(delay)
				attempt += 1
				continue
			raise error_from_response(
				method, path, status, response.content, response.headers.get("Content-Type", "")
			)

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

	def customer_signals(
		self,
		modified_after: str = "",
		after_name: str = "",
		limit: int = 500,
		settle_seconds: int | None = None,
		snapshot: str = "",
		full: bool = True,
	) -> dict[str, Any]:
		"""One raw page of the signals endpoint: its `message` dict (records, next_cursor, deleted, as_of,
		has_more). `snapshot` continues a full pass (with `after_name`); with no cursor at all a full pass by
		name starts unless `full` is False (then the (modified, name) cursor starts from nothing)."""
		if snapshot:
			cursor: Cursor | None = Cursor(modified_after, after_name, snapshot)
		else:
			cursor = Cursor(modified_after, after_name) if modified_after else None
		page = self.customer_signals_page(cursor, limit, settle_seconds=settle_seconds, full=full)
		return {
			"records": page.records,
			"next_cursor": page.next_cursor.as_dict() if page.next_cursor else None,
			"deleted": page.deleted,
			"as_of": page.as_of,
			"has_more": page.has_more,
		}

	def customer_signals_page(
		self,
		cursor: Cursor | Mapping[str, str] | None,
		limit: int = 500,
		settle_seconds: int | None = None,
		full: bool = True,
	) -> SignalsPage:
		"""Fetch one page of changed customers after `cursor`. No cursor: a full pass by customer name
		(`full=1`: a constant cost per page on the server) that hands over to the (modified, name) cursor at
		its snapshot; `full=False` asks for the (modified, name) cursor from nothing instead (all the server
		could do before the full pass existed; a server that does not know `full` ignores it and does that).
		`settle_seconds` (None = the endpoint's 60 s): changes younger than that wait for the next call."""
		if not 1 <= limit <= MAX_SIGNALS_PAGE:
			raise ValueError(f"limit must be between 1 and {MAX_SIGNALS_PAGE}")
		cursor = Cursor.from_value(cursor)
		params: dict[str, Any] = {
			"modified_after": cursor.modified if cursor else "",
			"after_name": cursor.name if cursor else "",
			"limit": limit,
			"settle_seconds": settle_seconds,
		}
		if cursor is not None and cursor.in_full_pass:
			params["snapshot"] = cursor.snapshot
		elif cursor is None and full:
			params["full"] = 1
		message = self.call(SIGNALS_METHOD, params)
		if not isinstance(message, dict) or not isinstance(message.get("records"), list):
			raise ErpError(
				"customer_signals returned an unexpected shape (no records list)",
				method="GET",
				path="/api/method/" + SIGNALS_METHOD,
			)
		records = message["records"]
		next_cursor = Cursor.from_value(message.get("next_cursor"))
		if next_cursor is None and records:
			last = records[-1]
			next_cursor = Cursor(str(last["modified"]), str(last["customer"]))
		if next_cursor is not None and cursor is not None and next_cursor.order_key() < cursor.order_key():
			raise ErpError(
				f"customer_signals moved the cursor backwards ({cursor} -> {next_cursor})",
				path="/api/method/" + SIGNALS_METHOD,
			)
		has_more = message.get("has_more")
		if has_more is None:
			has_more = len(records) >= limit
		# a full-pass page may serve nothing (every customer in it changed since the snapshot) and still
		# move on; ask again only when the page moved the cursor, so a confused server cannot loop us
		moved = bool(records) or (next_cursor is not None and next_cursor != cursor)
		return SignalsPage(
			records=records,
			next_cursor=next_cursor or cursor,
			deleted=list(message.get("deleted") or []),
			as_of=message.get("as_of"),
			has_more=bool(has_more) and moved,
		)

	def iter_customer_signals(
		self,
		cursor: Cursor | Mapping[str, str] | None = None,
		*,
		limit: int = 500,
		max_pages: int | None = None,
		settle_seconds: int | None = None,
	) -> Iterator[SignalsPage]:
		"""Yield pages `(records, next_cursor, deleted)` until the feed is drained. Store `next_cursor`
		only after a page is processed, so a crash replays at most that page."""
		cursor = Cursor.from_value(cursor)
		pages = 0
		while True:
			page = self.customer_signals_page(cursor, limit, settle_seconds=settle_seconds)
			pages += 1
			yield page
			if not page.has_more or (max_pages is not None and pages >= max_pages):
				return
			cursor = page.next_cursor

	def ingest_cx_responses(self, responses: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
		"""POST survey responses in batches of <= 200; return the per-item results in input order.
		Retried on 429/5xx and timeouts: the endpoint is idempotent by (source, external_id)."""
		items = list(responses)
		results: list[dict[str, Any]] = []
		for start in range(0, len(items), MAX_INGEST_BATCH):
			batch = items[start : start + MAX_INGEST_BATCH]
			message = self.call(CX_INGEST_METHOD, {"responses": batch}, http_method="POST", idempotent=True)
			batch_results = (message or {}).get("results") if isinstance(message, dict) else message
			if not isinstance(batch_results, list) or len(batch_results) != len(batch):
				raise ErpError(
					f"ingest_responses returned {len(batch_results or [])} results for {len(batch)} responses",
					method="POST",
					path="/api/method/" + CX_INGEST_METHOD,
				)
			results.extend(batch_results)
		return results

	def customer_cx_state(
		self, modified_after: str | None = None, *, limit: int = 500, max_pages: int | None = None
	) -> Iterator[dict[str, Any]]:
		"""Yield per-customer CX state (latest NPS/CSAT/CES, segment, churn-risk flag) changed after
		`modified_after`. Follows `next_cursor`/`modified_after` when the endpoint pages."""
		after = modified_after or ""
		pages = 0
		while True:
			message = self.call(CX_STATE_METHOD, {"modified_after": after, "limit": limit})
			if isinstance(message, list):
				records, next_after = message, None
			elif isinstance(message, dict):
				records = message.get("customers") or message.get("records") or []
				nxt = message.get("next_modified_after") or message.get("next_cursor")
				next_after = nxt.get("modified") if isinstance(nxt, dict) else nxt
			else:
				records, next_after = [], None
			yield from records
			pages += 1
			if not next_after or len(records) < limit or next_after == after:
				return
			if max_pages is not None and pages >= max_pages:
				return
			after = next_after


def _encode_arg(value: Any) -> Any:
	if isinstance(value, (dict, list, tuple)):
		return json.dumps(value, default=str, separators=(",", ":"))
	if isinstance(value, bool):
		return int(value)
	return value
