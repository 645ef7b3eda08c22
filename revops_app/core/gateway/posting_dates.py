"""The date a Stripe money movement is posted on (framework-free, pure).

A receipt, refund or dispute entry belongs on the day Stripe moved the money, not the day the worker
happened to run: a retried or late-processed event must land in the same day and period as the money.

Contract:
- `local_date(timestamp, tz)`: a Stripe Unix timestamp (seconds, UTC) as a date in the IANA zone `tz`
  (the site's System Settings time zone, passed in by the glue). None for a missing / non-positive /
  non-integer timestamp; ValueError for an unknown zone. 23:30 UTC is the next day in Asia/Kolkata.
- `posting_date(money_ts=..., event_ts=..., today=..., tz=..., frozen_upto=..., closed=...)`
  -> `PostingDate`. The money date comes from the first usable of: the Stripe object's `created`
  (charge / balance transaction, refund, dispute balance transaction), the event's `created`, today.
  A date after `today` (clock skew between Stripe and the site) is posted today. Then, because ERPNext
  refuses any GL entry dated on or before Accounts Settings `acc_frozen_upto` for the worker (it runs
  as Administrator, whom `check_freezing_date` never lets through) and any voucher dated inside an
  Accounting Period whose Closed Document row closes that voucher type, and any GL entry dated on or
  before the last submitted Period Closing Voucher's period_end_date (`books_closed_upto`;
  general_ledger.validate_against_pcv), a date in any of them is moved to the first open date after it (repeated until nothing blocks it). The settlement never fails for
  that; `remark` says what happened, for the entry's remarks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SOURCE_STRIPE = "stripe"
SOURCE_EVENT = "event"
SOURCE_TODAY = "today"


@dataclass(frozen=True)
class ClosedPeriod:
	"""An Accounting Period closed for the voucher type being posted (start and end inclusive)."""

	name: str
	start: date
	end: date


@dataclass(frozen=True)
class PostingDate:
	date: date  # what the entry is posted on (and its reference / cheque date)
	money_date: date  # when the money moved, as far as the facts tell
	source: str  # SOURCE_STRIPE / SOURCE_EVENT / SOURCE_TODAY: where money_date came from
	moved_because: tuple[str, ...] = ()  # why `date` is later than money_date (frozen / closed)
	clamped: bool = False  # the facts gave a date after today

	@property
	def moved(self) -> bool:
		return self.date != self.money_date

	@property
	def remark(self) -> str:
		"""One sentence for the entry's remarks; empty when the entry sits on the money date as told."""
		parts = []
		if self.source != SOURCE_STRIPE:
			what = "the event's time" if self.source == SOURCE_EVENT else "no Stripe time was available"
			parts.append(f"Money date {self.money_date.isoformat()} ({what})")
		if self.clamped:
			parts.append(f"Stripe's date is after today's site date; posted on {self.money_date.isoformat()}")
		if self.moved:
			parts.append(
				f"Stripe moved the money on {self.money_date.isoformat()}, posted on {self.date.isoformat()}, "
				f"the first open date, because {' and '.join(self.moved_because)}"
			)
		return ". ".join(parts)


def _zone(tz: str) -> ZoneInfo:
	try:
		return ZoneInfo(tz)
	except (ZoneInfoNotFoundError, ValueError, TypeError):
		raise ValueError(f"unknown time zone {tz!r}") from None


def local_date(timestamp: object, tz: str) -> date | None:
	"""A Stripe Unix timestamp as a calendar date in `tz`, or None when there is no usable timestamp."""
	zone = _zone(tz)
	if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp <= 0:
		return None
	return datetime.fromtimestamp(timestamp, tz=timezone.utc).astimezone(zone).date()


def first_open_date(
	day: date,
	*,
	frozen_upto: date | None = None,
	closed: Iterable[ClosedPeriod] = (),
	books_closed_upto: date | None = None,
) -> tuple[date, tuple[str, ...]]:
	"""The first date on or after `day` that neither the freeze nor a closed period blocks, and why it moved."""
	closed = tuple(closed)
	reasons: list[str] = []
	while True:
		if frozen_upto and day <= frozen_upto:
			day = frozen_upto + timedelta(days=1)
			reasons.append(f"accounts are frozen up to {frozen_upto.isoformat()} (Accounts Settings)")
			continue
		if books_closed_upto and day <= books_closed_upto:
			day = books_closed_upto + timedelta(days=1)
			reasons.append(f"books are closed up to {books_closed_upto.isoformat()} (Period Closing Voucher)")
			continue
		period = next((p for p in closed if p.start <= day <= p.end), None)
		if period is None:
			# dict.fromkeys: keep the order, drop repeats
			return day, tuple(dict.fromkeys(reasons))
		day = period.end + timedelta(days=1)
		reasons.append(
			f"Accounting Period {period.name} ({period.start.isoformat()} to {period.end.isoformat()}) is closed"
		)


def posting_date(
	*,
	money_ts: object,
	event_ts: object,
	today: date,
	tz: str,
	frozen_upto: date | None = None,
	closed: Iterable[ClosedPeriod] = (),
	books_closed_upto: date | None = None,
) -> PostingDate:
	"""Where an entry for money Stripe moved at `money_ts` goes (see the module docstring)."""
	money = local_date(money_ts, tz)
	source = SOURCE_STRIPE
	if money is None:
		money, source = local_date(event_ts, tz), SOURCE_EVENT
	if money is None:
		money, source = today, SOURCE_TODAY
	clamped = money > today
	if clamped:
		money = today
	day, reasons = first_open_date(
		money, frozen_upto=frozen_upto, closed=closed, books_closed_upto=books_closed_upto
	)
	return PostingDate(day, money, source, reasons, clamped)
