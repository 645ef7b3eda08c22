"""Step 3, plan: what the pass will write, decided before anything is written.

- values: each score as HubSpot properties, hashed; only values whose hash differs from the ledger's are
  planned (contacts always, companies on full passes with company scores);
- contact state, score history and crossings (crossings.py); handoff decisions (handoffs.py).
In dry runs the plan is the answer (`PassResult.changes` / `.handoffs`); otherwise write.py applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sidecar.hubspot.properties import ERP_CUSTOMER_PROPERTY
from sidecar.store import ContactState
from sidecar.sync.context import PassContext
from sidecar.sync.crossings import plan_states
from sidecar.sync.gather import Gathered
from sidecar.sync.handoffs import HandoffDecision, plan_handoffs
from sidecar.sync.result import score_values, values_hash
from sidecar.sync.score import Scored


@dataclass
class Updates:
	"""Changed values of one object type: id -> properties, and id -> their hash for the ledger."""

	values: dict[str, dict[str, Any]] = field(default_factory=dict)
	hashes: dict[str, str] = field(default_factory=dict)

	def add(self, object_id: str, values: dict[str, Any], ledger: dict[str, str]) -> None:
		digest = values_hash(values)
		if ledger.get(object_id) != digest:
			self.values[object_id] = values
			self.hashes[object_id] = digest


@dataclass
class Plan:
	contacts: Updates = field(default_factory=Updates)
	companies: Updates = field(default_factory=Updates)
	states: list[ContactState] = field(default_factory=list)
	history: list[dict[str, Any]] = field(default_factory=list)
	handoffs: list[HandoffDecision] = field(default_factory=list)

	def changes(self) -> list[dict[str, Any]]:
		"""PassResult.changes: contacts first, then companies."""
		out = [{"object_type": "contacts", "id": i, "properties": v} for i, v in self.contacts.values.items()]
		out += [
			{"object_type": "companies", "id": i, "properties": v} for i, v in self.companies.values.items()
		]
		return out


def plan(ctx: PassContext, gathered: Gathered, scored: Scored, stats: dict[str, Any]) -> Plan:
	ids = [c.contact_id for c in scored.contacts]
	previous = ctx.store.contact_states(ids)
	ledger = ctx.store.ledger_hashes("contacts", ids)
	out = Plan()
	shadow_property = ctx.cfg.get("learning.shadow_property")
	for c in scored.contacts:
		values = score_values(ctx.property_names, c.result, c.customer)
		shadow = c.result.facts.get("shadow_score")  # a candidate on trial (scoring/learning/shadow.py)
		if shadow is not None:
			values[shadow_property] = shadow
		out.contacts.add(c.contact_id, values, ledger)
	states = plan_states(ctx, scored.contacts, previous)
	out.states, out.history = states.states, states.history
	stats["changed"] = len(out.contacts.values)
	stats["crossings"] = len(states.crossed)
	stats["rearmed"] = len(states.rearmed)
	if scored.companies is not None:
		_plan_companies(ctx, scored, out.companies)
		stats["companies_changed"] = len(out.companies.values)
	out.handoffs = plan_handoffs(ctx, gathered, states.crossed)
	return out


def _plan_companies(ctx: PassContext, scored: Scored, updates: Updates) -> None:
	companies = scored.companies or []
	ledger = ctx.store.ledger_hashes("companies", [c.company_id for c in companies])
	for c in companies:
		values = score_values(ctx.property_names, c.result, c.customer)
		values.pop(ERP_CUSTOMER_PROPERTY)
		updates.add(c.company_id, values, ledger)
