"""The `[learning]` settings: outcome reads, `model fit` guards and its time split, shadow scoring."""

from __future__ import annotations

from typing import Any

from sidecar.config.setting import Setting, _non_negative, _positive


def _share(value: Any) -> str | None:
	return None if 0.05 <= value <= 0.5 else "must be between 0.05 and 0.5"


LEARNING_SETTINGS: tuple[Setting, ...] = (
	Setting(
		"learning",
		"horizon_days",
		"int",
		90,
		"a lead converts when a deal is won within this many days of its entry score",
		check=_positive,
	),
	Setting(
		"learning",
		"holdout_share",
		"float",
		0.3,
		"newest share of labelled leads kept out of the fit to validate it",
		check=_share,
	),
	Setting(
		"learning", "min_leads", "int", 200, "minimum labelled leads in the training period", check=_positive
	),
	Setting(
		"learning",
		"min_conversions",
		"int",
		30,
		"minimum conversions in the training period",
		check=_positive,
	),
	Setting(
		"learning",
		"min_holdout_conversions",
		"int",
		10,
		"minimum conversions in the held-out period (else the fit cannot be validated)",
		check=_positive,
	),
	Setting(
		"learning",
		"regularisation",
		"float",
		1.0,
		"inverse L2 strength (scikit-learn C): smaller keeps the fit closer to the live model",
		check=_positive,
	),
	Setting(
		"learning",
		"max_multiplier",
		"float",
		3.0,
		"cap on how far a signal's points may grow",
		check=_positive,
	),
	Setting(
		"learning",
		"overlap_seconds",
		"int",
		300,
		"deals and contacts are re-read from this long before the last cursor (clock skew, same-ms edits)",
		check=_non_negative,
	),
	Setting(
		"learning",
		"shadow_model_file",
		"path",
		"",
		"candidate model scored alongside the live one into learning.shadow_property (empty = off)",
	),
	Setting(
		"learning",
		"shadow_property",
		"str",
		"revops_shadow_score",
		"HubSpot contact property the shadow score is written to",
	),
)
