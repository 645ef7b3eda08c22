"""What a score is made of: contributions, the result, and the rounding, decay and text helpers the tiers share."""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, NamedTuple

from sidecar.scoring.config_types import Band

_LN2 = math.log(2.0)
_DAY = 86400.0


class Contribution(NamedTuple):
	"""One signal's points; `explanation` is human-readable and carries no points."""

	tier: str
	signal: str
	points: float
	explanation: str


@dataclass(slots=True)
class ScoreResult:
	"""A score with its explanation. `tiers` are clamped, `raw_tiers` are the plain sums of contributions."""

	total: int
	tiers: dict[str, float]
	band: str
	reasons: list[str]
	contributions: list[Contribution]
	facts: dict[str, Any] = field(default_factory=dict)
	raw_tiers: dict[str, float] = field(default_factory=dict)  # before the tier clamps

	def to_dict(self) -> dict[str, Any]:
		"""JSON-ready form (for plans, task bodies, score history)."""
		return {
			"total": self.total,
			"band": self.band,
			"tiers": dict(self.tiers),
			"reasons": list(self.reasons),
			"contributions": [c._asdict() for c in self.contributions],
			"facts": dict(self.facts),
		}


def decay_factor(age_days: float, half_life_days: float) -> float:
	"""2 ** (-age/half_life) for age > 0, else 1.0 (an event dated after as_of is treated as happening now)."""
	if age_days <= 0:
		return 1.0
	return math.exp(-_LN2 * age_days / half_life_days)


def round_points(points: float) -> int:
	"""Half away from zero: 8.5 -> 9, -8.5 -> -9 (Python's round() would give 8 and -8)."""
	return int(points + 0.5) if points >= 0 else -int(0.5 - points)


def round2(x: float) -> float:
	"""Points are kept to 2 decimals, half away from zero (cheaper than round(x, 2), same idea as round_points)."""
	return int(x * 100.0 + 0.5) / 100.0 if x >= 0 else -int(0.5 - x * 100.0) / 100.0


def format_points(points: float) -> str:
	"""'+9', '-10': how a reason shows its points."""
	return f"{round_points(points):+d}"


_AGE_TEXTS = ("today", "1 day ago", *(f"{d} days ago" for d in range(2, 731)))


def _age_text(age_days: float) -> str:
	days = int(age_days) if age_days > 0 else 0
	return _AGE_TEXTS[days] if days < 731 else f"{days} days ago"


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_TEXTS: dict[int, str] = {}


def _day_text(ts: float) -> str:
	"""Epoch seconds -> 'YYYY-MM-DD' (UTC), memoised per day."""
	day = int(ts // 86400.0)
	text = _DAY_TEXTS.get(day)
	if text is None:
		text = date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
		if len(_DAY_TEXTS) > 20_000:
			_DAY_TEXTS.clear()
		_DAY_TEXTS[day] = text
	return text


def _neg_abs_points(c: Contribution) -> float:
	return -abs(c[2])


# Contribution(...) goes through a Python-level __new__; this is the same tuple, built ~3x faster.
_contribution = partial(tuple.__new__, Contribution)


def _money(currency: str, amount: float) -> str:
	return f"{currency} {amount:,.0f}".strip()


def _short_money(amount: float) -> str:
	for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
		if abs(amount) >= div:
			return f"{amount / div:.3g}{suffix}"
	return f"{amount:.0f}"


def _plural(n: int, word: str) -> str:
	return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _BandTable:
	__slots__ = ("bands", "mins")

	def __init__(self, bands: tuple[Band, ...]) -> None:
		self.bands = bands
		self.mins = [b.min for b in bands]

	def find(self, value: float) -> Band | None:
		i = bisect_right(self.mins, value) - 1
		return self.bands[i] if i >= 0 else None


def _band_fit(out: list[Contribution], signal: str, band: Band | None, text: str) -> None:
	"""A fit contribution for a banded firmographic (revenue, employees) when its band scores."""
	if band is not None and band.points:
		out.append(Contribution("fit", signal, band.points, f"{text} ({band.label})" if band.label else text))
