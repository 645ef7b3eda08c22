"""Runs, sync errors, API usage per day, and the run lock (a lease row)."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from sidecar.store import schema as s
from sidecar.store.base import StoreBase
from sidecar.store.schema import utcnow


class RunState(StoreBase):
	# --- runs, errors, usage ---------------------------------------------------------------------
	def start_run(self, kind: str) -> int:
		with self.engine.begin() as conn:
			return conn.execute(
				insert(s.runs).values(kind=kind, started_at=utcnow(), status="running")
			).inserted_primary_key[0]

	def finish_run(self, run_id: int, status: str, stats: dict[str, Any], error: str | None = None) -> None:
		with self.engine.begin() as conn:
			conn.execute(
				update(s.runs)
				.where(s.runs.c.id == run_id)
				.values(
					finished_at=utcnow(),
					status=status,
					stats=json.dumps(stats, default=str, sort_keys=True),
					error=error,
				)
			)

	def last_runs(self, limit: int = 10) -> list[dict[str, Any]]:
		with self.engine.connect() as conn:
			rows = conn.execute(select(s.runs).order_by(s.runs.c.id.desc()).limit(limit))
			return [dict(r._mapping, stats=json.loads(r.stats) if r.stats else {}) for r in rows]

	def record_errors(self, run_id: int | None, object_type: str, errors: dict[str, str]) -> None:
		if errors:
			now = utcnow()
			with self.engine.begin() as conn:
				conn.execute(
					insert(s.sync_errors),
					[
						{
							"run_id": run_id,
							"object_type": object_type,
							"object_id": i,
							"error": e[:2000],
							"at": now,
						}
						for i, e in errors.items()
					],
				)

	def recent_errors(self, limit: int = 20) -> list[dict[str, Any]]:
		with self.engine.connect() as conn:
			rows = conn.execute(select(s.sync_errors).order_by(s.sync_errors.c.id.desc()).limit(limit))
			return [dict(r._mapping) for r in rows]

	def add_usage(self, day: str, requests: int) -> None:
		if requests <= 0:
			return
		with self.engine.begin() as conn:
			done = conn.execute(
				update(s.api_usage)
				.where(s.api_usage.c.day == day)
				.values(requests=s.api_usage.c.requests + requests)
			)
			if not done.rowcount:
				conn.execute(insert(s.api_usage).values(day=day, requests=requests))

	def usage(self, day: str) -> int:
		with self.engine.connect() as conn:
			return conn.execute(select(s.api_usage.c.requests).where(s.api_usage.c.day == day)).scalar() or 0

	# --- run lock (lease) ------------------------------------------------------------------------
	def acquire_lock(self, holder: str, ttl: float, name: str = "run") -> bool:
		now = time.time()
		t = s.run_lock
		try:
			with self.engine.begin() as conn:
				taken = conn.execute(
					update(t)
					.where(t.c.name == name, or_(t.c.expires_at < now, t.c.holder == holder))
					.values(holder=holder, acquired_at=now, expires_at=now + ttl)
				)
				if taken.rowcount:
					return True
				if conn.execute(select(t.c.name).where(t.c.name == name)).first():
					return False
				conn.execute(
					insert(t).values(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
				)
				return True
		except IntegrityError:  # another process inserted the row between our select and insert
			return False

	def take_over_lock(self, stale_holder: str, holder: str, ttl: float, name: str = "run") -> bool:
		"""Replace a holder known to be dead (same host, process gone) before its lease expires."""
		now = time.time()
		with self.engine.begin() as conn:
			res = conn.execute(
				update(s.run_lock)
				.where(s.run_lock.c.name == name, s.run_lock.c.holder == stale_holder)
				.values(holder=holder, acquired_at=now, expires_at=now + ttl)
			)
			return bool(res.rowcount)

	def renew_lock(self, holder: str, ttl: float, name: str = "run") -> bool:
		with self.engine.begin() as conn:
			res = conn.execute(
				update(s.run_lock)
				.where(s.run_lock.c.name == name, s.run_lock.c.holder == holder)
				.values(expires_at=time.time() + ttl)
			)
			return bool(res.rowcount)

	def release_lock(self, holder: str, name: str = "run") -> None:
		with self.engine.begin() as conn:
			conn.execute(delete(s.run_lock).where(s.run_lock.c.name == name, s.run_lock.c.holder == holder))

	def lock_holder(self, name: str = "run") -> dict[str, Any] | None:
		with self.engine.connect() as conn:
			row = conn.execute(select(s.run_lock).where(s.run_lock.c.name == name)).first()
			return dict(row._mapping) if row else None
