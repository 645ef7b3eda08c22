"""Step 4, write (never in dry runs): apply the plan, deliver handoffs, then move the cursors.

Write order: contact state and score history first, then each crossing (state + handoff + outbox row in one
transaction), then first touches, then the changed values to HubSpot in batches. Each batch commits as soon as
it has its answer (`Store.commit_writes`, one transaction): the ledger for the values HubSpot accepted, the
failed records into the durable pending-write set (retried by later passes with backoff, shown in `status`),
and records HubSpot says are gone (OBJECT_NOT_FOUND) dropped with a log line. A crash re-sends at most the
batch in flight. The outbox is delivered last (sidecar.handoff: the tasks, then the handoffs of ERP customers to
ERPNext, sidecar.handoff.erp_notes); the cursors move after that, and only past
changes whose effects were written or are held in the pending set.
"""

from __future__ import annotations

import logging

from sidecar.handoff import deliver_handoffs
from sidecar.handoff.erp_notes import deliver_erp_notes
from sidecar.hubspot.errors import BatchResult
from sidecar.sync.constants import CURSOR_ERP, CURSOR_FULL
from sidecar.sync.context import PassContext
from sidecar.sync.gather import Gathered
from sidecar.sync.plan import Plan, Updates
from sidecar.sync.result import PassResult

log = logging.getLogger(__name__)
GONE = "OBJECT_NOT_FOUND"


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
	# pending records the pass rescored to the value HubSpot already holds need no write any more
	for object_type, updates in (("contacts", plan.contacts), ("companies", plan.companies)):
		if updates.unchanged:
			held = store.pending_ids(object_type)
			store.clear_pending(object_type, [i for i in updates.unchanged if i in held])
	if plan.contacts.values:
		ok, failed = _push(ctx, "contacts", plan.contacts, run_id, res)
		stats["written"] = ok
		stats["write_failed"] = failed
	if plan.companies.values:
		ok, failed = _push(ctx, "companies", plan.companies, run_id, res)
		stats["companies_written"] = ok
		stats["companies_write_failed"] = failed


def _push(
	ctx: PassContext, object_type: str, updates: Updates, run_id: int | None, res: PassResult
) -> tuple[int, int]:
	"""Batch-write changed values, committing each batch's outcome as it comes; returns (written, failed)."""
	counts = {"ok": 0, "failed": 0, "gone": 0}

	def commit(batch: BatchResult) -> None:
		pushed = {i: updates.hashes[i] for i in batch.ok if i in updates.hashes}
		gone = {i: e for i, e in batch.failed.items() if e.startswith(GONE)}
		failed = {i: e for i, e in batch.failed.items() if i not in gone}
		ctx.store.commit_writes(object_type, pushed, failed, gone)
		for object_id in sorted(gone):
			log.warning(
				"%s %s is gone from HubSpot (%s): dropped from the sync", object_type, object_id, GONE
			)
		if failed:
			ctx.store.record_errors(run_id, object_type, failed)
			res.errors.update({f"{object_type}/{k}": v for k, v in failed.items()})
		counts["ok"] += len(batch.ok)
		counts["failed"] += len(failed)
		counts["gone"] += len(gone)

	ctx.hubspot.batch_update(object_type, updates.values, on_batch=commit)
	if counts["gone"]:
		res.stats[f"{object_type}_gone"] = res.stats.get(f"{object_type}_gone", 0) + counts["gone"]
	return counts["ok"], counts["failed"]


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
	if ctx.erp is not None:  # handoffs of ERP customers, told to ERPNext (customer timeline, outcomes)
		notes = deliver_erp_notes(ctx.store, ctx.erp, ctx.cfg.get("hubspot.portal_id"))
		res.stats.update(erp_handoffs_recorded=notes.recorded + notes.duplicates)
		res.errors.update({f"erp_handoff/{k}": v for k, v in notes.errors.items()})
	if gathered.erp_cursor:
		ctx.store.set_cursor(CURSOR_ERP, gathered.erp_cursor)
	for name, value in gathered.hubspot_cursors.items():
		ctx.store.set_cursor(name, value)
	if ctx.mode == "full":
		ctx.store.set_cursor(CURSOR_FULL, ctx.as_of.isoformat())
