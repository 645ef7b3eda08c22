"""The demo's text: reasons whose points add up to the score, band names, handoffs best first with names."""

from __future__ import annotations

import re

from sidecar.cli import main
from sidecar.commands.demo_text import Names, band_legend, handoff_lines, reason_lines


def contribution(points: float, explanation: str, tier: str = "fit") -> dict:
	return {"tier": tier, "signal": explanation, "points": points, "explanation": explanation}


def test_reasons_show_the_largest_then_the_rest_so_points_add_up():
	lead = {
		"total": 86,
		"contributions": [
			contribution(18, "CIO (C-level)"),
			contribution(12, "Lifetime spend 300k", "erp"),
			contribution(7.4, "Pricing page x3", "behaviour"),
			contribution(7, "Webinar", "behaviour"),
			contribution(20.2, "Six other things"),
			contribution(21.4, "Open opportunity", "erp"),
			contribution(0.2, "rounds to nothing"),
		],
	}
	assert reason_lines(lead) == [
		"Open opportunity +21",
		"Six other things +20",
		"CIO (C-level) +18",
		"Lifetime spend 300k +12",
		"+2 more +15",
	]
	assert 21 + 20 + 18 + 12 + 15 == 86


def test_tier_limits_are_shown_when_the_model_caps_the_sum():
	lead = {"total": 100, "contributions": [contribution(60, "a"), contribution(50, "b")]}
	assert reason_lines(lead) == [
		"a +60",
		"b +50",
		"tier limits -10 (each tier and the total are capped by the model)",
	]
	negative = {
		"total": 5,
		"contributions": [contribution(20, "fit"), contribution(-15, "overdue invoices", "erp")],
	}
	assert reason_lines(negative) == ["fit +20", "overdue invoices -15"]


def test_band_legend_names_the_models_bands_with_ranges():
	assert band_legend((("hot", 70.0), ("warm", 50.0), ("cool", 30.0), ("cold", 0.0))) == (
		"hot 70-100, warm 50-69, cool 30-49, cold 0-29"
	)


def test_handoffs_best_first_with_names_beside_ids():
	names = Names(
		contacts={"1": "Ann Able", "2": "Bob Best", "3": "Cy Crane"},
		companies={"c1": "Acme GmbH"},
		owners={"o1": "Olga Owner"},
		company_of={"1": "c1", "2": "c1"},
	)
	handoffs = [
		{"contact_id": "1", "score": 71, "team": "EMEA", "owner_id": "o1"},
		{"contact_id": "3", "score": 90, "team": None, "owner_id": None},
		{"contact_id": "2", "score": 71, "team": "EMEA", "owner_id": "o9"},
	]
	assert handoff_lines(handoffs, names, limit=2) == [
		"   90  Cy Crane (contact 3) at no company -> team -, owner no owner",
		"   71  Ann Able (contact 1) at Acme GmbH (company c1) -> team EMEA, owner Olga Owner (owner o1)",
		"  ... and 1 more (--json lists them all)",
	]


def test_demo_prints_scores_whose_reasons_add_up(capsys):
	assert main(["demo", "--companies", "300", "--top", "8", "--threshold", "60"]) == 0
	out = capsys.readouterr().out
	assert "bands: hot 70-100, warm 50-69, cool 30-49, cold 0-29" in out
	leads = re.findall(r"^\s*\d+\.\s+(\d+) \[(\w+)\].*?\n((?:      - .*\n)+)", out, re.M)
	assert len(leads) == 8
	scores = [int(score) for score, _band, _reasons in leads]
	assert scores == sorted(scores, reverse=True)
	for score, _band, reasons in leads:
		points = [int(m) for m in re.findall(r"([+-]\d+)(?: \(each tier.*\))?$", reasons, re.M)]
		assert sum(points) == int(score), reasons
	handoffs = re.findall(r"^\s+(\d+)  (\S.*?) \(contact \d+\) at .* owner ", out, re.M)
	assert handoffs and [int(s) for s, _ in handoffs] == sorted((int(s) for s, _ in handoffs), reverse=True)
