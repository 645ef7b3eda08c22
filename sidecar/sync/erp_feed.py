"""Gather, ERP half: drain the app's signals feed from the stored cursor into the ERP cache.

`ErpIndex` is the cache the rest of the pass reads (records by customer, customers by domain): the store's
tables, plus an in-memory overlay in dry runs so a plan never writes the store. `pull_erp` returns the
customers that changed and the cursor to save once the whole pass has succeeded (so a crash replays pages).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sidecar.sync.constants import CURSOR_ERP
from sidecar.sync.context import PassContext
from sidecar.sync.ports import StorePort


class ErpIndex:
	"""ERP records by customer and domain: the store's cache plus (in dry runs) an in-memory overlay."""

	def __init__(self, store: StorePort, dry_run: bool):
		self.store = store
		self.dry_run = dry_run
		self.overlay: dict[str, dict | None] = {}
		self.overlay_domains: dict[str, str] = {}

	def add(self, records: list[dict], deleted: Iterable[str]) -> None:
		if not self.dry_run:
			self.store.upsert_erp(records, deleted)
			return
		for name in deleted:
			self.overlay[name] = None
		for r in records:
			self.overlay[r["customer"]] = r
			for d in r.get("domains") or []:
				self.overlay_domains.setdefault(d.lower(), r["customer"])

	def records(self, names: Iterable[str]) -> dict[str, dict]:
		names = set(names)
		out = {n: r for n, r in self.overlay.items() if n in names and r is not None}
		rest = [n for n in names if n not in self.overlay]
		out.update(self.store.erp_records(rest))
		return out

	def by_domain(self, domains: Iterable[str]) -> dict[str, str]:
		domains = {d.lower() for d in domains if d}
		out = {d: self.overlay_domains[d] for d in domains if d in self.overlay_domains}
		out.update({d: c for d, c in self.store.erp_by_domain(domains - set(out)).items()})
		return {d: c for d, c in out.items() if self.overlay.get(c, True) is not None}


def _page_args(cursor: dict[str, Any] | None, limit: int) -> dict[str, Any]:
	args: dict[str, Any] = {
		"modified_after": cursor.get("modified", "") if cursor else "",
		"after_name": cursor.get("name", "") if cursor else "",
		"limit": limit,
	}
	if cursor and cursor.get("snapshot"):  # a full pass by name under way (ErpClient)
		args["snapshot"] = cursor["snapshot"]
	return args


def pull_erp(ctx: PassContext, index: ErpIndex, stats: dict[str, Any]) -> tuple[set[str], Any]:
	"""Drain the ERP signals feed from the stored cursor; returns (changed customer names, new cursor)."""
	changed: set[str] = set()
	cursor = ctx.store.get_cursor(CURSOR_ERP) or {}
	if ctx.erp is None:
		return changed, cursor or None
	pages = records = deleted = 0
	limit = ctx.cfg.get("erp.page_size")
	while True:
		page = ctx.erp.customer_signals(**_page_args(cursor, limit))
		pages += 1
		recs = page.get("records") or []
		gone = page.get("deleted") or []
		index.add(recs, gone)
		changed.update(r["customer"] for r in recs)
		changed.update(gone)
		records += len(recs)
		deleted += len(gone)
		nxt = page.get("next_cursor")
		more = page.get("has_more", len(recs) >= limit)
		# a full-pass page can serve nothing yet move on (its customers changed since the pass began)
		moved = bool(nxt) and nxt != cursor
		if nxt:
			cursor = nxt
		if not more or not (recs or moved):
			break
	stats.update(erp_pages=pages, erp_records=records, erp_deleted=deleted)
	return changed, cursor
