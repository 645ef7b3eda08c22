"""Outcome reads: deals changed since a cursor with their contacts and companies, and lifecycle stage dates.

Contract:
- `read_deals_since(client, since_ms)` searches deals with `hs_lastmodifieddate >= since_ms` (the search API,
  through the client's limiter and retries; past the 10k cap by id), then reads each page's contact and
  company associations with the v4 batch read (100 ids a call, following per-id paging). Yields pages of
  normalised deals; the caller stores a page and the cursor together (store.upsert_deals).
- `read_lifecycle_since(client, since_ms)` searches contacts modified since the cursor for HubSpot's
  `hs_lifecyclestage_<stage>_date` properties: the moment a contact entered each stage, not the pass time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from hubspot.crm.associations.v4 import (
	BatchInputPublicFetchAssociationsBatchRequest,
	PublicFetchAssociationsBatchRequest,
)

DEAL_PROPERTIES = [
	"dealname",
	"pipeline",
	"dealstage",
	"amount",
	"closedate",
	"createdate",
	"hs_is_closed",
	"hs_is_closed_won",
	"hs_lastmodifieddate",
]
LIFECYCLE_STAGES = ("marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
LIFECYCLE_PROPERTIES = [f"hs_lifecyclestage_{stage}_date" for stage in LIFECYCLE_STAGES]
PAGE = 100  # one association batch read per page of deals


def parse_time(value: Any) -> datetime | None:
	"""HubSpot ISO 8601 or epoch milliseconds -> naive UTC; anything else -> None."""
	if value in (None, ""):
		return None
	text = str(value)
	try:
		if text.isdigit():
			return datetime.fromtimestamp(int(text) / 1000, tz=timezone.utc).replace(tzinfo=None)
		parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
	except ValueError:
		return None
	if parsed.tzinfo is not None:
		parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
	return parsed


def _number(value: Any) -> float | None:
	try:
		return float(str(value).replace(",", "")) if value not in (None, "") else None
	except ValueError:
		return None


def _flag(value: Any) -> bool:
	return str(value).lower() == "true"


def normalise_deal(obj: dict[str, Any]) -> dict[str, Any]:
	p = obj.get("properties") or {}
	return {
		"deal_id": str(obj["id"]),
		"name": p.get("dealname"),
		"pipeline": p.get("pipeline"),
		"stage": p.get("dealstage"),
		"amount": _number(p.get("amount")),
		"close_date": parse_time(p.get("closedate")),
		"created_at": parse_time(p.get("createdate")),
		"is_closed": _flag(p.get("hs_is_closed")),
		"is_won": _flag(p.get("hs_is_closed_won")),
		"modified_at": parse_time(p.get("hs_lastmodifieddate")),
		"contacts": [],
		"companies": [],
	}


def read_associations(client: Any, from_type: str, to_type: str, ids: list[str]) -> dict[str, list[str]]:
	"""{from id: [to ids]} through the v4 batch read, following each id's `after` until it is exhausted."""
	out: dict[str, list[str]] = {i: [] for i in ids}
	pending = [(i, None) for i in ids]
	while pending:
		batch, pending = pending[:PAGE], pending[PAGE:]
		inputs = [
			PublicFetchAssociationsBatchRequest(id=i, after=after)
			if after
			else PublicFetchAssociationsBatchRequest(id=i)
			for i, after in batch
		]
		request = BatchInputPublicFetchAssociationsBatchRequest(inputs=inputs)
		_, body = client._request("read", client._associations_batch.get_page, from_type, to_type, request)
		for result in (body or {}).get("results", []):
			source = str(result["from"]["id"])
			out.setdefault(source, []).extend(str(t["toObjectId"]) for t in result.get("to", []))
			after = ((result.get("paging") or {}).get("next") or {}).get("after")
			if after:
				pending.append((source, after))
	return out


def read_deals_since(client: Any, since_ms: int) -> Iterator[list[dict[str, Any]]]:
	"""Pages of deals modified at/after `since_ms`, each deal with its contact and company ids."""
	filters = [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(since_ms)}]
	page: list[dict[str, Any]] = []
	for obj in client.search_all("deals", filters, DEAL_PROPERTIES):
		page.append(normalise_deal(obj))
		if len(page) >= PAGE:
			yield _associate(client, page)
			page = []
	if page:
		yield _associate(client, page)


def _associate(client: Any, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
	ids = [d["deal_id"] for d in page]
	contacts = read_associations(client, "deals", "contacts", ids)
	companies = read_associations(client, "deals", "companies", ids)
	for d in page:
		d["contacts"] = contacts.get(d["deal_id"], [])
		d["companies"] = companies.get(d["deal_id"], [])
	return page


def read_lifecycle_since(client: Any, since_ms: int) -> Iterator[tuple[str, str, datetime, datetime | None]]:
	"""(contact id, stage, entered at, contact modified at) for every stage date of contacts modified since."""
	filters = [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(since_ms)}]
	for obj in client.search_all("contacts", filters, [*LIFECYCLE_PROPERTIES, "lastmodifieddate"]):
		p = obj.get("properties") or {}
		modified = parse_time(p.get("lastmodifieddate"))
		for stage, prop in zip(LIFECYCLE_STAGES, LIFECYCLE_PROPERTIES, strict=False):
			at = parse_time(p.get(prop))
			if at is not None:
				yield str(obj["id"]), stage, at, modified
