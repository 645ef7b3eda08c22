"""The sync pipeline: ERP signals + HubSpot contacts -> scores -> changed values to HubSpot -> SQL handoffs.

Contract (`Pipeline.run_pass(mode)`, mode "incremental" or "full"):
1. ERP: pull changed customers' signals page by page through `sidecar.erp` (one call per page, (modified, name)
   cursor; with no stored cursor the app's full pass by customer name, whose cursor carries its snapshot
   until it hands over to (snapshot, "")); cache them in the store (records + domain index); deletions drop the cached record. The ERP cursor
   is saved only when the whole pass has succeeded, so a crash replays the pages (everything after is idempotent).
2. HubSpot: full = every contact and company through the list endpoint; incremental = contacts and companies
   modified since the last pass (search, id-cursor paging past 10k), the contacts of companies matching changed
   ERP customers, and contacts already matched to them. Only the properties scoring needs are requested.
3. Match: company property `revops_erp_customer`, else company domain, else the contact's e-mail domain, against
   the cached ERP domains.
4. Score with `sidecar.scoring`; build the values to push (score, tiers, band, reasons, matched customer); hash
   them; push only values whose hash differs from the ledger, in batches of <= 100. Failed records are recorded
   as errors and not written to the ledger, so the next pass retries them.
5. Record score history (when a contact's score moved), contact state, crossings -> handoff decision + outbox row
   (one transaction), then deliver the outbox (sidecar.handoff).
Dry run (`dry_run=True`, used by `plan` and `demo`): everything is computed, nothing is written to HubSpot,
ERPNext or the store (cursors do not move); `PassResult.changes` / `.handoffs` say what would happen.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sidecar.config import Config
from sidecar.handoff import OwnerRouter, build_task_properties, crossing_decision, deliver_handoffs
from sidecar.hubspot.properties import ERP_CUSTOMER_PROPERTY, score_property_names
from sidecar.scoring import COMPANY_PROPERTIES, CONTACT_PROPERTIES, build_company_signals, build_signals
from sidecar.store import ContactState, Store

log = logging.getLogger(__name__)

EXTRA_CONTACT_PROPERTIES = (
	"lastmodifieddate",
	"hs_last_sales_activity_timestamp",
	"lifecyclestage",
	"hubspot_owner_id",
)
EXTRA_COMPANY_PROPERTIES = ("hs_lastmodifieddate", "domain", ERP_CUSTOMER_PROPERTY)
CONVERTED_STAGES = {"opportunity", "customer", "evangelist"}
FREEMAIL = {
	"gmail.com",
	"googlemail.com",
	"yahoo.com",
	"hotmail.com",
	"outlook.com",
	"live.com",
	"icloud.com",
	"gmx.de",
	"web.de",
	"proton.me",
}
CURSOR_ERP = "erp_signals"
CURSOR_CONTACTS = "hubspot_contacts_modified"
CURSOR_COMPANIES = "hubspot_companies_modified"
CURSOR_FULL = "last_full_pass"
CURSOR_PROPERTIES = "hubspot_properties_version"
PROPERTIES_VERSION = 1
OVERLAP = timedelta(minutes=5)  # re-read a little before the cursor: HubSpot's search index lags writes


@dataclass
class PassResult:
	mode: str
	dry_run: bool
	as_of: datetime
	stats: dict[str, Any] = field(default_factory=dict)
	changes: list[dict[str, Any]] = field(default_factory=list)  # values that were/would be pushed
	handoffs: list[dict[str, Any]] = field(default_factory=list)  # crossings decided (or that would be)
	top: list[dict[str, Any]] = field(default_factory=list)  # best scores of the pass with breakdown
	errors: dict[str, str] = field(default_factory=dict)


def values_hash(values: dict[str, Any]) -> str:
	return hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def _parse_time(value: Any) -> datetime | None:
	if value in (None, ""):
		return None
	try:
		if isinstance(value, int | float) or str(value).isdigit():
			return datetime.fromtimestamp(int(value) / 1000, timezone.utc).replace(tzinfo=None)
		return (
			datetime.fromisoformat(str(value).replace("Z", "+00:00"))
			.astimezone(timezone.utc)
			.replace(tzinfo=None)
		)
	except (ValueError, OverflowError, OSError):
		return None


def _company_id(contact: dict) -> str | None:
	props = contact.get("properties") or {}
	if props.get("associatedcompanyid"):
		return str(props["associatedcompanyid"])
	assoc = ((contact.get("associations") or {}).get("companies") or {}).get("results") or []
	return str(assoc[0]["id"]) if assoc else None


class ErpIndex:
	"""ERP records by customer and domain: the store's cache plus (in dry runs) an in-memory overlay."""

	def __init__(self, store: Store, dry_run: bool):
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


