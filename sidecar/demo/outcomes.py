"""Demo outcomes drawn from a known hidden rule, so the demo can show `model fit` learning it.

Every demo contact gets an entry date spread over the 15 months before the dataset's `as_of` (seeded, so
the same everywhere) and a score history row with the default model's contributions (as the sync records
them). Whether it converts is drawn from a logistic rule over those contributions with HIDDEN multipliers:
pricing-page visits, webinars and the renewal window matter far more than the default model says, seniority
and page views far less. A converted lead gets a won deal (associated with the contact and its company)
closing 5-80 days after entry; some others get lost or still-open deals. `model fit` sees only the store.
(Features are the leads' scores as of the dataset date, recorded at their entry dates: the demo shows the
loop, not decay over time.)
"""

from __future__ import annotations

import json
import math
import random
from datetime import timedelta
from typing import Any

from sidecar.demo.dataset import DemoDataset, primary_company_id
from sidecar.scoring import build_signals

# the rule the fit has to find: multiplier on the default model's points of each signal (others: 1)
HIDDEN_MULTIPLIERS = {
	"pricing_page": 3.0,
	"webinar": 3.0,
	"renewal_window": 2.5,
	"seniority": 0.3,
	"page_views": 0.2,
	"industry": 0.5,
}
STRONGEST = ("pricing_page", "renewal_window", "webinar")
HIDDEN_SLOPE = 0.12  # logit per (hidden-weighted) point
HIDDEN_INTERCEPT = -5.2
ENTRY_SPAN_DAYS = 450


def hidden_probability(contributions: dict[str, float]) -> float:
	z = HIDDEN_INTERCEPT + HIDDEN_SLOPE * sum(
		p * HIDDEN_MULTIPLIERS.get(s, 1.0) for s, p in contributions.items()
	)
	return 1.0 / (1.0 + math.exp(-z))


def simulate_outcomes(dataset: DemoDataset, model: Any, store: Any, seed: int = 11) -> dict[str, int]:
	"""Write score history (entry rows) and deals for every demo contact; returns counts."""
	rng = random.Random(seed)
	history, deals = [], []
	version = getattr(model, "version", None)
	for contact, company, erp in dataset.scoring_inputs():
		result = model.score(build_signals(contact, company, erp, dataset.as_of), dataset.as_of)
		contributions = {c.signal: c.points for c in result.contributions}
		entered = (dataset.as_of - timedelta(days=rng.uniform(0, ENTRY_SPAN_DAYS))).replace(
			tzinfo=None, microsecond=0
		)
		company_id = primary_company_id(contact)
		history.append(
			{
				"contact_id": contact["id"],
				"company_id": company_id,
				"erp_customer": erp["customer"] if erp else None,
				"scored_at": entered,
				"total": float(result.total),
				"fit": float(result.tiers.get("fit", 0)),
				"behaviour": float(result.tiers.get("behaviour", 0)),
				"erp": float(result.tiers.get("erp", 0)),
				"contributions": json.dumps(contributions, sort_keys=True),
				"model_version": version,
			}
		)
		converted = rng.random() < hidden_probability(contributions)
		roll = rng.random()
		if not converted and roll > 0.25:
			continue
		created = entered + timedelta(days=rng.uniform(0, 4))
		closes = entered + timedelta(days=rng.uniform(5, 80))
		size = 1.0 + (contributions.get("revenue", 0) + contributions.get("employees", 0)) / 6
		amount = round(rng.lognormvariate(math.log(8000 * size), 0.5), 2)
		closed = converted or roll < 0.18
		deals.append(
			{
				"deal_id": str(700_000 + len(deals)),
				"name": f"Demo deal {contact['id']}",
				"pipeline": "default",
				"stage": "closedwon" if converted else ("closedlost" if closed else "qualifiedtobuy"),
				"amount": amount,
				"close_date": closes if closed else None,
				"created_at": created,
				"is_closed": closed,
				"is_won": converted,
				"modified_at": closes if closed else created,
				"contacts": [contact["id"]],
				"companies": [company_id] if company_id else [],
			}
		)
	store.add_score_history(history)
	for start in range(0, len(deals), 500):
		store.upsert_deals(deals[start : start + 500])
	return {"leads": len(history), "deals": len(deals), "won": sum(d["is_won"] for d in deals)}


def learning_demo(dataset: DemoDataset, model: Any, settings: Any = None) -> dict[str, Any]:
	"""Outcomes from the hidden rule into a scratch store, `model fit` on them; the fit and both models'
	held-out metrics (what `make demo` prints)."""
	from sidecar.scoring.learning.examples import build_examples
	from sidecar.scoring.learning.fit import FitSettings, run_fit
	from sidecar.store import open_store

	store = open_store("sqlite:///:memory:")
	try:
		counts = simulate_outcomes(dataset, model, store)
		settings = settings or FitSettings()
		data = build_examples(
			store, dataset.as_of.replace(tzinfo=None), settings.horizon_days, getattr(model, "version", None)
		)
		c = model.config
		bounds = {tier: (c.tier_min[tier], c.tier_max[tier]) for tier in c.tier_min}
		result = run_fit(data, bounds, list(c.bands), settings)
	finally:
		store.close()
	return {
		"outcomes": counts,
		"train_leads": len(result.train),
		"held_out_leads": len(result.held_out),
		"cutoff": result.cutoff.date().isoformat(),
		"multipliers": dict(sorted(result.multipliers.items(), key=lambda kv: -kv[1])),
		"hidden_strongest": list(STRONGEST),
		"live": {k: result.metrics["live"][k] for k in ("auc", "top_decile_lift", "brier", "bands")},
		"fitted": {k: result.metrics["candidate"][k] for k in ("auc", "top_decile_lift", "brier", "bands")},
	}
