"""`model fit`: per-signal weights learned from outcomes, written as a model file in today's format.

How: one row per labelled lead (examples.py), its features the per-signal points the base model gave it on
the day it was scored. scikit-learn's L2-regularised logistic regression is fitted on the older leads with
the base total as one (nearly unpenalised) feature plus every signal's points, so the penalty shrinks each
signal towards the hand-set weights rather than towards zero: with little evidence the fit stays the base
model. A signal's logit weight per point, relative to the others, gives its multiplier; the multipliers are
scaled so the 90th percentile of training totals stays where the base model put it (the hot band keeps
roughly its size: a refit changes who is handed off, not how many), then clipped to [0, max_multiplier].
Guards: too few labelled leads or conversions in the training or held-out period -> NotEnoughData, no file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

from sidecar.scoring.learning.evaluate import calibrate, evaluate, rescore, tier_of
from sidecar.scoring.learning.examples import Example, ExampleSet, time_split

TOTAL_FEATURE_SCALE = (
	10.0  # the base total enters x10: its coefficient (and L2 penalty) is 10x (100x) smaller
)


class NotEnoughData(ValueError):
	"""The outcomes cannot support a fit (the message says what is missing and what the minimum is)."""


@dataclass
class FitSettings:
	horizon_days: int = 90
	holdout_share: float = 0.3
	min_leads: int = 200
	min_conversions: int = 30
	min_holdout_conversions: int = 10
	regularisation: float = 1.0  # scikit-learn's C: smaller = stay closer to the base model
	max_multiplier: float = 3.0


@dataclass
class FitResult:
	multipliers: dict[str, float]
	tier_bounds: dict[str, tuple[float, float]]
	train: list[Example]
	held_out: list[Example]
	cutoff: datetime
	metrics: dict[str, Any] = field(default_factory=dict)  # {"base": ..., "candidate": ...} on held-out


def _counts_guard(train: list[Example], held: list[Example], data: ExampleSet, s: FitSettings) -> None:
	conversions = sum(e.converted for e in train)
	held_conversions = sum(e.converted for e in held)
	problems = []
	if len(train) < s.min_leads:
		problems.append(f"{len(train)} labelled leads in the training period (minimum {s.min_leads})")
	if conversions < s.min_conversions:
		problems.append(f"{conversions} conversions in the training period (minimum {s.min_conversions})")
	if held_conversions < s.min_holdout_conversions:
		problems.append(
			f"{held_conversions} conversions in the held-out period (minimum {s.min_holdout_conversions})"
		)
	if problems:
		raise NotEnoughData(
			"not enough outcomes to fit a model: "
			+ "; ".join(problems)
			+ f". Leads left out: {data.immature} entered less than {s.horizon_days} days ago, "
			f"{data.already_customers} were already customers, {data.unknown_version} scored by an unknown "
			"model version. Keep the live model, sync outcomes (`revops-sidecar outcomes`) and refit later, "
			"or lower [learning] min_leads / min_conversions knowingly."
		)


def _matrix(examples: list[Example], signals: list[str]) -> np.ndarray:
	rows = [[e.features.get(sig, 0.0) for sig in signals] for e in examples]
	return np.asarray(rows, dtype=float).reshape(len(examples), len(signals))


def fit_multipliers(train: list[Example], s: FitSettings) -> dict[str, float]:
	signals = sorted({sig for e in train for sig in e.features})
	x = _matrix(train, signals)
	totals = x.sum(axis=1, keepdims=True) * TOTAL_FEATURE_SCALE
	y = np.asarray([e.converted for e in train])
	model = LogisticRegression(C=s.regularisation, solver="newton-cholesky", max_iter=200).fit(
		np.hstack([totals, x]), y
	)
	base_weight = model.coef_[0][0] * TOTAL_FEATURE_SCALE
	weights = base_weight + model.coef_[0][1:]  # logit per point of each signal
	raw = np.clip(weights, 0.0, None)
	base_q = float(np.quantile(x.sum(axis=1), 0.9))
	new_q = float(np.quantile(x @ raw, 0.9))
	if new_q <= 0 or base_q <= 0:
		raise NotEnoughData(
			"no signal's points rise with conversion in the training period: nothing to learn"
		)
	factor = base_q / new_q
	return {
		sig: round(min(float(w) * factor, s.max_multiplier), 3) for sig, w in zip(signals, raw, strict=True)
	}


def fit_tier_bounds(
	train: list[Example], multipliers: dict[str, float], base_bounds: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
	"""Each tier's clamp scaled by how much the tier's points grew or shrank on the training leads."""
	out = {}
	for tier, (low, high) in base_bounds.items():
		before = sum(abs(p) for e in train for sig, p in e.features.items() if tier_of(sig) == tier)
		after = sum(
			abs(p) * multipliers.get(sig, 1.0)
			for e in train
			for sig, p in e.features.items()
			if tier_of(sig) == tier
		)
		factor = min(max(after / before, 0.25), 4.0) if before else 1.0
		out[tier] = (float(math.floor(low * factor)), float(min(100, math.ceil(high * factor))))
	return out


def run_fit(
	data: ExampleSet,
	base_bounds: dict[str, tuple[float, float]],
	bands: list[tuple[str, float]],
	settings: FitSettings,
) -> FitResult:
	train, held, cutoff = time_split(data.examples, settings.holdout_share, settings.horizon_days)
	_counts_guard(train, held, data, settings)
	multipliers = fit_multipliers(train, settings)
	bounds = fit_tier_bounds(train, multipliers, base_bounds)
	result = FitResult(multipliers, bounds, train, held, cutoff)
	result.metrics = compare_on(train, held, {}, base_bounds, multipliers, bounds, bands)
	return result


def compare_on(
	train: list[Example],
	held: list[Example],
	live_multipliers: dict[str, float],
	live_bounds: dict[str, tuple[float, float]],
	candidate_multipliers: dict[str, float],
	candidate_bounds: dict[str, tuple[float, float]],
	bands: list[tuple[str, float]],
) -> dict[str, Any]:
	"""Both models on the same held-out leads; each calibrated (score -> probability) on the training leads."""
	out = {}
	for name, mult, bounds in (
		("live", live_multipliers, live_bounds),
		("candidate", candidate_multipliers, candidate_bounds),
	):
		train_scores = [rescore(e.features, mult, bounds) for e in train]
		held_scores = [rescore(e.features, mult, bounds) for e in held]
		calibrator = calibrate(train_scores, [e.converted for e in train])
		out[name] = evaluate(held, held_scores, calibrator, bands)
	return out


def provenance(
	result: FitResult,
	base_version: str | None,
	base_prov: dict[str, Any],
	settings: FitSettings,
	now: datetime,
) -> dict[str, Any]:
	base_scale = base_prov.get("scale") or {}
	scale = {sig: round(base_scale.get(sig, 1.0) * m, 4) for sig, m in result.multipliers.items()}
	live, cand = result.metrics["live"], result.metrics["candidate"]
	return {
		"fitted_at": now.isoformat(timespec="seconds"),
		"fitted_by": f"revops-sidecar model fit (scikit-learn {sklearn.__version__} LogisticRegression, C={settings.regularisation})",
		"base_version": base_version or "unknown",
		"root_version": base_prov.get("root_version") or base_version or "unknown",
		"multipliers": dict(sorted(result.multipliers.items())),
		"scale": dict(sorted(scale.items())),
		"horizon_days": settings.horizon_days,
		"train_leads": len(result.train),
		"train_conversions": sum(e.converted for e in result.train),
		"train_from": min(e.scored_at for e in result.train).date().isoformat(),
		"cutoff": result.cutoff.date().isoformat(),
		"held_out_leads": len(result.held_out),
		"held_out_conversions": sum(e.converted for e in result.held_out),
		"held_out_to": max(e.scored_at for e in result.held_out).date().isoformat(),
		"held_out_auc": {"base": live["auc"], "fitted": cand["auc"]},
		"held_out_top_decile_lift": {"base": live["top_decile_lift"], "fitted": cand["top_decile_lift"]},
		"held_out_brier": {"base": live["brier"], "fitted": cand["brier"]},
	}
