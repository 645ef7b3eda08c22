"""Request rate limiting for one HubSpot account, shared by every call of a process.

Contract: `slot = RateLimiter.acquire(search=...)` blocks until a request may be sent without exceeding
- `burst` requests in ANY rolling `window` (10 s) - every call counts, searches included (searches are exempt
  from HubSpot's ten-secondly limit per the specs; counting them anyway only makes us slower, never throttled),
- `searches_per_second` CRM search requests in any rolling second,
- `daily_budget` requests per account day (0 = unlimited); the day starts at midnight in the account's time zone.
When the daily budget is spent it raises `DailyBudgetExhausted` instead of sleeping until tomorrow.
`RateLimiter.done(slot)` after the answer arrives: a request counts from its completion, so the ceiling holds
as HubSpot sees it (arrival anywhere between send and answer), not only as we see it.

With `shared` (a `sidecar.store.ratelog.SharedRateLog`), the log lives in the store instead of this process:
every process using the same token and store (`run`, `backfill`, `plan`, `cx-*`, several hosts) reserves its
slots there in one serialised transaction, so a restarted process starts with the history the killed one left
(a request in flight counts until `hold` seconds after its send, the latest it could still arrive). Shared
slots are timed by the wall clock (`wall`), which is what several hosts agree on.

Sliding logs of send times (not refilling buckets) are used because a refilling bucket of size N lets up to
2N requests through in one window; with a log the configured figure is a hard ceiling over every window.
Thread-safe; `clock`/`sleep` are injectable for tests.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


class DailyBudgetExhausted(RuntimeError):
	"""The configured daily request budget is used up; retry after the account's midnight."""


class RateLimiter:
	def __init__(
		self,
		burst: int,
		searches_per_second: float,
		daily_budget: int = 0,
		window: float = 10.0,
		timezone: str = "UTC",
		used_today: int = 0,
		clock: Callable[[], float] = time.monotonic,
		sleep: Callable[[float], None] = time.sleep,
		wall: Callable[[], float] = time.time,
		shared: Any = None,
		hold: float = 35.0,
	):
		if burst <= 0 or searches_per_second <= 0:
			raise ValueError("burst and searches_per_second must be > 0")
		self.burst = int(burst)
		self.window = float(window)
		# A fractional rate like 4.5/s becomes 9 per 2 s: the ceiling still holds over every window.
		self.search_limit, self.search_window = self._as_window(searches_per_second)
		self.daily_budget = int(daily_budget)
		self.tz = ZoneInfo(timezone)
		self._clock, self._sleep, self._wall = clock, sleep, wall
		self._sent: deque[list] = deque()
		self._searches: deque[list] = deque()
		self._lock = threading.Lock()
		self._day = self._today()
		self.used_today = int(used_today)
		self.total = 0
		self.waited = 0.0
		self.shared = shared
		self.hold = float(hold)

	@staticmethod
	def _as_window(rate: float) -> tuple[int, float]:
		for span in (1, 2, 4, 5, 10):
			if abs(rate * span - round(rate * span)) < 1e-9 and round(rate * span) >= 1:
				return round(rate * span), float(span)
		return max(1, int(rate)), 1.0

	def _today(self) -> str:
		return datetime.fromtimestamp(self._wall(), self.tz).date().isoformat()

	def _check_budget(self) -> None:
		today = self._today()
		if today != self._day:
			self._day, self.used_today = today, 0
		if self.daily_budget and self.used_today >= self.daily_budget:
			raise DailyBudgetExhausted(
				f"daily HubSpot request budget of {self.daily_budget} used up for {self._day}"
			)

	def acquire(self, search: bool = False) -> list:
		"""Block until a request may be sent; returns its slot, to be passed to `done()` when it completes."""
		if self.shared is not None:
			return self._acquire_shared(search)
		while True:
			with self._lock:
				self._check_budget()
				now = self._clock()
				wait = self._wait_for(self._sent, self.burst, self.window, now)
				if search:
					wait = max(
						wait, self._wait_for(self._searches, self.search_limit, self.search_window, now)
					)
				if wait <= 0:
					slot = [now, False]  # [time, completed]
					self._sent.append(slot)
					if search:
						self._searches.append(slot)
					self.used_today += 1
					self.total += 1
					return slot
			self.waited += wait
			self._sleep(wait)

	def _acquire_shared(self, search: bool) -> list:
		while True:
			with self._lock:
				self._check_budget()
				now = self._wall()
				row, wait = self.shared.reserve(
					now, self.hold, self.burst, self.window, search, self.search_limit, self.search_window
				)
				if row is not None:
					self.used_today += 1
					self.total += 1
					return [now, False, row]
			self.waited += wait
			self._sleep(wait)

	def done(self, slot: list) -> None:
		"""The request got its answer: from now on it counts from its completion time.

		HubSpot counts a request when it arrives, somewhere between our send and our receipt of the answer;
		counting it until `completion + window` keeps the ceiling true at the server even when requests queue
		or the network jitters. A request still in flight blocks its place in the window until it completes.
		"""
		if self.shared is not None and len(slot) > 2:
			slot[0], slot[1] = max(slot[0], self._wall()), True
			self.shared.complete(slot[2], slot[0])
			return
		with self._lock:
			slot[0] = max(slot[0], self._clock())
			slot[1] = True

	@staticmethod
	def _wait_for(log: deque[list], limit: int, window: float, now: float) -> float:
		while log and log[0][1] and log[0][0] <= now - window:
			log.popleft()
		active = [s for s in log if not s[1] or s[0] > now - window]
		if len(active) < limit:
			return 0.0
		expiries = sorted(s[0] + window for s in active if s[1])
		need = len(active) - limit + 1
		if len(expiries) < need:
			return 0.01  # the blocking requests are still in flight: poll
		# a hair more so float noise never lets one extra in
		return max(expiries[need - 1] - now, 0.0) + 1e-4

	def penalise(self, seconds: float) -> None:
		"""After a 429 the server knows better: block every caller for `seconds`."""
		if self.shared is not None:
			self.shared.penalise(self._wall() + seconds, self.burst, self.window)
			return
		with self._lock:
			until = self._clock() + seconds
			# filling the burst log with completed sends at `until - window` keeps everyone waiting until `until`
			self._sent = deque([until - self.window, True] for _ in range(self.burst))
