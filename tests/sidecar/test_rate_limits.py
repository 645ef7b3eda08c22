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
