"""Handoffs and the outbox: each crossing decided once (one transaction), its task delivered exactly once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sidecar.store import schema as s
from sidecar.store.base import CHUNK, StoreBase
from sidecar.store.base import chunks as _chunks
from sidecar.store.schema import utcnow


class HandoffState(StoreBase):
	# --- handoffs & outbox -----------------------------------------------------------------------
	def decide_handoff(
		self,
		contact_id: str,
		expected_crossings: int,
		score: float,
		payload: dict[str, Any],
		details: dict[str, Any],
	) -> str | None:
		"""Record one crossing: bump the contact's crossing count, disarm it, insert the handoff and its outbox row.

		All in one transaction, guarded by the crossing count (an UPDATE that matches only the expected count)
		and by the UNIQUE handoff key, so a crossing is recorded at most once even with concurrent deciders.
		Returns the handoff key, or None when another decider got there first.
		"""
		crossing = expected_crossings + 1
		key = f"{contact_id}:{crossing}"
		t = s.contact_state
		now = utcnow()
		try:
			with self.engine.begin() as conn:
				moved = conn.execute(
					update(t)
					.where(t.c.contact_id == contact_id, t.c.crossings == expected_crossings)
					.values(crossings=crossing, armed=False, score=score)
				)
				if not moved.rowcount:
					return None
				conn.execute(
					insert(s.handoffs).values(
						contact_id=contact_id,
						crossing=crossing,
						handoff_key=key,
						crossed_at=now,
						score=score,
						team=details.get("team"),
						owner_id=details.get("owner_id"),
						status="pending",
						details=json.dumps(details, default=str, sort_keys=True),
					)
				)
				conn.execute(
					insert(s.outbox).values(
						key=f"task:{key}",
						kind="handoff_task",
						payload=json.dumps(dict(payload, handoff_key=key), default=str, sort_keys=True),
						status="pending",
						attempts=0,
						created_at=now,
					)
				)
		except IntegrityError:
			return None
		return key

	def rearm(self, contact_ids: Iterable[str]) -> None:
		ids = list(contact_ids)
		if ids:
			with self.engine.begin() as conn:
				for chunk in _chunks(ids, CHUNK):
					conn.execute(
						update(s.contact_state)
						.where(s.contact_state.c.contact_id.in_(chunk))
						.values(armed=True)
					)

	def pending_outbox(self, kind: str = "handoff_task") -> list[dict[str, Any]]:
		with self.engine.connect() as conn:
			rows = conn.execute(
				select(s.outbox)
				.where(s.outbox.c.kind == kind, s.outbox.c.status == "pending")
				.order_by(s.outbox.c.id)
			)
			return [dict(r._mapping, payload=json.loads(r.payload)) for r in rows]

	def outbox_attempt(self, key: str) -> int:
		"""Count an attempt before the call is made (a crash after this leaves a visible trace); returns attempts."""
		with self.engine.begin() as conn:
			conn.execute(
				update(s.outbox)
				.where(s.outbox.c.key == key)
				.values(attempts=s.outbox.c.attempts + 1, last_attempt_at=time.time())
			)
			return conn.execute(select(s.outbox.c.attempts).where(s.outbox.c.key == key)).scalar_one()

	def outbox_error(self, key: str, error: str, give_up: bool = False) -> None:
		with self.engine.begin() as conn:
			conn.execute(
				update(s.outbox)
				.where(s.outbox.c.key == key)
				.values(last_error=error[:2000], status="failed" if give_up else "pending")
			)

	def complete_handoff(
		self,
		outbox_key: str,
		handoff_key: str,
		task_id: str,
		owner_id: str | None,
		erp_note: dict[str, Any] | None = None,
	) -> None:
		"""Mark the task delivered. `erp_note` (the lead's company is an ERPNext customer): in the same
		transaction, an outbox row (kind "erp_handoff", key "erp:<handoff key>") that tells ERPNext about the
		handoff, with the crossing time and the task id added; delivered by sidecar.handoff.erp_notes."""
		now = utcnow()
		with self.engine.begin() as conn:
			if erp_note is not None:
				self._queue_erp_note(conn, handoff_key, task_id, erp_note, now)
			conn.execute(
				update(s.outbox)
				.where(s.outbox.c.key == outbox_key)
				.values(status="done", done_at=now, result=json.dumps({"task_id": task_id}), last_error=None)
			)
			conn.execute(
				update(s.handoffs)
				.where(s.handoffs.c.handoff_key == handoff_key)
				.values(status="done", done_at=now, task_id=task_id, owner_id=owner_id)
			)

	def _queue_erp_note(
		self, conn: Any, handoff_key: str, task_id: str, note: dict[str, Any], now: datetime
	) -> None:
		key = f"erp:{handoff_key}"
		if conn.execute(select(s.outbox.c.id).where(s.outbox.c.key == key)).first():
			return  # queued by an earlier completion (the owner update failed after it)
		crossed = conn.execute(
			select(s.handoffs.c.crossed_at).where(s.handoffs.c.handoff_key == handoff_key)
		).scalar_one_or_none()
		payload = dict(note, handoff_key=handoff_key, task_id=task_id, handed_off_at=crossed or now)
		conn.execute(
			insert(s.outbox).values(
				key=key,
				kind="erp_handoff",
				payload=json.dumps(payload, default=_iso, sort_keys=True),
				status="pending",
				attempts=0,
				created_at=now,
			)
		)

	def finish_outbox(self, key: str, result: dict[str, Any]) -> None:
		"""Mark one outbox row delivered, with what the other side answered."""
		with self.engine.begin() as conn:
			conn.execute(
				update(s.outbox)
				.where(s.outbox.c.key == key)
				.values(
					status="done", done_at=utcnow(), result=json.dumps(result, default=str), last_error=None
				)
			)

	def handoff_rows(self) -> list[dict[str, Any]]:
		with self.engine.connect() as conn:
			return [dict(r._mapping) for r in conn.execute(select(s.handoffs).order_by(s.handoffs.c.id))]

	def record_first_touch(self, touches: dict[str, datetime]) -> int:
		"""Set first_touch_at on done handoffs whose contact was touched after the crossing."""
		n = 0
		with self.engine.begin() as conn:
			waiting = set(
				conn.execute(
					select(s.handoffs.c.contact_id).where(s.handoffs.c.first_touch_at.is_(None))
				).scalars()
			)
			for contact_id, at in touches.items():
				if contact_id not in waiting:
					continue
				res = conn.execute(
					update(s.handoffs)
					.where(
						s.handoffs.c.contact_id == contact_id,
						s.handoffs.c.first_touch_at.is_(None),
						s.handoffs.c.crossed_at <= at,
					)
					.values(first_touch_at=at)
				)
				n += res.rowcount or 0
		return n

	def outbox_depth(self) -> dict[str, int]:
		with self.engine.connect() as conn:
			rows = conn.execute(select(s.outbox.c.status, func.count()).group_by(s.outbox.c.status))
			return {r[0]: r[1] for r in rows}


def _iso(value: Any) -> str:
	"""Times in outbox payloads: naive UTC datetimes as ISO 8601 with Z (ERPNext converts to site time)."""
	if isinstance(value, datetime):
		return value.replace(microsecond=0).isoformat() + "Z"
	return str(value)
