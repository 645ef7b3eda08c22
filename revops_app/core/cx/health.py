"""Customer-level CX state: churn risk, CX segment, the sentiment timeline.

Contract: pure functions over plain values (dates, floats, small dataclasses); the glue fetches
the rows and writes the results onto the Customer. Nothing here reads a database.

Churn risk (`churn_risk`): the customer's NPS has fallen over the last N responses (N =
`decline_responses`, 2 or 3 by default policy: the last N NPS scores strictly decreasing, oldest to
newest), AND at least one of these coincides:
- a Contract ends within `contract_window_days` from today (today included),
- the customer has overdue invoices,
- the customer has open Issues,
- the customer's payment behaviour worsened (`core.collections.payment_behaviour.concerns`: paying
  slower, failed payments, broken promises to pay, disputes), unless `ChurnConfig.payment_behaviour` is off.
A falling NPS alone is a signal, not a flag; an overdue invoice alone is a collections matter. The
reason names each factor, so the flag can be explained on the Customer form and in the report.

CX segment (`cx_segment`): "At Risk" when flagged, else the latest NPS category (Promoter / Passive
/ Detractor), else "Unsatisfied" / "Satisfied" / "Neutral" from the latest CSAT or CES, else "No
Data".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from revops_app.core.collections.payment_behaviour import PaymentBehaviour, concerns
from revops_app.core.cx.normalise import Category


@dataclass(frozen=True)
class ChurnConfig:
	decline_responses: int = 3
	contract_window_days: int = 90
	payment_behaviour: bool = True  # payment behaviour counts as a coinciding factor

	def __post_init__(self) -> None:
		if not 2 <= self.decline_responses <= 5:
			raise ValueError("NPS decline is measured over 2 to 5 consecutive responses")
		if not 0 <= self.contract_window_days <= 730:
			raise ValueError("the contract window is 0 to 730 days")


@dataclass(frozen=True)
class ChurnInputs:
	nps_scores: Sequence[float]  # oldest first
	contract_end_dates: Sequence[date]  # of the customer's current (not lapsed) contracts
	overdue_invoices: int = 0
	open_issues: int = 0
	payment: PaymentBehaviour | None = None


@dataclass(frozen=True)
class ChurnAssessment:
	at_risk: bool
	reason: str


def nps_falling(scores: Sequence[float], responses: int) -> bool:
	"""The last `responses` scores strictly decrease (10, 8, 5 falls over 3; 8, 8, 5 does not)."""
	if len(scores) < responses:
		return False
	tail = list(scores)[-responses:]
	return all(later < earlier for earlier, later in pairwise(tail))


def contracts_ending(end_dates: Iterable[date], today: date, window_days: int) -> list[date]:
	horizon = today + timedelta(days=window_days)
	return sorted(d for d in end_dates if d and today <= d <= horizon)


def churn_risk(inputs: ChurnInputs, config: ChurnConfig, today: date) -> ChurnAssessment:
	scores = list(inputs.nps_scores)
	if not nps_falling(scores, config.decline_responses):
		return ChurnAssessment(False, "")
	tail = scores[-config.decline_responses :]
	trend = "NPS fell " + " -> ".join(f"{s:g}" for s in tail)
	factors = []
	ending = contracts_ending(inputs.contract_end_dates, today, config.contract_window_days)
	if ending:
		factors.append(f"contract ends {ending[0].isoformat()} ({(ending[0] - today).days} days)")
	if inputs.overdue_invoices:
		factors.append(f"{inputs.overdue_invoices} overdue invoice(s)")
	if inputs.open_issues:
		factors.append(f"{inputs.open_issues} open Issue(s)")
	if config.payment_behaviour:
		factors.extend(concerns(inputs.payment))
	if not factors:
		return ChurnAssessment(False, "")
	return ChurnAssessment(True, f"{trend}; " + "; ".join(factors))


SEGMENT_AT_RISK = "At Risk"
SEGMENT_NO_DATA = "No Data"
SEGMENTS = (
	SEGMENT_AT_RISK,
	"Promoter",
	"Passive",
	"Detractor",
	"Satisfied",
	"Neutral",
	"Unsatisfied",
	SEGMENT_NO_DATA,
)


def cx_segment(at_risk: bool, latest_nps: Category | None, latest_other: Category | None = None) -> str:
	"""`latest_other` is the category of the latest CSAT or CES response (easy counts as satisfied)."""
	if at_risk:
		return SEGMENT_AT_RISK
	if latest_nps is not None:
		return latest_nps.value.title()
	if latest_other is not None:
		return {
			Category.SATISFIED: "Satisfied",
			Category.EASY: "Satisfied",
			Category.NEUTRAL: "Neutral",
			Category.UNSATISFIED: "Unsatisfied",
			Category.HARD: "Unsatisfied",
		}.get(latest_other, SEGMENT_NO_DATA)
	return SEGMENT_NO_DATA


# --- sentiment timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
	when: datetime
	metric: str
	raw_score: float
	scale_min: float
	scale_max: float
	category: str
	reference: str = ""  # "Issue ISS-2026-00012"
	remark: str = ""  # the comment, shortened
	outcome: str = ""  # "service recovery ISS-..., priority High" / "review request sent" / escalation


def timeline_line(entry: TimelineEntry, comment_chars: int = 120) -> str:
	parts = [
		f"{entry.when:%Y-%m-%d}",
		f"{entry.metric} {entry.raw_score:g}/{entry.scale_min:g}-{entry.scale_max:g} ({entry.category})",
	]
	if entry.reference:
		parts.append(f"on {entry.reference}")
	if entry.outcome:
		parts.append(entry.outcome)
	line = " · ".join(parts)
	remark = " ".join((entry.remark or "").split())
	if remark:
		if len(remark) > comment_chars:
			remark = remark[: comment_chars - 1].rstrip() + "…"
		line += f' · "{remark}"'
	return line


def render_timeline(entries: Iterable[TimelineEntry], limit: int = 10) -> str:
	"""Newest first, one line per response, at most `limit` lines."""
	ordered = sorted(entries, key=lambda e: e.when, reverse=True)[:limit]
	return "\n".join(timeline_line(e) for e in ordered)
