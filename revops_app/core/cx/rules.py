"""What a survey response should trigger: service recovery, the promoter path, SLA escalation.

Contract: pure decisions over plain values. `decide(response, config, standing)` says whether a
response needs a service-recovery Issue (and at which priority) and whether the customer gets the
promoter treatment; `escalation_step(state, now, ladder)` says whether an open service-recovery
Issue whose SLA deadline slipped must be escalated now, to which level and priority. The glue
(`revops_app.customer_experience.rules`) turns these into Issues, ToDos, emails and tags; nothing here writes.

Rules (defaults in `RuleConfig`, all configurable in RevOps CX Settings):
- Service recovery when NPS <= 6 (detractor), CSAT <= 2 on a 1-5 scale (the same point of the
  normalised 0-100 scale, 25, on any other CSAT scale), CES in a "hard" category, or a Custom score
  at or under a normalised threshold (off unless set). Priority: `priority_severe` when the
  normalised score is at or under `severe_max_score` (NPS 0-2, CSAT 1 on 1-5), else
  `priority_default`.
- Promoter when NPS >= 9: always tagged; the thank-you / review / referral email goes out only when
  the customer has no overdue invoice and no open Issue at a high priority, and the response has an
  email to write to.
- Escalation: level 1 when the first response is overdue (no first response by `response_by`),
  level 2 when resolution is overdue (`resolution_by` passed, Issue not resolved). Each level fires
  once per Issue: the stored level only rises. Each step up raises the priority one rung.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from revops_app.core.cx.normalise import Category, Metric, Normalised, Scale, normalised_score

CSAT_REFERENCE_SCALE = Scale(1, 5, True)


@dataclass(frozen=True)
class RuleConfig:
	nps_detractor_max: int = 6
	csat_low_max: float = 2  # on a 1-5 scale
	ces_recovery_categories: frozenset[Category] = frozenset({Category.HARD})
	custom_low_max_score: float | None = None  # normalised 0-100; None = no recovery for Custom
	severe_max_score: float = 20  # normalised 0-100
	priority_severe: str = "High"
	priority_default: str = "Medium"
	promoter_min: int = 9
	high_priorities: frozenset[str] = frozenset({"High", "Urgent"})

	def __post_init__(self) -> None:
		if not 0 <= self.nps_detractor_max <= 8:
			raise ValueError("the NPS detractor threshold must be 0-8 (a promoter can never need recovery)")
		if not 9 <= self.promoter_min <= 10:
			raise ValueError("the promoter threshold must be 9 or 10")
		if not 1 <= self.csat_low_max < 5:
			raise ValueError("the CSAT low-score threshold is on a 1-5 scale and must be 1 to below 5")
		for label, value in (("custom", self.custom_low_max_score), ("severe", self.severe_max_score)):
			if value is not None and not 0 <= value <= 100:
				raise ValueError(f"the {label} threshold is a 0-100 score")
		unknown = set(self.ces_recovery_categories) - {Category.HARD, Category.NEUTRAL}
		if unknown or not self.ces_recovery_categories:
			raise ValueError("CES recovery categories are 'hard' and optionally 'neutral'")
		if not self.priority_severe or not self.priority_default:
			raise ValueError("both service-recovery priorities must be set")

	@property
	def csat_low_max_score(self) -> float:
		return normalised_score(self.csat_low_max, CSAT_REFERENCE_SCALE)


@dataclass(frozen=True)
class ServiceRecovery:
	priority: str
	reason: str


@dataclass(frozen=True)
class CustomerStanding:
	"""What the ERP knows about the customer right now, for the promoter gate."""

	overdue_invoices: int = 0
	open_high_priority_issues: int = 0


@dataclass(frozen=True)
class PromoterAction:
	tag: bool
	send_review_request: bool
	reason: str


@dataclass(frozen=True)
class Decision:
	service_recovery: ServiceRecovery | None = None
	promoter: PromoterAction | None = None


def service_recovery(response: Normalised, config: RuleConfig) -> ServiceRecovery | None:
	metric, raw, score = response.metric, response.raw_score, response.score
	if metric is Metric.NPS:
		triggered = raw <= config.nps_detractor_max
		why = f"NPS {raw:g} (at or under {config.nps_detractor_max})"
	elif metric is Metric.CSAT:
		triggered = score <= config.csat_low_max_score
		why = f"CSAT {raw:g} on {_scale(response.scale)} (at or under {config.csat_low_max:g} on 1-5)"
	elif metric is Metric.CES:
		triggered = response.category in config.ces_recovery_categories
		why = f"CES {raw:g} on {_scale(response.scale)} ({response.category.value})"
	else:
		limit = config.custom_low_max_score
		triggered = limit is not None and score <= limit
		why = f"score {raw:g} on {_scale(response.scale)} (normalised {score:g}, at or under {limit})"
	if not triggered:
		return None
	severe = score <= config.severe_max_score
	priority = config.priority_severe if severe else config.priority_default
	return ServiceRecovery(priority=priority, reason=why + (", severe" if severe else ""))


def promoter_action(
	response: Normalised, config: RuleConfig, standing: CustomerStanding, has_email: bool
) -> PromoterAction | None:
	if response.metric is not Metric.NPS or response.raw_score < config.promoter_min:
		return None
	blockers = []
	if standing.overdue_invoices:
		blockers.append(f"{standing.overdue_invoices} overdue invoice(s)")
	if standing.open_high_priority_issues:
		blockers.append(f"{standing.open_high_priority_issues} open high-priority Issue(s)")
	if not has_email:
		blockers.append("no respondent email")
	if blockers:
		return PromoterAction(
			tag=True, send_review_request=False, reason="review request held: " + ", ".join(blockers)
		)
	return PromoterAction(tag=True, send_review_request=True, reason="review and referral request sent")


def decide(
	response: Normalised, config: RuleConfig, standing: CustomerStanding | None = None, has_email: bool = True
) -> Decision:
	return Decision(
		service_recovery=service_recovery(response, config),
		promoter=promoter_action(response, config, standing or CustomerStanding(), has_email),
	)


def _scale(scale: Scale) -> str:
	direction = "" if scale.higher_is_better else ", lower better"
	return f"{scale.minimum:g}-{scale.maximum:g}{direction}"


# --- escalation -----------------------------------------------------------------------------------

DEFAULT_PRIORITY_LADDER: tuple[str, ...] = ("Low", "Medium", "High", "Urgent")
DONE_STATUSES = frozenset({"Resolved", "Closed"})
PAUSED_STATUSES = frozenset({"On Hold"})


@dataclass(frozen=True)
class SlaState:
	status: str
	priority: str | None
	response_by: datetime | None
	resolution_by: datetime | None
	first_responded_on: datetime | None = None
	escalation_level: int = 0


@dataclass(frozen=True)
class Escalation:
	level: int
	priority: str | None  # the raised priority; None when already at the top rung or unknown
	reasons: list[str] = field(default_factory=list)


def raise_priority(priority: str | None, steps: int, ladder: Sequence[str]) -> str | None:
	"""`steps` rungs up the ladder, stopping at the top; None when nothing changes or the priority
	is not on the ladder (a site's own priority is left alone rather than guessed at)."""
	if priority not in ladder or steps <= 0:
		return None
	index = min(list(ladder).index(priority) + steps, len(ladder) - 1)
	raised = ladder[index]
	return raised if raised != priority else None


def escalation_step(
	state: SlaState, now: datetime, ladder: Sequence[str] = DEFAULT_PRIORITY_LADDER
) -> Escalation | None:
	if state.status in DONE_STATUSES or state.status in PAUSED_STATUSES:
		return None
	due = 0
	reasons = []
	if state.response_by and not state.first_responded_on and now > state.response_by:
		due = 1
		reasons.append(f"first response was due {state.response_by:%Y-%m-%d %H:%M}")
	if state.resolution_by and now > state.resolution_by:
		due = 2
		reasons.append(f"resolution was due {state.resolution_by:%Y-%m-%d %H:%M}")
	if due <= state.escalation_level:
		return None
	steps = due - state.escalation_level
	return Escalation(level=due, priority=raise_priority(state.priority, steps, ladder), reasons=reasons)


def pick_assignee(team: Sequence[str], open_assignments: dict[str, int]) -> str | None:
	"""The team member with the fewest open Issue assignments; ties go to the earlier row, so the
	order of the team table is the tie-break."""
	if not team:
		return None
	return min(enumerate(team), key=lambda pair: (open_assignments.get(pair[1], 0), pair[0]))[1]
