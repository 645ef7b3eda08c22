"""Survey score normalisation: metric + scale + raw score -> 0-100 score and a category.

Contract: `normalise(metric, score, scale_min, scale_max, higher_is_better)` returns a `Normalised`
or raises `ValueError` with a sentence a reviewer can act on (unknown metric, inconsistent scale,
score outside its scale, non-integer NPS). No I/O, no frappe.

- Normalised score: 100 is the best possible answer, 0 the worst, whatever the scale or direction:
  `(score - min) / (max - min) * 100`, mirrored when lower raw scores are better (e.g. a 1-5 CES
  where 1 = "very low effort"). Rounded to 2 decimals.
- NPS is only defined on 0-10 with whole numbers (higher better): promoter 9-10, passive 7-8,
  detractor 0-6.
- CSAT, CES and Custom use the midpoint of the normalised scale: above 50 satisfied / easy, exactly
  50 neutral, below 50 unsatisfied / hard. On the usual scales this is the textbook split: CSAT 1-5
  -> 4-5 satisfied, 3 neutral, 1-2 unsatisfied; CES 1-7 -> 5-7 easy, 4 neutral, 1-3 hard.
- Default scales when the caller gives none: NPS 0-10, CSAT 1-5, CES 1-7 (all higher is better).
  A Custom metric must state its scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum


class Metric(str, Enum):
	NPS = "NPS"
	CSAT = "CSAT"
	CES = "CES"
	CUSTOM = "Custom"

	@classmethod
	def parse(cls, value: str | Metric) -> Metric:
		if isinstance(value, Metric):
			return value
		text = str(value or "").strip().lower()
		for metric in cls:
			if metric.value.lower() == text:
				return metric
		raise ValueError(f"unknown metric {value!r}: expected one of NPS, CSAT, CES, Custom")


class Category(str, Enum):
	PROMOTER = "promoter"
	PASSIVE = "passive"
	DETRACTOR = "detractor"
	SATISFIED = "satisfied"
	NEUTRAL = "neutral"
	UNSATISFIED = "unsatisfied"
	EASY = "easy"
	HARD = "hard"


# The category's place on a three-step good / middle / bad ladder, per metric family.
POSITIVE = {Category.PROMOTER, Category.SATISFIED, Category.EASY}
NEGATIVE = {Category.DETRACTOR, Category.UNSATISFIED, Category.HARD}


def _is_number(value: object) -> bool:
	return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Scale:
	minimum: float
	maximum: float
	higher_is_better: bool = True

	def __post_init__(self) -> None:
		for label, value in (("scale_min", self.minimum), ("scale_max", self.maximum)):
			if not _is_number(value):
				raise ValueError(f"{label} must be a finite number, got {value!r}")
		if self.minimum >= self.maximum:
			raise ValueError(f"scale_min ({self.minimum:g}) must be below scale_max ({self.maximum:g})")


DEFAULT_SCALES: dict[Metric, Scale] = {
	Metric.NPS: Scale(0, 10, True),
	Metric.CSAT: Scale(1, 5, True),
	Metric.CES: Scale(1, 7, True),
}


@dataclass(frozen=True)
class Normalised:
	metric: Metric
	raw_score: float
	scale: Scale
	score: float  # 0-100, 100 = best
	category: Category

	@property
	def is_positive(self) -> bool:
		return self.category in POSITIVE

	@property
	def is_negative(self) -> bool:
		return self.category in NEGATIVE


def _number(label: str, value: object) -> float:
	if isinstance(value, str):
		try:
			value = float(value.strip())
		except ValueError:
			raise ValueError(f"{label} must be a number, got {value!r}")
	if not _is_number(value):
		raise ValueError(f"{label} must be a finite number, got {value!r}")
	return float(value)  # type: ignore[arg-type]


def resolve_scale(
	metric: Metric,
	scale_min: float | str | None = None,
	scale_max: float | str | None = None,
	higher_is_better: bool | None = None,
) -> Scale:
	"""The scale a response was asked on: the caller's, or the metric's default when none is given.
	Giving only one end of the scale is an error (a 1-? scale cannot be normalised)."""
	given = [v for v in (scale_min, scale_max) if v not in (None, "")]
	if len(given) == 1:
		raise ValueError("give both scale_min and scale_max, or neither to use the metric's default scale")
	if not given:
		if metric not in DEFAULT_SCALES:
			raise ValueError(f"a {metric.value} metric needs scale_min and scale_max")
		default = DEFAULT_SCALES[metric]
		direction = default.higher_is_better if higher_is_better is None else bool(higher_is_better)
		return Scale(default.minimum, default.maximum, direction)
	direction = True if higher_is_better is None else bool(higher_is_better)
	return Scale(_number("scale_min", scale_min), _number("scale_max", scale_max), direction)


def normalised_score(raw: float, scale: Scale) -> float:
	span = scale.maximum - scale.minimum
	fraction = (raw - scale.minimum) / span if scale.higher_is_better else (scale.maximum - raw) / span
	return round(fraction * 100, 2)


def normalise(
	metric: str | Metric,
	score: float | str,
	scale_min: float | str | None = None,
	scale_max: float | str | None = None,
	higher_is_better: bool | None = None,
) -> Normalised:
	metric = Metric.parse(metric)
	raw = _number("score", score)
	scale = resolve_scale(metric, scale_min, scale_max, higher_is_better)
	if not scale.minimum <= raw <= scale.maximum:
		raise ValueError(
			f"{metric.value} score {raw:g} is outside its scale {scale.minimum:g}-{scale.maximum:g}"
		)
	if metric is Metric.NPS:
		if (scale.minimum, scale.maximum) != (0, 10) or not scale.higher_is_better:
			raise ValueError(
				f"NPS is asked on 0-10 with 10 best; got {scale.minimum:g}-{scale.maximum:g}"
				f"{'' if scale.higher_is_better else ' with lower better'}"
			)
		if raw != int(raw):
			raise ValueError(f"NPS scores are whole numbers 0-10, got {raw:g}")
	score_0_100 = normalised_score(raw, scale)
	return Normalised(metric, raw, scale, score_0_100, categorise(metric, raw, score_0_100))


def categorise(metric: Metric, raw: float, score_0_100: float) -> Category:
	if metric is Metric.NPS:
		if raw >= 9:
			return Category.PROMOTER
		if raw >= 7:
			return Category.PASSIVE
		return Category.DETRACTOR
	good, bad = (
		(Category.EASY, Category.HARD) if metric is Metric.CES else (Category.SATISFIED, Category.UNSATISFIED)
	)
	if score_0_100 > 50:
		return good
	if score_0_100 < 50:
		return bad
	return Category.NEUTRAL
