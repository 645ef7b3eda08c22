"""Configuration of the CX rules: RevOps CX Settings and the master switches, read into core's configs.

Contract
- `cx_settings()`: the cached RevOps CX Settings document.
- `cx_enabled()`: RevOps Settings' master switch (Enabled) and Enable CX Rules are both on.
- `rule_config(settings)` / `churn_config(settings)` / `priority_ladder(settings)`: the settings as
  core.cx.rules.RuleConfig, core.cx.health.ChurnConfig and the escalation ladder, blanks replaced by the
  defaults. `lines(value)`: a Small Text field's non-blank lines.
Reads only; imports nothing else of this feature.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe.utils import cint, flt

from revops_app.core.cx import health, rules
from revops_app.core.cx.normalise import Category
from revops_app.customer_experience.constants import CX_SETTINGS_DOCTYPE
from revops_app.revops.constants import SETTINGS_DOCTYPE


def lines(value: str | None) -> list[str]:
	return [line.strip() for line in (value or "").splitlines() if line.strip()]


def cx_settings():
	return frappe.get_cached_doc(CX_SETTINGS_DOCTYPE)


def cx_enabled() -> bool:
	"""CX rules on: RevOps Settings' master switch (Enabled) and Enable CX Rules, as for Stripe and dunning."""
	settings = frappe.db.get_singles_dict(SETTINGS_DOCTYPE)
	return bool(cint(settings.get("enabled")) and cint(settings.get("cx_enabled")))


def _int(value: Any, default: int) -> int:
	return default if value in (None, "") else cint(value)


def _float(value: Any, default: float) -> float:
	return default if value in (None, "") else flt(value)


def rule_config(settings) -> rules.RuleConfig:
	ces = {Category.HARD}
	if settings.get("ces_recovery_on") == "Hard or Neutral":
		ces.add(Category.NEUTRAL)
	return rules.RuleConfig(
		nps_detractor_max=_int(settings.get("nps_detractor_max"), 6),
		csat_low_max=_float(settings.get("csat_low_max"), 2),
		ces_recovery_categories=frozenset(ces),
		custom_low_max_score=_float(settings.get("custom_low_max_score"), 25)
		if cint(settings.get("custom_recovery"))
		else None,
		severe_max_score=_float(settings.get("severe_max_score"), 20),
		priority_severe=settings.get("priority_severe") or "High",
		priority_default=settings.get("priority_default") or "Medium",
		promoter_min=_int(settings.get("promoter_min"), 9),
		high_priorities=frozenset(lines(settings.get("high_priorities")) or ("High", "Urgent")),
	)


def churn_config(settings) -> health.ChurnConfig:
	return health.ChurnConfig(
		decline_responses=_int(settings.get("churn_decline_responses"), 3),
		contract_window_days=_int(settings.get("churn_contract_window_days"), 90),
		# an off-switch, so a site that never saved the setting (a Single stores no default) uses it
		payment_behaviour=not _int(settings.get("churn_ignore_payment_behaviour"), 0),
	)


def priority_ladder(settings) -> tuple[str, ...]:
	return tuple(lines(settings.get("priority_ladder"))) or rules.DEFAULT_PRIORITY_LADDER
