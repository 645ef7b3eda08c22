"""Threshold crossings: when a score change counts as crossing the SQL threshold (with hysteresis)."""

from __future__ import annotations

from datetime import date, timedelta

from sidecar.store import ContactState


def crossing_decision(
	state: ContactState, score: float, threshold: float, rearm_margin: float, first_score_counts: bool = True
) -> tuple[bool, bool]:
	"""(crossed, rearmed) for a contact moving from `state.score` to `score`."""
	armed = state.armed
	rearm = False
	if not armed and score < threshold - rearm_margin:
		armed, rearm = True, True
	if not armed or score < threshold:
		return False, rearm
	if state.score is None:
		return first_score_counts, rearm
	return state.score < threshold or rearm, rearm


def add_business_days(start: date, days: int) -> date:
	current = start
	added = 0
	while added < days:
		current += timedelta(days=1)
		if current.weekday() < 5:
			added += 1
	while current.weekday() >= 5:  # a 0-day due date on a weekend moves to Monday
		current += timedelta(days=1)
	return current
