"""The scoring engine: LeadSignals + ModelConfig -> ScoreResult (total 0-100, tiers, reasons, contributions).

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

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from sidecar.scoring.config import TIERS, Band, ModelConfig, load_model_config, parse_model_config
from sidecar.scoring.signals import LeadSignals, epoch_seconds

DEFAULT_MODEL_FILE = Path(__file__).with_name("default_model.toml")
_LN2 = math.log(2.0)
_DAY = 86400.0
_TIER_ORDER = {tier: i for i, tier in enumerate(TIERS)}


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


class ScoringModel:
	"""A compiled model config. Build with `from_file`, `from_dict` or `load_default_model()`."""

	MEMO_LIMIT = 50_000  # entries per memo (titles, URL sets, firmographics); cleared when full

	def __init__(self, config: ModelConfig) -> None:
		self.config = config
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
		return cls(load_model_config(path))

	@classmethod
	def from_dict(cls, data: dict, source: str = "<memory>") -> ScoringModel:
		return cls(parse_model_config(data, source))

	# --- tier 1: fit -------------------------------------------------------------------------------

	def _firmographics(self, s: LeadSignals, out: list[Contribution]) -> None:
		# Contacts of one company share these inputs, so the contributions are memoised by value.
		key = (s.industry, s.industry_label, s.annual_revenue, s.employees)
		memo = self._firmographics_memo.get(key)
		if memo is None:
			memo = self._firmographics_uncached(s)
			if len(self._firmographics_memo) >= self.MEMO_LIMIT:
				self._firmographics_memo.clear()
			self._firmographics_memo[key] = memo
		if memo:
			out.extend(memo)

	def _firmographics_uncached(self, s: LeadSignals) -> tuple[Contribution, ...]:
		c = self.config
		out = []
		if s.industry:
			hit = c.industry_points.get(s.industry)
			points, group = hit if hit is not None else (c.industry_other_points, "other industry")
			if points:
				out.append(Contribution("fit", "industry", points, f"Industry {s.industry_label} ({group})"))
		if s.annual_revenue is not None:
			band = self._revenue.find(s.annual_revenue)
			_band_fit(out, "revenue", band, f"Annual revenue {_short_money(s.annual_revenue)}")
		if s.employees is not None:
			_band_fit(out, "employees", self._employees.find(s.employees), f"{s.employees:,} employees")
		return tuple(out)

	def _seniority(self, title: str) -> tuple[Contribution | None, str | None, bool]:
		"""(contribution or None, level, decision maker) for a job title, memoised by title."""
		memo = self._title_memo.get(title)
		if memo is not None:
			return memo
		c = self.config
		found = c.titles.classify(title)
		if found is None:
			memo = (None, None, False)
		else:
			contribution = None
			if found.points:
				limit = c.title_label_chars
				shown = title if len(title) <= limit else title[: limit - 1] + "…"
				who = f"{found.label}, decision maker" if found.decision_maker else found.label
				contribution = Contribution("fit", "seniority", found.points, f"{shown} ({who})")
			memo = (contribution, found.level, found.decision_maker)
		if len(self._title_memo) >= self.MEMO_LIMIT:
			self._title_memo.clear()
		self._title_memo[title] = memo
		return memo

	def _person_fit(self, s: LeadSignals, now: float, out: list[Contribution]) -> tuple[str | None, bool]:
		"""Seniority and intent contributions; returns (seniority level, decision maker)."""
		contribution, level, decision_maker = self._seniority(s.title)
		if contribution is not None:
			out.append(contribution)
		if s.urls and s.last_visit is not None:
			memo = self._url_memo.get(s.urls)
			if memo is None:
				memo = self._match_intent(s.urls)
			points, labels = memo
			if points:
				age = (now - s.last_visit) / _DAY
				if age > 0:
					points = round2(points * math.exp(self._intent_k * age))
				if points:
					out.append(
						_contribution(
							(
								"fit",
								"intent_pages",
								points,
								f"Visited {labels}, last {_age_text(age) if self._relative else _day_text(s.last_visit)}",
							)
						)
					)
		return level, decision_maker

	def _match_intent(self, urls: tuple[str, ...]) -> tuple[float, str]:
		c = self.config
		points = 0.0
		labels = []
		for page in c.intent_pages:
			search = page.pattern.search
			for url in urls:
				if search(url):
					points += page.points
					labels.append(page.label)
					break
		result = (min(points, c.intent_max_points), ", ".join(labels))
		if len(self._url_memo) >= self.MEMO_LIMIT:
			self._url_memo.clear()
		self._url_memo[urls] = result
		return result

	# --- tier 2: behaviour -------------------------------------------------------------------------

	def _behaviour_contributions(self, s: LeadSignals, now: float, out: list[Contribution]) -> None:
		events = s.events
		if not events:
			return
		get = events.get
		relative = self._relative
		for event_name, name, label, min_events, per_event, max_points, k, max_age in self._behaviour_rows:
			event = get(event_name)
			if event is None:
				continue
			count, ts = event
			if ts is None or count < min_events:
				continue
			age = (now - ts) / _DAY
			if max_age is not None and age > max_age:
				continue
			points = count * per_event
			if points > max_points:
				points = max_points
			if age > 0:
				points *= math.exp(k * age)
			points = int(points * 100.0 + 0.5) / 100.0  # round2 inlined: points > 0 here
			if points:
				out.append(
					_contribution(
						(
							"behaviour",
							name,
							points,
							f"{label} x{count}, last {_age_text(age) if relative else _day_text(ts)}",
						)
					)
				)

	# --- tier 3: ERP -------------------------------------------------------------------------------

	def _erp_contributions(self, s: LeadSignals, today: int, out: list[Contribution]) -> list[str]:
		"""Append ERP contributions; return the product lines of quoted interest, best first."""
		if not s.has_erp:
			return []
		c = self.config
		currency = (s.currency or c.currency).upper()
		# Unknown currencies count 1:1 with the base currency; the explanation still shows the real code.
		fx = c.fx_to_base.get(currency, 1.0)

		if s.lifetime_revenue > 0:
			band = self._ltv.find(s.lifetime_revenue * fx)
			if band is not None and band.points:
				points = band.points
				text = f"Lifetime spend {_money(currency, s.lifetime_revenue)}"
				if band.label:
					text += f" ({band.label})"
				if self._ltv_k is not None and s.last_invoice_ordinal is not None:
					age = today - s.last_invoice_ordinal
					if age > 0:
						points = round2(points * math.exp(self._ltv_k * age))
					when = (
						_age_text(age)
						if self._relative
						else date.fromordinal(s.last_invoice_ordinal).isoformat()
					)
					text += f", last invoice {when}"
				if points:
					out.append(Contribution("erp", "lifetime_value", points, text))

		not_due = s.open_invoice_count - s.overdue_invoice_count
		if not_due > 0 and c.open_points_per_invoice:
			points = max(not_due * c.open_points_per_invoice, c.open_floor)
			amount = max(s.open_amount - s.overdue_amount, 0.0)
			out.append(
				Contribution(
					"erp",
					"open_invoices",
					points,
					f"{_plural(not_due, 'open invoice')} not yet due ({_money(currency, amount)})",
				)
			)

		if s.overdue_invoice_count > 0 or s.overdue_amount > 0:
			points = s.overdue_invoice_count * c.overdue_points_per_invoice
			band = self._overdue_amount.find(s.overdue_amount * fx)
			if band is not None:
				points += band.points
			band = self._overdue_days.find(s.max_days_overdue)
			if band is not None:
				points += band.points
			points = max(points, c.overdue_floor)
			if points:
				late = f", up to {s.max_days_overdue} days late" if s.max_days_overdue else ""
				out.append(
					Contribution(
						"erp",
						"overdue_invoices",
						points,
						f"{_plural(s.overdue_invoice_count, 'overdue invoice')} ({_money(currency, s.overdue_amount)}{late})",
					)
				)

		if s.contract_end_ordinal is not None and c.renewal_points:
			days_left = s.contract_end_ordinal - today
			window, ramp = c.renewal_window_days, c.renewal_ramp_days
			points = 0.0
			if 0 <= days_left <= window:
				points = c.renewal_points
			elif ramp and window < days_left <= window + ramp:
				points = round2(c.renewal_points * (window + ramp - days_left) / ramp)
			if points:
				ends = date.fromordinal(s.contract_end_ordinal).isoformat()
				text = (
					f"Contract ends in {days_left} days ({ends})"
					if self._relative
					else f"Contract ends {ends}"
				)
				out.append(Contribution("erp", "renewal_window", points, text))

		lines: list[str] = []
		if s.quotation_item_groups and c.product_lines:
			counts: dict[str, int] = {}
			for group, count in s.quotation_item_groups:
				line = c.product_lines.get(group)
				if line is not None:
					counts[line] = counts.get(line, 0) + count
			if counts:
				ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
				lines = [line for line, _ in ranked]
				points = min(sum(counts.values()) * c.product_points_per_quote, c.product_max_points)
				if points:
					quoted = ", ".join(f"{line} x{n}" for line, n in ranked[:3])
					out.append(
						Contribution("erp", "product_interest", points, f"Quoted {quoted} (last 365 days)")
					)

		if s.open_opportunity_count > 0 and c.opportunity_points:
			n = s.open_opportunity_count
			points = min(n * c.opportunity_points, c.opportunity_max_points)
			text = "1 open opportunity" if n == 1 else f"{n} open opportunities"
			out.append(Contribution("erp", "open_opportunities", points, text))

		if s.open_issue_count > 0 and c.support_points_per_open_issue:
			points = max(s.open_issue_count * c.support_points_per_open_issue, c.support_floor)
			out.append(
				Contribution(
					"erp", "support_issues", points, f"{_plural(s.open_issue_count, 'open support issue')}"
				)
			)
		return lines

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


def _band_fit(out: list[Contribution], signal: str, band: Band | None, text: str) -> None:
	"""A fit contribution for a banded firmographic (revenue, employees) when its band scores."""
	if band is not None and band.points:
		out.append(Contribution("fit", signal, band.points, f"{text} ({band.label})" if band.label else text))


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
