"""Step 3, plan (handoffs): for each crossing, the team and owner (routing rules, round-robin) and the task.

Owners are listed from HubSpot only when something crossed. An owned contact keeps its owner (who gets the
task, no round-robin turn used) unless `handoff.reassign_owned`. In dry runs the router gets no store, so
round-robin pointers do not move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sidecar.handoff import OwnerRouter, build_task_properties
from sidecar.handoff.erp_notes import erp_note
from sidecar.handoff.receivables import route_receivables
from sidecar.handoff.task import build_receivables_task
from sidecar.store import ContactState
from sidecar.sync.context import PassContext
from sidecar.sync.gather import Gathered
from sidecar.sync.score import ContactScore


@dataclass
class HandoffDecision:
	contact_id: str
	expected_crossings: int  # the crossing count the decision is guarded by (Store.decide_handoff)
	score: float
	payload: dict[str, Any]  # the outbox row: contact, owner, task properties
	details: dict[str, Any]  # kept on the handoff row: team, owner, score breakdown
	summary: dict[str, Any]  # PassResult.handoffs entry


def plan_handoffs(
	ctx: PassContext, gathered: Gathered, crossed: list[tuple[ContactScore, ContactState]]
) -> list[HandoffDecision]:
	owners = ctx.hubspot.list_owners() if crossed else []
	router = OwnerRouter.from_config(ctx.cfg, owners, None if ctx.dry_run else ctx.store)
	return [_decide(ctx, gathered, router, c, state) for c, state in crossed]


def _route(
	ctx: PassContext, router: OwnerRouter, c: ContactScore, company: dict | None
) -> tuple[str | None, str | None, str | None]:
	"""(team, owner id, current owner) for one crossing."""
	facts = c.result.facts or {}
	product_lines = set(facts.get("product_lines") or [])
	cprops = (company or {}).get("properties") or {}
	# rules may name an industry by label, HubSpot enum or key, a territory by ERP territory or country
	industries = {v for v in (facts.get("industry"), facts.get("industry_key"), cprops.get("industry")) if v}
	territories = {v for v in (facts.get("territory"), facts.get("country"), cprops.get("country")) if v}
	current_owner = (c.contact.get("properties") or {}).get("hubspot_owner_id") or None
	if current_owner and not ctx.cfg.get("handoff.reassign_owned"):
		team, owner_id = router.team_for(territories, industries, product_lines), str(current_owner)
	else:
		team, owner_id = router.route(territories, industries, product_lines)
	return team, owner_id, current_owner


def _decide(
	ctx: PassContext, gathered: Gathered, router: OwnerRouter, c: ContactScore, state: ContactState
) -> HandoffDecision:
	cfg, result = ctx.cfg, c.result
	company = gathered.companies.get(c.company_id) if c.company_id else None
	team, owner_id, current_owner = _route(ctx, router, c, company)
	erp = gathered.erp.get(c.customer) if c.customer else None
	# money owed: the collector / account manager instead of (or beside) the BDR
	receivables = route_receivables(
		cfg.get("handoff.receivables_routing"),
		erp,
		router.owners,
		cfg.get("handoff.receivables_owner"),
		owner_id,
	)
	owner_id = receivables.owner_id
	key = f"{c.contact_id}:{state.crossings + 1}"
	task = build_task_properties(
		key=key,
		contact=c.contact,
		company=company,
		erp=erp,
		result=result.to_dict(),
		owner_id=owner_id,
		team=team,
		threshold=cfg.get("scoring.sql_threshold"),
		as_of=ctx.as_of,
		due_business_days=cfg.get("handoff.due_business_days"),
		priority=cfg.get("handoff.task_priority"),
		receivables_note=receivables.note,
	)
	payload = {"contact_id": c.contact_id, "owner_id": owner_id, "current_owner": current_owner, "task": task}
	if c.customer and cfg.get("handoff.notify_erp"):
		owner = next((o for o in router.owners if str(o.get("id")) == str(owner_id)), None)
		payload["erp_note"] = erp_note(
			c.customer, c.contact, owner, team, float(result.total), task["hs_task_subject"]
		)
	if receivables.extra_owner_id and erp:
		payload["extra_tasks"] = [
			build_receivables_task(
				key=key,
				sql_task=task,
				erp=erp,
				owner_id=receivables.extra_owner_id,
				note=receivables.note,
				as_of=ctx.as_of,
				due_business_days=cfg.get("handoff.due_business_days"),
				priority=cfg.get("handoff.task_priority"),
			)
		]
	details = {
		"team": team,
		"owner_id": owner_id,
		"score": result.total,
		"tiers": result.tiers,
		"reasons": result.reasons[:6],
		"erp_customer": c.customer,
		"receivables_owner_id": receivables.extra_owner_id,
	}
	summary = {
		"contact_id": c.contact_id,
		"key": key,
		"score": result.total,
		"team": team,
		"owner_id": owner_id,
		"subject": task["hs_task_subject"],
		"erp_customer": c.customer,
	}
	return HandoffDecision(c.contact_id, state.crossings, float(result.total), payload, details, summary)
