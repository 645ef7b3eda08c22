"""Step 3, plan (contact state): each scored contact's new state, its score history row, and its crossing.

A crossing's new score is written together with the handoff (`Store.decide_handoff`), never before it, so
the state planned for a crossing contact keeps its previous score. With handoffs off, a crossing only moves
the state (new score, disarmed). Conversion (lifecycle stage opportunity/customer/evangelist) and the latest
sales touch are carried on the state for the ROI report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sidecar.handoff import crossing_decision
from sidecar.store import ContactState
from sidecar.sync.constants import CONVERTED_STAGES
from sidecar.sync.context import PassContext
from sidecar.sync.score import ContactScore


@dataclass
class StatePlan:
	states: list[ContactState] = field(default_factory=list)
	history: list[dict[str, Any]] = field(default_factory=list)
	crossed: list[tuple[ContactScore, ContactState]] = field(default_factory=list)  # handoffs to decide
	rearmed: list[str] = field(default_factory=list)


def parse_time(value: Any) -> datetime | None:
	"""HubSpot epoch milliseconds or an ISO time -> naive UTC (None when empty or unreadable)."""
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


def plan_states(
	ctx: PassContext, contacts: list[ContactScore], previous: dict[str, ContactState]
) -> StatePlan:
	cfg = ctx.cfg
	now_naive = ctx.as_of.astimezone(timezone.utc).replace(tzinfo=None)
	plan = StatePlan()
	for c in contacts:
		prev = previous.get(c.contact_id) or ContactState(contact_id=c.contact_id)
		crossed_now, rearm = crossing_decision(
			prev,
			c.result.total,
			cfg.get("scoring.sql_threshold"),
			cfg.get("handoff.rearm_margin"),
			cfg.get("handoff.first_score_counts"),
		)
		if prev.score is None or float(prev.score) != float(c.result.total):
			plan.history.append(_history_row(c, now_naive, getattr(ctx.model, "version", None)))
		state = _next_state(c, prev, crossed_now, rearm, now_naive)
		plan.states.append(state)
		if rearm:
			plan.rearmed.append(c.contact_id)
		if crossed_now and cfg.get("handoff.enabled"):
			plan.crossed.append((c, state))
		elif crossed_now:  # handoffs off: track the crossing state only
			state.score, state.armed = float(c.result.total), False
	return plan


def _history_row(c: ContactScore, now_naive: datetime, model_version: str | None) -> dict[str, Any]:
	tiers = c.result.tiers
	# the per-signal points as scored: what `model fit` learns from (features as of the scoring date)
	contributions = {k.signal: k.points for k in c.result.contributions}
	return {
		"contact_id": c.contact_id,
		"company_id": c.company_id,
		"erp_customer": c.customer,
		"scored_at": now_naive,
		"total": float(c.result.total),
		"fit": float(tiers.get("fit", 0)),
		"behaviour": float(tiers.get("behaviour", 0)),
		"erp": float(tiers.get("erp", 0)),
		"contributions": json.dumps(contributions, sort_keys=True),
		"model_version": model_version,
	}


def _next_state(
	c: ContactScore, prev: ContactState, crossed_now: bool, rearm: bool, now_naive: datetime
) -> ContactState:
	props = c.contact.get("properties") or {}
	stage = str(props.get("lifecyclestage") or "").lower() or None
	converted_at = prev.converted_at or (now_naive if stage in CONVERTED_STAGES else None)
	touch = parse_time(props.get("hs_last_sales_activity_timestamp"))
	return ContactState(
		contact_id=c.contact_id,
		score=prev.score if crossed_now else float(c.result.total),
		armed=prev.armed or rearm,
		crossings=prev.crossings,
		company_id=c.company_id,
		erp_customer=c.customer,
		lifecyclestage=stage,
		converted_at=converted_at,
		last_touch_at=touch or prev.last_touch_at,
		exists=prev.exists,
	)
