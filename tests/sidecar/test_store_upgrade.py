"""One store schema: stores made before migration 2 (CX tables from `create_all`) upgrade in place.

Releases before migration 2 created the store with migration 1 (`open_store`) and, separately, the CX tables
with `metadata.create_all(engine)` inside `CxStore`. `make_pre_v2_store` rebuilds exactly that (migration 1
is unchanged; the CX tables are frozen below as those releases declared them) with rows in every part, on
SQLite and on PostgreSQL; opening it with today's code must keep the rows and record version 2.
"""

from __future__ import annotations

import time

from sqlalchemy import (
	Column,
	Float,
	Integer,
	MetaData,
	String,
	Table,
	Text,
	UniqueConstraint,
	insert,
	inspect,
	select,
)

from sidecar.cx.model import SurveyResponse
from sidecar.cx.store import CxStore
from sidecar.store import Store, open_store
from sidecar.store.schema import LATEST, MIGRATIONS, schema_version, utcnow

# sidecar/cx/store.py before migration 2, verbatim
OLD_CX = MetaData()
OLD_RESPONSES = Table(
	"revops_cx_response",
	OLD_CX,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("source", String(140), nullable=False),
	Column("external_id", String(140), nullable=False),
	Column("payload", Text, nullable=False),
	Column("status", String(20), nullable=False, default="pending", index=True),
	Column("attempts", Integer, nullable=False, default=0),
	Column("last_error", Text),
	Column("erp_name", String(140)),
	Column("received_at", Float, nullable=False),
	Column("updated_at", Float, nullable=False),
	Column("next_attempt_at", Float, nullable=False, default=0.0),
	UniqueConstraint("source", "external_id", name="uq_revops_cx_response_key"),
)
OLD_CURSORS = Table(
	"revops_cx_cursor",
	OLD_CX,
	Column("name", String(100), primary_key=True),
	Column("value", Text, nullable=False),
	Column("updated_at", Float, nullable=False),
)
STORE_TABLES = {
	"revops_schema_version",
	"revops_cursors",
	"revops_ledger",
	"revops_contact_state",
	"revops_score_history",
	"revops_handoffs",
	"revops_outbox",
	"revops_runs",
	"revops_sync_errors",
	"revops_run_lock",
	"revops_api_usage",
	"revops_erp_customers",
	"revops_erp_domains",
}
CX_TABLES = {"revops_cx_response", "revops_cx_cursor"}


def _old_migrate(store: Store) -> None:
	"""`Store.migrate()` as it was: migration 1, recorded as the only version."""
	number, description, step = MIGRATIONS[0]
	with store.engine.begin() as conn:
		schema_version.create(conn, checkfirst=True)
		step(conn)
		conn.execute(
			insert(schema_version).values(version=number, description=description, applied_at=utcnow())
		)


def _old_cx_store(store: Store) -> None:
	"""`CxStore(engine)` as it was: create_all of its own tables, then a few responses and a cursor."""
	OLD_CX.create_all(store.engine)
	now = time.time()
	rows = [
		{"source": "typeform", "external_id": "r1", "payload": '{"score": 3}', "status": "pending"},
		{"source": "typeform", "external_id": "r2", "payload": '{"score": 9}', "status": "created"},
	]
	with store.engine.begin() as conn:
		conn.execute(
			insert(OLD_RESPONSES),
			[dict(r, attempts=0, received_at=now, updated_at=now, next_attempt_at=0.0) for r in rows],
		)
		conn.execute(
			insert(OLD_CURSORS).values(name="hubspot_feedback", value='"2026-11-01"', updated_at=now)
		)


def make_pre_v2_store(url: str, cx_first: bool = False) -> None:
	store = Store(url)
	if cx_first:  # the CX commands ran against the database before any sync command did
		_old_cx_store(store)
		_old_migrate(store)
	else:
		_old_migrate(store)
		_old_cx_store(store)
	store.set_cursor("erp_signals", {"modified": "2026-11-01 00:00:00.000000", "name": "CUST-1"})
	store.record_pushed("contacts", {"7": "hash-7"})
	assert set(inspect(store.engine).get_table_names()) == STORE_TABLES | CX_TABLES
	store.close()


def _response(source: str, external_id: str) -> SurveyResponse:
	return SurveyResponse(
		source=source,
		external_id=external_id,
		metric="NPS",
		score=9,
		scale_min=0,
		scale_max=10,
		submitted_at="2026-11-30T10:00:00+00:00",
		customer="CUST-1",
	)


def _versions(store: Store) -> list[int]:
	with store.engine.connect() as conn:
		return list(
			conn.execute(select(schema_version.c.version).order_by(schema_version.c.version)).scalars()
		)


def _check_upgraded(url: str) -> None:
	store = open_store(url)
	try:
		assert _versions(store) == [m[0] for m in MIGRATIONS] and LATEST == MIGRATIONS[-1][0] >= 2
		assert store.get_cursor("erp_signals")["name"] == "CUST-1"
		assert store.ledger_hashes("contacts", ["7"]) == {"7": "hash-7"}
		cx = CxStore(store.engine)
		assert _versions(store) == [m[0] for m in MIGRATIONS]  # CxStore applies nothing more
		assert cx.counts() == {"pending": 1, "created": 1}
		assert cx.get("typeform", "r1").payload == {"score": 3}
		assert cx.get_cursor("hubspot_feedback") == "2026-11-01"
		assert cx.add(_response("typeform", "r1")) is False  # the unique key survived the upgrade
		assert cx.add(_response("typeform", "r3"))
		indexes = {i["name"] for i in inspect(store.engine).get_indexes("revops_cx_response")}
		assert "ix_revops_cx_response_status" in indexes
	finally:
		store.close()


def test_store_with_cx_tables_from_create_all_upgrades_in_place(store_url):
	make_pre_v2_store(store_url)
	_check_upgraded(store_url)


def test_cx_tables_made_before_the_store_upgrade_in_place(store_url):
	make_pre_v2_store(store_url, cx_first=True)
	_check_upgraded(store_url)


def test_new_store_gets_the_cx_tables_from_its_migrations(store_url):
	store = open_store(store_url)
	try:
		assert CX_TABLES <= set(inspect(store.engine).get_table_names())
		assert _versions(store) == [m[0] for m in MIGRATIONS]
		cx = CxStore(store.engine)
		assert cx.add(_response("csv", "a"))
		assert _versions(store) == [m[0] for m in MIGRATIONS]
	finally:
		store.close()
