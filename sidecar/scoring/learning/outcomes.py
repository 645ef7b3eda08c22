"""`revops-sidecar outcomes`: deals and lifecycle stage dates from HubSpot into the store, incrementally.

Each read starts from its cursor minus `overlap_seconds` (edits in the same millisecond, clock skew) and the
new cursor is the time the read STARTED: search results come in id order, not time order, so only a
completed read proves every deal modified since the old cursor was seen. Pages are stored as they arrive
(an upsert: re-reading a deal is harmless) and the cursor moves only after the last one is stored.
All requests go through the HubSpot client, so they share its rate limiter, retries and daily budget.
"""

from __future__ import annotations

import time
from typing import Any

from sidecar.hubspot.outcomes import read_deals_since, read_lifecycle_since

DEALS_CURSOR = "outcomes.deals"
LIFECYCLE_CURSOR = "outcomes.lifecycle"


def _since(store: Any, name: str, overlap_seconds: int) -> int:
	value = store.get_cursor(name)
	return max(0, int(value) - overlap_seconds * 1000) if value is not None else 0


def sync_outcomes(
	client: Any, store: Any, overlap_seconds: int = 300, clock: Any = time.time
) -> dict[str, int]:
	"""Read deals and lifecycle dates changed since the cursors; returns counts."""
	stats = {"deals": 0, "won": 0, "lifecycle_changes": 0}
	started = int(clock() * 1000)
	for page in read_deals_since(client, _since(store, DEALS_CURSOR, overlap_seconds)):
		store.upsert_deals(page)
		stats["deals"] += len(page)
		stats["won"] += sum(1 for d in page if d["is_won"])
	store.set_cursor(DEALS_CURSOR, started)  # only once the whole read is stored
	started = int(clock() * 1000)
	changes = [
		(c, s, at)
		for c, s, at, _ in read_lifecycle_since(client, _since(store, LIFECYCLE_CURSOR, overlap_seconds))
	]
	stats["lifecycle_changes"] = store.record_lifecycle(changes)
	store.set_cursor(LIFECYCLE_CURSOR, started)
	return stats
