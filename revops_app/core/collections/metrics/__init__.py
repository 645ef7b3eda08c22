"""Receivables metrics for the collections reports: pure functions over plain rows.

Contract: every function here takes rows already aggregated by the database (dicts or the dataclasses
below), returns plain dataclasses, uses `Decimal` for money and never imports frappe or erpnext. The
Script Reports in `revops_app/revenue_collections/report/` only fetch rows and render what these return,
so the numbers finance users see are the ones the hand-checked tests in `tests/core/test_metrics.py` pin.

Metrics
- Daily cash position: per day, opening balance of the cash accounts in scope, receipts by mode of
  payment, other ledger movements on those accounts, closing; optionally the Stripe clearing account's
  money in, paid out and still pending.
- DSO by month, two methods (see `dso_standard` and `dso_countback`).
- Aging buckets by days past due with configurable upper bounds.
- Collection funnel invoiced → link sent → link viewed → paid, with the invoices stuck at each stage.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from revops_app.core.gateway.routing import LinkState

ZERO = Decimal("0")
CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
	"""Money from a database value (Decimal, float, int, str or None) without binary-float noise."""
	if value is None or value == "":
		return ZERO
	if isinstance(value, Decimal):
		return value
	if isinstance(value, float):
		# str() gives the shortest repr, so 0.1 becomes Decimal("0.1"), not 0.1000000000000000055...
		return Decimal(str(value))
	return Decimal(value)


def to_date(value: Any) -> date:
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def _get(row: Any, key: str, default: Any = None) -> Any:
	if isinstance(row, Mapping):
		return row.get(key, default)
	return getattr(row, key, default)


# --- daily cash position --------------------------------------------------------------------------


@dataclass(frozen=True)
class CashDay:
	day: date
	opening: Decimal
	receipts_by_mode: dict[str, Decimal]
	receipts: Decimal
	other_movements: Decimal
	closing: Decimal
	# Stripe clearing account: None when it is not configured (not derivable).
	stripe_received: Decimal | None = None
	stripe_paid_out: Decimal | None = None
	stripe_pending: Decimal | None = None


def daily_cash_position(
	from_date: date,
	to_date: date,
	opening: Any,
	receipts: Iterable[Any],
	ledger_net: Iterable[Any] = (),
	stripe_opening: Any = None,
	stripe_moves: Iterable[Any] | None = None,
) -> list[CashDay]:
	"""One row per calendar day from `from_date` to `to_date` inclusive.

	- `opening`: balance of the cash accounts in scope at the start of `from_date`.
	- `receipts`: rows {day, mode_of_payment, amount}: money received from customers (several rows per day
	  and mode are summed; a missing mode is reported as "Not Set").
	- `ledger_net`: rows {day, net}: the whole net ledger movement (debit - credit) on the cash accounts
	  that day. Receipts are part of it; `other_movements = net - receipts` (payouts, transfers, refunds).
	  When no ledger rows are given, the net movement is taken to be the receipts alone.
	- `closing = opening + receipts + other_movements`; the next day opens with it.
	- Stripe: `stripe_opening` is the clearing account's balance at the start, `stripe_moves` rows
	  {day, debit, credit}: debit = money in from card payments, credit = paid out to the bank.
	  Pending at day end = running balance. Pass `stripe_moves=None` when it is not derivable.
	"""
	if to_date < from_date:
		raise ValueError(f"to_date {to_date} is before from_date {from_date}")

	by_day_mode: dict[date, dict[str, Decimal]] = {}
	for row in receipts:
		day = to_date_checked(_get(row, "day"))
		mode = _get(row, "mode_of_payment") or "Not Set"
		modes = by_day_mode.setdefault(day, {})
		modes[mode] = modes.get(mode, ZERO) + to_decimal(_get(row, "amount"))

	net_by_day: dict[date, Decimal] | None = None
	for row in ledger_net:
		net_by_day = net_by_day if net_by_day is not None else {}
		day = to_date_checked(_get(row, "day"))
		net_by_day[day] = net_by_day.get(day, ZERO) + to_decimal(_get(row, "net"))

	stripe_by_day: dict[date, tuple[Decimal, Decimal]] | None = None
	if stripe_moves is not None:
		stripe_by_day = {}
		for row in stripe_moves:
			day = to_date_checked(_get(row, "day"))
			debit, credit = stripe_by_day.get(day, (ZERO, ZERO))
			stripe_by_day[day] = (
				debit + to_decimal(_get(row, "debit")),
				credit + to_decimal(_get(row, "credit")),
			)

	days: list[CashDay] = []
	balance = to_decimal(opening)
	stripe_balance = to_decimal(stripe_opening)
	day = from_date
	while day <= to_date:
		modes = dict(sorted(by_day_mode.get(day, {}).items()))
		received = sum(modes.values(), ZERO)
		net = received if net_by_day is None else net_by_day.get(day, ZERO)
		other = net - received
		closing = balance + received + other
		stripe_in = stripe_out = stripe_pending = None
		if stripe_by_day is not None:
			stripe_in, stripe_out = stripe_by_day.get(day, (ZERO, ZERO))
			stripe_balance = stripe_balance + stripe_in - stripe_out
			stripe_pending = stripe_balance
		days.append(
			CashDay(
				day=day,
				opening=balance,
				receipts_by_mode=modes,
				receipts=received,
				other_movements=other,
				closing=closing,
				stripe_received=stripe_in,
				stripe_paid_out=stripe_out,
				stripe_pending=stripe_pending,
			)
		)
		balance = closing
		day += timedelta(days=1)
	return days


def to_date_checked(value: Any) -> date:
	if value is None:
		raise ValueError("a row has no day")
	return to_date(value)


# --- DSO ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
	"""One calendar month: receivables at its last day and credit sales posted within it."""

	year: int
	month: int
	receivables: Decimal
	credit_sales: Decimal

	@property
	def days(self) -> int:
		return calendar.monthrange(self.year, self.month)[1]

	@property
	def label(self) -> str:
		return f"{self.year:04d}-{self.month:02d}"

	@property
	def end(self) -> date:
		return date(self.year, self.month, self.days)


@dataclass(frozen=True)
class DsoPoint:
	label: str
	month_end: date
	receivables: Decimal
	credit_sales: Decimal
	days_in_month: int
	dso: Decimal | None
	# countback only: True when the history ran out before the receivables were covered, so `dso` is a
	# lower bound (at least this many days).
	exhausted: bool = False


def month_sequence(end_year: int, end_month: int, count: int) -> list[tuple[int, int]]:
	"""The `count` calendar months ending with (end_year, end_month), oldest first."""
	if count < 1:
		raise ValueError("count must be at least 1")
	months = []
	year, month = end_year, end_month
	for _ in range(count):
		months.append((year, month))
		year, month = (year - 1, 12) if month == 1 else (year, month - 1)
	return months[::-1]


def month_figures(
	months: Sequence[tuple[int, int]],
	opening_receivables: Any,
	receivable_moves: Iterable[Any],
	credit_sales: Iterable[Any],
) -> list[MonthFigures]:
	"""Build month figures from aggregated rows.

	`opening_receivables` is the receivable balance before the first month; `receivable_moves` rows
	{year, month, net} give the net change (debit - credit) within each month, so the balance at each
	month end is the running sum; `credit_sales` rows {year, month, amount}.
	"""
	moves: dict[tuple[int, int], Decimal] = {}
	for row in receivable_moves:
		key = (int(_get(row, "year")), int(_get(row, "month")))
		moves[key] = moves.get(key, ZERO) + to_decimal(_get(row, "net"))
	sales: dict[tuple[int, int], Decimal] = {}
	for row in credit_sales:
		key = (int(_get(row, "year")), int(_get(row, "month")))
		sales[key] = sales.get(key, ZERO) + to_decimal(_get(row, "amount"))

	balance = to_decimal(opening_receivables)
	figures = []
	for year, month in months:
		balance += moves.get((year, month), ZERO)
		figures.append(MonthFigures(year, month, balance, sales.get((year, month), ZERO)))
	return figures


def dso_standard(months: Sequence[MonthFigures]) -> list[DsoPoint]:
	"""Standard (period) DSO per month: closing receivables / credit sales in the month * days in the month.

	Example: receivables 15,000 at 31 Jan, January credit sales 31,000 → 15,000 / 31,000 * 31 = 15.00 days.
	A month without credit sales has no DSO (None) rather than an infinite one. Rounded to 2 places.
	"""
	points = []
	for m in months:
		dso = None
		if m.credit_sales > 0:
			dso = _round(m.receivables / m.credit_sales * m.days)
		points.append(DsoPoint(m.label, m.end, m.receivables, m.credit_sales, m.days, dso))
	return points


def dso_countback(months: Sequence[MonthFigures]) -> list[DsoPoint]:
	"""Countback DSO per month: walk back through monthly credit sales until the receivables are used up.

	Starting at the month itself, each whole month whose credit sales fit in the remaining receivables adds
	all its days; the month that exhausts them adds the fraction remaining / sales * its days. Unlike the
	standard method this is not distorted by a sales spike or dip in the current month alone.

	Example: receivables 50 at 31 Mar; sales Mar 30, Feb 40. March is used up (50 - 30 = 20 left, 31 days),
	then 20 / 40 of February's 28 days = 14 → 45.00 days.

	Only months inside `months` are walked (the report fetches enough history); if they run out first the
	point is marked `exhausted` and the days counted so far are a lower bound. Zero receivables → 0 days.
	"""
	points = []
	for index, m in enumerate(months):
		remaining = m.receivables
		days = ZERO
		exhausted = False
		if remaining > 0:
			exhausted = True
			for back in months[index::-1]:
				if back.credit_sales <= 0:
					# A month with no (or net negative) credit sales cannot hold receivables: all its days pass.
					days += back.days
					continue
				if remaining <= back.credit_sales:
					days += remaining / back.credit_sales * back.days
					exhausted = False
					break
				remaining -= back.credit_sales
				days += back.days
		points.append(
			DsoPoint(m.label, m.end, m.receivables, m.credit_sales, m.days, _round(days), exhausted)
		)
	return points


DSO_METHODS = {"Standard": dso_standard, "Countback": dso_countback}


def dso(months: Sequence[MonthFigures], method: str) -> list[DsoPoint]:
	try:
		return DSO_METHODS[method](months)
	except KeyError:
		raise ValueError(f"unknown DSO method {method!r}: use one of {sorted(DSO_METHODS)}") from None


def _round(value: Decimal) -> Decimal:
	return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- aging ----------------------------------------------------------------------------------------

NOT_DUE = "Not Due"
DEFAULT_AGING_LIMITS = (30, 60, 90)


def aging_labels(limits: Sequence[int] = DEFAULT_AGING_LIMITS) -> list[str]:
	"""Bucket labels for ascending upper bounds, e.g. (30, 60, 90) → 0-30, 31-60, 61-90, 90+ (with Not Due
	first for invoices whose due date is still ahead)."""
	_check_limits(limits)
	labels = [NOT_DUE]
	lower = 0
	for upper in limits:
		labels.append(f"{lower}-{upper}")
		lower = upper + 1
	labels.append(f"{limits[-1]}+")
	return labels


def _check_limits(limits: Sequence[int]) -> None:
	if not limits:
		raise ValueError("at least one aging limit is needed")
	if any(int(x) != x or x <= 0 for x in limits):
		raise ValueError(f"aging limits must be positive whole days: {list(limits)}")
	if list(limits) != sorted(set(limits)):
		raise ValueError(f"aging limits must be strictly ascending: {list(limits)}")


def days_overdue(due_date: Any, as_of: date) -> int:
	return (as_of - to_date(due_date)).days


def aging_bucket(days_past_due: int, limits: Sequence[int] = DEFAULT_AGING_LIMITS) -> str:
	"""0 days (due today) to the first limit is the first bucket; beyond the last limit is `<last>+`.
	Negative days (not yet due) are `Not Due`."""
	labels = aging_labels(limits)
	if days_past_due < 0:
		return NOT_DUE
	for upper, label in zip(limits, labels[1:], strict=False):
		if days_past_due <= upper:
			return label
	return labels[-1]


@dataclass(frozen=True)
class AgingSummary:
	labels: list[str]
	amounts: dict[str, Decimal]
	counts: dict[str, int]
	total: Decimal


def aging_summary(
	invoices: Iterable[Any], as_of: date, limits: Sequence[int] = DEFAULT_AGING_LIMITS
) -> AgingSummary:
	"""Outstanding amount and invoice count per bucket; rows need `due_date` and `outstanding`."""
	labels = aging_labels(limits)
	amounts = dict.fromkeys(labels, ZERO)
	counts = dict.fromkeys(labels, 0)
	for row in invoices:
		label = aging_bucket(days_overdue(_get(row, "due_date"), as_of), limits)
		amounts[label] += to_decimal(_get(row, "outstanding"))
		counts[label] += 1
	return AgingSummary(labels, amounts, counts, sum(amounts.values(), ZERO))


# --- pay-link status --------------------------------------------------------------------------------

LINK_NOT_SENT = "Not Sent"
LINK_NEVER_VIEWED = "Never Viewed"
LINK_VIEWED = "Viewed"
LINK_FAILED = "Payment Failed"
LINK_DISPUTED = "Disputed"
PAY_LINK_STATUSES = (LINK_NOT_SENT, LINK_NEVER_VIEWED, LINK_VIEWED, LINK_FAILED, LINK_DISPUTED)


def pay_link_status(
	link_state: str | None, disputed: Any = 0, view_count: Any = 0, sent_at: Any = None
) -> str:
	"""Collections view of a RevOps Payment Link row (None = the invoice has no link).

	Most serious first: a dispute, then a failed payment, then whether the customer ever opened it.
	A link in state Paid on an invoice that still has an outstanding balance (a partial payment) counts
	as Viewed: the customer came through it.
	"""
	if link_state is None:
		return LINK_NOT_SENT
	if int(disputed or 0) or link_state == LinkState.DISPUTED:
		return LINK_DISPUTED
	if link_state == LinkState.PAYMENT_FAILED:
		return LINK_FAILED
	if int(view_count or 0) > 0 or link_state in (LinkState.VIEWED, LinkState.PAID):
		return LINK_VIEWED
	if sent_at or link_state == LinkState.SENT:
		return LINK_NEVER_VIEWED
	return LINK_NOT_SENT


# --- collection funnel ------------------------------------------------------------------------------

STAGE_INVOICED = "Invoiced"
STAGE_SENT = "Link Sent"
STAGE_VIEWED = "Link Viewed"
STAGE_PAID = "Paid"
FUNNEL_STAGES = (STAGE_INVOICED, STAGE_SENT, STAGE_VIEWED, STAGE_PAID)


@dataclass(frozen=True)
class FunnelInvoice:
	invoice: str
	customer: str
	amount: Decimal
	outstanding: Decimal
	link_sent: bool
	link_viewed: bool
	due_date: date | None = None
	link_status: str = LINK_NOT_SENT

	@property
	def paid(self) -> bool:
		return self.outstanding <= 0

	@property
	def stage_index(self) -> int:
		"""The furthest stage reached. Paid off-link (bank transfer) still counts as Paid, and a view implies
		the link reached the customer, so the funnel never widens."""
		if self.paid:
			return 3
		if self.link_viewed:
			return 2
		if self.link_sent:
			return 1
		return 0


@dataclass(frozen=True)
class FunnelStage:
	stage: str
	count: int
	amount: Decimal
	# Share of the previous stage's count that got this far (None for the first stage or an empty one).
	conversion: Decimal | None
	# Invoices that reached this stage and no further, still unpaid (empty for Paid).
	stuck: list[FunnelInvoice] = field(default_factory=list)

	@property
	def stuck_outstanding(self) -> Decimal:
		return sum((i.outstanding for i in self.stuck), ZERO)


def funnel_invoice(row: Any) -> FunnelInvoice:
	"""A FunnelInvoice from a row {invoice, customer, amount, outstanding, sent_at, view_count, link_state,
	disputed, due_date}; link fields may be None when the invoice has no pay link."""
	link_state = _get(row, "link_state")
	view_count = int(_get(row, "view_count") or 0)
	viewed = view_count > 0 or link_state in (LinkState.VIEWED, LinkState.PAID)
	sent = (
		viewed
		or bool(_get(row, "sent_at"))
		or link_state in (LinkState.SENT, LinkState.PAYMENT_FAILED, LinkState.DISPUTED)
	)
	due = _get(row, "due_date")
	return FunnelInvoice(
		invoice=_get(row, "invoice"),
		customer=_get(row, "customer") or "",
		amount=to_decimal(_get(row, "amount")),
		outstanding=to_decimal(_get(row, "outstanding")),
		link_sent=sent,
		link_viewed=viewed,
		due_date=to_date(due) if due else None,
		link_status=pay_link_status(link_state, _get(row, "disputed"), view_count, _get(row, "sent_at")),
	)


def collection_funnel(invoices: Iterable[Any]) -> list[FunnelStage]:
	"""Funnel counts and amounts (invoice totals) of invoices that reached at least each stage, with the
	invoices stuck at each stage, largest outstanding first."""
	items = [i if isinstance(i, FunnelInvoice) else funnel_invoice(i) for i in invoices]
	stages = []
	previous_count: int | None = None
	for index, name in enumerate(FUNNEL_STAGES):
		reached = [i for i in items if i.stage_index >= index]
		count = len(reached)
		conversion = None
		if previous_count:
			conversion = _round(Decimal(count) * 100 / Decimal(previous_count))
		stuck = []
		if index < len(FUNNEL_STAGES) - 1:
			stuck = sorted(
				(i for i in reached if i.stage_index == index), key=lambda i: (-i.outstanding, i.invoice)
			)
		stages.append(FunnelStage(name, count, sum((i.amount for i in reached), ZERO), conversion, stuck))
		previous_count = count
	return stages
