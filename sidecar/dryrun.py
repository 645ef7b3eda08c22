"""In-memory stand-ins for the demo: an ERP signals feed over a list, and the demo's wiring.

Contract:
- `InMemoryErp(records)` answers `customer_signals(modified_after, after_name, limit)` like the app endpoint
  (records in (modified, customer) order strictly after the cursor, `next_cursor`, `has_more`).
- `demo_config(dataset, base)` derives handoff rules and teams from the dataset's owner routing
  (territory -> team, industry -> team, product line -> team; teams resolved from HubSpot owners' teams).
- `run_demo(dataset, store_url)` runs one full dry-run pass: real scoring, the real pipeline, an embedded SQLite
  store that is only read, HubSpot as `DryRunHubSpot(InMemoryHubSpot(...))`, ERPNext as `InMemoryErp`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sidecar.config import Config, HandoffRule, Team, load_config
from sidecar.hubspot.memory import DryRunHubSpot, InMemoryHubSpot
from sidecar.store import Store
from sidecar.sync import PassResult, Pipeline


class InMemoryErp:
	def __init__(self, records: list[dict[str, Any]], deleted: list[str] | None = None):
		self.records = sorted(records, key=lambda r: (str(r["modified"]), str(r["customer"])))
		self.deleted = list(deleted or [])
		self.calls = 0
		self.handoffs: dict[str, dict[str, Any]] = {}  # record_handoff, by key (the app is idempotent by it)

	def customer_signals(
		self, modified_after: str = "", after_name: str = "", limit: int = 500
	) -> dict[str, Any]:
		self.calls += 1
		cursor = (modified_after, after_name)
		rest = [
			r for r in self.records if not modified_after or (str(r["modified"]), str(r["customer"])) > cursor
		]
		page = rest[:limit]
		nxt = {"modified": str(page[-1]["modified"]), "name": str(page[-1]["customer"])} if page else None
		return {
			"records": page,
			"next_cursor": nxt,
			"deleted": self.deleted if not modified_after else [],
			"as_of": None,
			"has_more": len(rest) > limit,
		}

	def record_handoff(self, note: dict[str, Any]) -> dict[str, Any]:
		self.calls += 1
		key = str(note["handoff_key"])
		status = "duplicate" if key in self.handoffs else "created"
		self.handoffs.setdefault(key, dict(note))
		return {"name": key, "status": status, "customer": note["customer"]}


def demo_config(dataset: Any, base: Config | None = None) -> Config:
	base = base or load_config(path=None, env={})
	teams: dict[str, Team] = {}
	rules: list[HandoffRule] = []
	for route in dataset.owner_routing:
		team = route["team"]
		teams.setdefault(team, Team(name=team, hubspot_team=team))
		for territory in route.get("territories") or []:
			rule = HandoffRule(team=team, territory=territory)
			if rule not in rules:
				rules.append(rule)
	for route in dataset.owner_routing:
		for line in route.get("product_lines") or []:
			rule = HandoffRule(team=route["team"], product_line=line)
			if rule not in rules:
				rules.append(rule)
	default_team = dataset.owner_routing[0]["team"] if dataset.owner_routing else ""
	values = dict(base.values)
	values["handoff.default_team"] = default_team
	return Config(values=values, rules=tuple(rules), teams=teams, source="demo")


def run_demo(
	dataset: Any,
	store_url: str,
	model: Any,
	as_of: datetime | None = None,
	base: Config | None = None,
	progress: Any = None,
) -> PassResult:
	cfg = demo_config(dataset, base)
	store = Store(store_url)
	store.migrate()
	hubspot = DryRunHubSpot(
		InMemoryHubSpot(dataset.hubspot_contacts, dataset.hubspot_companies, dataset.hubspot_owners)
	)
	erp = InMemoryErp(dataset.erp_records)
	moment = as_of or dataset.as_of
	pipeline = Pipeline(
		cfg, store, hubspot, erp, model, dry_run=True, clock=lambda: moment, progress=progress
	)
	result = pipeline.run_pass("full")
	result.stats["hubspot_writes_recorded"] = len(hubspot.writes)
	result.stats["erp_calls"] = erp.calls
	store.close()
	return result
