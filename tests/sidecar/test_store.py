"""The state store on SQLite and on the machine's PostgreSQL: migrations, ledger, exactly-once decisions, lease lock."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from sidecar.store import ContactState, Store, open_store
from sidecar.store.schema import LATEST, MIGRATIONS


@pytest.fixture
def store(store_url):
	st = open_store(store_url)
	yield st
	st.close()


def test_migrations_are_versioned_and_idempotent(store_url):
	st = Store(store_url)
	assert st.migrate() == LATEST == MIGRATIONS[-1][0]
	assert st.migrate() == LATEST  # second run applies nothing
	with st.engine.connect() as conn:
		rows = conn.exec_driver_sql("SELECT version FROM revops_schema_version").fetchall()
	assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]
	st.close()


def test_concurrent_migrations_do_not_collide(store_url):
	errors = []

	def go():
		try:
			s = Store(store_url)
			s.migrate()
			s.close()
		except Exception as exc:  # pragma: no cover - the assertion below reports it
			errors.append(exc)

	threads = [threading.Thread(target=go) for _ in range(4)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	assert errors == []


def test_opening_waits_out_a_writer_during_the_wal_switch(tmp_path):
	# SQLite answers "database is locked" at once (no busy wait) when a connection switches to WAL while
	# another holds a write lock: several processes opening a new store together used to fail that way.
	path = tmp_path / "fresh.sqlite3"
	writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
	writer.execute("CREATE TABLE other (x)")
	writer.execute("BEGIN IMMEDIATE")
	writer.execute("INSERT INTO other VALUES (1)")
	release = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
	release.start()
	try:
		st = Store(f"sqlite:///{path}")
		st.migrate()
		with st.engine.connect() as conn:
			assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
		st.close()
	finally:
		release.join()
		writer.close()


def test_cursors_and_ledger(store):
	assert store.get_cursor("erp") is None
	store.set_cursor("erp", {"modified": "2026-01-01 00:00:00.000000", "name": "CUST-1"})
	store.set_cursor("erp", {"modified": "2026-01-02 00:00:00.000000", "name": "CUST-2"})
	assert store.get_cursor("erp")["name"] == "CUST-2"
	store.record_pushed("contacts", {str(i): f"h{i}" for i in range(1200)})
	store.record_pushed("contacts", {"5": "new", "5000": "x"})
	hashes = store.ledger_hashes("contacts", ["5", "6", "5000", "nope"])
	assert hashes == {"5": "new", "6": "h6", "5000": "x"}
	assert store.ledger_count() == {"contacts": 1201}


def test_decide_handoff_once_even_when_concurrent(store):
	store.save_states([ContactState("c1", score=40.0)])
	keys = []
	barrier = threading.Barrier(6)

	def decide():
		barrier.wait()
		keys.append(store.decide_handoff("c1", 0, 80.0, {"contact_id": "c1", "task": {}}, {"team": "t"}))

	threads = [threading.Thread(target=decide) for _ in range(6)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	assert sorted(k for k in keys if k) == ["c1:1"]
	assert len(store.handoff_rows()) == 1
	assert len(store.pending_outbox()) == 1
	state = store.contact_states(["c1"])["c1"]
	assert (state.crossings, state.armed, state.score) == (1, False, 80.0)
	# the next crossing needs the new count
	assert store.decide_handoff("c1", 0, 90.0, {"contact_id": "c1", "task": {}}, {}) is None
	assert store.decide_handoff("c1", 1, 90.0, {"contact_id": "c1", "task": {}}, {}) == "c1:2"


def test_outbox_attempts_and_completion(store):
	store.save_states([ContactState("c2", score=10.0)])
	key = store.decide_handoff("c2", 0, 75.0, {"contact_id": "c2", "task": {"hs_task_subject": "x"}}, {})
	row = store.pending_outbox()[0]
	assert row["payload"]["handoff_key"] == key and row["attempts"] == 0
	assert store.outbox_attempt(row["key"]) == 1
	store.outbox_error(row["key"], "boom")
	assert store.pending_outbox()[0]["last_error"] == "boom"
	store.complete_handoff(row["key"], key, "task-9", "owner-1")
	assert store.pending_outbox() == []
	assert store.outbox_depth() == {"done": 1}
	h = store.handoff_rows()[0]
	assert (h["status"], h["task_id"], h["owner_id"]) == ("done", "task-9", "owner-1")


def test_run_lock_is_exclusive_and_expires(store):
	assert store.acquire_lock("a", ttl=0.5)
	assert not store.acquire_lock("b", ttl=10)
	assert store.acquire_lock("a", ttl=0.5)  # re-entrant for its holder
	assert store.renew_lock("a", 0.5)
	time.sleep(0.6)
	assert store.acquire_lock("b", ttl=10)  # lease expired: taken over
	assert not store.renew_lock("a", 10)
	store.release_lock("a")  # not the holder: no effect
	assert store.lock_holder()["holder"] == "b"
	store.release_lock("b")
	assert store.lock_holder() is None


def test_run_lock_race_has_one_winner(store):
	wins = []
	barrier = threading.Barrier(5)

	def take(name):
		barrier.wait()
		if store.acquire_lock(name, ttl=30):
			wins.append(name)

	threads = [threading.Thread(target=take, args=(f"h{i}",)) for i in range(5)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	assert len(wins) == 1


def test_erp_cache_and_domain_index(store):
	store.upsert_erp(
		[
			{"customer": "CUST-1", "modified": "2026-01-01", "domains": ["acme.example", "acme.test"]},
			{"customer": "CUST-2", "modified": "2026-01-02", "domains": ["beta.example"]},
		]
	)
	assert store.erp_by_domain(["ACME.example", "beta.example", "none.example"]) == {
		"acme.example": "CUST-1",
		"beta.example": "CUST-2",
	}
	store.upsert_erp(
		[{"customer": "CUST-1", "modified": "2026-02-01", "domains": ["acme.example"]}], deleted=["CUST-2"]
	)
	assert store.erp_by_domain(["acme.test", "beta.example"]) == {}
	assert store.erp_records(["CUST-1", "CUST-2"])["CUST-1"]["modified"] == "2026-02-01"
	assert store.erp_count() == 1


def test_runs_errors_usage(store):
	run = store.start_run("incremental")
	store.record_errors(run, "contacts", {"7": "OBJECT_NOT_FOUND"})
	store.finish_run(run, "partial", {"changed": 3})
	last = store.last_runs(1)[0]
	assert (last["status"], last["stats"]) == ("partial", {"changed": 3})
	assert store.recent_errors()[0]["object_id"] == "7"
	store.add_usage("2026-11-30", 10)
	store.add_usage("2026-11-30", 5)
	assert store.usage("2026-11-30") == 15
