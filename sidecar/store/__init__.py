"""The sidecar's state store: SQLite by default, PostgreSQL by URL (psycopg 3), SQLAlchemy 2 Core.

Contract:
- `Store(url)` opens the database (creating the SQLite file's directory); `Store.migrate()` brings the schema to
  the latest version (schema.py). `open_store(url)` does both.
- Cursors (JSON per name), the sync ledger (hash of the last values pushed per object), contact state, score
  history, handoffs, the outbox, runs and errors, API usage per day and the ERP signals cache live here.
- Exactly-once rests on the database, not on check-then-insert: handoff keys and outbox keys are UNIQUE and
  the decision (state change + handoff row + outbox row) commits in one transaction (`decide_handoff`).
- The run lock is a lease row: taken by INSERT or by an UPDATE that only matches an expired lease or our own,
  so two `run` instances never hold it at once on SQLite or PostgreSQL.
- On SQLite every transaction starts with BEGIN IMMEDIATE (one writer at a time, waits up to 30 s).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, delete, event, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from sidecar.store import schema as s
from sidecar.store.schema import utcnow

CHUNK = 500  # ids per IN (...) query; well under SQLite's variable limit


@dataclass
class ContactState:
	contact_id: str
	score: float | None = None
	armed: bool = True
	crossings: int = 0
	company_id: str | None = None
	erp_customer: str | None = None
	lifecyclestage: str | None = None
	converted_at: datetime | None = None
	last_touch_at: datetime | None = None
	exists: bool = False


def _normalise_url(url: str) -> str:
	if url.startswith("postgresql://") or url.startswith("postgres://"):
		return "postgresql+psycopg://" + url.split("://", 1)[1]
	return url


class Store:
	def __init__(self, url: str, echo: bool = False):
		self.url = _normalise_url(url)
		kwargs: dict[str, Any] = {"echo": echo, "future": True}
		if self.url.startswith("sqlite"):
			path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
			if path and path != ":memory:":
				Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
			kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
		else:
			kwargs["pool_pre_ping"] = True
		self.engine: Engine = create_engine(self.url, **kwargs)
		if self.engine.dialect.name == "sqlite":
			_sqlite_immediate(self.engine)

	@property
	def dialect(self) -> str:
		return self.engine.dialect.name

	def migrate(self) -> int:
		return s.migrate(self.engine)

	def close(self) -> None:
		self.engine.dispose()

	# --- cursors ---------------------------------------------------------------------------------
	def get_cursor(self, name: str) -> Any:
		with self.engine.connect() as conn:
			raw = conn.execute(select(s.cursors.c.value).where(s.cursors.c.name == name)).scalar()
		return json.loads(raw) if raw is not None else None

	def set_cursor(self, name: str, value: Any, conn: Connection | None = None) -> None:
		if conn is None:
			with self.engine.begin() as c:
				return self.set_cursor(name, value, c)
		raw = json.dumps(value, sort_keys=True, default=str)
		done = conn.execute(
			update(s.cursors).where(s.cursors.c.name == name).values(value=raw, updated_at=utcnow())
		)
		if not done.rowcount:
			conn.execute(insert(s.cursors).values(name=name, value=raw, updated_at=utcnow()))

	def cursors(self) -> dict[str, tuple[Any, datetime]]:
		with self.engine.connect() as conn:
			return {r.name: (json.loads(r.value), r.updated_at) for r in conn.execute(select(s.cursors))}

	# --- ledger ----------------------------------------------------------------------------------
	def ledger_hashes(self, object_type: str, ids: Iterable[str]) -> dict[str, str]:
		out: dict[str, str] = {}
		t = s.ledger
		with self.engine.connect() as conn:
			for chunk in _chunks(list(ids), CHUNK):
				rows = conn.execute(
					select(t.c.object_id, t.c.hash).where(
						t.c.object_type == object_type, t.c.object_id.in_(chunk)
					)
				)
				out.update({r.object_id: r.hash for r in rows})
		return out

	def record_pushed(self, object_type: str, hashes: dict[str, str]) -> None:
		"""Upsert ledger rows for values HubSpot accepted."""
		if not hashes:
			return
		t = s.ledger
		now = utcnow()
		with self.engine.begin() as conn:
			existing: set[str] = set()
			for chunk in _chunks(list(hashes), CHUNK):
				existing.update(
					conn.execute(
						select(t.c.object_id).where(t.c.object_type == object_type, t.c.object_id.in_(chunk))
					).scalars()
				)
			upd = [{"b_id": i, "b_hash": h} for i, h in hashes.items() if i in existing]
			new = [
				{"object_type": object_type, "object_id": i, "hash": h, "pushed_at": now}
				for i, h in hashes.items()
				if i not in existing
			]
			if upd:
				conn.execute(
					update(t)
					.where(t.c.object_type == object_type, t.c.object_id == bindparam("b_id"))
					.values(hash=bindparam("b_hash"), pushed_at=now),
					upd,
				)
			if new:
				conn.execute(insert(t), new)

	def ledger_count(self) -> dict[str, int]:
		with self.engine.connect() as conn:
			rows = conn.execute(select(s.ledger.c.object_type, func.count()).group_by(s.ledger.c.object_type))
			return {r[0]: r[1] for r in rows}

	# --- contact state & score history -----------------------------------------------------------
	def contact_states(self, ids: Iterable[str]) -> dict[str, ContactState]:
		out: dict[str, ContactState] = {}
		t = s.contact_state
		with self.engine.connect() as conn:
			for chunk in _chunks(list(ids), CHUNK):
				for r in conn.execute(select(t).where(t.c.contact_id.in_(chunk))):
					out[r.contact_id] = ContactState(
						contact_id=r.contact_id,
						score=r.score,
						armed=bool(r.armed),
						crossings=r.crossings,
						company_id=r.company_id,
						erp_customer=r.erp_customer,
						lifecyclestage=r.lifecyclestage,
						converted_at=r.converted_at,
						last_touch_at=r.last_touch_at,
						exists=True,
					)
		return out

	def contacts_for_customers(self, customers: Iterable[str]) -> set[str]:
		t = s.contact_state
		out: set[str] = set()
		with self.engine.connect() as conn:
			for chunk in _chunks(list(customers), CHUNK):
				out.update(conn.execute(select(t.c.contact_id).where(t.c.erp_customer.in_(chunk))).scalars())
		return out

	def save_states(self, states: list[ContactState], conn: Connection | None = None) -> None:
		"""Upsert contact states (not the crossing fields of existing rows: those move only in decide_handoff)."""
		if conn is None:
			with self.engine.begin() as c:
				return self.save_states(states, c)
		t = s.contact_state
		now = utcnow()
		rows = [
			{
				"b_id": st.contact_id,
				"score": st.score,
				"company_id": st.company_id,
				"erp_customer": st.erp_customer,
				"lifecyclestage": st.lifecyclestage,
				"converted_at": st.converted_at,
				"last_touch_at": st.last_touch_at,
				"armed": st.armed,
				"scored_at": now,
			}
			for st in states
		]
		old = [r for r, st in zip(rows, states, strict=True) if st.exists]
		new = [r for r, st in zip(rows, states, strict=True) if not st.exists]
		if old:
			conn.execute(
				update(t)
				.where(t.c.contact_id == bindparam("b_id"))
				.values(
					score=bindparam("score"),
					company_id=bindparam("company_id"),
					erp_customer=bindparam("erp_customer"),
					lifecyclestage=bindparam("lifecyclestage"),
					converted_at=bindparam("converted_at"),
					last_touch_at=bindparam("last_touch_at"),
					armed=bindparam("armed"),
					scored_at=bindparam("scored_at"),
				),
				old,
			)
		if new:
			conn.execute(insert(t), [dict(r, contact_id=r.pop("b_id"), crossings=0) for r in new])
		for st in states:
			st.exists = True

	def add_score_history(self, rows: list[dict[str, Any]]) -> None:
		if rows:
			with self.engine.begin() as conn:
				conn.execute(insert(s.score_history), rows)

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

	def complete_handoff(self, outbox_key: str, handoff_key: str, task_id: str, owner_id: str | None) -> None:
		now = utcnow()
		with self.engine.begin() as conn:
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

	# --- ERP signals cache -----------------------------------------------------------------------
	def upsert_erp(self, records: list[dict[str, Any]], deleted: Iterable[str] = ()) -> None:
		gone = set(deleted)
		with self.engine.begin() as conn:
			names = [r["customer"] for r in records] + list(gone)
			for chunk in _chunks(names, CHUNK):
				conn.execute(delete(s.erp_customers).where(s.erp_customers.c.customer.in_(chunk)))
				conn.execute(delete(s.erp_domains).where(s.erp_domains.c.customer.in_(chunk)))
			live = [r for r in records if r["customer"] not in gone]
			if live:
				conn.execute(
					insert(s.erp_customers),
					[
						{
							"customer": r["customer"],
							"modified": str(r.get("modified") or ""),
							"data": json.dumps(r, default=str),
						}
						for r in live
					],
				)
				pairs = {(d.lower(), r["customer"]) for r in live for d in (r.get("domains") or []) if d}
				if pairs:
					conn.execute(
						insert(s.erp_domains), [{"domain": d, "customer": c} for d, c in sorted(pairs)]
					)

	def erp_records(self, customers: Iterable[str]) -> dict[str, dict[str, Any]]:
		out = {}
		with self.engine.connect() as conn:
			for chunk in _chunks(list(customers), CHUNK):
				for r in conn.execute(select(s.erp_customers).where(s.erp_customers.c.customer.in_(chunk))):
					out[r.customer] = json.loads(r.data)
		return out

	def erp_by_domain(self, domains: Iterable[str]) -> dict[str, str]:
		"""domain -> customer (the alphabetically first customer when several share a domain)."""
		out: dict[str, str] = {}
		with self.engine.connect() as conn:
			for chunk in _chunks(sorted({d.lower() for d in domains if d}), CHUNK):
				rows = conn.execute(
					select(s.erp_domains.c.domain, func.min(s.erp_domains.c.customer))
					.where(s.erp_domains.c.domain.in_(chunk))
					.group_by(s.erp_domains.c.domain)
				)
				out.update({r[0]: r[1] for r in rows})
		return out

	def erp_count(self) -> int:
		with self.engine.connect() as conn:
			return conn.execute(select(func.count()).select_from(s.erp_customers)).scalar_one()

	# --- reports ---------------------------------------------------------------------------------
	def iter_table(self, table_name: str) -> Iterator[dict[str, Any]]:
		table = s.metadata.tables[table_name]
		with self.engine.connect() as conn:
			for r in conn.execute(select(table)):
				yield dict(r._mapping)


def _sqlite_immediate(engine: Engine) -> None:
	"""pysqlite's own transaction handling defers BEGIN; take the write lock at the start instead."""

	@event.listens_for(engine, "connect")
	def _connect(dbapi_conn: Any, _record: Any) -> None:
		dbapi_conn.isolation_level = None
		cur = dbapi_conn.cursor()
		cur.execute("PRAGMA busy_timeout=30000")
		_enable_wal(cur)
		cur.close()

	@event.listens_for(engine, "begin")
	def _begin(conn: Connection) -> None:
		conn.exec_driver_sql("BEGIN IMMEDIATE")


def _enable_wal(cur: Any, attempts: int = 50) -> None:
	"""Switch to WAL. The switch needs the database to itself and SQLite may answer "database is locked"
	at once instead of waiting (seen when several processes open a new store together), so retry briefly."""
	for attempt in range(attempts):
		try:
			cur.execute("PRAGMA journal_mode=WAL")
			return
		except sqlite3.OperationalError as exc:
			if "locked" not in str(exc) or attempt == attempts - 1:
				raise
			time.sleep(0.05 * (attempt + 1))


def open_store(url: str) -> Store:
	store = Store(url)
	store.migrate()
	return store


def _chunks(items: list, size: int) -> Iterator[list]:
	for start in range(0, len(items), size):
		yield items[start : start + size]
