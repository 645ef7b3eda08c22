"""SQL handoff: threshold crossings, owner routing, one HubSpot task per crossing (exactly once).

Contract:
- `crossing_decision(state, score, threshold, rearm_margin, first_score_counts)` -> (crossed, rearm). A crossing
  is: the contact is armed, its previous score was below the threshold (or it has none and first scores count),
  and the new score is at/above it. After a crossing the contact is disarmed until its score drops below
  `threshold - rearm_margin` (hysteresis), so a score wobbling around the threshold never spams tasks.
- `OwnerRouter.route(territory, industry, product_lines)` -> (team, owner_id): the first `[[handoff.rules]]` match
  (territory, industry, product line), else `handoff.default_team`; within a team, round-robin over its owners
  (explicit ids/emails resolved via the owners API, or the members of a HubSpot team), pointer kept in the store.
- `build_task_properties(...)` -> the task's HubSpot properties: hs_task_subject, hs_task_body (score breakdown,
  latest activity date, firmographics, the ERP signals behind the score), hs_timestamp (due date, N business
  days), hs_task_priority, hs_task_status, hs_task_type, hubspot_owner_id and the idempotency key property.
- `deliver_handoffs(store, hubspot, ...)` drains the outbox. Exactly once per crossing, across crashes:
  1. the decision (state + handoff + outbox row) was committed before any call (Store.decide_handoff);
  2. each delivery attempt is counted in the outbox row BEFORE the call;
  3. a row that was attempted before is first reconciled: the contact's associated tasks (associations v4,
     consistent at once because the task is created with its association) are read for the key property, then
     tasks are searched by it (after `settle_seconds`: search is eventually consistent); a found task is reused;
  4. after the task exists, the contact owner is set (idempotent PATCH) and the row is marked done.
"""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sidecar.config import Config, HandoffRule, Team
from sidecar.hubspot.client import AmbiguousWrite, HubSpotError
from sidecar.hubspot.properties import TASK_KEY_PROPERTY
from sidecar.store import ContactState, Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10  # a row failing with a definite 4xx this often is marked failed (visible in `status`)


def crossing_decision(
	state: ContactState, score: float, threshold: float, rearm_margin: float, first_score_counts: bool = True
) -> tuple[bool, bool]:
	"""(crossed, rearmed) for a contact moving from `state.score` to `score`."""
	armed = state.armed
	rearm = False
	if not armed and score < threshold - rearm_margin:
		armed, rearm = True, True
	if not armed or score < threshold:
		return False, rearm
	if state.score is None:
		return first_score_counts, rearm
	return state.score < threshold or rearm, rearm


def add_business_days(start: date, days: int) -> date:
	current = start
	added = 0
	while added < days:
		current += timedelta(days=1)
		if current.weekday() < 5:
			added += 1
	while current.weekday() >= 5:  # a 0-day due date on a weekend moves to Monday
		current += timedelta(days=1)
	return current


@dataclass
class OwnerRouter:
	rules: tuple[HandoffRule, ...]
	teams: dict[str, Team]
	default_team: str
	owners: list[dict[str, Any]]
	store: Store | None = None
	_pointers: dict[str, int] = field(default_factory=dict)
	_members: dict[str, list[str]] = field(default_factory=dict)

	@classmethod
	def from_config(cls, cfg: Config, owners: list[dict[str, Any]], store: Store | None) -> OwnerRouter:
		return cls(
			rules=cfg.rules,
			teams=cfg.teams,
			default_team=cfg.get("handoff.default_team"),
			owners=owners,
			store=store,
		)

	def team_for(
		self, territory: str | set[str] | None, industry: str | set[str] | None, product_lines: set[str]
	) -> str | None:
		for rule in self.rules:
			if rule.matches(territory, industry, product_lines):
				return rule.team
		return self.default_team or None

	def members(self, team_name: str) -> list[str]:
		if team_name in self._members:
			return self._members[team_name]
		team = self.teams.get(team_name)
		ids: list[str] = []
		if team is not None:
			active = [o for o in self.owners if not o.get("archived")]
			by_email = {str(o.get("email", "")).lower(): str(o["id"]) for o in active if o.get("email")}
			known = {str(o["id"]) for o in active}
			for ref in team.owners:
				owner_id = by_email.get(ref.lower()) if "@" in ref else (ref if ref in known else None)
				if owner_id is None:
					log.warning("handoff team %s: owner %s is not an active HubSpot owner", team_name, ref)
				elif owner_id not in ids:
					ids.append(owner_id)
			if team.hubspot_team:
				wanted = team.hubspot_team.casefold()
				for o in sorted(active, key=lambda o: int(o["id"]) if str(o["id"]).isdigit() else 0):
					names = {str(t.get("name", "")).casefold() for t in o.get("teams") or []} | {
						str(t.get("id")) for t in o.get("teams") or []
					}
					if (wanted in names or team.hubspot_team in names) and str(o["id"]) not in ids:
						ids.append(str(o["id"]))
		self._members[team_name] = ids
		return ids

	def route(
		self, territory: str | None, industry: str | None, product_lines: set[str]
	) -> tuple[str | None, str | None]:
		team = self.team_for(territory, industry, product_lines)
		if not team:
			return None, None
		members = self.members(team)
		if not members:
			return team, None
		cursor = f"round_robin:{team}"
		if team not in self._pointers:
			self._pointers[team] = int((self.store.get_cursor(cursor) if self.store else 0) or 0)
		index = self._pointers[team] % len(members)
		self._pointers[team] += 1
		if self.store:
			self.store.set_cursor(cursor, self._pointers[team])
		return team, members[index]


