"""Outbox and delivery: each response reaches ERPNext once, failures stay visible and are retried.

ERPNext is a local Frappe-like HTTP server whose ingest endpoint dedupes on (source, external_id) the way
the app's does; the store is a real SQLite file (and the machine's PostgreSQL for the uniqueness race).
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import create_engine

from sidecar.cx.delivery import DeliveryBlocked, deliver
from sidecar.cx.model import parse_response
from sidecar.cx.store import CxStore, retry_delay
from sidecar.erp import CX_INGEST_METHOD, ErpClient, RetryPolicy
from tests.sidecar.test_erp_fake_server import API_KEY, API_SECRET, FrappeLikeServer, Reply, frappe_error


class Clock:
	def __init__(self, now: float = 1_800_000_000.0) -> None:
		self.now = now

	def __call__(self) -> float:
		return self.now


class FakeIngest:
	"""The app's ingest semantics: created once per (source, external_id), duplicate after; unknown
	emails are kept as unmatched; scripted failures first."""

	def __init__(self, known_emails=("ana@example.com",)) -> None:
		self.stored: dict[tuple[str, str], str] = {}
		self.items_seen: list[tuple[str, str]] = []
		self.failures: list[Reply] = []
		self.apply_then_fail = False  # process the batch, then answer 502 (an ambiguous failure)
		self.known = set(known_emails)
		self.poison = None  # external_id that makes the whole call fail with 417

	def __call__(self, seen) -> Reply:
		assert seen.method == "POST" and seen.path == f"/api/method/{CX_INGEST_METHOD}"
		batch = json.loads(seen.form["responses"])
		assert len(batch) <= 200
		if self.failures:
			return self.failures.pop(0)
		if self.poison and any(item["external_id"] == self.poison for item in batch):
			return frappe_error(
				417, "ValidationError", f"Row {self.poison}: metric must be NPS, CSAT, CES or Custom"
			)
		results = []
		for item in batch:
			key = (item["source"], item["external_id"])
			self.items_seen.append(key)
			if key in self.stored:
				status = "duplicate"
			else:
				self.stored[key] = f"CX-{len(self.stored) + 1:05d}"
				status = (
					"created"
					if item.get("respondent_email") in self.known or item.get("customer")
					else "unmatched"
				)
			results.append(
				{
					"source": key[0],
					"external_id": key[1],
					"status": status,
					"name": self.stored[key],
					"message": "",
				}
			)
		if self.apply_then_fail:
			self.apply_then_fail = False
			return Reply(502, raw=b"<html>upstream timed out</html>")
		return Reply(200, {"message": {"results": results}})


def response(external_id: str, email: str = "ana@example.com", score: float = 9, source: str = "delighted"):
	return parse_response(
		{
			"source": source,
			"external_id": external_id,
			"metric": "NPS",
			"score": score,
			"respondent_email": email,
			"submitted_at": "2026-11-29T10:00:00Z",
		}
	)


@pytest.fixture
def clock():
	return Clock()


@pytest.fixture
def store(tmp_path, clock):
	return CxStore(create_engine(f"sqlite:///{tmp_path / 'cx.sqlite3'}"), clock=clock)


@pytest.fixture
def erp():
	ingest = FakeIngest()
	with FrappeLikeServer() as server:
		server.responder = ingest
		client = ErpClient(
			server.url,
			API_KEY,
			API_SECRET,
			retry=RetryPolicy(retries=0),
			timeout=(2, 5),
			sleep=lambda s: None,
		)
		yield ingest, client, server


def test_same_response_twice_is_one_ingest_item(store, erp):
	ingest, client, _server = erp
	assert store.add(response("r1")) is True
	assert store.add(response("r1", score=0)) is False  # a re-delivered webhook with the same id
	report = deliver(store, client)
	assert report.statuses == {"created": 1}
	assert ingest.items_seen == [("delighted", "r1")]
	assert deliver(store, client).calls == 0  # nothing due any more
	row = store.get("delighted", "r1")
	assert row.status == "created" and row.erp_name == "CX-00001" and row.payload["score"] == 9


def test_5xx_keeps_rows_as_error_then_retries_after_backoff(store, erp, clock):
	ingest, client, _server = erp
	store.add_many([response("r1"), response("r2")])
	ingest.failures = [Reply(503, {"exception": "maintenance"})]
	report = deliver(store, client)
	assert report.statuses == {"error": 2}
	row = store.get("delighted", "r1")
	assert row.status == "error" and row.attempts == 1 and "503" in row.last_error
	assert deliver(store, client).calls == 0  # backing off
	clock.now += retry_delay(1) + 1
	report = deliver(store, client)
	assert report.statuses == {"created": 2}
	assert ingest.items_seen == [("delighted", "r1"), ("delighted", "r2")]


def test_ambiguous_failure_resent_comes_back_duplicate_not_twice(store, erp, clock):
	ingest, client, _server = erp
	store.add(response("r1"))
	ingest.apply_then_fail = True  # ERPNext stored it, but the answer was lost
	assert deliver(store, client).statuses == {"error": 1}
	clock.now += retry_delay(1) + 1
	assert deliver(store, client).statuses == {"duplicate": 1}
	assert len(ingest.stored) == 1
	assert store.get("delighted", "r1").status == "duplicate"


def test_retry_in_client_after_502_then_one_item(store, clock):
	ingest = FakeIngest()
	ingest.failures = [Reply(502, raw=b"bad gateway")]
	with FrappeLikeServer() as server:
		server.responder = ingest
		client = ErpClient(
			server.url, API_KEY, API_SECRET, retry=RetryPolicy(retries=2, backoff=0), sleep=lambda s: None
		)
		store.add(response("r1"))
		assert deliver(store, client).statuses == {"created": 1}
		assert len(server.requests) == 2 and ingest.items_seen == [("delighted", "r1")]


def test_unmatched_stays_visible_and_can_be_resent(store, erp):
	_ingest, client, _server = erp
	store.add(response("r1", email="stranger@nowhere.example"))
	assert deliver(store, client).statuses == {"unmatched": 1}
	assert store.counts() == {"unmatched": 1}
	assert [r.external_id for r in store.rows("unmatched")] == ["r1"]
	assert deliver(store, client).calls == 0  # not re-sent by itself
	assert store.retry_now(("unmatched",)) == 1
	assert deliver(store, client).statuses == {"duplicate": 1}


def test_poison_item_is_isolated_by_bisection(store, erp):
	ingest, client, _server = erp
	store.add_many([response(f"r{i}") for i in range(7)])
	ingest.poison = "r4"
	report = deliver(store, client)
	assert report.statuses == {"created": 6, "error": 1}
	bad = store.get("delighted", "r4")
	assert bad.status == "error" and "metric must be NPS" in bad.last_error
	assert sorted(k[1] for k in ingest.stored) == ["r0", "r1", "r2", "r3", "r5", "r6"]


def test_auth_failure_blocks_and_marks_nothing(store, clock):
	with FrappeLikeServer() as server:
		client = ErpClient(server.url, API_KEY, "wrong", retry=RetryPolicy(retries=0))
		store.add(response("r1"))
		with pytest.raises(DeliveryBlocked, match="401"):
			deliver(store, client)
	row = store.get("delighted", "r1")
	assert row.status == "pending" and row.attempts == 0


def test_batches_of_at_most_200(store, erp):
	_ingest, client, server = erp
	store.add_many([response(f"r{i:03d}") for i in range(450)])
	report = deliver(store, client, batch_size=500)
	assert report.calls == 3 and report.statuses == {"created": 450}
	assert [len(json.loads(r.form["responses"])) for r in server.requests] == [200, 200, 50]


def _race(store_factory, n_threads: int = 8) -> list[bool]:
	results: list[bool] = []
	barrier = threading.Barrier(n_threads)

	def worker():
		store = store_factory()
		barrier.wait()
		results.append(store.add(response("same")))

	threads = [threading.Thread(target=worker) for _ in range(n_threads)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	return results


def test_concurrent_adds_store_once_sqlite(tmp_path):
	url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
	CxStore(create_engine(url))
	results = _race(lambda: CxStore(create_engine(url, connect_args={"timeout": 30})))
	assert sorted(results) == [False] * 7 + [True]


@pytest.mark.postgres
def test_concurrent_adds_store_once_postgres(pg_schema_url):
	# a schema of its own: the CX tables come with the store's migrations, which record their version
	url = pg_schema_url.replace("postgresql://", "postgresql+psycopg://", 1)
	engine = create_engine(url)
	CxStore(engine)
	results = _race(lambda: CxStore(create_engine(url)))
	assert sorted(results) == [False] * 7 + [True]
	assert CxStore(engine).counts() == {"pending": 1}
	engine.dispose()
