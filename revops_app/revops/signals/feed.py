"""Database side of the sidecar's signals feed: one page of ERP signals records per call, set-based.

Contract (shape in SIDECAR_CONTRACT.md, "ERP signals record"):
- `signals_page(modified_after, after_name, limit)` returns {"records", "next_cursor", "deleted", "as_of",
  "has_more"} for the customers whose *effective modified* is after the (modified, name) cursor, ordered by
  (modified, name). A fixed number of SQL statements per page (one to pick the page, one per signal family
  with GROUP BY, one for deletions): never a per-customer document load.
- Effective modified = the greatest of the Customer's own `modified` and the `modified` of every document
  that feeds its record (Sales Invoice, Sales Order, Payment Entry, Contract, Quotation, Opportunity, Issue,
  linked Contact, RevOps Payment Link, RevOps Lead Handoff), and of the moments a record changes with no document saved: an open invoice turning overdue
  (midnight after its due date), a contract starting or ending, a quotation or issue leaving its look-back
  window. Those moments are only counted once they are in the past, so the cursor never runs ahead of now.
- Only the feeding rows with a timestamp >= the cursor are read to pick the page: the greatest timestamp of
  a customer is in that subset whenever it is >= the cursor, so the page is exact without a full scan.
- `full_signals_page(after_name, limit, snapshot)` is the full pass: pages by customer name (primary key
  range, then the feeding rows of those customers only, through their customer indexes), so a page costs
  the same at any table size; it serves customers whose effective modified is before the snapshot taken at
  its first page and then hands over to the (modified, name) cursor at that snapshot (see its docstring).
- `deleted`: Customers in Deleted Document (not restored) deleted after `modified_after` and not after this
  page's last record (more pages follow) or the horizon (last page): each deletion is reported once.
- Settle window: changes younger than `settle_seconds` (the endpoint: 60 s) are left for the next call, so
  the cursor never passes a row whose transaction has not committed yet; `as_of` is that horizon.
- Amounts are in the default company's currency and count only invoices of companies keeping their books in
  that currency; returns (negative totals) are netted into lifetime revenue.
Every ERPNext field read here is declared in `revops_app.revops.schema` (block "sidecar signals feed").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import frappe
from frappe.utils import getdate, now_datetime

from revops_app.revops.signals.pages import (
	deleted_customers,
	format_modified,
	full_page,
	pick_page,
)
from revops_app.revops.signals.records import build_records


def default_currency() -> str:
	company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {}, "name")
	return frappe.get_cached_value("Company", company, "default_currency") if company else ""


def signals_page(
	modified_after: datetime | None,
	after_name: str,
	limit: int,
	settle_seconds: float = 0,
	now: datetime | None = None,
) -> dict[str, Any]:
	"""One page of the feed. Changes younger than `settle_seconds` are held back for the next call: a
	document's `modified` is set when it is saved but only visible when its transaction commits, so a
	cursor must not run past rows another transaction may still commit (the endpoint uses 60 s)."""
	now = now or now_datetime()
	today = getdate(now)
	horizon = now - timedelta(seconds=max(settle_seconds, 0))
	picked = pick_page(modified_after, after_name, limit + 1, today, horizon)
	has_more = len(picked) > limit
	picked = picked[:limit]
	records = build_records(picked, today, default_currency())
	deleted = deleted_customers(modified_after, picked[-1][1] if has_more else horizon)
	next_cursor = None
	if picked:
		next_cursor = {"modified": format_modified(picked[-1][1]), "name": picked[-1][0]}
	elif deleted:
		# nothing changed but deletions did: move past them so they are not reported again
		next_cursor = {"modified": format_modified(deleted[-1][1]), "name": ""}
	return {
		"records": records,
		"next_cursor": next_cursor,
		"deleted": [name for name, _ in deleted],
		"as_of": format_modified(horizon),
		"has_more": has_more,
	}


def full_signals_page(
	after_name: str,
	limit: int,
	snapshot: datetime | None = None,
	settle_seconds: float = 0,
	now: datetime | None = None,
) -> dict[str, Any]:
	"""One page of a full pass, paged by customer name: a constant cost per page, whatever the table size.

	The first page (`snapshot` None) takes the snapshot S = now - settle_seconds. Each page serves the
	customers whose effective modified is before S, so a full page is exact for them; those changed at or
	after S (or created during the pass) are left to the incremental feed. While names remain, next_cursor is
	{"modified": "", "name": last name scanned, "snapshot": S}; after the last name it is the plain
	incremental cursor {"modified": S, "name": ""} with has_more true, so the caller goes on with the changes
	made during the pass: every customer is served once by the pass or after it, never lost. A full pass
	reports no deletions (the caller starts from nothing); deletions after S come with the incremental feed.
	"""
	now = now or now_datetime()
	today = getdate(now)
	if snapshot is None:
		snapshot = now - timedelta(seconds=max(settle_seconds, 0))
	picked, last_name, more = full_page(after_name, limit, snapshot, today)
	name_range = (after_name or "", last_name) if last_name else None
	records = build_records(picked, today, default_currency(), name_range=name_range)
	if more:
		next_cursor = {"modified": "", "name": last_name, "snapshot": format_modified(snapshot)}
	else:
		next_cursor = {"modified": format_modified(snapshot), "name": ""}
	return {
		"records": records,
		"next_cursor": next_cursor,
		"deleted": [],
		"as_of": format_modified(snapshot),
		"has_more": True,  # after the last name, the caller reads the changes made during the pass
	}


def customer_records(names: list[str], now: datetime | None = None) -> dict[str, Any]:
	"""The records of the named customers as they are now (a push pass): {"records", "deleted"}, deleted naming
	the customers that do not exist. A pushed change has committed, so no settle window applies."""
	now = now or now_datetime()
	wanted = sorted(set(names))
	existing = (
		set(frappe.get_all("Customer", filters={"name": ["in", wanted]}, pluck="name")) if wanted else set()
	)
	page = [(name, now) for name in wanted if name in existing]
	return {
		"records": build_records(page, getdate(now), default_currency()),
		"deleted": [name for name in wanted if name not in existing],
	}
