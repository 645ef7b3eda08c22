"""The push queue in the store: every process receiving pushes appends; the run-lock holder drains.

`PushQueue(engine).add(customers, event, committed_at)` appends rows (one per customer); `take(limit)` returns the
oldest rows up to `limit` distinct customers without removing them; `ack(rows)` deletes them once their push
pass has written. A crash between take and ack leaves the rows for the next pass (rescoring twice is harmless:
the ledger writes only what changed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from sidecar.store import schema as s
from sidecar.store.base import chunks


@dataclass(frozen=True)
class Pushed:
	ids: list[int]
	customers: list[str]
	committed_at: dict[str, float]  # customer -> earliest ERP commit among its rows (for latency figures)


class PushQueue:
	def __init__(self, engine: Engine, clock: object = time.time):
		self.engine = engine
		self.clock = clock

	def add(self, customers: list[str], event: str | None = None, committed_at: float | None = None) -> int:
		now = self.clock()  # type: ignore[operator]
		rows = [
			{
				"customer": c[:140],
				"event": (event or "")[:60],
				"committed_at": committed_at,
				"received_at": now,
			}
			for c in dict.fromkeys(customers)
			if c
		]
		if rows:
			with self.engine.begin() as conn:
				conn.execute(insert(s.push_queue), rows)
		return len(rows)

	def take(self, limit: int = 500) -> Pushed:
		t = s.push_queue
		ids: list[int] = []
		customers: dict[str, float] = {}
		with self.engine.connect() as conn:
			for row in conn.execute(select(t).order_by(t.c.id).limit(limit * 4)):
				if row.customer not in customers and len(customers) >= limit:
					break
				ids.append(row.id)
				at = row.committed_at if row.committed_at is not None else row.received_at
				customers[row.customer] = min(customers.get(row.customer, at), at)
		return Pushed(ids=ids, customers=list(customers), committed_at=customers)

	def ack(self, pushed: Pushed) -> None:
		with self.engine.begin() as conn:
			for chunk in chunks(pushed.ids):
				conn.execute(delete(s.push_queue).where(s.push_queue.c.id.in_(chunk)))

	def depth(self) -> int:
		with self.engine.connect() as conn:
			return conn.execute(select(func.count()).select_from(s.push_queue)).scalar_one()
