"""The scoring engine: LeadSignals + ModelConfig -> ScoreResult (total 0-100, tiers, reasons, contributions).

The tiers' rules are in tiers.py, the result type and its helpers in result.py; this module compiles the
config, assembles the tiers into a result and scores companies.

Contract:
- `ScoringModel.score(signals, as_of)` is pure and deterministic: the same signals, config and as_of give
  the same result, byte for byte. It never raises on odd data (missing values earn no points).
- Tier 1 "fit" (seniority/authority from the title, industry, revenue band, team size, intent pages),
  tier 2 "behaviour" (per-signal counts with exponential decay), tier 3 "erp" (ERPNext enrichment).
- Each signal yields at most one `Contribution(tier, signal, points, explanation)`; a tier is the sum of
  its contributions clamped to [tiers.<tier>.min, tiers.<tier>.max]; `total` is the sum of the tiers
  clamped to 0-100 and rounded half away from zero to an int.
- Decay: points * 2 ** (-age_days / half_life_days), age measured from the event time to as_of (an event
  "in the future" counts as age 0), so points never grow with age and halve every half-life.
- `reasons` are the top `output.max_reasons` contributions by |points| (ties keep contribution order:
  tier order, then the engine's fixed signal order) with |points| >= `output.min_reason_points`, each
  "<explanation> <+/-points rounded>".
- Memos (per title, URL set and firmographics; bounded) only cache pure functions of their keys, so they
  change speed, never results.
- `score_company(company_signals, contact_signals, as_of)`: fit = the company's firmographics + the best
  contact's seniority and intent; behaviour = per signal, best contact + breadth_weight * the others,
  capped at the signal's max_points; erp = the company's ERP record. Same clamps as a contact.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from sidecar.scoring.config import TIERS, ModelConfig, load_model_config, parse_model_config
from sidecar.scoring.result import (
	_LN2,
	Contribution,
	ScoreResult,
	_BandTable,
	_neg_abs_points,
	_plural,
	decay_factor,
	format_points,
	round2,
	round_points,
)
from sidecar.scoring.signals import LeadSignals, epoch_seconds
from sidecar.scoring.tiers import BehaviourTier, ErpTier, FitTier

DEFAULT_MODEL_FILE = Path(__file__).with_name("default_model.toml")
_TIER_ORDER = {tier: i for i, tier in enumerate(TIERS)}


class ScoringModel(FitTier, BehaviourTier, ErpTier):
	"""A compiled model config. Build with `from_file`, `from_dict` or `load_default_model()`."""

	MEMO_LIMIT = 50_000  # entries per memo (titles, URL sets, firmographics); cleared when full

	def __init__(self, config: ModelConfig) -> None:
		self.config = config
		self.version: str | None = None  # set by from_file: the file's content hash
		c = config
		self._revenue = _BandTable(c.revenue_bands)
		self._employees = _BandTable(c.employee_bands)
		self._ltv = _BandTable(c.ltv_bands)
		self._overdue_amount = _BandTable(c.overdue_amount_bands)
		self._overdue_days = _BandTable(c.overdue_days_bands)
		# (signal, -ln2/half_life) pairs, so decay is one multiply and one exp per signal.
		self._behaviour = tuple((sig, -_LN2 / sig.half_life_days) for sig in c.behaviour)
		self._behaviour_max = {sig.name: sig.max_points for sig in c.behaviour}
		self._intent_k = -_LN2 / c.intent_half_life_days
		self._relative = c.event_dates == "relative"
		self._ltv_k = None if c.ltv_half_life_days is None else -_LN2 / c.ltv_half_life_days
		# Behaviour signals flattened to plain tuples for the hot loop.
		self._behaviour_rows = tuple(
			(
				sig.event,
				sig.name,
				sig.label,
				sig.min_events,
				sig.points_per_event,
				sig.max_points,
				k,
				sig.max_age_days,
			)
			for sig, k in self._behaviour
		)
		self._tier_bounds = tuple(bound for tier in TIERS for bound in (c.tier_min[tier], c.tier_max[tier]))
		self._url_memo: dict[tuple[str, ...], tuple[float, str]] = {}
		self._title_memo: dict[str, tuple[Contribution | None, str | None, bool]] = {}
		self._firmographics_memo: dict[tuple, tuple[Contribution, ...]] = {}
		self._clock: tuple[datetime | None, float, int] = (None, 0.0, 0)

	@classmethod
	def from_file(cls, path: str | Path) -> ScoringModel:
		model = cls(load_model_config(path))
		# what score history records as the model that scored a row (learning/modelfile.model_version)
		model.version = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
		return model

	@classmethod
	def from_dict(cls, data: dict, source: str = "<memory>") -> ScoringModel:
		return cls(parse_model_config(data, source))

	# --- assembly ----------------------------------------------------------------------------------

	def _as_of(self, as_of: datetime) -> tuple[float, int]:
		"""(epoch seconds, UTC date ordinal) of as_of; the last one is remembered (a sync scores many at once)."""
		last, now, today = self._clock
		if last is not None and as_of == last and as_of.tzinfo is last.tzinfo:
			return now, today
		now, today = epoch_seconds(as_of), _utc_ordinal(as_of)
		self._clock = (as_of, now, today)
		return now, today

	def _result(self, contributions: list[Contribution], facts: dict[str, Any]) -> ScoreResult:
		c = self.config
		fit = behaviour = erp = 0.0
		for x in contributions:
			tier = x[0]
			if tier == "fit":
				fit += x[2]
			elif tier == "behaviour":
				behaviour += x[2]
			else:
				erp += x[2]
		# round2, inlined (this runs once per score)
		fit = int(fit * 100.0 + 0.5) / 100.0 if fit >= 0 else -int(0.5 - fit * 100.0) / 100.0
		behaviour = (
			int(behaviour * 100.0 + 0.5) / 100.0 if behaviour >= 0 else -int(0.5 - behaviour * 100.0) / 100.0
		)
		erp = int(erp * 100.0 + 0.5) / 100.0 if erp >= 0 else -int(0.5 - erp * 100.0) / 100.0
		fit_lo, fit_hi, behaviour_lo, behaviour_hi, erp_lo, erp_hi = self._tier_bounds
		fit_c = fit_lo if fit < fit_lo else (fit_hi if fit > fit_hi else fit)
		behaviour_c = (
			behaviour_lo
			if behaviour < behaviour_lo
			else (behaviour_hi if behaviour > behaviour_hi else behaviour)
		)
		erp_c = erp_lo if erp < erp_lo else (erp_hi if erp > erp_hi else erp)
		tiers = {"fit": fit_c, "behaviour": behaviour_c, "erp": erp_c}
		total = fit_c + behaviour_c + erp_c
		total_int = 0 if total <= 0 else (100 if total >= 100 else int(total + 0.5))
		band = c.bands[-1][0]
		for name, lowest in c.bands:
			if total_int >= lowest:
				band = name
				break
		# Reasons: largest |points| first; the sort is stable, so ties keep contribution order (tier order,
		# then the engine's fixed signal order), which keeps the output deterministic.
		threshold = c.min_reason_points
		max_reasons = c.max_reasons
		reasons: list[str] = []
		if max_reasons:
			for x in sorted(contributions, key=_neg_abs_points):
				p = x[2]
				if -threshold < p < threshold:
					break  # sorted by |points|, so every later one is smaller too
				shown = int(p + 0.5) if p >= 0 else -int(0.5 - p)  # round_points, inlined
				if shown > 0:
					reasons.append(f"{x[3]} +{shown}")
				elif shown < 0:
					reasons.append(f"{x[3]} {shown}")
				else:
					continue
				if len(reasons) == max_reasons:
					break
		return ScoreResult(
			total_int,
			tiers,
			band,
			reasons,
			contributions,
			facts,
			{"fit": fit, "behaviour": behaviour, "erp": erp},
		)

	def score(self, signals: LeadSignals, as_of: datetime) -> ScoreResult:
		"""Score one contact (with its company's firmographics and ERP record) at `as_of`."""
		now, today = self._as_of(as_of)
		out: list[Contribution] = []
		level, decision_maker = self._person_fit(signals, now, out)
		self._firmographics(signals, out)
		self._behaviour_contributions(signals, now, out)
		lines = self._erp_contributions(signals, today, out) if signals.has_erp else []
		facts = {
			"seniority": level,
			"decision_maker": decision_maker,
			**_firm_facts(signals, lines),
			"last_activity": signals.last_activity_iso,
		}
		return self._result(out, facts)

	def score_company(
		self, company: LeadSignals, contacts: list[LeadSignals] | tuple[LeadSignals, ...], as_of: datetime
	) -> ScoreResult:
		"""Company = firmographics + best contact (seniority, intent) + breadth of behaviour + ERP."""
		now, today = self._as_of(as_of)
		out: list[Contribution] = []
		self._firmographics(company, out)

		best: dict[str, Contribution] = {}
		best_who: dict[str, str] = {}
		behaviour_points: dict[str, list[float]] = {}
		engaged = 0
		level, decision_maker, best_seniority = None, False, None
		last_activity = None
		for contact in contacts:
			per: list[Contribution] = []
			person = self._person_fit(contact, now, per)
			self._behaviour_contributions(contact, now, per)
			if any(x.tier == "behaviour" for x in per):
				engaged += 1
			for x in per:
				current = best.get(x.signal)
				if current is None or x.points > current.points:
					best[x.signal] = x
					best_who[x.signal] = contact.name or contact.email or (contact.contact_id or "")
				if x.tier == "behaviour":
					behaviour_points.setdefault(x.signal, []).append(x.points)
			seniority = next((x for x in per if x.signal == "seniority"), None)
			if seniority is not None and (best_seniority is None or seniority.points > best_seniority.points):
				best_seniority = seniority
				level, decision_maker = person
			elif best_seniority is None and level is None:
				level, decision_maker = person
			activity = contact.last_activity_iso
			if activity is not None and (last_activity is None or activity > last_activity):
				last_activity = activity

		for signal in sorted(best, key=lambda name: (_TIER_ORDER[best[name].tier], name)):
			x = best[signal]
			who = best_who[signal]
			text = f"{x.explanation} - {who}" if who else x.explanation
			if x.tier == "fit":
				out.append(Contribution("fit", signal, x.points, text))
				continue
			points_list = behaviour_points[signal]
			others = len(points_list) - 1
			points = x.points + self.config.company_breadth_weight * (sum(points_list) - x.points)
			points = round2(min(points, self._behaviour_max.get(signal, points)))
			if others:
				text += f" (+{_plural(others, 'other contact')})"
			out.append(Contribution("behaviour", signal, points, text))

		lines = self._erp_contributions(company, today, out) if company.has_erp else []
		facts = {
			"seniority": level,
			"decision_maker": decision_maker,
			**_firm_facts(company, lines),
			"last_activity": last_activity,
			"engaged_contacts": engaged,
			"contacts": len(contacts),
		}
		return self._result(out, facts)


def _firm_facts(signals: LeadSignals, product_lines: list[str]) -> dict[str, Any]:
	"""The facts a contact's and a company's result both carry about the firm (in this key order)."""
	return {
		"industry": signals.industry_label or None,
		"industry_key": signals.industry or None,
		"country": signals.country or None,
		"product_lines": product_lines,
		"territory": signals.territory or None,
		"erp_customer": signals.erp_customer,
	}


def _utc_ordinal(as_of: datetime) -> int:
	if as_of.tzinfo is not None:
		as_of = as_of.astimezone(timezone.utc)
	return as_of.toordinal()


@cache
def load_default_model() -> ScoringModel:
	"""The model shipped in the package (default_model.toml); loaded once per process."""
	return ScoringModel.from_file(DEFAULT_MODEL_FILE)
