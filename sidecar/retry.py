"""One retry policy for the sidecar's HTTP clients (ERPNext and HubSpot).

Contract:
- `RetryPolicy` says how often a failed request is tried again (`retries`, after the first attempt), how
  long to wait (`backoff` doubled per retry, capped at `max_backoff`, optionally jittered to [0.5, 1] x so
  parallel workers spread out), which HTTP statuses are worth a retry (`statuses`), and how long a server's
  `Retry-After` may make us wait (`max_retry_after`). A given Retry-After replaces the backoff.
- What is *safe* to retry (idempotency, ambiguous writes) stays with each client: the policy only answers
  "may I try again?" and "how long do I wait?".
- `from_settings(section)` reads the config names both clients share: `max_retries`, `backoff_seconds` and
  (HubSpot) `max_backoff_seconds`; missing names keep the policy's own values.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
	retries: int = 4  # attempts after the first
	backoff: float = 0.5  # seconds before the first retry, doubled per retry
	max_backoff: float = 30.0  # cap on one computed delay
	max_retry_after: float = 120.0  # never sleep longer than this on a server's Retry-After
	jitter: bool = True  # scale each computed delay by a random factor in [0.5, 1]
	statuses: frozenset[int] = field(default_factory=lambda: RETRY_STATUSES)

	def can_retry(self, retries_done: int) -> bool:
		"""Whether another attempt is allowed after `retries_done` retries."""
		return retries_done < self.retries

	def retries_status(self, status: int) -> bool:
		return status in self.statuses

	def delay(self, attempt: int, retry_after: float | None = None) -> float:
		"""Seconds to wait before retry number `attempt + 1` (attempt 0 = the first retry)."""
		if retry_after is not None:
			return min(max(retry_after, 0.0), self.max_retry_after)
		base = min(self.backoff * (2**attempt), self.max_backoff)
		if self.jitter:
			return base * (0.5 + random.random() / 2)  # spread retries of parallel workers
		return base

	def from_settings(self, section: Any) -> RetryPolicy:
		"""This policy with `max_retries`, `backoff_seconds`, `max_backoff_seconds` from a config section
		(attributes or mapping keys) where they are set."""

		def get(name: str) -> Any:
			if isinstance(section, Mapping):
				return section.get(name)
			return getattr(section, name, None)

		changes: dict[str, Any] = {}
		if get("max_retries") is not None:
			changes["retries"] = int(get("max_retries"))
		if get("backoff_seconds") is not None:
			changes["backoff"] = float(get("backoff_seconds"))
		if get("max_backoff_seconds") is not None:
			changes["max_backoff"] = float(get("max_backoff_seconds"))
		return replace(self, **changes)


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
	"""A Retry-After header (delta seconds or an HTTP date) as seconds from now; None when absent or unreadable."""
	if not value:
		return None
	try:
		return max(float(value), 0.0)
	except ValueError:
		pass
	try:
		return max(parsedate_to_datetime(value).timestamp() - now(), 0.0)
	except (TypeError, ValueError):
		return None
