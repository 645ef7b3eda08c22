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
			# "both" receivables routing: the collector's own task, each with its own key (same exactly-once rule)
			for extra in payload.get("extra_tasks") or ():
				extra_key = extra[TASK_KEY_PROPERTY]
				found = hubspot.find_task_by_key(extra_key, payload["contact_id"]) if attempts > 1 else None
				if found:
					stats.reconciled += 1
				else:
					hubspot.create_task(extra, payload["contact_id"])
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