class Pipeline:
	def __init__(
		self,
		cfg: Config,
		store: Store,
		hubspot: Any,
		erp: Any | None,
		model: Any,
		dry_run: bool = False,
		clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
		progress: Callable[[str, int, int | None], None] | None = None,
	):
		self.cfg = cfg
		self.store = store
		self.hubspot = hubspot
		self.erp = erp
		self.model = model
		self.dry_run = dry_run
		self.clock = clock
		self.progress = progress
		self.names = score_property_names(cfg.get("hubspot.property_prefix"))
		self.contact_props = list(dict.fromkeys([*CONTACT_PROPERTIES, *EXTRA_CONTACT_PROPERTIES]))
		self.company_props = list(dict.fromkeys([*COMPANY_PROPERTIES, *EXTRA_COMPANY_PROPERTIES]))

	# --- steps -----------------------------------------------------------------------------------
	def pull_erp(self, index: ErpIndex, stats: dict[str, Any]) -> tuple[set[str], Any]:
		"""Drain the ERP signals feed from the stored cursor; returns (changed customer names, new cursor)."""
		changed: set[str] = set()
		cursor = self.store.get_cursor(CURSOR_ERP) or {}
		if self.erp is None:
			return changed, cursor or None
		pages = records = deleted = 0
		limit = self.cfg.get("erp.page_size")
		while True:
			args = {
				"modified_after": cursor.get("modified", "") if cursor else "",
				"after_name": cursor.get("name", "") if cursor else "",
				"limit": limit,
			}
			if cursor and cursor.get("snapshot"):  # a full pass by name under way (ErpClient)
				args["snapshot"] = cursor["snapshot"]
			page = self.erp.customer_signals(**args)
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

	def _contacts_for_companies(self, company_ids: Iterable[str]) -> dict[str, dict]:
		out: dict[str, dict] = {}
		ids = sorted(set(company_ids))
		for start in range(0, len(ids), 100):
			chunk = ids[start : start + 100]
			for c in self.hubspot.search_all(
				"contacts",
				[{"propertyName": "associatedcompanyid", "operator": "IN", "values": chunk}],
				self.contact_props,
			):
				out[str(c["id"])] = c
		return out

	def gather(
		self, mode: str, changed_customers: set[str], index: ErpIndex, stats: dict[str, Any]
	) -> tuple[dict[str, dict], dict[str, dict], dict[str, str]]:
		"""(contacts by id, companies by id, new HubSpot cursors)."""
		started = self.clock().astimezone(timezone.utc)
		cursors: dict[str, str] = {}
		contacts: dict[str, dict] = {}
		companies: dict[str, dict] = {}
		if mode == "full":
			for company in self.hubspot.iter_objects("companies", self.company_props):
				companies[str(company["id"])] = company
				if self.progress:
					self.progress("reading companies", len(companies), None)
			for contact in self.hubspot.iter_objects("contacts", self.contact_props):
				contacts[str(contact["id"])] = contact
				if self.progress:
					self.progress("reading contacts", len(contacts), None)
			cursors[CURSOR_CONTACTS] = cursors[CURSOR_COMPANIES] = started.isoformat()
			return contacts, companies, cursors
		since_contacts = self.store.get_cursor(CURSOR_CONTACTS)
		since_companies = self.store.get_cursor(CURSOR_COMPANIES)
		if since_contacts is None or since_companies is None:
			raise RuntimeError("no previous pass recorded: run `revops-sidecar backfill` (a full pass) first")

		def since(value: str) -> str:
			at = datetime.fromisoformat(value) - OVERLAP
			return str(int(at.timestamp() * 1000))

		for c in self.hubspot.search_all(
			"contacts",
			[{"propertyName": "lastmodifieddate", "operator": "GTE", "value": since(since_contacts)}],
			self.contact_props,
		):
			contacts[str(c["id"])] = c
		stats["contacts_modified"] = len(contacts)
		changed_companies = {
			str(c["id"]): c
			for c in self.hubspot.search_all(
				"companies",
				[{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": since(since_companies)}],
				self.company_props,
			)
		}
		companies.update(changed_companies)
		stats["companies_modified"] = len(changed_companies)
		# companies matching changed ERP customers (by pinned name or by domain), and contacts matched before
		if changed_customers:
			records = index.records(changed_customers)
			domains = sorted({d.lower() for r in records.values() for d in r.get("domains") or []})
			names = sorted(changed_customers)
			for start in range(0, len(names), 100):
				for c in self.hubspot.search_all(
					"companies",
					[
						{
							"propertyName": ERP_CUSTOMER_PROPERTY,
							"operator": "IN",
							"values": names[start : start + 100],
						}
					],
					self.company_props,
				):
					companies[str(c["id"])] = c
			for start in range(0, len(domains), 100):
				for c in self.hubspot.search_all(
					"companies",
					[{"propertyName": "domain", "operator": "IN", "values": domains[start : start + 100]}],
					self.company_props,
				):
					companies[str(c["id"])] = c
			known = self.store.contacts_for_customers(changed_customers) - set(contacts)
			if known:
				contacts.update(self.hubspot.batch_read("contacts", sorted(known), self.contact_props))
		for cid, c in self._contacts_for_companies(companies).items():
			contacts.setdefault(cid, c)
		missing_companies = {_company_id(c) for c in contacts.values()} - set(companies) - {None}
		if missing_companies:
			companies.update(
				self.hubspot.batch_read("companies", sorted(missing_companies), self.company_props)
			)
		cursors[CURSOR_CONTACTS] = cursors[CURSOR_COMPANIES] = started.isoformat()
		return contacts, companies, cursors

	def match(
		self, contacts: dict[str, dict], companies: dict[str, dict], index: ErpIndex
	) -> dict[str, str | None]:
		"""contact id -> ERP customer name (or None)."""
		pinned = {cid: (c.get("properties") or {}).get(ERP_CUSTOMER_PROPERTY) for cid, c in companies.items()}
		domains = {
			cid: str((c.get("properties") or {}).get("domain") or "").lower() for cid, c in companies.items()
		}
		email_domains = {}
		for cid, c in contacts.items():
			email = str((c.get("properties") or {}).get("email") or "")
			email_domains[cid] = email.rsplit("@", 1)[1].lower() if "@" in email else ""
		lookup = index.by_domain(
			{*domains.values(), *(d for d in email_domains.values() if d not in FREEMAIL)}
		)
		pinned_ok = set(index.records({p for p in pinned.values() if p}))
		out: dict[str, str | None] = {}
		for cid, contact in contacts.items():
			company_id = _company_id(contact)
			customer = None
			if company_id and pinned.get(company_id) in pinned_ok:
				customer = pinned[company_id]
			elif company_id and domains.get(company_id) in lookup:
				customer = lookup[domains[company_id]]
			elif email_domains[cid] and email_domains[cid] not in FREEMAIL:
				customer = lookup.get(email_domains[cid])
			out[cid] = customer
		return out

	def push_values(self, result: Any, customer: str | None) -> dict[str, Any]:
		tiers = result.tiers
		return {
			self.names["total"]: int(result.total),
			self.names["fit"]: round(float(tiers.get("fit", 0))),
			self.names["behaviour"]: round(float(tiers.get("behaviour", 0))),
			self.names["erp"]: round(float(tiers.get("erp", 0))),
			self.names["band"]: result.band,
			self.names["reasons"]: "; ".join(result.reasons[:5])[:1000],
			ERP_CUSTOMER_PROPERTY: customer or "",
		}

	# --- the pass --------------------------------------------------------------------------------
	def run_pass(self, mode: str = "incremental") -> PassResult:
		if mode not in ("incremental", "full"):
			raise ValueError(f"unknown mode {mode}")
		t0 = time.perf_counter()
		as_of = self.clock()
		res = PassResult(mode=mode, dry_run=self.dry_run, as_of=as_of)
		stats = res.stats
		calls_before = dict(getattr(self.hubspot, "calls", {}) or {})
		run_id = None if self.dry_run else self.store.start_run(mode)
		try:
			self._ensure_properties()
			index = ErpIndex(self.store, self.dry_run)
			changed_customers, erp_cursor = self.pull_erp(index, stats)
			contacts, companies, hs_cursors = self.gather(mode, changed_customers, index, stats)
			stats["contacts_considered"] = len(contacts)
			matches = self.match(contacts, companies, index)
			erp = index.records({c for c in matches.values() if c})
			self._score_and_push(res, contacts, companies, matches, erp, run_id)
			if not self.dry_run:
				delivery = deliver_handoffs(
					self.store,
					self.hubspot,
					settle_seconds=self.cfg.get("hubspot.search_settle_seconds"),
					reassign_owned=self.cfg.get("handoff.reassign_owned"),
				)
				stats.update(
					tasks_created=delivery.created,
					tasks_reconciled=delivery.reconciled,
					tasks_deferred=delivery.deferred,
					owner_updates=delivery.owner_updates,
				)
				res.errors.update(delivery.errors)
				if erp_cursor:
					self.store.set_cursor(CURSOR_ERP, erp_cursor)
				for name, value in hs_cursors.items():
					self.store.set_cursor(name, value)
				if mode == "full":
					self.store.set_cursor(CURSOR_FULL, as_of.isoformat())
		except Exception as exc:
			stats["seconds"] = round(time.perf_counter() - t0, 3)
			self._calls(stats, calls_before)
			if run_id is not None:
				self.store.finish_run(run_id, "error", stats, f"{type(exc).__name__}: {exc}")
			raise
		stats["seconds"] = round(time.perf_counter() - t0, 3)
		self._calls(stats, calls_before)
		if run_id is not None:
			self.store.finish_run(run_id, "partial" if res.errors else "ok", stats, None)
		return res

	def _calls(self, stats: dict[str, Any], before: dict[str, int]) -> None:
		after = dict(getattr(self.hubspot, "calls", {}) or {})
		for kind in ("read", "search", "write"):
			stats[f"hubspot_{kind}_calls"] = after.get(kind, 0) - before.get(kind, 0)
		if not self.dry_run:
			day = datetime.now(timezone.utc).date().isoformat()
			self.store.add_usage(day, sum(after.values()) - sum(before.values()))

	def _ensure_properties(self) -> None:
		if self.dry_run or self.store.get_cursor(CURSOR_PROPERTIES) == PROPERTIES_VERSION:
			return
		self.hubspot.ensure_properties()
		self.store.set_cursor(CURSOR_PROPERTIES, PROPERTIES_VERSION)

	def _score_and_push(
		self,
		res: PassResult,
		contacts: dict[str, dict],
		companies: dict[str, dict],
		matches: dict[str, str | None],
		erp: dict[str, dict],
		run_id: int | None,
	) -> None:
		cfg, stats, as_of = self.cfg, res.stats, res.as_of
		threshold = cfg.get("scoring.sql_threshold")
		states = self.store.contact_states(contacts)
		ledger = self.store.ledger_hashes("contacts", contacts)
		updates: dict[str, dict[str, Any]] = {}
		hashes: dict[str, str] = {}
		history: list[dict[str, Any]] = []
		new_states: list[ContactState] = []
		crossed: list[tuple[str, Any, ContactState]] = []
		rearmed: list[str] = []
		signals_by_company: dict[str, list[Any]] = {}
		company_customer: dict[str, str] = {}
		scored: list[tuple[int, str, Any]] = []
		now_naive = as_of.astimezone(timezone.utc).replace(tzinfo=None)
		total = len(contacts)
		for n, (cid, contact) in enumerate(sorted(contacts.items(), key=lambda kv: kv[0])):
			company_id = _company_id(contact)
			company = companies.get(company_id) if company_id else None
			customer = matches.get(cid)
			record = erp.get(customer) if customer else None
			signals = build_signals(contact, company, record, as_of)
			result = self.model.score(signals, as_of)
			if company_id:
				signals_by_company.setdefault(company_id, []).append(signals)
				if customer:
					company_customer.setdefault(company_id, customer)
			scored.append((result.total, cid, result))
			values = self.push_values(result, customer)
			digest = values_hash(values)
			if ledger.get(cid) != digest:
				updates[cid] = values
				hashes[cid] = digest
			props = contact.get("properties") or {}
			prev = states.get(cid) or ContactState(contact_id=cid)
			crossed_now, rearm = crossing_decision(
				prev,
				result.total,
				threshold,
				cfg.get("handoff.rearm_margin"),
				cfg.get("handoff.first_score_counts"),
			)
			if prev.score is None or float(prev.score) != float(result.total):
				history.append(
					{
						"contact_id": cid,
						"company_id": company_id,
						"erp_customer": customer,
						"scored_at": now_naive,
						"total": float(result.total),
						"fit": float(result.tiers.get("fit", 0)),
						"behaviour": float(result.tiers.get("behaviour", 0)),
						"erp": float(result.tiers.get("erp", 0)),
					}
				)
			stage = str(props.get("lifecyclestage") or "").lower() or None
			converted_at = prev.converted_at or (now_naive if stage in CONVERTED_STAGES else None)
			touch = _parse_time(props.get("hs_last_sales_activity_timestamp"))
			state = ContactState(
				contact_id=cid,
				# a crossing's new score is written together with the handoff (decide_handoff), never before it
				score=prev.score if crossed_now else float(result.total),
				armed=prev.armed or rearm,
				crossings=prev.crossings,
				company_id=company_id,
				erp_customer=customer,
				lifecyclestage=stage,
				converted_at=converted_at,
				last_touch_at=touch or prev.last_touch_at,
				exists=prev.exists,
			)
			new_states.append(state)
			if rearm:
				rearmed.append(cid)
			if crossed_now and cfg.get("handoff.enabled"):
				crossed.append((cid, result, state))
			elif crossed_now:  # handoffs off: track the crossing state only
				state.score, state.armed = float(result.total), False
			if self.progress:
				self.progress("scoring contacts", n + 1, total)
		stats["contacts_scored"] = total
		stats["changed"] = len(updates)
		stats["crossings"] = len(crossed)
		stats["rearmed"] = len(rearmed)
		scored.sort(key=lambda t: (-t[0], t[1]))
		for _total, cid, result in scored[:25]:
			props = contacts[cid].get("properties") or {}
			res.top.append(
				{
					"contact_id": cid,
					"name": " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p),
					"email": props.get("email"),
					"erp_customer": matches.get(cid),
					**result.to_dict(),
				}
			)
		# company scores: only on full passes, where every contact of the company is known
		company_updates: dict[str, dict[str, Any]] = {}
		company_hashes: dict[str, str] = {}
		if res.mode == "full" and cfg.get("scoring.push_company_scores"):
			company_ledger = self.store.ledger_hashes("companies", signals_by_company)
			for company_id, contact_signals in signals_by_company.items():
				company = companies.get(company_id)
				if company is None:
					continue
				customer = company_customer.get(company_id)
				record = erp.get(customer) if customer else None
				comp = self.model.score_company(
					build_company_signals(company, record, as_of), contact_signals, as_of
				)
				values = self.push_values(comp, customer)
				values.pop(ERP_CUSTOMER_PROPERTY)
				digest = values_hash(values)
				if company_ledger.get(company_id) != digest:
					company_updates[company_id] = values
					company_hashes[company_id] = digest
			stats["companies_changed"] = len(company_updates)
		for cid, values in updates.items():
			res.changes.append({"object_type": "contacts", "id": cid, "properties": values})
		for cid, values in company_updates.items():
			res.changes.append({"object_type": "companies", "id": cid, "properties": values})
		# handoff decisions (planned in dry runs)
		owners = self.hubspot.list_owners() if crossed else []
		router = OwnerRouter.from_config(cfg, owners, None if self.dry_run else self.store)
		decisions = []
		for cid, result, state in crossed:
			contact = contacts[cid]
			company_id = _company_id(contact)
			company = companies.get(company_id) if company_id else None
			customer = matches.get(cid)
			facts = result.facts or {}
			product_lines = set(facts.get("product_lines") or [])
			cprops = (company or {}).get("properties") or {}
			# rules may name an industry by label, HubSpot enum or key, a territory by ERP territory or country
			industries = {
				v for v in (facts.get("industry"), facts.get("industry_key"), cprops.get("industry")) if v
			}
			territories = {
				v for v in (facts.get("territory"), facts.get("country"), cprops.get("country")) if v
			}
			current_owner = (contact.get("properties") or {}).get("hubspot_owner_id") or None
			if current_owner and not cfg.get("handoff.reassign_owned"):
				# an owned contact keeps its owner, who also gets the task (no round-robin turn used)
				team, owner_id = router.team_for(territories, industries, product_lines), str(current_owner)
			else:
				team, owner_id = router.route(territories, industries, product_lines)
			key = f"{cid}:{state.crossings + 1}"
			task = build_task_properties(
				key=key,
				contact=contact,
				company=company,
				erp=erp.get(customer) if customer else None,
				result=result.to_dict(),
				owner_id=owner_id,
				team=team,
				threshold=threshold,
				as_of=as_of,
				due_business_days=cfg.get("handoff.due_business_days"),
				priority=cfg.get("handoff.task_priority"),
			)
			payload = {"contact_id": cid, "owner_id": owner_id, "current_owner": current_owner, "task": task}
			details = {
				"team": team,
				"owner_id": owner_id,
				"score": result.total,
				"tiers": result.tiers,
				"reasons": result.reasons[:6],
				"erp_customer": customer,
			}
			decisions.append((cid, state, result, payload, details, key))
			res.handoffs.append(
				{
					"contact_id": cid,
					"key": key,
					"score": result.total,
					"team": team,
					"owner_id": owner_id,
					"subject": task["hs_task_subject"],
					"erp_customer": customer,
				}
			)
		if self.dry_run:
			return
		# write order: state/history first, then crossings (each atomic), then HubSpot values, then the ledger
		self.store.save_states(new_states)
		self.store.add_score_history(history)
		decided = 0
		for cid, state, result, payload, details, _key in decisions:
			if self.store.decide_handoff(cid, state.crossings, float(result.total), payload, details):
				decided += 1
		stats["handoffs_decided"] = decided
		touches = {s.contact_id: s.last_touch_at for s in new_states if s.last_touch_at}
		if touches:
			self.store.record_first_touch(touches)
		written = self.hubspot.batch_update("contacts", updates) if updates else None
		if written is not None:
			self.store.record_pushed("contacts", {i: hashes[i] for i in written.ok if i in hashes})
			if written.failed:
				self.store.record_errors(run_id, "contacts", written.failed)
				res.errors.update({f"contacts/{k}": v for k, v in written.failed.items()})
			stats["written"] = len(written.ok)
			stats["write_failed"] = len(written.failed)
		if company_updates:
			cw = self.hubspot.batch_update("companies", company_updates)
			self.store.record_pushed(
				"companies", {i: company_hashes[i] for i in cw.ok if i in company_hashes}
			)
			if cw.failed:
				self.store.record_errors(run_id, "companies", cw.failed)
				res.errors.update({f"companies/{k}": v for k, v in cw.failed.items()})
