"""The durable pending-write set: every record whose HubSpot write did not succeed, until it is written.

Contract:
- `add_pending(object_type, {id: reason})` records failures (attempts + 1, backoff from the attempt count);
  `clear_pending(object_type, ids)` forgets records that were written (or that HubSpot says are gone).
- `due_pending(object_type, now)` is what the next pass retries: the first retry is due at once (the next
  pass), then after `base * 2^(attempts - 2)` seconds, capped at `cap` (defaults: 60 s doubling to 1 h).
- `pending_summary()` is what `revops-sidecar status` shows: counts and the oldest rows with their reasons.
The set is keyed by (object_type, object_id), so a record failing again updates its row, never duplicates it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from sidecar.store import schema as s
from sidecar.store.base import CHUNK, StoreBase, chunks

RETRY_BASE_SECONDS = 60.0
RETRY_CAP_SECONDS = 3600.0


def next_attempt(attempts: int, failed_at: float, base: float, cap: float) -> float:
	"""When a record that has failed `attempts` times is retried: the next pass first, then backing off."""
	if attempts <= 1:
		return failed_at
	return failed_at + min(base * 2 ** (attempts - 2), cap)


class PendingWrites(StoreBase):
	pending_base_seconds: float = RETRY_BASE_SECONDS
	pending_cap_seconds: float = RETRY_CAP_SECONDS

	def commit_writes(
		self,
		object_type: str,
		pushed: dict[str, str],
		failures: dict[str, str],
		gone: Iterable[str] = (),
	) -> None:
		"""One batch's outcome in one transaction: the ledger for what HubSpot accepted (and out of the
		pending set), the failures into the pending set, and the records HubSpot says are gone out of it."""
		with self.engine.begin() as conn:
			self.record_pushed(object_type, pushed, conn)  # type: ignore[attr-defined]
			self.clear_pending(object_type, [*pushed, *gone], conn)
			self.add_pending(object_type, failures, conn=conn)

	def add_pending(
		self,
		object_type: str,
		failures: dict[str, str],
		now: float | None = None,
		conn: Connection | None = None,
	) -> None:
		if not failures:
			return
		if conn is None:
			with self.engine.begin() as c:
				return self.add_pending(object_type, failures, now, c)
		now = time.time() if now is None else now
		t = s.pending_writes
		known: dict[str, int] = {}
		for chunk in chunks(list(failures), CHUNK):
			rows = conn.execute(
				select(t.c.object_id, t.c.attempts).where(
					t.c.object_type == object_type, t.c.object_id.in_(chunk)
				)
			)
			known.update({r.object_id: r.attempts for r in rows})
		again = []
		new = []
		for object_id, reason in failures.items():
			attempts = known.get(object_id, 0) + 1
			row = {
				"reason": reason[:2000],
				"attempts": attempts,
				"last_failed_at": now,
				"next_attempt_at": next_attempt(
					attempts, now, self.pending_base_seconds, self.pending_cap_seconds
				),
			}
			if object_id in known:
				again.append(dict(row, b_id=object_id))
			else:
				new.append(dict(row, object_type=object_type, object_id=object_id, first_failed_at=now))
		if again:
			conn.execute(
				update(t)
				.where(t.c.object_type == object_type, t.c.object_id == bindparam("b_id"))
				.values(
					reason=bindparam("reason"),
					attempts=bindparam("attempts"),
					last_failed_at=bindparam("last_failed_at"),
					next_attempt_at=bindparam("next_attempt_at"),
				),
				again,
			)
		if new:
			conn.execute(insert(t), new)

	def clear_pending(self, object_type: str, ids: Iterable[str], conn: Connection | None = None) -> None:
		ids = list(ids)
		if not ids:
			return
		if conn is None:
			with self.engine.begin() as c:
				return self.clear_pending(object_type, ids, c)
		t = s.pending_writes
		for chunk in chunks(ids, CHUNK):
			conn.execute(delete(t).where(t.c.object_type == object_type, t.c.object_id.in_(chunk)))

	def due_pending(self, object_type: str, now: float | None = None) -> list[str]:
		now = time.time() if now is None else now
		t = s.pending_writes
		with self.engine.connect() as conn:
			rows = conn.execute(
				select(t.c.object_id)
				.where(t.c.object_type == object_type, t.c.next_attempt_at <= now)
				.order_by(t.c.object_id)
			)
			return list(rows.scalars())

	def pending_ids(self, object_type: str) -> set[str]:
		t = s.pending_writes
		with self.engine.connect() as conn:
			return set(conn.execute(select(t.c.object_id).where(t.c.object_type == object_type)).scalars())

	def pending_rows(self, limit: int = 20) -> list[dict[str, Any]]:
		t = s.pending_writes
		with self.engine.connect() as conn:
			rows = conn.execute(select(t).order_by(t.c.first_failed_at, t.c.object_id).limit(limit))
			return [dict(r._mapping) for r in rows]

	def pending_summary(self, limit: int = 10) -> dict[str, Any]:
		t = s.pending_writes
		with self.engine.connect() as conn:
			counts = dict(conn.execute(select(t.c.object_type, func.count()).group_by(t.c.object_type)).all())
		return {"counts": counts, "oldest": self.pending_rows(limit)}