def _fmt_money(value: Any, currency: str | None) -> str:
	try:
		return f"{float(value):,.0f} {currency or ''}".strip()
	except (TypeError, ValueError):
		return "-"


def build_task_properties(
	*,
	key: str,
	contact: dict[str, Any],
	company: dict[str, Any] | None,
	erp: dict[str, Any] | None,
	result: dict[str, Any],
	owner_id: str | None,
	team: str | None,
	threshold: float,
	as_of: datetime,
	due_business_days: int,
	priority: str,
) -> dict[str, Any]:
	"""HubSpot task properties for one handoff; `result` is ScoreResult.to_dict()."""
	props = contact.get("properties") or {}
	cprops = (company or {}).get("properties") or {}
	name = (
		" ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
		or props.get("email")
		or f"contact {contact['id']}"
	)
	company_name = cprops.get("name") or props.get("company") or ""
	tiers = result.get("tiers", {})
	facts = result.get("facts", {})
	esc = html.escape
	lines = [
		f"<p><strong>{esc(name)}</strong>{' at ' + esc(company_name) if company_name else ''} crossed the SQL threshold "
		f"({threshold:g}) with a score of <strong>{result.get('total')}</strong> (band {esc(str(result.get('band', '')))}).</p>",
		"<p>Score breakdown: " + ", ".join(f"{esc(t)} {float(v):.0f}" for t, v in tiers.items()) + "</p>",
		"<p>Top reasons:</p><ul>"
		+ "".join(f"<li>{esc(r)}</li>" for r in result.get("reasons", [])[:6])
		+ "</ul>",
		f"<p>Latest activity: {esc(str(facts.get('last_activity') or 'none recorded'))}</p>",
	]
	firmo = [
		("Job title", props.get("jobtitle")),
		("Industry", cprops.get("industry") or props.get("industry")),
		("Annual revenue", cprops.get("annualrevenue") or props.get("annualrevenue")),
		("Employees", cprops.get("numberofemployees") or props.get("numemployees")),
		("Country", cprops.get("country") or props.get("country")),
		("Domain", cprops.get("domain")),
	]
	lines.append(
		"<p>Firmographics:</p><ul>" + "".join(f"<li>{k}: {esc(str(v))}</li>" for k, v in firmo if v) + "</ul>"
	)
	erp_contribs = [c for c in result.get("contributions", []) if c.get("tier") == "erp" and c.get("points")]
	erp_contribs.sort(key=lambda c: -abs(float(c.get("points", 0))))
	if erp:
		cur = erp.get("currency")
		erp_lines = [
			f"Customer: {erp.get('customer')} ({erp.get('customer_name', '')})",
			f"Lifetime revenue: {_fmt_money(erp.get('lifetime_revenue'), cur)}",
			f"Open invoices: {erp.get('open_invoice_count', 0)} ({_fmt_money(erp.get('open_amount'), cur)}), "
			f"overdue: {erp.get('overdue_invoice_count', 0)} ({_fmt_money(erp.get('overdue_amount'), cur)})",
			f"Contract end: {erp.get('contract_end_date') or '-'}",
			"Quoted product lines (365 d): "
			+ (
				", ".join(f"{k} x{v}" for k, v in sorted((erp.get("quotation_item_groups") or {}).items()))
				or "-"
			),
			f"Open opportunities: {erp.get('open_opportunity_count', 0)}; open issues: {erp.get('open_issue_count', 0)}",
		]
		lines.append(
			"<p>ERPNext signals:</p><ul>" + "".join(f"<li>{esc(x)}</li>" for x in erp_lines) + "</ul>"
		)
	if erp_contribs:
		lines.append(
			"<p>ERP signals behind the score:</p><ul>"
			+ "".join(
				f"<li>{float(c['points']):+.0f}: {esc(str(c.get('explanation') or c.get('signal')))}</li>"
				for c in erp_contribs[:6]
			)
			+ "</ul>"
		)
	if team:
		lines.append(f"<p>Routed to team {esc(team)}.</p>")
	due = add_business_days(as_of.astimezone(timezone.utc).date(), due_business_days)
	due_ms = int(datetime(due.year, due.month, due.day, 16, 0, tzinfo=timezone.utc).timestamp() * 1000)
	out = {
		"hs_task_subject": f"SQL: {name}{' (' + company_name + ')' if company_name else ''} scored {result.get('total')}",
		"hs_task_body": "".join(lines),
		"hs_timestamp": due_ms,
		"hs_task_priority": priority,
		"hs_task_status": "NOT_STARTED",
		"hs_task_type": "TODO",
		TASK_KEY_PROPERTY: key,
	}
	if owner_id:
		out["hubspot_owner_id"] = owner_id
	return out


