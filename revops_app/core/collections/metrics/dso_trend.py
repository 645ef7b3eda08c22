"""DSO (days sales outstanding) by month, two methods: see `dso_standard` and `dso_countback`.

`month_sequence` and `month_figures` turn aggregated ledger rows into the `MonthFigures` both methods read.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from revops_app.core.collections.metrics.common import ZERO, round_cents, to_decimal, value_of


@dataclass(frozen=True)
class MonthFigures:
	"""One calendar month: receivables at its last day and credit sales posted within it."""

	year: int
	month: int
	receivables: Decimal
	credit_sales: Decimal

	@property
	def days(self) -> int:
		return _calendar(self.year, self.month)[0]

	@property
	def label(self) -> str:
		return _calendar(self.year, self.month)[1]

	@property
	def end(self) -> date:
		return _calendar(self.year, self.month)[2]


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
	moves = _by_month(receivable_moves, "net")
	sales = _by_month(credit_sales, "amount")

	balance = to_decimal(opening_receivables)
	figures = []
	for year, month in months:
		balance += moves.get((year, month), ZERO)
		figures.append(MonthFigures(year, month, balance, sales.get((year, month), ZERO)))
	return figures


def _by_month(rows: Iterable[Any], field: str) -> dict[tuple[int, int], Decimal]:
	totals: dict[tuple[int, int], Decimal] = {}
	for row in rows:
		key = (int(value_of(row, "year")), int(value_of(row, "month")))
		totals[key] = totals.get(key, ZERO) + to_decimal(value_of(row, field))
	return totals


def dso_standard(months: Sequence[MonthFigures]) -> list[DsoPoint]:
	"""Standard (period) DSO per month: closing receivables / credit sales in the month * days in the month.

	Example: receivables 15,000 at 31 Jan, January credit sales 31,000 → 15,000 / 31,000 * 31 = 15.00 days.
	A month without credit sales has no DSO (None) rather than an infinite one. Rounded to 2 places.
	"""
	points = []
	for m in months:
		days, label, end = _calendar(m.year, m.month)
		dso = None
		if m.credit_sales > 0:
			dso = round_cents(m.receivables / m.credit_sales * days)
		points.append(DsoPoint(label, end, m.receivables, m.credit_sales, days, dso))
	return points


@lru_cache(maxsize=1024)
def _calendar(year: int, month: int) -> tuple[int, str, date]:
	"""(days in the month, "YYYY-MM", last day) of a month, computed once per month."""
	days = calendar.monthrange(year, month)[1]
	return days, f"{year:04d}-{month:02d}", date(year, month, days)


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
	months = list(months)
	sales = [m.credit_sales for m in months]
	calendars = [_calendar(m.year, m.month) for m in months]
	lengths = [c[0] for c in calendars]
	points = []
	for index, m in enumerate(months):
		remaining = m.receivables
		days = ZERO
		exhausted = False
		if remaining > 0:
			exhausted = True
			for back in range(index, -1, -1):
				sold = sales[back]
				if sold <= 0:
					# A month with no (or net negative) credit sales cannot hold receivables: all its days pass.
					days += lengths[back]
					continue
				if remaining <= sold:
					days += remaining / sold * lengths[back]
					exhausted = False
					break
				remaining -= sold
				days += lengths[back]
		length, label, end = calendars[index]
		points.append(
			DsoPoint(label, end, m.receivables, m.credit_sales, length, round_cents(days), exhausted)
		)
	return points


DSO_METHODS = {"Standard": dso_standard, "Countback": dso_countback}


def dso(months: Sequence[MonthFigures], method: str) -> list[DsoPoint]:
	try:
		return DSO_METHODS[method](months)
	except KeyError:
		raise ValueError(f"unknown DSO method {method!r}: use one of {sorted(DSO_METHODS)}") from None
