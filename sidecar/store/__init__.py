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
- Outcomes (deals, associations, lifecycle changes) and model versions: outcomes.py (migration 3).
- The CX outbox (sidecar.cx.store) lives in the same database and the same versioned schema (schema.py).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Connection, Engine

from sidecar.store import schema as s
from sidecar.store.base import CHUNK
from sidecar.store.handoffs import HandoffState
from sidecar.store.outcomes import OutcomeState
from sidecar.store.runs import RunState
from sidecar.store.sync_state import ContactState, SyncState

__all__ = ["CHUNK", "ContactState", "Store", "open_store"]


def _normalise_url(url: str) -> str:
	if url.startswith("postgresql://") or url.startswith("postgres://"):
		return "postgresql+psycopg://" + url.split("://", 1)[1]
	return url


class Store(SyncState, HandoffState, RunState, OutcomeState):
	"""The state store: sync state (sync_state.py), handoffs and outbox (handoffs.py), runs and lock (runs.py)."""

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