@dataclass
class DeliveryStats:
	created: int = 0
	reconciled: int = 0
	deferred: int = 0
	failed: int = 0
	owner_updates: int = 0
	errors: dict[str, str] = field(default_factory=dict)


def deliver_handoffs(
	store: Store,
	hubspot: Any,
	settle_seconds: float = 60.0,
	reassign_owned: bool = False,
	now: float | None = None,
) -> DeliveryStats:
	"""Create the task of every pending handoff exactly once, then set contact owners and mark rows done."""
	stats = DeliveryStats()
	ready: list[tuple[dict[str, Any], str]] = []
	now = time.time() if now is None else now
	for row in store.pending_outbox("handoff_task"):
		payload = row["payload"]
		key = payload["handoff_key"]
		if row["attempts"] and row["last_attempt_at"] and now - row["last_attempt_at"] < settle_seconds:
			stats.deferred += 1  # attempted recently: search may not show the task yet
			continue
		attempts = store.outbox_attempt(row["key"])
		try:
			task_id = hubspot.find_task_by_key(key, payload["contact_id"]) if attempts > 1 else None
			if task_id:
				stats.reconciled += 1
			else:
				task_id = hubspot.create_task(payload["task"], payload["contact_id"])
				stats.created += 1
		except AmbiguousWrite as exc:
			store.outbox_error(row["key"], str(exc))
			stats.errors[key] = str(exc)
			continue
		except HubSpotError as exc:
			give_up = exc.status is not None and 400 <= exc.status < 500 and attempts >= MAX_ATTEMPTS
			store.outbox_error(row["key"], str(exc), give_up=give_up)
			stats.failed += int(give_up)
			stats.errors[key] = str(exc)
			continue
		ready.append((row, task_id))
	owner_updates = {
		r["payload"]["contact_id"]: {"hubspot_owner_id": r["payload"]["owner_id"]}
		for r, _ in ready
		if r["payload"].get("owner_id") and (reassign_owned or not r["payload"].get("current_owner"))
	}
	failed_owner: dict[str, str] = {}
	if owner_updates:
		result = hubspot.batch_update("contacts", owner_updates)
		failed_owner = result.failed
		stats.owner_updates = len(result.ok)
	for row, task_id in ready:
		payload = row["payload"]
		if payload["contact_id"] in failed_owner:
			# the task exists; the next pass finds it by key and retries the owner update
			store.outbox_error(
				row["key"],
				f"task {task_id} created; owner update failed: {failed_owner[payload['contact_id']]}",
			)
			stats.errors[payload["handoff_key"]] = failed_owner[payload["contact_id"]]
			continue
		store.complete_handoff(row["key"], payload["handoff_key"], task_id, payload.get("owner_id"))
	return stats
