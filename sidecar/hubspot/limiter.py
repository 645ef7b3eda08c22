"""Request rate limiting for one HubSpot account, shared by every call of a process.

Contract: `slot = RateLimiter.acquire(search=...)` blocks until a request may be sent without exceeding
- `burst` requests in ANY rolling `window` (10 s) - every call counts, searches included (searches are exempt
  from HubSpot's ten-secondly limit per the specs; counting them anyway only makes us slower, never throttled),
- `searches_per_second` CRM search requests in any rolling second,
- `daily_budget` requests per account day (0 = unlimited); the day starts at midnight in the account's time zone.
When the daily budget is spent it raises `DailyBudgetExhausted` instead of sleeping until tomorrow.
`RateLimiter.done(slot)` after the answer arrives: a request counts from its completion, so the ceiling holds
as HubSpot sees it (arrival anywhere between send and answer), not only as we see it.

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

	@staticmethod
	def _as_window(rate: float) -> tuple[int, float]:
		for span in (1, 2, 4, 5, 10):
			if abs(rate * span - round(rate * span)) < 1e-9 and round(rate * span) >= 1:
				return round(rate * span), float(span)
		return max(1, int(rate)), 1.0

	def _today(self) -> str:
		return datetime.fromtimestamp(self._wall(), self.tz).date().isoformat()

	def acquire(self, search: bool = False) -> list:
		"""Block until a request may be sent; returns its slot, to be passed to `done()` when it completes."""
		while True:
			with self._lock:
				today = self._today()
				if today != self._day:
					self._day, self.used_today = today, 0
				if self.daily_budget and self.used_today >= self.daily_budget:
					raise DailyBudgetExhausted(
						f"daily HubSpot request budget of {self.daily_budget} used up for {self._day}"
					)
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

	def done(self, slot: list) -> None:
		"""The request got its answer: from now on it counts from its completion time.

		HubSpot counts a request when it arrives, somewhere between our send and our receipt of the answer;
		counting it until `completion + window` keeps the ceiling true at the server even when requests queue
		or the network jitters. A request still in flight blocks its place in the window until it completes.
		"""
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
		with self._lock:
			until = self._clock() + seconds
			# filling the burst log with completed sends at `until - window` keeps everyone waiting until `until`
			self._sent = deque([until - self.window, True] for _ in range(self.burst))
