"""Dunning that listens to customer experience: hold or soften reminders while a customer is being recovered.

Contract: pure functions over plain dataclasses; never imports frappe or erpnext, never writes anything. The
dunning plan (`revops_app.revenue_collections.dunning.plan`) applies `apply_cx` to the engine's decisions, so
the daily run, the Dunning Preview and the aging report all see the same outcome and the same reason.

Rule (per policy, `CXRule`; off when `enabled` is False)
- A customer is *in recovery* on day X when it has an open service-recovery Issue (an Issue raised from a
  survey response, not Resolved/Closed), or its latest detractor response is at most `detractor_days` old.
- HOLD: every reminder that would go out for that customer becomes a skip with reason `CX_HELD`. Nothing is
  logged, so when the Issue closes (and the detractor window has passed) the next run resumes with the latest
  reached step, as after any pause (the engine's catch-up rule: one reminder, not a burst).
- SOFTEN: the reminder still goes out, but with the policy's gentle template (when one is set) and without its
  escalation (no ERPNext Dunning, ToDo or Issue on top of an open recovery Issue); reason `CX_SOFTENED`.
- Skips keep their own reason (paid, disputed, ...): CX awareness only ever makes a send gentler.
`cx_note(standing, rule, on)` is the human sentence shown next to the reason (which Issue, which response).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from revops_app.core.collections.dunning import SEND, SKIP, Decision, Escalation

CX_HELD = "held: service recovery open"
CX_SOFTENED = "softened: service recovery open"
DEFAULT_DETRACTOR_DAYS = 30


class CXAction:
	HOLD = "Hold"
	SOFTEN = "Soften"

	ALL = (HOLD, SOFTEN)


@dataclass(frozen=True, slots=True)
class CXRule:
	"""A policy's CX awareness (RevOps Dunning Policy: cx_aware, cx_action, cx_detractor_days, cx_soft_template)."""

	enabled: bool = True
	action: str = CXAction.HOLD
	detractor_days: int = DEFAULT_DETRACTOR_DAYS
	soft_template: str | None = None


OFF = CXRule(enabled=False)


@dataclass(frozen=True, slots=True)
class CXStanding:
	"""What customer experience knows about one customer: open recovery Issues and the latest detractor."""

	open_issues: tuple[str, ...] = ()
	last_detractor_on: date | None = None
	last_detractor_score: float | None = None
	last_detractor_response: str | None = None


def rule_errors(rule: CXRule) -> list[str]:
	errors = []
	if rule.action not in CXAction.ALL:
		errors.append(f"unknown CX action {rule.action!r} (use Hold or Soften)")
	if rule.detractor_days < 0:
		errors.append("the detractor window cannot be negative")
	return errors


def in_recovery(standing: CXStanding | None, rule: CXRule, on: date) -> bool:
	if standing is None or not rule.enabled:
		return False
	if standing.open_issues:
		return True
	last = standing.last_detractor_on
	return last is not None and 0 <= (on - last).days <= rule.detractor_days


def cx_note(standing: CXStanding | None, rule: CXRule, on: date) -> str | None:
	"""Why the customer is in recovery on `on`, as a sentence (None = not in recovery)."""
	if not in_recovery(standing, rule, on):
		return None
	assert standing is not None
	parts = []
	if standing.open_issues:
		label = (
			"open service-recovery Issue"
			if len(standing.open_issues) == 1
			else "open service-recovery Issues"
		)
		parts.append(f"{label} {', '.join(standing.open_issues)}")
	last = standing.last_detractor_on
	if last is not None and 0 <= (on - last).days <= rule.detractor_days:
		score = standing.last_detractor_score
		score_text = f" (score {score:g})" if score is not None else ""
		parts.append(f"detractor response{score_text} on {last.isoformat()}")
	return "; ".join(parts)


def apply_cx(
	decisions: Iterable[Decision],
	standings: Mapping[str, CXStanding],
	rules: Mapping[str, CXRule],
	on: date,
) -> tuple[list[Decision], dict[str, str]]:
	"""The decisions with CX awareness applied, and the note per customer whose reminders it changed."""
	out: list[Decision] = []
	notes: dict[str, str] = {}
	for decision in decisions:
		if decision.action != SEND or decision.step is None:
			out.append(decision)
			continue
		rule = rules.get(decision.policy or "", OFF)
		note = notes.get(decision.customer)
		if note is None:
			note = cx_note(standings.get(decision.customer), rule, on)
		if note is None:
			out.append(decision)
			continue
		notes[decision.customer] = note
		if rule.action == CXAction.SOFTEN:
			step = replace(
				decision.step,
				template=rule.soft_template or decision.step.template,
				escalation=Escalation.NONE,
			)
			out.append(replace(decision, step=step, reason=CX_SOFTENED))
		else:
			out.append(
				Decision(
					decision.invoice,
					decision.customer,
					SKIP,
					CX_HELD,
					decision.policy,
					days_overdue=decision.days_overdue,
				)
			)
	return out, notes


def rule_from_row(row: Mapping) -> CXRule:
	"""A CXRule from a policy row (dict or document with .get); unset window = the default."""
	window = row.get("cx_detractor_days")
	try:
		days = int(window) if window not in (None, "") else DEFAULT_DETRACTOR_DAYS
	except (TypeError, ValueError):
		days = DEFAULT_DETRACTOR_DAYS
	return CXRule(
		enabled=bool(int(row.get("cx_aware") or 0)),
		action=row.get("cx_action") or CXAction.HOLD,
		detractor_days=days,
		soft_template=row.get("cx_soft_template") or None,
	)
