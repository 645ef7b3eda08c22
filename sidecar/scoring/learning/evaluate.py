"""Held-out metrics of a model over examples: AUC, top-decile lift, Brier (after calibration), bands.

Scores are re-computed from the recorded contributions: a model is a multiplier per signal on the base
model's points (fitted files say so in [provenance]), with its own tier clamps, so the live model and a
candidate are compared on exactly the same leads and the same features.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from sidecar.scoring.learning.examples import Example
from sidecar.scoring.learning.modelfile import SIGNAL_POINTS

ERP_SIGNALS = {s for s, specs in SIGNAL_POINTS.items() if specs[0][0].startswith("erp.")}
FIT_SIGNALS = set(SIGNAL_POINTS) - ERP_SIGNALS


def tier_of(signal: str) -> str:
	return "erp" if signal in ERP_SIGNALS else "fit" if signal in FIT_SIGNALS else "behaviour"


def rescore(
	features: dict[str, float], multipliers: dict[str, float], tier_bounds: dict[str, tuple[float, float]]
) -> float:
	"""The total a model gives: per tier the sum of scaled points clamped to its bounds, total 0-100."""
	tiers: dict[str, float] = {}
	for signal, points in features.items():
		tier = tier_of(signal)
		tiers[tier] = tiers.get(tier, 0.0) + points * multipliers.get(signal, 1.0)
	total = 0.0
	for tier, value in tiers.items():
		low, high = tier_bounds.get(tier, (-100.0, 100.0))
		total += min(max(value, low), high)
	return float(min(max(total, 0.0), 100.0))


def calibrate(train_scores: list[float], train_labels: list[bool]) -> LogisticRegression | None:
	"""A one-feature logistic map score -> probability fitted on the training period (None: one class)."""
	if len(set(train_labels)) < 2:
		return None
	return LogisticRegression().fit(np.asarray(train_scores).reshape(-1, 1), np.asarray(train_labels))


def band_table(
	scores: list[float], examples: list[Example], bands: list[tuple[str, float]]
) -> list[dict[str, Any]]:
	"""Leads, conversions, rate, won and pipeline value per band (bands: (name, lowest total), any order)."""
	ordered = sorted(bands, key=lambda b: b[1], reverse=True)
	rows = {
		name: {"band": name, "leads": 0, "converted": 0, "won_value": 0.0, "pipeline_value": 0.0}
		for name, _ in ordered
	}
	for score, e in zip(scores, examples, strict=True):
		name = next((n for n, low in ordered if score >= low), ordered[-1][0])
		row = rows[name]
		row["leads"] += 1
		row["converted"] += int(e.converted)
		row["won_value"] += e.won_value
		row["pipeline_value"] += e.pipeline_value
	for row in rows.values():
		row["conversion_rate"] = round(row["converted"] / row["leads"], 4) if row["leads"] else None
		row["won_value"] = round(row["won_value"], 2)
		row["pipeline_value"] = round(row["pipeline_value"], 2)
	return list(rows.values())


def lift_curve(scores: list[float], labels: list[bool], points: int = 10) -> list[dict[str, float]]:
	"""Cumulative share of conversions captured by the top k/points of leads by score."""
	order = np.argsort(-np.asarray(scores), kind="stable")
	y = np.asarray(labels, dtype=float)[order]
	total = y.sum() or 1.0
	out = []
	for k in range(1, points + 1):
		n = max(1, round(len(y) * k / points))
		out.append({"leads_share": k / points, "conversions_share": round(float(y[:n].sum() / total), 4)})
	return out


def calibration_curve(probs: list[float], labels: list[bool], bins: int = 10) -> list[dict[str, float]]:
	out = []
	p, y = np.asarray(probs), np.asarray(labels, dtype=float)
	for b in range(bins):
		mask = (p >= b / bins) & ((p < (b + 1) / bins) | (b == bins - 1))
		if mask.any():
			out.append(
				{
					"predicted": round(float(p[mask].mean()), 4),
					"observed": round(float(y[mask].mean()), 4),
					"leads": int(mask.sum()),
				}
			)
	return out


def evaluate(
	examples: list[Example],
	scores: list[float],
	calibrator: LogisticRegression | None,
	bands: list[tuple[str, float]],
) -> dict[str, Any]:
	labels = [e.converted for e in examples]
	base_rate = sum(labels) / len(labels) if labels else 0.0
	out: dict[str, Any] = {
		"leads": len(labels),
		"conversions": int(sum(labels)),
		"base_rate": round(base_rate, 4),
	}
	out["auc"] = round(float(roc_auc_score(labels, scores)), 4) if len(set(labels)) == 2 else None
	top = np.argsort(-np.asarray(scores), kind="stable")[: max(1, len(scores) // 10)]
	top_rate = float(np.asarray(labels, dtype=float)[top].mean()) if len(top) else 0.0
	out["top_decile_lift"] = round(top_rate / base_rate, 3) if base_rate else None
	if calibrator is not None and labels:
		probs = calibrator.predict_proba(np.asarray(scores).reshape(-1, 1))[:, 1]
		out["brier"] = round(float(brier_score_loss(labels, probs)), 5)
		out["calibration"] = calibration_curve(list(probs), labels)
	else:
		out["brier"], out["calibration"] = None, []
	out["lift_curve"] = lift_curve(scores, labels)
	out["bands"] = band_table(scores, examples, bands)
	return out
