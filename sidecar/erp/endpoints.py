"""The revops_app endpoints the sidecar calls, over `ErpClient`'s transport (`call`).

- Signals feed: `customer_signals` (one raw page, the dict the sync consumes), `customer_signals_page`
  (one typed `SignalsPage`), `iter_customer_signals` (pages until drained). With no cursor a full pass by
  customer name runs (constant cost per page on the server) and hands over to the (modified, name) cursor.
- Lead handoffs: `record_handoff(note)` (one POST, idempotent by the handoff key on the server, so retried on
  429/5xx and timeouts) tells ERPNext about a handoff of a lead whose company is its customer.
- CX: `ingest_cx_responses` (batches of <= 200, idempotent by source + external id, so retried on 429/5xx
  and timeouts) and `customer_cx_state` (per-customer CX state changed after a time, paged).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from sidecar.erp.cursor import Cursor, SignalsPage
from sidecar.erp.errors import ErpError

SIGNALS_METHOD = "revops_app.api.signals.customer_signals"
RECORDS_METHOD = "revops_app.api.signals.customer_records"
CX_INGEST_METHOD = "revops_app.api.cx.ingest_responses"
CX_STATE_METHOD = "revops_app.api.cx.customer_cx_state"
HANDOFF_METHOD = "revops_app.api.handoffs.record_handoff"
HANDOFF_FIELDS = (
	"handoff_key",
	"customer",
	"handed_off_at",
	"contact_id",
	"contact_name",
	"contact_url",
	"task_id",
	"task_url",
	"owner",
	"team",
	"subject",
	"score",
)

MAX_SIGNALS_PAGE = 1000  # the endpoint refuses more
MAX_INGEST_BATCH = 200  # the CX ingest endpoint refuses more


class AppEndpoints:
	"""Mixed into `ErpClient`; needs its `call(method_path, params, *, http_method, idempotent)`."""

	call: Callable[..., Any]

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

	def customer_records(self, customers: list[str]) -> dict[str, Any]:
		"""The signals records of the named customers, built now (a push pass): {"records", "deleted"}, where
		deleted names the customers that no longer exist."""
		message = self.call(RECORDS_METHOD, {"customers": json.dumps(list(customers))})
		if not isinstance(message, dict) or not isinstance(message.get("records"), list):
			raise ErpError(
				"customer_records returned an unexpected shape (no records list)",
				path="/api/method/" + RECORDS_METHOD,
			)
		return {"records": message["records"], "deleted": list(message.get("deleted") or [])}

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

	def record_handoff(self, note: Mapping[str, Any]) -> dict[str, Any]:
		"""POST one handoff (HANDOFF_FIELDS; None values are left out); returns {"name", "status", "customer"}
		with status "created" or "duplicate" (delivered before: nothing changed)."""
		params = {k: note.get(k) for k in HANDOFF_FIELDS if note.get(k) not in (None, "")}
		message = self.call(HANDOFF_METHOD, params, http_method="POST", idempotent=True)
		if not isinstance(message, dict) or message.get("status") not in ("created", "duplicate"):
			raise ErpError(
				f"record_handoff returned an unexpected answer: {str(message)[:200]}",
				method="POST",
				path="/api/method/" + HANDOFF_METHOD,
			)
		return message

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
