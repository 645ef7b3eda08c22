"""Normalisation on hand-worked examples: (score - min) / (max - min) * 100, mirrored when lower is better."""

from __future__ import annotations

import pytest

from revops_app.core.cx.normalise import Category, Metric, Scale, normalise


@pytest.mark.parametrize(
	("score", "normalised", "category"),
	[
		(0, 0.0, Category.DETRACTOR),
		(6, 60.0, Category.DETRACTOR),
		(7, 70.0, Category.PASSIVE),
		(8, 80.0, Category.PASSIVE),
		(9, 90.0, Category.PROMOTER),
		(10, 100.0, Category.PROMOTER),
	],
)
def test_nps_categories_on_0_to_10(score, normalised, category):
	result = normalise("NPS", score)
	assert result.metric is Metric.NPS
	assert result.score == normalised
	assert result.category is category


@pytest.mark.parametrize(
	("score", "normalised", "category"),
	[
		(1, 0.0, Category.UNSATISFIED),
		(2, 25.0, Category.UNSATISFIED),
		(3, 50.0, Category.NEUTRAL),
		(4, 75.0, Category.SATISFIED),
		(5, 100.0, Category.SATISFIED),
	],
)
def test_csat_1_to_5(score, normalised, category):
	result = normalise("csat", score, 1, 5)
	assert (result.score, result.category) == (normalised, category)


def test_csat_on_a_0_to_10_scale():
	# 7 on 0-10: 7/10 = 70 -> satisfied; 5 is the midpoint -> neutral; 4 -> 40 unsatisfied
	assert normalise("CSAT", 7, 0, 10).score == 70.0
	assert normalise("CSAT", 5, 0, 10).category is Category.NEUTRAL
	assert normalise("CSAT", 4, 0, 10).category is Category.UNSATISFIED


@pytest.mark.parametrize(
	("score", "normalised", "category"),
	[
		(1, 0.0, Category.HARD),
		(3, 33.33, Category.HARD),  # (3-1)/6 = 0.3333
		(4, 50.0, Category.NEUTRAL),
		(5, 66.67, Category.EASY),  # (5-1)/6 = 0.6667
		(7, 100.0, Category.EASY),
	],
)
def test_ces_1_to_7_higher_is_easier(score, normalised, category):
	result = normalise("CES", score, 1, 7, True)
	assert (result.score, result.category) == (normalised, category)


def test_ces_1_to_5_where_low_effort_is_best():
	# 1 = very low effort: (5-1)/4 = 100; 5 = very high effort: 0; 2 -> (5-2)/4 = 75 easy; 4 -> 25 hard
	assert normalise("CES", 1, 1, 5, False).score == 100.0
	assert normalise("CES", 5, 1, 5, False).score == 0.0
	assert normalise("CES", 2, 1, 5, False).category is Category.EASY
	assert normalise("CES", 3, 1, 5, False).category is Category.NEUTRAL
	assert normalise("CES", 4, 1, 5, False).category is Category.HARD


def test_default_scales():
	assert normalise("CES", 4).scale == Scale(1, 7, True)
	assert normalise("CSAT", "4").scale == Scale(1, 5, True)
	assert normalise("NPS", "10").score == 100.0


def test_custom_metric_needs_a_scale_and_uses_the_midpoint():
	with pytest.raises(ValueError, match="needs scale_min and scale_max"):
		normalise("Custom", 3)
	result = normalise("Custom", 62.5, 0, 100)
	assert (result.score, result.category) == (62.5, Category.SATISFIED)


@pytest.mark.parametrize(
	("args", "message"),
	[
		(("NPS", 11), "outside its scale 0-10"),
		(("NPS", -1), "outside its scale"),
		(("NPS", 7.5), "whole numbers"),
		(("NPS", 5, 1, 5), "NPS is asked on 0-10"),
		(("NPS", 5, 0, 10, False), "lower better"),
		(("CSAT", 6, 1, 5), "CSAT score 6 is outside its scale 1-5"),
		(("CSAT", 3, 5, 1), "must be below scale_max"),
		(("CSAT", 3, 3, 3), "must be below scale_max"),
		(("CSAT", 3, 1, None), "give both scale_min and scale_max"),
		(("CSAT", "four"), "score must be a number"),
		(("CSAT", float("nan")), "finite number"),
		(("CSAT", True), "finite number"),
		(("Stars", 3), "unknown metric 'Stars'"),
	],
)
def test_bad_input_is_a_clear_value_error(args, message):
	with pytest.raises(ValueError, match=message):
		normalise(*args)
