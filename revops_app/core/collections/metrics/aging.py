"""Aging buckets by days past due with configurable upper bounds (default 0-30, 31-60, 61-90, 90+; Not Due
for invoices whose due date is still ahead)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from revops_app.core.collections.metrics.common import ZERO, to_date, to_decimal, value_of

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
		label = aging_bucket(days_overdue(value_of(row, "due_date"), as_of), limits)
		amounts[label] += to_decimal(value_of(row, "outstanding"))
		counts[label] += 1
	return AgingSummary(labels, amounts, counts, sum(amounts.values(), ZERO))
