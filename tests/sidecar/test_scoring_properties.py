"""Properties of the engine over many inputs: decay monotone in age, caps respected, total in 0-100,
deterministic, reasons consistent with contributions. Inputs come from the demo dataset and from a seeded
random generator that pushes every signal to extremes (huge counts, future timestamps, negative ERP).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from sidecar.demo.dataset import generate
from sidecar.scoring import EVENT_SOURCES, LeadSignals, ScoringModel, build_signals, load_default_model
from sidecar.scoring.model import DEFAULT_MODEL_FILE, format_points

AS_OF = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
DAY = 86400.0


@pytest.fixture(scope="module")
def dataset():
	return generate(seed=11, companies=300)


@pytest.fixture(scope="module")
def scored(dataset):
	model = load_default_model()
	return [
		model.score(build_signals(c, co, e, dataset.as_of), dataset.as_of)
		for c, co, e in dataset.scoring_inputs()
	]


def random_signals(rng: random.Random) -> LeadSignals:
	now = AS_OF.timestamp()
	events = {}
	for name in EVENT_SOURCES:
		if rng.random() < 0.7:
			count = rng.choice([1, 2, 3, 7, 50, 10_000])
			ts = None if rng.random() < 0.1 else now - rng.uniform(-5, 500) * DAY  # some in the future
			events[name] = (count, ts)
	return LeadSignals(
		title=rng.choice(["CTO", "VP Eng", "Intern", "IT Manager", "", "Wizard", "Head of Procurement"]),
		industry=rng.choice(["computer_software", "higher_education", "retail", "", "unknown_thing"]),
		industry_label="x",
		annual_revenue=rng.choice([None, 0.0, 5e5, 2e7, 9e8]),
		employees=rng.choice([None, 3, 80, 400, 50_000]),
		urls=tuple(
			sorted(
				rng.sample(
					["/pricing", "/demo", "/integrations/erpnext", "/customers", "/blog"], rng.randint(0, 5)
				)
			)
		),
		last_visit=now - rng.uniform(-2, 300) * DAY,
		events=events,
		has_erp=rng.random() < 0.8,
		currency=rng.choice(["USD", "EUR", "XYZ", ""]),
		lifetime_revenue=rng.choice([0.0, 50.0, 20_000.0, 1e7]),
		open_invoice_count=rng.randint(0, 30),
		open_amount=rng.uniform(0, 1e6),
		overdue_invoice_count=rng.randint(0, 30),
		overdue_amount=rng.choice([0.0, 900.0, 1e6]),
		max_days_overdue=rng.randint(0, 400),
		contract_end_ordinal=AS_OF.date().toordinal() + rng.randint(-30, 400),
		quotation_item_groups=(("Analytics", rng.randint(1, 40)), ("Hardware", rng.randint(1, 40))),
		open_opportunity_count=rng.randint(0, 20),
		open_issue_count=rng.randint(0, 20),
		avg_days_to_pay=rng.choice([None, 0.0, 12.0, 400.0]),
		days_to_pay_trend=rng.choice([None, -30.0, 4.9, 5.0, 300.0]),
		failed_payment_count=rng.randint(0, 30),
		broken_promise_count=rng.randint(0, 5),
		dispute_count=rng.randint(0, 5),
	)


def test_decay_is_monotone_in_age_for_every_behaviour_signal():
	model = load_default_model()
	now = AS_OF.timestamp()
	for signal in model.config.behaviour:
		previous = None
		for age in [-10, 0, 0.5, 1, 3, 7, 14, 29.9, 30, 45, 60, 90, 180, 364, 366, 1000]:
			s = LeadSignals(events={signal.event: (9, now - age * DAY)})
			got = sum(c.points for c in model.score(s, AS_OF).contributions if c.signal == signal.name)
			if previous is not None:
				assert got <= previous, f"{signal.name}: {got} at {age} days > {previous} earlier"
			previous = got


def test_intent_decay_is_monotone_in_age():
	model = load_default_model()
	now = AS_OF.timestamp()
	previous = None
	for age in [0, 1, 10, 45, 90, 400]:
		s = LeadSignals(urls=("https://x.example/pricing",), last_visit=now - age * DAY)
		got = sum(c.points for c in model.score(s, AS_OF).contributions)
		assert previous is None or got <= previous
		previous = got


def test_caps_and_total_bounds_on_extreme_random_inputs():
	model = load_default_model()
	config = model.config
	per_signal_max = {s.name: s.max_points for s in config.behaviour}
	rng = random.Random(2026)
	for _ in range(3000):
		result = model.score(random_signals(rng), AS_OF)
		assert 0 <= result.total <= 100 and isinstance(result.total, int)
		for tier, value in result.tiers.items():
			assert config.tier_min[tier] <= value <= config.tier_max[tier]
		for c in result.contributions:
			if c.tier == "behaviour":
				assert 0 < c.points <= per_signal_max[c.signal]
			elif c.signal == "intent_pages":
				assert 0 < c.points <= config.intent_max_points
			elif c.signal == "overdue_invoices":
				assert config.overdue_floor <= c.points < 0
			elif c.signal == "open_invoices":
				assert config.open_floor <= c.points < 0
			elif c.signal == "support_issues":
				assert config.support_floor <= c.points < 0
			elif c.signal == "payment_behaviour":
				assert config.payment.floor <= c.points <= config.payment.prompt_payer_points and c.points
			elif c.signal == "product_interest":
				assert 0 < c.points <= config.product_max_points
			elif c.signal == "open_opportunities":
				assert 0 < c.points <= config.opportunity_max_points
			elif c.signal == "renewal_window":
				assert 0 < c.points <= config.renewal_points


def test_reasons_are_consistent_with_contributions(scored):
	model = load_default_model()
	rng = random.Random(5)
	results = list(scored) + [model.score(random_signals(rng), AS_OF) for _ in range(500)]
	for result in results:
		rendered = [f"{c.explanation} {format_points(c.points)}" for c in result.contributions]
		assert len(result.reasons) <= model.config.max_reasons
		for reason in result.reasons:
			assert reason in rendered
		shown = [result.contributions[rendered.index(r)] for r in result.reasons]
		weights = [abs(c.points) for c in shown]
		assert weights == sorted(weights, reverse=True)
		if len(result.reasons) == model.config.max_reasons:
			left_out = [abs(c.points) for c in result.contributions if c not in shown]
			assert all(w <= weights[-1] for w in left_out)
		# every contribution big enough to show, when there is room, is shown
		if len(result.reasons) < model.config.max_reasons:
			assert all(
				c in shown
				for c in result.contributions
				if abs(c.points) >= max(1.0, model.config.min_reason_points)
			)
		# tiers are the clamped sums of the contributions
		for tier in ("fit", "behaviour", "erp"):
			raw = sum(c.points for c in result.contributions if c.tier == tier)
			assert result.raw_tiers[tier] == pytest.approx(raw, abs=0.011)


def test_scoring_is_deterministic_across_calls_and_fresh_models(dataset, scored):
	fresh = ScoringModel.from_file(DEFAULT_MODEL_FILE)  # cold memos
	again = [
		fresh.score(build_signals(c, co, e, dataset.as_of), dataset.as_of)
		for c, co, e in dataset.scoring_inputs()
	]
	assert [r.to_dict() for r in again] == [r.to_dict() for r in scored]
	# and scoring in a different order gives the same per-contact results
	rows = list(dataset.scoring_inputs())
	reversed_results = [
		fresh.score(build_signals(c, co, e, dataset.as_of), dataset.as_of) for c, co, e in reversed(rows)
	]
	assert [r.to_dict() for r in reversed(reversed_results)] == [r.to_dict() for r in scored]


def test_as_of_changes_are_honoured_not_cached(dataset):
	model = load_default_model()
	s = LeadSignals(events={"webinar": (2, AS_OF.timestamp())})
	first = model.score(s, AS_OF).tiers["behaviour"]
	later = model.score(s, AS_OF + timedelta(days=60)).tiers["behaviour"]
	naive_same_moment = model.score(s, AS_OF.replace(tzinfo=None)).tiers["behaviour"]
	assert (first, later, naive_same_moment) == (8.0, 4.0, 8.0)  # webinar: 2 * 4 = 8, half-life 60 days


def test_demo_scores_spread_over_the_bands(scored):
	bands = {r.band for r in scored}
	assert {"cold", "cool", "warm"} <= bands
	assert max(r.total for r in scored) > min(r.total for r in scored) + 40


def test_company_scores_respect_caps_and_are_deterministic(dataset):
	from sidecar.scoring import build_company_signals

	model = load_default_model()
	config = model.config
	per_signal_max = {s.name: s.max_points for s in config.behaviour}
	first = []
	for company in dataset.hubspot_companies:
		erp = dataset.erp_for_company(company)
		contacts = [build_signals(c, company, erp, dataset.as_of) for c in dataset.contacts_of(company["id"])]
		result = model.score_company(
			build_company_signals(company, erp, dataset.as_of), contacts, dataset.as_of
		)
		assert 0 <= result.total <= 100
		for tier, value in result.tiers.items():
			assert config.tier_min[tier] <= value <= config.tier_max[tier]
		for c in result.contributions:
			if c.tier == "behaviour":
				assert 0 < c.points <= per_signal_max[c.signal]
		# a company is never below its best contact's behaviour tier
		best = max((model.score(s, dataset.as_of).tiers["behaviour"] for s in contacts), default=0.0)
		assert result.tiers["behaviour"] >= best - 1e-9
		first.append(result.to_dict())
	again = []
	for company in dataset.hubspot_companies:
		erp = dataset.erp_for_company(company)
		contacts = [build_signals(c, company, erp, dataset.as_of) for c in dataset.contacts_of(company["id"])]
		again.append(
			model.score_company(
				build_company_signals(company, erp, dataset.as_of), contacts, dataset.as_of
			).to_dict()
		)
	assert again == first
