"""The compiled, immutable form of a scoring model config (what config.py parses and model.py runs)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sidecar.scoring.titles import TitleRules

TIERS = ("fit", "behaviour", "erp")


class ModelConfigError(ValueError):
	"""The model config is invalid; the message starts with the dotted key path that is wrong."""


@dataclass(frozen=True, slots=True)
class Band:
	min: float
	points: float
	label: str


@dataclass(frozen=True, slots=True)
class IntentPage:
	name: str
	label: str
	pattern: re.Pattern[str]
	points: float


@dataclass(frozen=True, slots=True)
class BehaviourSignal:
	name: str
	event: str
	label: str
	points_per_event: float
	max_points: float
	min_events: float
	half_life_days: float
	max_age_days: float | None


@dataclass(frozen=True, slots=True)
class PaymentConfig:
	"""[erp.payment_behaviour]: see sidecar/scoring/payment.py (all zero = the signal is off)."""

	slower_threshold_days: float = 0.0
	points_per_day_slower: float = 0.0
	points_per_failed_payment: float = 0.0
	points_per_broken_promise: float = 0.0
	points_per_dispute: float = 0.0
	prompt_payer_days: float = 0.0
	prompt_payer_points: float = 0.0
	floor: float = 0.0


@dataclass(frozen=True, slots=True)
class ModelConfig:
	source: str
	tier_min: dict[str, float]
	tier_max: dict[str, float]
	max_reasons: int
	min_reason_points: float
	event_dates: str  # "absolute" (2026-11-27) or "relative" (3 days ago) in explanations
	bands: tuple[tuple[str, float], ...]  # (band, lowest total), highest first
	titles: TitleRules
	title_label_chars: int
	industry_points: dict[str, tuple[float, str]]  # normalised industry -> (points, group label)
	industry_other_points: float
	revenue_bands: tuple[Band, ...]
	employee_bands: tuple[Band, ...]
	intent_pages: tuple[IntentPage, ...]
	intent_max_points: float
	intent_half_life_days: float
	behaviour: tuple[BehaviourSignal, ...]
	currency: str
	fx_to_base: dict[str, float]
	ltv_bands: tuple[Band, ...]
	ltv_half_life_days: float | None
	open_points_per_invoice: float
	open_floor: float
	overdue_points_per_invoice: float
	overdue_amount_bands: tuple[Band, ...]
	overdue_days_bands: tuple[Band, ...]
	overdue_floor: float
	renewal_points: float
	renewal_window_days: int
	renewal_ramp_days: int
	product_lines: dict[str, str]  # ERPNext item group -> product line
	product_points_per_quote: float
	product_max_points: float
	opportunity_points: float
	opportunity_max_points: float
	support_points_per_open_issue: float
	support_floor: float
	company_breadth_weight: float
	payment: PaymentConfig = PaymentConfig()
