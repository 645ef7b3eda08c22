"""Step 4, write (never in dry runs): apply the plan, deliver handoffs, then move the cursors.

Write order: contact state and score history first, then each crossing (state + handoff + outbox row in one
transaction), then first touches, then the changed values to HubSpot in batches, then the ledger for the
values HubSpot accepted. Failed records are recorded as errors and kept out of the ledger, so the next pass
retries them. The outbox is delivered last (sidecar.handoff); cursors move only when all of that succeeded.
"""

from __future__ import annotations

from sidecar.handoff import deliver_handoffs
from sidecar.sync.constants import CURSOR_ERP, CURSOR_FULL
from sidecar.sync.context import PassContext
from sidecar.sync.gather import Gathered
from sidecar.sync.plan import Plan, Updates
from sidecar.sync.result import PassResult


def write(ctx: PassContext, plan: Plan, run_id: int | None, res: PassResult) -> None:
	store, stats = ctx.store, res.stats
	store.save_states(plan.states)
	store.add_score_history(plan.history)
	decided = 0
	for d in plan.handoffs:
		if store.decide_handoff(d.contact_id, d.expected_crossings, d.score, d.payload, d.details):
			decided += 1
	stats["handoffs_decided"] = decided
	touches = {s.contact_id: s.last_touch_at for s in plan.states if s.last_touch_at}
	if touches:
		store.record_first_touch(touches)
	if plan.contacts.values:
		ok, failed = _push(ctx, "contacts", plan.contacts, run_id, res)
		stats["written"] = ok
		stats["write_failed"] = failed
	if plan.companies.values:
		_push(ctx, "companies", plan.companies, run_id, res)


def _push(
	ctx: PassContext, object_type: str, updates: Updates, run_id: int | None, res: PassResult
) -> tuple[int, int]:
	"""Batch-write changed values, record the accepted ones in the ledger; returns (written, failed)."""
	written = ctx.hubspot.batch_update(object_type, updates.values)
	ctx.store.record_pushed(object_type, {i: updates.hashes[i] for i in written.ok if i in updates.hashes})
	if written.failed:
		ctx.store.record_errors(run_id, object_type, written.failed)
		res.errors.update({f"{object_type}/{k}": v for k, v in written.failed.items()})
	return len(written.ok), len(written.failed)


def deliver_and_advance(ctx: PassContext, gathered: Gathered, res: PassResult) -> None:
	"""Deliver the handoff outbox, then save the ERP and HubSpot cursors (and when a full pass ran)."""
	delivery = deliver_handoffs(
		ctx.store,
		ctx.hubspot,
		settle_seconds=ctx.cfg.get("hubspot.search_settle_seconds"),
		reassign_owned=ctx.cfg.get("handoff.reassign_owned"),
	)
	res.stats.update(
		tasks_created=delivery.created,
		tasks_reconciled=delivery.reconciled,
		tasks_deferred=delivery.deferred,
		owner_updates=delivery.owner_updates,
	)
	res.errors.update(delivery.errors)
	if gathered.erp_cursor:
		ctx.store.set_cursor(CURSOR_ERP, gathered.erp_cursor)
	for name, value in gathered.hubspot_cursors.items():
		ctx.store.set_cursor(name, value)
	if ctx.mode == "full":
		ctx.store.set_cursor(CURSOR_FULL, ctx.as_of.isoformat())
