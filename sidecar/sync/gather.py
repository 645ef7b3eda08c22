"""Step 1, gather: ERP changes into the cache, then the HubSpot contacts and companies the pass scores.

full = every contact and company through the list endpoint; incremental = contacts and companies modified
since the last pass (search, id-cursor paging past 10k), the companies of changed ERP customers (pinned name
or domain), the contacts already matched to them, every contact of those companies, and any company a
contact points at that was not read yet. Only the properties scoring needs are requested. The result says
which ERP customer each contact matches and carries the cursors to save once the pass has succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sidecar.hubspot.properties import ERP_CUSTOMER_PROPERTY
from sidecar.sync.constants import (
	COMPANY_READ_PROPERTIES,
	CONTACT_READ_PROPERTIES,
	CURSOR_COMPANIES,
	CURSOR_CONTACTS,
	OVERLAP,
	SEARCH_CHUNK,
)
from sidecar.sync.context import PassContext
from sidecar.sync.erp_feed import ErpIndex, pull_erp
from sidecar.sync.match import company_id_of, match_customers

log = logging.getLogger(__name__)


@dataclass
class Gathered:
	contacts: dict[str, dict]  # contact id -> HubSpot contact
	companies: dict[str, dict]  # company id -> HubSpot company
	matches: dict[str, str | None]  # contact id -> ERP customer
	erp: dict[str, dict]  # ERP records of the matched customers
	erp_cursor: Any  # the signals cursor to save after the pass
	hubspot_cursors: dict[str, str] = field(default_factory=dict)
	# companies to score on an incremental pass (due pending company writes); full passes score every company
	company_targets: set[str] = field(default_factory=set)


def gather(ctx: PassContext, stats: dict[str, Any]) -> Gathered:
	index = ErpIndex(ctx.store, ctx.dry_run)
	changed_customers, erp_cursor = pull_erp(ctx, index, stats)
	started = ctx.clock().astimezone(timezone.utc)
	targets: set[str] = set()
	if ctx.mode == "full":
		contacts, companies = _read_everything(ctx)
	else:
		contacts, companies, targets = _read_changes(ctx, changed_customers, index, stats)
	stats["contacts_considered"] = len(contacts)
	matches = match_customers(contacts, companies, index)
	return Gathered(
		contacts=contacts,
		companies=companies,
		matches=matches,
		erp=index.records({c for c in matches.values() if c}),
		erp_cursor=erp_cursor,
		hubspot_cursors={CURSOR_CONTACTS: started.isoformat(), CURSOR_COMPANIES: started.isoformat()},
		company_targets=targets,
	)


def _read_everything(ctx: PassContext) -> tuple[dict[str, dict], dict[str, dict]]:
	contacts: dict[str, dict] = {}
	companies: dict[str, dict] = {}
	for company in ctx.hubspot.iter_objects("companies", COMPANY_READ_PROPERTIES):
		companies[str(company["id"])] = company
		ctx.report("reading companies", len(companies), None)
	for contact in ctx.hubspot.iter_objects("contacts", CONTACT_READ_PROPERTIES):
		contacts[str(contact["id"])] = contact
		ctx.report("reading contacts", len(contacts), None)
	return contacts, companies


def _since(value: str) -> str:
	"""A stored cursor (ISO time) as HubSpot's epoch milliseconds, minus the search-index overlap."""
	at = datetime.fromisoformat(value) - OVERLAP
	return str(int(at.timestamp() * 1000))


def _search(ctx: PassContext, object_type: str, filters: list[dict]) -> dict[str, dict]:
	props = CONTACT_READ_PROPERTIES if object_type == "contacts" else COMPANY_READ_PROPERTIES
	return {str(o["id"]): o for o in ctx.hubspot.search_all(object_type, filters, props)}


def _search_in(ctx: PassContext, object_type: str, prop: str, values: Iterable[str]) -> dict[str, dict]:
	"""Objects whose `prop` is one of `values`, SEARCH_CHUNK values per search."""
	values = sorted(set(values))
	out: dict[str, dict] = {}
	for start in range(0, len(values), SEARCH_CHUNK):
		chunk = values[start : start + SEARCH_CHUNK]
		out.update(_search(ctx, object_type, [{"propertyName": prop, "operator": "IN", "values": chunk}]))
	return out


def _read_changes(
	ctx: PassContext, changed_customers: set[str], index: ErpIndex, stats: dict[str, Any]
) -> tuple[dict[str, dict], dict[str, dict], set[str]]:
	since_contacts = ctx.store.get_cursor(CURSOR_CONTACTS)
	since_companies = ctx.store.get_cursor(CURSOR_COMPANIES)
	if since_contacts is None or since_companies is None:
		raise RuntimeError("no previous pass recorded: run `revops-sidecar backfill` (a full pass) first")
	modified = [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": _since(since_contacts)}]
	contacts = _search(ctx, "contacts", modified)
	stats["contacts_modified"] = len(contacts)
	modified = [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": _since(since_companies)}]
	companies = _search(ctx, "companies", modified)
	stats["companies_modified"] = len(companies)
	if changed_customers:
		_add_changed_customers(ctx, changed_customers, index, contacts, companies)
	targets = add_pending(ctx, "companies", companies, stats)
	add_pending(ctx, "contacts", contacts, stats)
	for cid, c in _search_in(ctx, "contacts", "associatedcompanyid", companies).items():
		contacts.setdefault(cid, c)
	missing = {company_id_of(c) for c in contacts.values()} - set(companies) - {None}
	if missing:
		companies.update(ctx.hubspot.batch_read("companies", sorted(missing), COMPANY_READ_PROPERTIES))
	return contacts, companies, targets


def add_pending(ctx: PassContext, object_type: str, into: dict[str, dict], stats: dict[str, Any]) -> set[str]:
	"""Read the due records of the pending-write set that the pass does not hold yet; drop the gone ones."""
	due = ctx.store.due_pending(object_type)
	if not due:
		return set()
	props = CONTACT_READ_PROPERTIES if object_type == "contacts" else COMPANY_READ_PROPERTIES
	wanted = [i for i in due if i not in into]
	found = ctx.hubspot.batch_read(object_type, wanted, props) if wanted else {}
	into.update(found)
	gone = [i for i in wanted if i not in found]
	for object_id in gone:
		log.warning("pending %s %s is gone from HubSpot: dropped from the sync", object_type, object_id)
	if gone and not ctx.dry_run:
		ctx.store.clear_pending(object_type, gone)
	stats[f"pending_{object_type}"] = len(due) - len(gone)
	return set(due) - set(gone)


def _add_changed_customers(
	ctx: PassContext,
	changed_customers: set[str],
	index: ErpIndex,
	contacts: dict[str, dict],
	companies: dict[str, dict],
) -> None:
	"""Companies matching changed ERP customers (by pinned name or by domain), and contacts matched before."""
	records = index.records(changed_customers)
	domains = {d.lower() for r in records.values() for d in r.get("domains") or []}
	companies.update(_search_in(ctx, "companies", ERP_CUSTOMER_PROPERTY, changed_customers))
	companies.update(_search_in(ctx, "companies", "domain", domains))
	known = ctx.store.contacts_for_customers(changed_customers) - set(contacts)
	if known:
		contacts.update(ctx.hubspot.batch_read("contacts", sorted(known), CONTACT_READ_PROPERTIES))
