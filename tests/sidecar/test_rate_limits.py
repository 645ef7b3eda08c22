"""Rate limits measured at the local server: no rolling window ever holds more requests than configured."""

from __future__ import annotations

import threading

import pytest

from sidecar.hubspot import DailyBudgetExhausted, HubSpotClient, RateLimiter
from tests.sidecar.hubspot_server import HubSpotServer


def peak(times: list[float], window: float) -> int:
	"""Most requests seen in any rolling `window` (measured at the server)."""
	times = sorted(times)
	best = start = 0
	for end, t in enumerate(times):
		while t - times[start] >= window:
			start += 1
		best = max(best, end - start + 1)
	return best


def test_peak_helper_counts_windows():
	assert peak([0, 0.1, 0.2, 1.05, 1.1], 1.0) == 3
	assert peak([0, 1, 2, 3], 1.0) == 1


@pytest.fixture
def server():
	srv = HubSpotServer()
	for i in range(1, 51):
		srv.add("contacts", {"id": str(i), "properties": {"email": f"p{i}@a.example"}})
	yield srv
	srv.close()


def test_burst_and_search_limits_hold_under_concurrency(server):
	# scaled-down windows so the test is quick: 12 requests per rolling 1.5 s, 3 searches per second
	limiter = RateLimiter(burst=12, searches_per_second=3, window=1.5)
	client = HubSpotClient("test-token", server.url, limiter=limiter)

	def reads() -> None:
		for _ in range(8):
			client.batch_read("contacts", ["1", "2"], ["email"])

	def searches() -> None:
		for _ in range(4):
			list(
				client.search_all(
					"contacts",
					[{"propertyName": "email", "operator": "HAS_PROPERTY"}],
					["email"],
					page_size=100,
				)
			)

	threads = [threading.Thread(target=reads) for _ in range(3)] + [
		threading.Thread(target=searches) for _ in range(2)
	]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	all_times = [r["t"] for r in server.requests()]
	search_times = [r["t"] for r in server.requests(kind="search")]
	assert len(all_times) == 3 * 8 + 2 * 4
	# measured at the server: a request counts from its answer (RateLimiter.done), so jitter cannot push it over
	assert peak(all_times, 1.5) <= 12
	assert peak(search_times, 1.0) <= 3
	assert server.violations == []


def test_daily_budget_stops_requests(server):
	limiter = RateLimiter(burst=100, searches_per_second=5, daily_budget=5, used_today=2)
	client = HubSpotClient("test-token", server.url, limiter=limiter)
	for _ in range(3):
		client.batch_read("contacts", ["1"], ["email"])
	with pytest.raises(DailyBudgetExhausted):
		client.batch_read("contacts", ["1"], ["email"])
	assert len(server.requests()) == 3


def test_daily_budget_resets_at_account_midnight():
	wall = [1_767_225_599.0]  # 2025-12-31 23:59:59 UTC
	limiter = RateLimiter(
		burst=100, searches_per_second=5, daily_budget=1, wall=lambda: wall[0], timezone="UTC"
	)
	limiter.acquire()
	with pytest.raises(DailyBudgetExhausted):
		limiter.acquire()
	wall[0] += 2
	limiter.acquire()


def test_fractional_search_rate_is_a_ceiling():
	limiter = RateLimiter(burst=100, searches_per_second=4.5)
	assert (limiter.search_limit, limiter.search_window) == (9, 2.0)


# --- limits shared through the store: across restarts and across processes ---------------------------------
def _shared_client(server: HubSpotServer, url: str, burst: int = 12, hold: float = 5.0) -> HubSpotClient:
	"""One "process": its own engine on the store, its own limiter (what `from_config(store=...)` builds)."""
	from sidecar.store import open_store
	from sidecar.store.ratelog import SharedRateLog, account_key

	store = open_store(url)
	shared = SharedRateLog(store.engine, account_key("test-token"))
	limiter = RateLimiter(burst=burst, searches_per_second=3, window=1.5, shared=shared, hold=hold)
	return HubSpotClient("test-token", server.url, limiter=limiter)


def test_a_restarted_process_never_exceeds_the_burst_its_predecessor_started(server, store_url):
	first = _shared_client(server, store_url)
	for _ in range(10):
		first.batch_read("contacts", ["1"], ["email"])
	first.limiter.shared.engine.dispose()  # the process is gone; what it spent stays in the store
	restarted = _shared_client(server, store_url)
	for _ in range(10):
		restarted.batch_read("contacts", ["1"], ["email"])
	times = [r["t"] for r in server.requests()]
	assert len(times) == 20 and peak(times, 1.5) <= 12
	assert restarted.limiter.waited > 0


def test_a_request_in_flight_when_its_process_died_still_counts(store_url):
	from sidecar.store import open_store
	from sidecar.store.ratelog import SharedRateLog, account_key

	log = SharedRateLog(open_store(store_url).engine, account_key("t"))
	for _ in range(3):  # sent, never answered: the process was killed
		assert log.reserve(100.0, 5.0, 4, 1.5, False, 3, 1.0)[0] is not None
	assert log.reserve(100.0, 5.0, 4, 1.5, False, 3, 1.0)[0] is not None
	row, wait = log.reserve(104.0, 5.0, 4, 1.5, False, 3, 1.0)
	assert row is None and wait > 0  # still within hold + window of their send
	assert log.reserve(106.6, 5.0, 4, 1.5, False, 3, 1.0)[0] is not None
	other = SharedRateLog(log.engine, account_key("another token"))
	assert other.reserve(104.0, 5.0, 4, 1.5, False, 3, 1.0)[0] is not None  # limits are per account


def test_concurrent_processes_share_burst_and_search_limits(server, store_url):
	clients = [_shared_client(server, store_url) for _ in range(3)]

	def work(client: HubSpotClient) -> None:
		for n in range(8):
			if n % 4 == 0:
				list(
					client.search_all(
						"contacts", [{"propertyName": "email", "operator": "HAS_PROPERTY"}], ["email"]
					)
				)
			else:
				client.batch_read("contacts", ["1", "2"], ["email"])

	threads = [threading.Thread(target=work, args=(c,)) for c in clients]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	all_times = [r["t"] for r in server.requests()]
	assert len(all_times) == 24
	assert peak(all_times, 1.5) <= 12
	assert peak([r["t"] for r in server.requests(kind="search")], 1.0) <= 3


def test_a_429_blocks_every_process_on_the_account(server, store_url):
	import time

	first, second = _shared_client(server, store_url), _shared_client(server, store_url)
	first.limiter.penalise(1.0)  # what `_check_status` does on a 429 with Retry-After: 1
	started = time.monotonic()
	second.batch_read("contacts", ["1"], ["email"])
	assert time.monotonic() - started >= 0.9
