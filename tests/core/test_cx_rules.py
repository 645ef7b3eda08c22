"""Service recovery, promoter gate and SLA escalation on hand-worked cases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from revops_app.core.cx.normalise import Category, normalise
from revops_app.core.cx.rules import (
	CustomerStanding,
	RuleConfig,
	SlaState,
	decide,
	escalation_step,
	promoter_action,
	raise_priority,
	service_recovery,
)

DEFAULT = RuleConfig()


@pytest.mark.parametrize(
	("metric", "score", "scale", "priority"),
	[
		("NPS", 0, (), "High"),  # normalised 0 <= 20: severe
		("NPS", 2, (), "High"),  # 20 <= 20: severe
		("NPS", 3, (), "Medium"),
		("NPS", 6, (), "Medium"),
		("NPS", 7, (), None),
		("CSAT", 1, (1, 5), "High"),
		("CSAT", 2, (1, 5), "Medium"),  # 25 <= 25
		("CSAT", 3, (1, 5), None),
		("CSAT", 3, (0, 10), None),  # 30 is above the CSAT low mark (25 on the normalised scale)
		("CES", 3, (1, 7), "Medium"),  # hard, 33.33
		("CES", 1, (1, 7), "High"),
		("CES", 4, (1, 7), None),  # neutral
		("CES", 5, (1, 5, False), "High"),  # lower is better: 5 = worst
		("Custom", 10, (0, 100), None),  # Custom has no threshold by default
	],
)
def test_default_service_recovery(metric, score, scale, priority):
	result = service_recovery(normalise(metric, score, *scale), DEFAULT)
	assert (result.priority if result else None) == priority


def test_csat_threshold_maps_onto_other_scales():
	# 2 on 1-5 = 25; on 0-10 that is 2.5, so 2 (20) triggers and 3 (30) does not
	assert service_recovery(normalise("CSAT", 2, 0, 10), DEFAULT)
	assert service_recovery(normalise("CSAT", 3, 0, 10), DEFAULT) is None


def test_thresholds_are_configurable():
	config = RuleConfig(
		nps_detractor_max=4,
		csat_low_max=3,
		ces_recovery_categories=frozenset({Category.HARD, Category.NEUTRAL}),
		custom_low_max_score=30,
		priority_severe="Urgent",
		priority_default="Low",
	)
	assert service_recovery(normalise("NPS", 5), config) is None
	assert service_recovery(normalise("NPS", 4), config).priority == "Low"
	assert service_recovery(normalise("NPS", 1), config).priority == "Urgent"
	assert service_recovery(normalise("CSAT", 3, 1, 5), config).priority == "Low"
	assert service_recovery(normalise("CES", 4, 1, 7), config).priority == "Low"
	assert service_recovery(normalise("Custom", 30, 0, 100), config).priority == "Low"
	assert service_recovery(normalise("Custom", 31, 0, 100), config) is None


def test_reason_names_the_score_and_threshold():
	result = service_recovery(normalise("NPS", 1), DEFAULT)
	assert result.reason == "NPS 1 (at or under 6), severe"


@pytest.mark.parametrize(
	"kwargs",
	[
		{"nps_detractor_max": 9},
		{"promoter_min": 8},
		{"csat_low_max": 5},
		{"custom_low_max_score": 101},
		{"ces_recovery_categories": frozenset({Category.EASY})},
		{"priority_default": ""},
	],
)
def test_inconsistent_config_is_refused(kwargs):
	with pytest.raises(ValueError):
		RuleConfig(**kwargs)


def test_promoter_gets_the_review_request_only_in_good_standing():
	nine = normalise("NPS", 9)
	clean = promoter_action(nine, DEFAULT, CustomerStanding(), has_email=True)
	assert (clean.tag, clean.send_review_request) == (True, True)

	overdue = promoter_action(nine, DEFAULT, CustomerStanding(overdue_invoices=2), has_email=True)
	assert (overdue.tag, overdue.send_review_request) == (True, False)
	assert overdue.reason == "review request held: 2 overdue invoice(s)"

	issue = promoter_action(nine, DEFAULT, CustomerStanding(open_high_priority_issues=1), has_email=True)
	assert not issue.send_review_request and "high-priority" in issue.reason

	no_email = promoter_action(nine, DEFAULT, CustomerStanding(), has_email=False)
	assert not no_email.send_review_request and "no respondent email" in no_email.reason


def test_passives_and_other_metrics_are_not_promoters():
	assert promoter_action(normalise("NPS", 8), DEFAULT, CustomerStanding(), True) is None
	assert promoter_action(normalise("CSAT", 5), DEFAULT, CustomerStanding(), True) is None
	assert promoter_action(normalise("NPS", 9), RuleConfig(promoter_min=10), CustomerStanding(), True) is None


def test_decide_combines_both():
	detractor = decide(normalise("NPS", 3), DEFAULT)
	assert detractor.service_recovery and detractor.promoter is None
	promoter = decide(normalise("NPS", 10), DEFAULT, CustomerStanding(overdue_invoices=1))
	assert promoter.service_recovery is None and not promoter.promoter.send_review_request


# --- escalation -------------------------------------------------------------------------------

T0 = datetime(2026, 11, 2, 9, 0)
RESPONSE_BY = T0 + timedelta(hours=4)
RESOLUTION_BY = T0 + timedelta(hours=24)


def state(**kwargs) -> SlaState:
	values = {
		"status": "Open",
		"priority": "Medium",
		"response_by": RESPONSE_BY,
		"resolution_by": RESOLUTION_BY,
	}
	values.update(kwargs)
	return SlaState(**values)


def test_nothing_before_a_deadline_slips():
	assert escalation_step(state(), T0 + timedelta(hours=4)) is None  # at the deadline is not late


def test_response_slip_is_level_one_and_raises_priority_once():
	step = escalation_step(state(), T0 + timedelta(hours=5))
	assert (step.level, step.priority) == (1, "High")
	# stored level 1: the next hourly run does nothing until resolution slips too
	assert escalation_step(state(escalation_level=1, priority="High"), T0 + timedelta(hours=6)) is None


def test_response_given_in_time_means_no_response_escalation():
	responded = state(first_responded_on=T0 + timedelta(hours=1))
	assert escalation_step(responded, T0 + timedelta(hours=5)) is None


def test_resolution_slip_is_level_two():
	step = escalation_step(state(escalation_level=1, priority="High"), T0 + timedelta(hours=25))
	assert (step.level, step.priority) == (2, "Urgent")
	# both slipped before the first check: straight to level 2, two rungs up
	both = escalation_step(state(), T0 + timedelta(hours=30))
	assert (both.level, both.priority) == (2, "Urgent")
	assert len(both.reasons) == 2
	assert escalation_step(state(escalation_level=2, priority="Urgent"), T0 + timedelta(days=3)) is None


def test_closed_held_or_unknown_priorities():
	assert escalation_step(state(status="Resolved"), T0 + timedelta(days=2)) is None
	assert escalation_step(state(status="On Hold"), T0 + timedelta(days=2)) is None
	top = escalation_step(state(priority="Urgent"), T0 + timedelta(hours=5))
	assert (top.level, top.priority) == (1, None)  # escalates (notify, ToDo) without a higher rung
	assert raise_priority("P1", 1, ("Low", "High")) is None
