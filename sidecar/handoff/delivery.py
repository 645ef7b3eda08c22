"""Handoff delivery: drain the outbox, creating each crossing's task exactly once (see the package docstring)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sidecar.hubspot.errors import AmbiguousWrite, HubSpotError
from sidecar.hubspot.properties import TASK_KEY_PROPERTY
from sidecar.store import Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10  # a row failing with a definite 4xx this often is marked failed (visible in `status`)
TASK_BATCH = 100  # tasks per batch create (HubSpot's batch limit)


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
	to_create: list[dict[str, Any]] = []
	for row in store.pending_outbox("handoff_task"):
		payload = row["payload"]
		key = payload["handoff_key"]
		if row["attempts"] and row["last_attempt_at"] and now - row["last_attempt_at"] < settle_seconds:
			stats.deferred += 1  # attempted recently: search may not show the task yet
			continue
		attempts = row["attempts"] = store.outbox_attempt(row["key"])
		if attempts > 1:  # attempted before: the task may exist
			try:
				task_id = hubspot.find_task_by_key(key, payload["contact_id"])
			except HubSpotError as exc:
				_failed(store, stats, row, exc, attempts)
				continue
			if task_id:
				stats.reconciled += 1
				ready.append((row, task_id))
				continue
		to_create.append(row)
	for start in range(0, len(to_create), TASK_BATCH):
		ready.extend(_create_batch(store, hubspot, to_create[start : start + TASK_BATCH], stats))
	ready = _create_extra_tasks(store, hubspot, ready, stats)
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
		store.complete_handoff(
			row["key"], payload["handoff_key"], task_id, payload.get("owner_id"), payload.get("erp_note")
		)
	return stats


def _failed(
	store: Store, stats: DeliveryStats, row: dict[str, Any], exc: HubSpotError, attempts: int
) -> None:
	key = row["payload"]["handoff_key"]
	give_up = (
		not isinstance(exc, AmbiguousWrite)
		and exc.status is not None
		and 400 <= exc.status < 500
		and attempts >= MAX_ATTEMPTS
	)
	store.outbox_error(row["key"], str(exc), give_up=give_up)
	stats.failed += int(give_up)
	stats.errors[key] = str(exc)


def _create_batch(
	store: Store, hubspot: Any, rows: list[dict[str, Any]], stats: DeliveryStats
) -> list[tuple[dict[str, Any], str]]:
	"""Create the tasks of `rows` in one batch create (attempts already counted); returns (row, task id) for
	each task HubSpot reports created. A row left without a task (ambiguous failure, missing from the answer)
	is reconciled by its key on the next delivery."""
	tasks = [(r["payload"]["task"], r["payload"]["contact_id"]) for r in rows]
	try:
		created = hubspot.create_tasks(tasks)
	except HubSpotError as exc:
		for row in rows:
			_failed(store, stats, row, exc, row["attempts"])
		return []
	out = []
	for row in rows:
		task_id = created.get(row["payload"]["handoff_key"])
		if task_id is None:
			_failed(
				store, stats, row, AmbiguousWrite("task missing from HubSpot's batch answer"), row["attempts"]
			)
			continue
		stats.created += 1
		out.append((row, task_id))
	return out


def _create_extra_tasks(
	store: Store, hubspot: Any, ready: list[tuple[dict[str, Any], str]], stats: DeliveryStats
) -> list[tuple[dict[str, Any], str]]:
	""" "both" receivables routing: the collector's own task beside the BDR's, each with its own key and the
	same exactly-once rule (looked up by key when the row was attempted before, created in one batch). A row
	whose extra task failed stays pending; the next delivery finds both tasks that exist by their keys."""
	wanted: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
	for row, task_id in ready:
		payload = row["payload"]
		for extra in payload.get("extra_tasks") or ():
			found = None
			if row["attempts"] > 1:  # attempted before: the extra task may exist
				try:
					found = hubspot.find_task_by_key(extra[TASK_KEY_PROPERTY], payload["contact_id"])
				except HubSpotError as exc:
					_failed(store, stats, row, exc, row["attempts"])
					row["extra_failed"] = True
					continue
			if found:
				stats.reconciled += 1
			else:
				wanted.append((row, task_id, extra))
	for start in range(0, len(wanted), TASK_BATCH):
		chunk = wanted[start : start + TASK_BATCH]
		try:
			created = hubspot.create_tasks([(extra, row["payload"]["contact_id"]) for row, _, extra in chunk])
		except HubSpotError as exc:
			created = {}
			for row, _, _extra in chunk:
				_failed(store, stats, row, exc, row["attempts"])
				row["extra_failed"] = True
		for row, _, extra in chunk:
			if str(extra[TASK_KEY_PROPERTY]) in created:
				stats.created += 1
			elif not row.get("extra_failed"):
				_failed(
					store,
					stats,
					row,
					AmbiguousWrite("task missing from HubSpot's batch answer"),
					row["attempts"],
				)
				row["extra_failed"] = True
	return [(row, task_id) for row, task_id in ready if not row.get("extra_failed")]
