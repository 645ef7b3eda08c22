"""Churn risk, CX segment, timeline lines and report figures on hand-worked cases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from revops_app.core.cx import metrics
from revops_app.core.cx.health import (
	ChurnConfig,
	ChurnInputs,
	TimelineEntry,
	churn_risk,
	cx_segment,
	nps_falling,
	render_timeline,
	timeline_line,
)
from revops_app.core.cx.normalise import Category

TODAY = date(2026, 11, 30)


def test_nps_falling_needs_strict_consecutive_declines():
	assert nps_falling([10, 8, 5], 3)
	assert not nps_falling([10, 8, 8], 3)
	assert not nps_falling([8, 5], 3)  # not enough responses
	assert nps_falling([3, 9, 6], 2)  # only the last two count
	assert not nps_falling([9, 6, 7], 2)


def test_falling_nps_and_contract_ending_in_window():
	inputs = ChurnInputs(nps_scores=[9, 7, 4], contract_end_dates=[date(2027, 1, 15)])
	result = churn_risk(inputs, ChurnConfig(decline_responses=3, contract_window_days=90), TODAY)
	assert result.at_risk
	assert result.reason == "NPS fell 9 -> 7 -> 4; contract ends 2027-01-15 (46 days)"


def test_contract_outside_window_alone_is_not_risk():
	inputs = ChurnInputs(nps_scores=[9, 7, 4], contract_end_dates=[date(2027, 6, 1)])
	assert not churn_risk(inputs, ChurnConfig(), TODAY).at_risk
	# ... but overdue invoices or open Issues coinciding with the fall are
	overdue = ChurnInputs([9, 7, 4], [date(2027, 6, 1)], overdue_invoices=2, open_issues=1)
	result = churn_risk(overdue, ChurnConfig(), TODAY)
	assert result.at_risk and result.reason == "NPS fell 9 -> 7 -> 4; 2 overdue invoice(s); 1 open Issue(s)"


def test_no_fall_no_risk_whatever_else_is_wrong():
	inputs = ChurnInputs([4, 4, 4], [date(2026, 12, 1)], overdue_invoices=3, open_issues=2)
	assert churn_risk(inputs, ChurnConfig(), TODAY) == churn_risk(inputs, ChurnConfig(), TODAY)
	assert not churn_risk(inputs, ChurnConfig(), TODAY).at_risk


def test_window_edges_and_two_response_setting():
	# ends today: inside; ended yesterday: outside (lapsed contracts are not passed in anyway)
	assert churn_risk(ChurnInputs([8, 6], [TODAY]), ChurnConfig(2, 0), TODAY).at_risk
	assert not churn_risk(ChurnInputs([8, 6], [date(2026, 11, 29)]), ChurnConfig(2, 30), TODAY).at_risk


@pytest.mark.parametrize(
	"kwargs", [{"decline_responses": 1}, {"decline_responses": 6}, {"contract_window_days": -1}]
)
def test_churn_config_is_validated(kwargs):
	with pytest.raises(ValueError):
		ChurnConfig(**kwargs)


def test_segments():
	assert cx_segment(True, Category.PROMOTER) == "At Risk"
	assert cx_segment(False, Category.PASSIVE, Category.UNSATISFIED) == "Passive"
	assert cx_segment(False, None, Category.HARD) == "Unsatisfied"
	assert cx_segment(False, None, Category.EASY) == "Satisfied"
	assert cx_segment(False, None) == "No Data"


def test_timeline_lines_newest_first_and_shortened():
	old = TimelineEntry(datetime(2026, 10, 1, 12), "CSAT", 4, 1, 5, "satisfied", "Sales Invoice ACC-SINV-1")
	new = TimelineEntry(
		datetime(2026, 11, 2, 8),
		"NPS",
		3,
		0,
		10,
		"detractor",
		outcome="service recovery ISS-1 (High)",
		remark="Support   never\ncalled back " + "x" * 200,
	)
	line = timeline_line(new, comment_chars=30)
	assert (
		line
		== '2026-11-02 · NPS 3/0-10 (detractor) · service recovery ISS-1 (High) · "Support never called back xxx…"'
	)
	assert render_timeline([old, new]).splitlines()[1] == (
		"2026-10-01 · CSAT 4/1-5 (satisfied) · on Sales Invoice ACC-SINV-1"
	)
	assert render_timeline([old, new], limit=1).count("\n") == 0


# --- report figures -------------------------------------------------------------------------------


def test_nps_and_percent():
	# 5 promoters, 3 passives, 2 detractors: 50% - 20% = 30
	assert metrics.nps(5, 3, 2) == Decimal("30.0")
	assert metrics.nps(1, 1, 1) == Decimal("0.0")
	assert metrics.nps(0, 0, 3) == Decimal("-100.0")
	assert metrics.nps(0, 0, 0) is None
	assert metrics.percent(2, 3) == Decimal("66.7")


def test_csat_groups_worst_first():
	groups = metrics.csat_groups(
		[
			{"group": "alice", "responses": 4, "satisfied": 3, "unsatisfied": 1, "score_sum": 275},
			{"group": "bob", "responses": 2, "satisfied": 0, "unsatisfied": 2, "score_sum": 25},
			{"group": None, "responses": 0, "satisfied": 0, "unsatisfied": 0, "score_sum": 0},
		]
	)
	assert [g.group for g in groups] == ["bob", "alice", "(none)"]
	assert groups[0].csat_percent == Decimal("0.0") and groups[0].average_score == Decimal("12.5")
	assert groups[1].csat_percent == Decimal("75.0") and groups[1].average_score == Decimal("68.8")
	assert groups[2].csat_percent is None


@pytest.mark.parametrize(
	("contracts", "status", "decisive"),
	[
		([], "No Contract", None),
		([(date(2026, 1, 1), date(2027, 1, 15))], "Renewal Due", date(2027, 1, 15)),
		([(date(2026, 1, 1), date(2027, 6, 1))], "Active", date(2027, 6, 1)),
		([(date(2026, 1, 1), None)], "Active", None),
		([(date(2025, 1, 1), date(2026, 6, 30))], "Lapsed", date(2026, 6, 30)),
		# ends within the window but the next contract is already signed: renewed
		(
			[(date(2026, 1, 1), date(2026, 12, 31)), (date(2027, 1, 1), date(2027, 12, 31))],
			"Active",
			date(2027, 12, 31),
		),
	],
)
def test_renewal_status(contracts, status, decisive):
	assert metrics.renewal_status(contracts, TODAY, 90) == (status, decisive)


def test_revenue_by_segment():
	rows = [
		{"segment": "Promoter", "revenue": "1000.00"},
		{"segment": "Promoter", "revenue": 500.5},
		{"segment": "Detractor", "revenue": Decimal("1500")},
		{"segment": None, "revenue": None},
	]
	result = metrics.revenue_by_segment(rows, order=("Promoter", "Passive", "Detractor"))
	assert [(r.segment, r.customers, r.revenue, r.average_ltv, r.share_percent) for r in result] == [
		("Promoter", 2, Decimal("1500.50"), Decimal("750.25"), Decimal("50.0")),
		("Passive", 0, Decimal("0.00"), Decimal("0"), Decimal("0.0")),
		("Detractor", 1, Decimal("1500.00"), Decimal("1500.00"), Decimal("50.0")),
		("No Data", 1, Decimal("0.00"), Decimal("0.00"), Decimal("0.0")),
	]
