"""Hand-worked examples for the shipped model (sidecar/scoring/default_model.toml).

Every expected number below was computed by hand from the config (the working is in the comments);
retuning the default model means redoing them. as_of is 2026-11-30 12:00 UTC throughout.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sidecar.scoring import (
	CONTACT_PROPERTIES,
	EVENT_SOURCES,
	LeadSignals,
	build_company_signals,
	build_signals,
	decay_factor,
	load_default_model,
)
from sidecar.scoring.model import format_points, round2, round_points

AS_OF = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def iso(days_ago: float) -> str:
	return (AS_OF - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def points(result, signal: str) -> float | None:
	found = [c.points for c in result.contributions if c.signal == signal]
	assert len(found) <= 1
	return found[0] if found else None


def erp_record(**overrides) -> dict:
	record = {
		"customer": "CUST-00001",
		"customer_name": "Acme Machines Inc",
		"modified": "2026-11-29 10:00:00.000000",
		"disabled": False,
		"customer_group": "Commercial",
		"territory": "EMEA",
		"industry": "Machinery",
		"emails": ["ann.lee@acme.example"],
		"domains": ["acme.example"],
		"currency": "USD",
		"lifetime_revenue": 0.0,
		"first_invoice_date": None,
		"last_invoice_date": None,
		"open_invoice_count": 0,
		"open_amount": 0.0,
		"overdue_invoice_count": 0,
		"overdue_amount": 0.0,
		"max_days_overdue": 0,
		"contract_end_date": None,
		"quotation_item_groups": {},
		"open_opportunity_count": 0,
		"open_issue_count": 0,
		"issues_last_90d": 0,
	}
	record.update(overrides)
	return record


# --- decay -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("age", "half_life", "expected"),
	[(0, 30, 1.0), (30, 30, 0.5), (60, 30, 0.25), (45, 45, 0.5), (90, 45, 0.25), (-3, 30, 1.0)],
)
def test_decay_factor_at_zero_one_and_two_half_lives(age, half_life, expected):
	assert decay_factor(age, half_life) == pytest.approx(expected, abs=1e-12)


def test_behaviour_points_halve_every_half_life():
	# Pricing page x4: min(4 * 2.5, 10) = 10 points, half-life 30 days -> 10, 5, 2.5.
	model = load_default_model()
	got = []
	for age in (0, 30, 60):
		signals = LeadSignals(events={"pricing_page": (4, (AS_OF - timedelta(days=age)).timestamp())})
		got.append(points(model.score(signals, AS_OF), "pricing_page"))
	assert got == [10.0, 5.0, 2.5]


def test_rounding_is_half_away_from_zero():
	assert [round_points(x) for x in (8.5, 9.49, -8.5, -0.4, 0.0)] == [9, 9, -9, 0, 0]
	assert round2(2.345) == 2.35 and round2(-2.345) == -2.35
	assert format_points(9.33) == "+9" and format_points(-10.6) == "-11"


# --- a full contact, worked by hand ------------------------------------------------------------------


def cto_contact() -> tuple[dict, dict, dict]:
	contact = {
		"id": "101",
		"properties": {
			"firstname": "Ann",
			"lastname": "Lee",
			"email": "Ann.Lee@acme.example",
			"jobtitle": "CTO",
			"hs_analytics_num_page_views": "12",
			"hs_analytics_last_visit_timestamp": iso(3),
			"hs_analytics_last_url": "https://www.vendor.example/pricing",
			"revops_pricing_page_views": "4",
			"revops_pricing_page_last_visit": iso(3),
			"hs_email_open": "5",
			"hs_email_last_open_date": "2026-11-20T08:00:00Z",
		},
	}
	company = {
		"id": "9",
		"properties": {
			"name": "Acme Machines Inc",
			"industry": "COMPUTER_SOFTWARE",
			"annualrevenue": "25000000",
			"numberofemployees": "300",
		},
	}
	erp = erp_record(
		lifetime_revenue=84000.0,
		last_invoice_date="2026-10-01",
		open_invoice_count=3,
		open_amount=15000.0,
		overdue_invoice_count=2,
		overdue_amount=12400.0,
		max_days_overdue=45,
		contract_end_date="2027-01-29",
		quotation_item_groups={"Analytics": 3, "Sensors": 1, "Misc": 5},
		open_opportunity_count=1,
		open_issue_count=1,
		issues_last_90d=4,
	)
	return contact, company, erp


def test_hand_worked_contact():
	model = load_default_model()
	result = model.score(build_signals(*cto_contact(), AS_OF), AS_OF)
	got = {c.signal: c.points for c in result.contributions}
	assert got == {
		# fit: CTO = C-level 14 + decision maker 4
		"seniority": 18.0,
		# pricing page matched (4 points), decayed 3 days at half-life 45: 4 * 2**(-3/45) = 3.8194
		"intent_pages": 3.82,
		"industry": 8.0,  # COMPUTER_SOFTWARE is a core industry
		"revenue": 6.0,  # 25M is in the 10M-50M band
		"employees": 6.0,  # 300 is in 250-999
		# behaviour: 12 views * 0.25 = 3, * 2**(-3/30) = 2.7991
		"page_views": 2.8,
		# 4 pricing visits * 2.5 = 10, * 2**(-3/30) = 9.3303
		"pricing_page": 9.33,
		# 5 opens * 0.5 = 2.5 (cap 3), last open 10 d 4 h ago: 2.5 * 2**(-10.1667/30) = 1.9767
		"email_open": 1.98,
		# erp: 84,000 USD is in the 50k-250k band
		"lifetime_value": 9.0,
		# 3 open - 2 overdue = 1 not yet due * -1
		"open_invoices": -1.0,
		# 2 * -3 + amount band (12,400 >= 10k) -4 + days band (45 >= 31) -1 = -11 (floor -15)
		"overdue_invoices": -11.0,
		# 2026-11-30 -> 2027-01-29 = 60 days, inside the 90-day window: full 10
		"renewal_window": 10.0,
		# Analytics 3 + Sensors (Hardware) 1 = 4 quotes * 1; "Misc" is not mapped
		"product_interest": 4.0,
		"open_opportunities": 3.0,
		"support_issues": -2.0,  # 1 open issue * -2; the 4 issues of the last 90 days are neutral
	}
	# fit 41.82 capped at 40; behaviour 2.80 + 9.33 + 1.98 = 14.11; erp 9-1-11+10+4+3-2 = 12
	assert result.raw_tiers == {"fit": 41.82, "behaviour": 14.11, "erp": 12.0}
	assert result.tiers == {"fit": 40.0, "behaviour": 14.11, "erp": 12.0}
	assert result.total == 66  # 66.11
	assert result.band == "warm"
	assert result.reasons == [
		"CTO (C-level, decision maker) +18",
		"2 overdue invoices (USD 12,400, up to 45 days late) -11",
		"Contract ends 2027-01-29 +10",
		"Pricing page x4, last 2026-11-27 +9",
		"Lifetime spend USD 84,000 (50k-250k) +9",
	]
	assert result.facts["seniority"] == "c_level" and result.facts["decision_maker"] is True
	assert result.facts["product_lines"] == ["Analytics", "Hardware"]
	assert result.facts["territory"] == "EMEA" and result.facts["erp_customer"] == "CUST-00001"
	assert result.facts["last_activity"] == "2026-11-27T12:00:00+00:00"
	assert (
		result.facts["industry"] == "Computer Software"
		and result.facts["industry_key"] == "computer_software"
	)
	assert result.facts["country"] is None


def test_erp_heavy_account():
	# LTV 300,000 USD -> 250k+ band 12. Contract ends in 100 days: window 90 + ramp 90 -> 10 * (180-100)/90
	# = 8.89. Quotes: Services 5 + Automation 2 = 7 -> capped at 6. 2 opportunities * 3 = 6 (max 6).
	# ERP = 12 + 8.89 + 6 + 6 = 32.89 -> tier capped at 25. No title, no firmographics, no behaviour.
	model = load_default_model()
	erp = erp_record(
		lifetime_revenue=300000.0,
		last_invoice_date="2026-11-02",
		contract_end_date=(AS_OF.date() + timedelta(days=100)).isoformat(),
		quotation_item_groups={"Services": 5, "Automation": 2},
		open_opportunity_count=2,
		issues_last_90d=3,  # all resolved: neutral
	)
	result = model.score(build_signals({"id": "5", "properties": {}}, None, erp, AS_OF), AS_OF)
	assert {c.signal: c.points for c in result.contributions} == {
		"industry": 8.0,  # no HubSpot industry: the ERP record's "Machinery" is a core industry
		"lifetime_value": 12.0,
		"renewal_window": 8.89,
		"product_interest": 6.0,
		"open_opportunities": 6.0,
	}
	assert result.raw_tiers["erp"] == 32.89 and result.tiers["erp"] == 25.0
	assert result.total == 33  # fit 8 + erp 25
	assert result.facts["product_lines"] == ["Services", "Automation"]
	assert "Quoted Services x5, Automation x2 (last 365 days) +6" in result.reasons


def test_overdue_account_lowers_readiness_down_to_the_floor():
	# EUR record, fx 1.08. LTV 20,000 EUR = 21,600 USD -> 10k-50k band 6.
	# Overdue: 3 * -3 = -9, amount 52,000 EUR = 56,160 USD -> -6, 120 days -> -4: -19, floor -15.
	# Open not yet due: 4 - 3 = 1 -> -1. Open issues 4 * -2 = -8, floor -6. ERP = 6 - 15 - 1 - 6 = -16.
	model = load_default_model()
	erp = erp_record(
		currency="EUR",
		lifetime_revenue=20000.0,
		open_invoice_count=4,
		open_amount=60000.0,
		overdue_invoice_count=3,
		overdue_amount=52000.0,
		max_days_overdue=120,
		open_issue_count=4,
		issues_last_90d=10,
		industry=None,
	)
	result = model.score(build_signals({"id": "6", "properties": {}}, None, erp, AS_OF), AS_OF)
	assert {c.signal: c.points for c in result.contributions} == {
		"lifetime_value": 6.0,
		"overdue_invoices": -15.0,
		"open_invoices": -1.0,
		"support_issues": -6.0,
	}
	assert result.tiers == {"fit": 0.0, "behaviour": 0.0, "erp": -16.0}
	assert result.total == 0  # the sum is clamped at 0
	assert result.reasons[0] == "3 overdue invoices (EUR 52,000, up to 120 days late) -15"


def test_overdue_without_other_signals_can_pull_a_good_lead_down():
	model = load_default_model()
	contact, company, _ = cto_contact()
	clean = model.score(build_signals(contact, company, erp_record(), AS_OF), AS_OF)
	late = model.score(
		build_signals(
			contact,
			company,
			erp_record(
				open_invoice_count=2,
				open_amount=12400.0,
				overdue_invoice_count=2,
				overdue_amount=12400.0,
				max_days_overdue=45,
			),
			AS_OF,
		),
		AS_OF,
	)
	assert late.total == clean.total - 11  # erp tier 0 -> -11


@pytest.mark.parametrize(
	("days_left", "expected"),
	# window 90, ramp 90, 10 points: full inside [0, 90], 10 * (180 - d) / 90 on (90, 180], none outside
	[
		(-1, None),
		(0, 10.0),
		(45, 10.0),
		(90, 10.0),
		(91, 9.89),
		(135, 5.0),
		(179, 0.11),
		(180, None),
		(400, None),
	],
)
def test_renewal_window_peaks_inside_the_window(days_left, expected):
	model = load_default_model()
	erp = erp_record(contract_end_date=(AS_OF.date() + timedelta(days=days_left)).isoformat())
	assert (
		points(model.score(build_signals({"id": "1"}, None, erp, AS_OF), AS_OF), "renewal_window") == expected
	)


def test_resolved_support_history_is_neutral_and_open_issues_lower():
	model = load_default_model()
	base = model.score(build_signals({"id": "1"}, None, erp_record(lifetime_revenue=5000.0), AS_OF), AS_OF)
	resolved = model.score(
		build_signals({"id": "1"}, None, erp_record(lifetime_revenue=5000.0, issues_last_90d=12), AS_OF),
		AS_OF,
	)
	open_two = model.score(
		build_signals(
			{"id": "1"},
			None,
			erp_record(lifetime_revenue=5000.0, open_issue_count=2, issues_last_90d=12),
			AS_OF,
		),
		AS_OF,
	)
	assert resolved.to_dict() == base.to_dict()
	assert points(open_two, "support_issues") == -4.0
	assert open_two.tiers["erp"] == base.tiers["erp"] - 4


def test_disabled_customer_earns_no_erp_points():
	model = load_default_model()
	erp = erp_record(disabled=True, lifetime_revenue=500000.0, overdue_invoice_count=3, overdue_amount=9000.0)
	result = model.score(build_signals({"id": "1"}, None, erp, AS_OF), AS_OF)
	assert [c for c in result.contributions if c.tier == "erp"] == []
	assert result.facts["erp_customer"] == "CUST-00001"


def test_repeat_rule_one_pricing_visit_earns_nothing():
	model = load_default_model()
	once = LeadSignals(events={"pricing_page": (1, AS_OF.timestamp())})
	twice = LeadSignals(events={"pricing_page": (2, AS_OF.timestamp())})
	assert points(model.score(once, AS_OF), "pricing_page") is None
	assert points(model.score(twice, AS_OF), "pricing_page") == 5.0  # 2 * 2.5, age 0


def test_event_without_a_timestamp_earns_nothing_and_max_age_cuts_off():
	model = load_default_model()
	undated = build_signals({"id": "1", "properties": {"hs_email_open": "4"}}, None, None, AS_OF)
	assert undated.events == {"email_open": (4, None)}
	assert model.score(undated, AS_OF).contributions == []
	# form submissions: max_age_days 365
	old = LeadSignals(events={"form_submission": (1, (AS_OF - timedelta(days=366)).timestamp())})
	young = LeadSignals(events={"form_submission": (1, (AS_OF - timedelta(days=60)).timestamp())})
	assert model.score(old, AS_OF).contributions == []
	assert points(model.score(young, AS_OF), "form_submission") == 1.5  # 3 * 2**(-60/60)


def test_intern_with_poor_fit_industry_goes_negative_in_fit_but_total_stays_at_zero():
	# intern -4, HIGHER_EDUCATION -3, revenue 500k -> band under 1M: 0 -> fit -7 (min -10); total 0
	model = load_default_model()
	contact = {"id": "1", "properties": {"jobtitle": "Marketing Intern"}}
	company = {"id": "2", "properties": {"industry": "HIGHER_EDUCATION", "annualrevenue": "500000"}}
	result = model.score(build_signals(contact, company, None, AS_OF), AS_OF)
	assert result.tiers["fit"] == -7.0 and result.total == 0 and result.band == "cold"
	assert result.reasons == [
		"Marketing Intern (intern) -4",
		"Industry Higher Education (poor-fit industry) -3",
	]


def test_company_score_aggregates_contacts():
	# Two contacts of one company: the CTO (pricing x4, 3 days ago: 9.33) and an engineer (pricing x2,
	# 3 days ago: 5 * 2**(-0.1) = 4.67). Company pricing = 9.33 + 0.25 * 4.67 = 10.4975 -> cap 10.
	# Seniority = the best contact's 18. Firmographics from the company: 8 + 6 + 6. ERP: LTV 84k -> 9.
	model = load_default_model()
	_, company, _ = cto_contact()
	erp = erp_record(lifetime_revenue=84000.0)
	cto = build_signals(
		{
			"id": "1",
			"properties": {
				"firstname": "Ann",
				"lastname": "Lee",
				"jobtitle": "CTO",
				"revops_pricing_page_views": "4",
				"revops_pricing_page_last_visit": iso(3),
			},
		},
		company,
		erp,
		AS_OF,
	)
	engineer = build_signals(
		{
			"id": "2",
			"properties": {
				"firstname": "Bo",
				"lastname": "Chen",
				"jobtitle": "Software Engineer",
				"revops_pricing_page_views": "2",
				"revops_pricing_page_last_visit": iso(3),
			},
		},
		company,
		erp,
		AS_OF,
	)
	result = model.score_company(build_company_signals(company, erp, AS_OF), [engineer, cto], AS_OF)
	assert {c.signal: c.points for c in result.contributions} == {
		"industry": 8.0,
		"revenue": 6.0,
		"employees": 6.0,
		"seniority": 18.0,
		"pricing_page": 10.0,
		"lifetime_value": 9.0,
	}
	assert result.tiers == {"fit": 38.0, "behaviour": 10.0, "erp": 9.0}
	assert result.total == 57
	assert result.facts["seniority"] == "c_level" and result.facts["engaged_contacts"] == 2
	assert "Pricing page x4, last 2026-11-27 - Ann Lee (+1 other contact) +10" in result.reasons
	assert "CTO (C-level, decision maker) - Ann Lee +18" in result.reasons

	alone = model.score_company(build_company_signals(company, erp, AS_OF), [], AS_OF)
	assert alone.tiers == {"fit": 20.0, "behaviour": 0.0, "erp": 9.0}
	assert alone.facts["engaged_contacts"] == 0 and alone.facts["seniority"] is None


def test_bad_values_from_hubspot_and_erp_are_ignored_not_fatal():
	model = load_default_model()
	contact = {
		"id": "1",
		"properties": {
			"jobtitle": None,
			"hs_analytics_num_page_views": "lots",
			"hs_analytics_last_visit_timestamp": "yesterday",
			"revops_pricing_page_views": "3",
			"revops_pricing_page_last_visit": "not a date",
			"hs_email_open": "-2",
			"annualrevenue": "n/a",
			"numemployees": "1000+",
			"hs_email_click": "2",
			"hs_email_last_click_date": str(int((AS_OF - timedelta(days=45)).timestamp() * 1000)),  # epoch ms
		},
	}
	erp = erp_record(
		lifetime_revenue="abc", contract_end_date="soon", quotation_item_groups=["not", "a", "dict"]
	)
	signals = build_signals(contact, None, erp, AS_OF)
	assert signals.employees == 1000 and signals.annual_revenue is None
	result = model.score(signals, AS_OF)
	# Only the parseable click survives: 2 * 1.5 = 3, 45 days at half-life 45 -> 1.5; 1000+ employees -> 4
	assert {c.signal: c.points for c in result.contributions} == {
		"employees": 4.0,
		"email_click": 1.5,
		"industry": 8.0,
	}


def test_contact_properties_cover_every_event_source():
	for count_property, time_property in EVENT_SOURCES.values():
		assert count_property in CONTACT_PROPERTIES and time_property in CONTACT_PROPERTIES
	assert len(set(CONTACT_PROPERTIES)) == len(CONTACT_PROPERTIES)


def test_intent_pages_add_up_once_each_and_cap_before_decay():
	# demo 6 + pricing 4 + ERPNext integration 3 + case studies 2 = 15 -> cap 10; visited today: no decay.
	# Two pricing URLs still count the pricing page once.
	model = load_default_model()
	urls = "/demo;/pricing;/pricing?plan=pro;/integrations/erpnext;/case-studies/acme;/blog/x"
	contact = {
		"id": "1",
		"properties": {"revops_recent_page_urls": urls, "hs_analytics_last_visit_timestamp": iso(0)},
	}
	result = model.score(build_signals(contact, None, None, AS_OF), AS_OF)
	assert points(result, "intent_pages") == 10.0
	assert result.contributions[0].explanation == (
		"Visited demo request page, pricing page, ERPNext integration page, case studies, last 2026-11-30"
	)
	# 45 days later (the intent half-life) the same visit is worth half
	later = model.score(build_signals(contact, None, None, AS_OF), AS_OF + timedelta(days=45))
	assert points(later, "intent_pages") == 5.0


def test_lifetime_value_can_fade_from_the_last_invoice_when_configured():
	# erp.lifetime_value.half_life_days = 365: 250k+ band 12 points, last invoice 365 days ago -> 6.
	from sidecar.scoring import ScoringModel
	from tests.sidecar.test_scoring_config import mutated

	model = ScoringModel.from_dict(mutated("erp.lifetime_value.half_life_days", 365))
	last = (AS_OF.date() - timedelta(days=365)).isoformat()
	erp = erp_record(lifetime_revenue=400000.0, last_invoice_date=last)
	result = model.score(build_signals({"id": "1"}, None, erp, AS_OF), AS_OF)
	assert points(result, "lifetime_value") == 6.0
	assert (
		"last invoice 2025-11-30"
		in next(c for c in result.contributions if c.signal == "lifetime_value").explanation
	)
	# the shipped model does not fade LTV
	assert (
		points(
			load_default_model().score(build_signals({"id": "1"}, None, erp, AS_OF), AS_OF), "lifetime_value"
		)
		== 12.0
	)


def test_currencies_convert_to_the_base_and_unknown_ones_count_one_to_one():
	# GBP 8,000 * 1.27 = 10,160 USD -> 10k-50k band 6; "XYZ" 8,000 counts as 8,000 USD -> under 10k band 3.
	model = load_default_model()
	gbp = model.score(
		build_signals({"id": "1"}, None, erp_record(currency="GBP", lifetime_revenue=8000.0), AS_OF), AS_OF
	)
	xyz = model.score(
		build_signals({"id": "1"}, None, erp_record(currency="XYZ", lifetime_revenue=8000.0), AS_OF), AS_OF
	)
	assert points(gbp, "lifetime_value") == 6.0 and points(xyz, "lifetime_value") == 3.0
	assert [c.explanation for c in gbp.contributions if c.signal == "lifetime_value"] == [
		"Lifetime spend GBP 8,000 (10k-50k)"
	]


def test_relative_event_dates_when_configured():
	# output.event_dates = "relative": the same hand-worked contact, explained with ages instead of dates.
	from sidecar.scoring import ScoringModel
	from tests.sidecar.test_scoring_config import mutated

	model = ScoringModel.from_dict(mutated("output.event_dates", "relative"))
	result = model.score(build_signals(*cto_contact(), AS_OF), AS_OF)
	assert result.total == 66
	assert result.reasons[2:4] == [
		"Contract ends in 60 days (2027-01-29) +10",
		"Pricing page x4, last 3 days ago +9",
	]
	assert "Email opens x5, last 10 days ago" in [c.explanation for c in result.contributions]
	today = LeadSignals(events={"webinar": (1, AS_OF.timestamp())})
	assert model.score(today, AS_OF).reasons == ["Webinar attended x1, last today +4"]


def test_absolute_explanations_do_not_change_from_one_day_to_the_next():
	# What a stored HubSpot reason needs: same data, next day -> same text (points may decay).
	model = load_default_model()
	signals = build_signals(*cto_contact(), AS_OF)
	today = model.score(signals, AS_OF)
	tomorrow = model.score(signals, AS_OF + timedelta(days=1))
	assert [c.explanation for c in today.contributions] == [c.explanation for c in tomorrow.contributions]
