"""The CX outbox: every accepted survey response, until ERPNext has it (SQLite or PostgreSQL).

Contract:
- Table `revops_cx_response`, unique on (source, external_id): `add()` inserts and lets the database refuse a
  duplicate (no check-then-insert), so the same response sent twice, even concurrently, is stored once.
- Status: `pending` (not yet sent) -> `created` / `duplicate` (ERPNext has it) | `unmatched` (ERPNext kept
  it for review, no Customer found; stays listed in `status`) | `error` (retried with backoff, never dropped;
  the message stays on the row). Rows in `pending` or `error` whose `next_attempt_at` has passed are due.
- Table `revops_cx_cursor` holds source cursors (e.g. the HubSpot feedback high-water mark).
Both tables belong to the store's one versioned schema (sidecar/store/schema.py, migration 2) in the sidecar's
store database (`open_store(...).engine`); `CxStore(engine)` brings that schema up to date (idempotent).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from sidecar.cx.model import SurveyResponse
from sidecar.store import schema

responses = schema.cx_responses
cursors = schema.cx_cursors
DELIVERED = ("created", "duplicate")
RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 6 * 3600.0


def retry_delay(attempts: int) -> float:
	"""Seconds before the next try after `attempts` failures: 30 s doubling, capped at 6 h."""
	return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


@dataclass
class Row:
	id: int
	source: str
	external_id: str
	payload: dict[str, Any]
	status: str
	attempts: int
	last_error: str | None
	erp_name: str | None


class CxStore:
	def __init__(self, engine: Engine, clock: Any = time.time) -> None:
		self.engine = engine
		self.clock = clock
		schema.migrate(engine)  # the CX tables are part of the store's versioned schema (v2)

	# --- intake -------------------------------------------------------------------------------

	def add(self, response: SurveyResponse) -> bool:
		"""Store a response for delivery. False when (source, external_id) is already stored."""
		now = self.clock()
		try:
			with self.engine.begin() as conn:
				conn.execute(
					insert(responses).values(
						source=response.source,
						external_id=response.external_id,
						payload=json.dumps(response.to_ingest(), sort_keys=True, default=str),
						status="pending",
						attempts=0,
						received_at=now,
						updated_at=now,
						next_attempt_at=0.0,
					)
				)
			return True
		except IntegrityError:
			return False

	def add_many(self, items: Iterable[SurveyResponse]) -> tuple[int, int]:
		"""(added, duplicates). Each insert stands alone, so one duplicate never rolls back the rest."""
		added = duplicates = 0
		for item in items:
			if self.add(item):
				added += 1
			else:
				duplicates += 1
		return added, duplicates

	# --- delivery -----------------------------------------------------------------------------

	def due(self, limit: int) -> list[Row]:
		now = self.clock()
		with self.engine.connect() as conn:
			rows = conn.execute(
				select(responses)
				.where(responses.c.status.in_(("pending", "error")), responses.c.next_attempt_at <= now)
				.order_by(responses.c.id)
				.limit(limit)
			).mappings()
			return [self._row(r) for r in rows]

	def record_result(self, row_id: int, result: dict[str, Any]) -> str:
		"""Apply one ingest result; returns the stored status."""
		status = str(result.get("status") or "error")
		if status not in ("created", "duplicate", "unmatched", "error"):
			status = "error"
			result = {**result, "message": f"unknown ingest status {result.get('status')!r}"}
		if status == "error":
			self.record_error(row_id, str(result.get("message") or "ingest reported an error"))
			return status
		with self.engine.begin() as conn:
			conn.execute(
				update(responses)
				.where(responses.c.id == row_id)
				.values(
					status=status,
					attempts=responses.c.attempts + 1,
					erp_name=result.get("name"),
					last_error=str(result.get("message") or "")[:2000] or None,
					updated_at=self.clock(),
				)
			)
		return status

	def record_error(self, row_id: int, message: str) -> None:
		now = self.clock()
		with self.engine.begin() as conn:
			attempts = conn.execute(select(responses.c.attempts).where(responses.c.id == row_id)).scalar_one()
			conn.execute(
				update(responses)
				.where(responses.c.id == row_id)
				.values(
					status="error",
					attempts=attempts + 1,
					last_error=message[:2000],
					updated_at=now,
					next_attempt_at=now + retry_delay(attempts + 1),
				)
			)

	def retry_now(self, statuses: tuple[str, ...] = ("error",)) -> int:
		"""Make rows in `statuses` due immediately (operator action; `unmatched` after fixing contacts)."""
		with self.engine.begin() as conn:
			return conn.execute(
				update(responses)
				.where(responses.c.status.in_(statuses))
				.values(status="pending", next_attempt_at=0.0, updated_at=self.clock())
			).rowcount

	# --- visibility ---------------------------------------------------------------------------

	def counts(self) -> dict[str, int]:
		with self.engine.connect() as conn:
			rows = conn.execute(select(responses.c.status, func.count()).group_by(responses.c.status))
			return {status: count for status, count in rows}

	def rows(self, status: str | None = None, limit: int = 100) -> list[Row]:
		query = select(responses).order_by(responses.c.id).limit(limit)
		if status:
			query = query.where(responses.c.status == status)
		with self.engine.connect() as conn:
			return [self._row(r) for r in conn.execute(query).mappings()]

	def get(self, source: str, external_id: str) -> Row | None:
		with self.engine.connect() as conn:
			row = (
				conn.execute(
					select(responses).where(
						responses.c.source == source, responses.c.external_id == external_id
					)
				)
				.mappings()
				.first()
			)
			return self._row(row) if row else None

	# --- cursors ------------------------------------------------------------------------------

	def get_cursor(self, name: str) -> Any:
		with self.engine.connect() as conn:
			value = conn.execute(select(cursors.c.value).where(cursors.c.name == name)).scalar()
			return json.loads(value) if value is not None else None

	def set_cursor(self, name: str, value: Any) -> None:
		raw = json.dumps(value, sort_keys=True, default=str)
		with self.engine.begin() as conn:
			done = conn.execute(
				update(cursors).where(cursors.c.name == name).values(value=raw, updated_at=self.clock())
			)
			if not done.rowcount:
				conn.execute(insert(cursors).values(name=name, value=raw, updated_at=self.clock()))

	@staticmethod
	def _row(r: Any) -> Row:
		return Row(
			id=r["id"],
			source=r["source"],
			external_id=r["external_id"],
			payload=json.loads(r["payload"]),
			status=r["status"],
			attempts=r["attempts"],
			last_error=r["last_error"],
			erp_name=r["erp_name"],
		)
