"""The rate limiter's recent history, shared by every process on the store (`sidecar.hubspot.RateLimiter`).

Contract: `SharedRateLog(engine).reserve(...)` decides, in one serialised transaction (SQLite BEGIN IMMEDIATE;
PostgreSQL an advisory transaction lock per account), whether one more request fits every rolling window as
seen by ALL processes using the same token; if it does, it records the request and returns its row id, else
the seconds to wait. A reserved request counts as arriving at `now + hold` (the latest it can reach HubSpot,
its timeout) until `complete(row, at)` sets its completion time, so a process killed mid-request still counts
its requests in flight until they could no longer arrive. `penalise(until)` (a 429's Retry-After) blocks every
process for the account. Rows older than every window are pruned as they go.
The account key is a hash of the token: the token itself is never stored.
"""

from __future__ import annotations

import hashlib
import zlib

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine

from sidecar.store import schema as s

PRUNE_EVERY = 200  # reservations between deletes of rows older than every window
MAX_WAIT = 0.25  # a waiter re-checks at least this often (requests in flight complete early)


def account_key(token: str) -> str:
	return hashlib.sha256(f"revops-rate:{token}".encode()).hexdigest()[:32]


class SharedRateLog:
	def __init__(self, engine: Engine, account: str):
		self.engine = engine
		self.account = account
		self._lock_id = zlib.crc32(account.encode()) & 0x7FFFFFFF
		self._since_prune = 0

	def _serialise(self, conn: Connection) -> None:
		if conn.dialect.name == "postgresql":
			conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._lock_id})

	def _wait(self, conn: Connection, now: float, limit: int, window: float, search: bool) -> float:
		"""Seconds until one more request fits `limit` per rolling `window` (0 = now)."""
		t = s.rate_log
		where = [t.c.account == self.account, t.c.at > now - window]
		if search:
			where.append(t.c.search.is_(True))
		active = conn.execute(select(func.count()).select_from(t).where(*where)).scalar_one()
		if active < limit:
			return 0.0
		# the (active - limit + 1)-th oldest must leave the window first
		oldest = conn.execute(
			select(t.c.at).where(*where).order_by(t.c.at).offset(active - limit).limit(1)
		).scalar_one()
		return min(max(oldest + window - now, 0.0) + 1e-4, MAX_WAIT)

	def reserve(
		self,
		now: float,
		hold: float,
		burst: int,
		window: float,
		search: bool,
		search_limit: int,
		search_window: float,
	) -> tuple[int | None, float]:
		"""(row id, 0) when the request may go now, else (None, seconds to wait)."""
		with self.engine.begin() as conn:
			self._serialise(conn)
			wait = self._wait(conn, now, burst, window, False)
			if search:
				wait = max(wait, self._wait(conn, now, search_limit, search_window, True))
			if wait > 0:
				return None, wait
			row = conn.execute(
				insert(s.rate_log).values(account=self.account, at=now + hold, search=search)
			).inserted_primary_key[0]
			self._since_prune += 1
			if self._since_prune >= PRUNE_EVERY:
				self._since_prune = 0
				horizon = now - max(window, search_window) - hold
				conn.execute(
					delete(s.rate_log).where(s.rate_log.c.account == self.account, s.rate_log.c.at < horizon)
				)
			return row, 0.0

	def complete(self, row: int, at: float) -> None:
		with self.engine.begin() as conn:
			conn.execute(update(s.rate_log).where(s.rate_log.c.id == row).values(at=at))

	def penalise(self, until: float, burst: int, window: float) -> None:
		"""Fill the window so that nobody on the account sends before `until`."""
		with self.engine.begin() as conn:
			self._serialise(conn)
			conn.execute(
				insert(s.rate_log),
				[{"account": self.account, "at": until - window, "search": False} for _ in range(burst)],
			)

	def count_since(self, since: float) -> int:
		t = s.rate_log
		with self.engine.connect() as conn:
			return conn.execute(
				select(func.count()).select_from(t).where(t.c.account == self.account, t.c.at > since)
			).scalar_one()
