"""Aging buckets by days past due with configurable upper bounds (default 0-30, 31-60, 61-90, 90+; Not Due
for invoices whose due date is still ahead), and the receivables under an Open promise to pay
(`promised_totals`; the promised dates come from `revops_app.core.collections.promises.promised_until`).

Speed: the labels of a set of limits are built and validated once (`_labels_for`, cached per limits) and a
bucket is one `bisect` over the limits, so `aging_bucket` per row and `aging_summary` over 100,000 rows do no
per-row label or limit work (`benchmarks/reports.py` prints both beside a bare loop).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from revops_app.core.collections.metrics.common import ZERO, to_date, to_decimal, value_of

NOT_DUE = "Not Due"
DEFAULT_AGING_LIMITS = (30, 60, 90)


def aging_labels(limits: Sequence[int] = DEFAULT_AGING_LIMITS) -> list[str]:
	"""Bucket labels for ascending upper bounds, e.g. (30, 60, 90) → 0-30, 31-60, 61-90, 90+ (with Not Due
	first for invoices whose due date is still ahead)."""
	return list(_labels_for(tuple(limits)))


@lru_cache(maxsize=64)
def _labels_for(limits: tuple[int, ...]) -> tuple[str, ...]:
	_check_limits(limits)
	labels = [NOT_DUE]
	lower = 0
	for upper in limits:
		labels.append(f"{lower}-{upper}")
		lower = upper + 1
	labels.append(f"{limits[-1]}+")
	return tuple(labels)


def _check_limits(limits: Sequence[int]) -> None:
	if not limits:
		raise ValueError("at least one aging limit is needed")
	if any(int(x) != x or x <= 0 for x in limits):
		raise ValueError(f"aging limits must be positive whole days: {list(limits)}")
	if list(limits) != sorted(set(limits)):
		raise ValueError(f"aging limits must be strictly ascending: {list(limits)}")


def days_overdue(due_date: Any, as_of: date) -> int:
	return (as_of - (due_date if type(due_date) is date else to_date(due_date))).days


def aging_bucket(days_past_due: int, limits: Sequence[int] = DEFAULT_AGING_LIMITS) -> str:
	"""0 days (due today) to the first limit is the first bucket; beyond the last limit is `<last>+`.
	Negative days (not yet due) are `Not Due`."""
	if type(limits) is not tuple:
		limits = tuple(limits)
	labels = _labels_for(limits)
	if days_past_due < 0:
		return NOT_DUE
	return labels[bisect_left(limits, days_past_due) + 1]


@dataclass(frozen=True)
class AgingSummary:
	labels: list[str]
	amounts: dict[str, Decimal]
	counts: dict[str, int]
	total: Decimal


def aging_summary(
	invoices: Iterable[Any], as_of: date, limits: Sequence[int] = DEFAULT_AGING_LIMITS
) -> AgingSummary:
	"""Outstanding amount and invoice count per bucket; rows need `due_date` and `outstanding` (dicts, as
	the database returns them, or objects with those attributes)."""
	limits = tuple(limits)
	labels = _labels_for(limits)
	amounts = [ZERO] * len(labels)
	counts = [0] * len(labels)
	for row in invoices:
		if isinstance(row, dict):
			due, outstanding = row.get("due_date"), row.get("outstanding")
		else:
			due, outstanding = value_of(row, "due_date"), value_of(row, "outstanding")
		days = (as_of - (due if type(due) is date else to_date(due))).days
		index = 0 if days < 0 else bisect_left(limits, days) + 1
		amounts[index] += outstanding if type(outstanding) is Decimal else to_decimal(outstanding)
		counts[index] += 1
	return AgingSummary(
		list(labels),
		dict(zip(labels, amounts, strict=True)),
		dict(zip(labels, counts, strict=True)),
		sum(amounts, ZERO),
	)


@dataclass(frozen=True)
class PromisedTotals:
	"""Rows whose invoice is under an Open promise to pay: how many, their outstanding, the soonest date."""

	count: int
	outstanding: Decimal
	next_date: date | None


def promised_totals(rows: Iterable[Any], promised: Mapping[str, date]) -> PromisedTotals:
	"""Over rows {invoice, outstanding} (an invoice listed once), those whose `invoice` is in `promised`
	(invoice -> promised date). Rows without an invoice (credit notes, payments, journal entries) never are."""
	count, outstanding, dates = 0, ZERO, []
	for row in rows:
		until = promised.get(value_of(row, "invoice") or "")
		if until is None:
			continue
		count += 1
		outstanding += to_decimal(value_of(row, "outstanding"))
		dates.append(until)
	return PromisedTotals(count, outstanding, min(dates) if dates else None)
