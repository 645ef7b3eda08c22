"""Figures for the CX reports: NPS, CSAT %, renewal status, revenue by NPS segment.

Contract: each function takes rows the database has already aggregated (plain dicts / numbers) and
returns plain values; money is `Decimal`. The Script Reports in
`revops_app/customer_experience/report/` only fetch and render.

- NPS = % promoters - % detractors over the responses counted (-100..100), one decimal.
- CSAT % = satisfied responses / all CSAT responses * 100, one decimal; the average normalised score
  is reported beside it.
- Renewal status of a customer from its contracts' end dates and today: "Renewal Due" (a current
  contract ends within the window and no later one is signed), "Lapsed" (every contract has ended),
  "Active" (a contract runs beyond the window, is open-ended or starts later), "No Contract".
- Revenue (LTV) by NPS segment: billed revenue per customer summed per segment, with customers,
  average LTV and share of all revenue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Database values -> money the same way as the collections reports.
from revops_app.core.collections.metrics.common import CENT, ZERO, to_decimal

TENTH = Decimal("0.1")


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
	if not whole:
		return None
	return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, ROUND_HALF_UP)


def nps(promoters: int, passives: int, detractors: int) -> Decimal | None:
	total = promoters + passives + detractors
	if not total:
		return None
	return (Decimal(promoters - detractors) * 100 / total).quantize(TENTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class CsatGroup:
	group: str
	responses: int
	satisfied: int
	unsatisfied: int
	csat_percent: Decimal | None
	average_score: Decimal | None


def csat_groups(rows: Iterable[Mapping[str, Any]]) -> list[CsatGroup]:
	"""Rows: {group, responses, satisfied, unsatisfied, score_sum}; sorted worst CSAT % first so
	the groups that need attention lead the report."""
	groups = []
	for row in rows:
		responses = int(row.get("responses") or 0)
		score_sum = to_decimal(row.get("score_sum"))
		groups.append(
			CsatGroup(
				group=row.get("group") or "(none)",
				responses=responses,
				satisfied=int(row.get("satisfied") or 0),
				unsatisfied=int(row.get("unsatisfied") or 0),
				csat_percent=percent(int(row.get("satisfied") or 0), responses),
				average_score=(score_sum / responses).quantize(TENTH, ROUND_HALF_UP) if responses else None,
			)
		)
	return sorted(groups, key=lambda g: (g.csat_percent is None, g.csat_percent or 0, g.group))


RENEWAL_DUE = "Renewal Due"
LAPSED = "Lapsed"
ACTIVE = "Active"
NO_CONTRACT = "No Contract"


def renewal_status(
	contracts: Sequence[tuple[date | None, date | None]], today: date, window_days: int
) -> tuple[str, date | None]:
	"""(start, end) pairs -> (status, the end date that decides it). A contract without an end date
	is open-ended and counts as Active."""
	if not contracts:
		return NO_CONTRACT, None
	horizon = today + timedelta(days=window_days)
	current = [(s, e) for s, e in contracts if (s is None or s <= today) and (e is None or e >= today)]
	upcoming_ends = sorted(e for _, e in current if e is not None and e <= horizon)
	if any(e is None or e > horizon for _, e in current):
		return ACTIVE, max((e for _, e in current if e), default=None)
	future = [(s, e) for s, e in contracts if s is not None and s > today]
	if future:  # already renewed: the next contract is signed
		return ACTIVE, max((e for _, e in future if e), default=None)
	if upcoming_ends:
		return RENEWAL_DUE, upcoming_ends[0]
	return LAPSED, max((e for _, e in contracts if e), default=None)


@dataclass(frozen=True)
class SegmentRevenue:
	segment: str
	customers: int
	revenue: Decimal
	average_ltv: Decimal
	share_percent: Decimal | None


def revenue_by_segment(rows: Iterable[Mapping[str, Any]], order: Sequence[str] = ()) -> list[SegmentRevenue]:
	"""Rows: one per customer, {segment, revenue}. Segments listed in `order` come first, in that
	order (even when empty), the rest alphabetically."""
	totals: dict[str, list] = {name: [0, ZERO] for name in order}
	for row in rows:
		bucket = totals.setdefault(row.get("segment") or "No Data", [0, ZERO])
		bucket[0] += 1
		bucket[1] += to_decimal(row.get("revenue"))
	grand = sum((b[1] for b in totals.values()), ZERO)
	names = list(order) + sorted(n for n in totals if n not in order)
	return [
		SegmentRevenue(
			segment=name,
			customers=totals[name][0],
			revenue=totals[name][1].quantize(CENT, ROUND_HALF_UP),
			average_ltv=(totals[name][1] / totals[name][0]).quantize(CENT, ROUND_HALF_UP)
			if totals[name][0]
			else ZERO,
			share_percent=percent(totals[name][1], grand),
		)
		for name in names
	]
