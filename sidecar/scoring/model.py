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
- `reasons` are the top `output.max_reasons` contributions by |points| (ties: tier order, then signal
  name) with |points| >= `output.min_reason_points`, each "<explanation> <+/-points rounded>".
- `score_company(company_signals, contact_signals, as_of)`: fit = the company's firmographics + the best
  contact's seniority and intent; behaviour = per signal, best contact + breadth_weight * the others,
  capped at the signal's max_points; erp = the company's ERP record. Same clamps as a contact.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cache
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
	return math.floor(abs(points) + 0.5) * (1 if points >= 0 else -1)


def format_points(points: float) -> str:
	return f"{round_points(points):+d}"


def _age_text(age_days: float) -> str:
	days = int(age_days) if age_days > 0 else 0
	if days == 0:
		return "today"
	return "1 day ago" if days == 1 else f"{days} days ago"


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

	URL_MEMO_LIMIT = 50_000

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
		self._ltv_k = None if c.ltv_half_life_days is None else -_LN2 / c.ltv_half_life_days
		self._url_memo: dict[tuple[str, ...], tuple[float, str]] = {}

	@classmethod
	def from_file(cls, path: str | Path) -> ScoringModel:
		return cls(load_model_config(path))

	@classmethod
	def from_dict(cls, data: dict, source: str = "<memory>") -> ScoringModel:
		return cls(parse_model_config(data, source))

	# --- tier 1: fit -------------------------------------------------------------------------------

	def _firmographics(self, s: LeadSignals, out: list[Contribution]) -> None:
		c = self.config
		if s.industry:
			hit = c.industry_points.get(s.industry)
			points, group = hit if hit is not None else (c.industry_other_points, "other industry")
			if points:
				out.append(Contribution("fit", "industry", points, f"Industry {s.industry_label} ({group})"))
		if s.annual_revenue is not None:
			band = self._revenue.find(s.annual_revenue)
			if band is not None and band.points:
				text = (
					f"Annual revenue {_short_money(s.annual_revenue)} ({band.label})"
					if band.label
					else f"Annual revenue {_short_money(s.annual_revenue)}"
				)
				out.append(Contribution("fit", "revenue", band.points, text))
		if s.employees is not None:
			band = self._employees.find(s.employees)
			if band is not None and band.points:
				text = (
					f"{s.employees:,} employees ({band.label})"
					if band.label
					else f"{s.employees:,} employees"
				)
				out.append(Contribution("fit", "employees", band.points, text))

	def _person_fit(self, s: LeadSignals, now: float, out: list[Contribution]) -> dict[str, Any]:
		c = self.config
		title = c.titles.classify(s.title)
		if title is not None and title.points:
			shown = (
				s.title if len(s.title) <= c.title_label_chars else s.title[: c.title_label_chars - 1] + "…"
			)
			who = f"{title.label}, decision maker" if title.decision_maker else title.label
			out.append(Contribution("fit", "seniority", title.points, f"{shown} ({who})"))
		if s.urls and s.last_visit is not None:
			memo = self._url_memo.get(s.urls)
			if memo is None:
				memo = self._match_intent(s.urls)
			points, labels = memo
			if points:
				age = (now - s.last_visit) / _DAY
				if age > 0:
					points *= math.exp(self._intent_k * age)
				out.append(
					Contribution(
						"fit", "intent_pages", round(points, 2), f"Visited {labels}, last {_age_text(age)}"
					)
				)
		return {
			"seniority": title.level if title is not None else None,
			"decision_maker": title.decision_maker if title is not None else False,
		}

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
		if len(self._url_memo) >= self.URL_MEMO_LIMIT:
			self._url_memo.clear()
		self._url_memo[urls] = result
		return result

	# --- tier 2: behaviour -------------------------------------------------------------------------

	def _behaviour_contributions(self, s: LeadSignals, now: float, out: list[Contribution]) -> None:
		events = s.events
		if not events:
			return
		for sig, k in self._behaviour:
			event = events.get(sig.event)
			if event is None:
				continue
			count, ts = event
			if ts is None or count < sig.min_events:
				continue
			age = (now - ts) / _DAY
			if sig.max_age_days is not None and age > sig.max_age_days:
				continue
			points = count * sig.points_per_event
			if points > sig.max_points:
				points = sig.max_points
			if age > 0:
				points *= math.exp(k * age)
			points = round(points, 2)
			if points:
				out.append(
					Contribution(
						"behaviour", sig.name, points, f"{sig.label} x{count:g}, last {_age_text(age)}"
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
						points = round(points * math.exp(self._ltv_k * age), 2)
					text += f", last invoice {_age_text(age)}"
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
				points = round(c.renewal_points * (window + ramp - days_left) / ramp, 2)
			if points:
				ends = date.fromordinal(s.contract_end_ordinal).isoformat()
				out.append(
					Contribution(
						"erp", "renewal_window", points, f"Contract ends in {days_left} days ({ends})"
					)
				)

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
				points = min(sum(counts.values()) * c.product_points_per_item, c.product_max_points)
				if points:
					quoted = ", ".join(f"{line} x{n}" for line, n in ranked[:3])
					out.append(
						Contribution("erp", "product_interest", points, f"Quoted {quoted} (last 365 days)")
					)

		if s.open_opportunity_count > 0 and c.opportunity_points:
			points = min(s.open_opportunity_count * c.opportunity_points, c.opportunity_max_points)
			out.append(
				Contribution(
					"erp",
					"open_opportunities",
					points,
					_plural(s.open_opportunity_count, "open opportunity").replace(
						"opportunitys", "opportunities"
					),
				)
			)

		if s.open_issue_count > 0 and c.support_points_per_open_issue:
			points = max(s.open_issue_count * c.support_points_per_open_issue, c.support_floor)
			out.append(
				Contribution(
					"erp", "support_issues", points, f"{_plural(s.open_issue_count, 'open support issue')}"
				)
			)
		return lines

	# --- assembly ----------------------------------------------------------------------------------

	def _result(self, contributions: list[Contribution], facts: dict[str, Any]) -> ScoreResult:
		c = self.config
		raw = {"fit": 0.0, "behaviour": 0.0, "erp": 0.0}
		for contribution in contributions:
			raw[contribution.tier] += contribution.points
		tiers = {}
		total = 0.0
		for tier, value in raw.items():
			value = round(value, 2)
			raw[tier] = value
			clamped = min(max(value, c.tier_min[tier]), c.tier_max[tier])
			tiers[tier] = clamped
			total += clamped
		total_int = round_points(min(max(total, 0.0), 100.0))
		band = c.bands[-1][0]
		for name, lowest in c.bands:
			if total_int >= lowest:
				band = name
				break
		ranked = sorted(contributions, key=lambda x: (-abs(x.points), _TIER_ORDER[x.tier], x.signal))
		reasons = [
			f"{x.explanation} {format_points(x.points)}"
			for x in ranked[: c.max_reasons]
			if abs(x.points) >= c.min_reason_points and round_points(x.points)
		]
		return ScoreResult(total_int, tiers, band, reasons, contributions, facts, raw)

	def score(self, signals: LeadSignals, as_of: datetime) -> ScoreResult:
		"""Score one contact (with its company's firmographics and ERP record) at `as_of`."""
		now = epoch_seconds(as_of)
		today = _utc_ordinal(as_of)
		out: list[Contribution] = []
		facts = self._person_fit(signals, now, out)
		self._firmographics(signals, out)
		self._behaviour_contributions(signals, now, out)
		lines = self._erp_contributions(signals, today, out)
		last = signals.last_activity
		facts["industry"] = signals.industry_label or None
		facts["product_lines"] = lines
		facts["territory"] = signals.territory or None
		facts["erp_customer"] = signals.erp_customer
		facts["last_activity"] = last.isoformat() if last is not None else None
		return self._result(out, facts)

	def score_company(
		self, company: LeadSignals, contacts: list[LeadSignals] | tuple[LeadSignals, ...], as_of: datetime
	) -> ScoreResult:
		"""Company = firmographics + best contact (seniority, intent) + breadth of behaviour + ERP."""
		now = epoch_seconds(as_of)
		today = _utc_ordinal(as_of)
		out: list[Contribution] = []
		self._firmographics(company, out)

		best: dict[str, Contribution] = {}
		best_who: dict[str, str] = {}
		behaviour_points: dict[str, list[float]] = {}
		engaged = 0
		best_seniority: dict[str, Any] = {"seniority": None, "decision_maker": False}
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
					if x.signal == "seniority":
						best_seniority = person
				if x.tier == "behaviour":
					behaviour_points.setdefault(x.signal, []).append(x.points)
			activity = contact.last_activity
			if activity is not None and (last_activity is None or activity > last_activity):
				last_activity = activity

		for signal in sorted(best, key=lambda name: (_TIER_ORDER[best[name].tier], name)):
			x = best[signal]
			who = best_who[signal]
			if x.tier == "fit":
				out.append(
					Contribution(
						"fit", signal, x.points, f"{x.explanation} - {who}" if who else x.explanation
					)
				)
				continue
			points_list = behaviour_points[signal]
			others = len(points_list) - 1
			points = x.points + self.config.company_breadth_weight * (sum(points_list) - x.points)
			points = round(min(points, self._behaviour_max.get(signal, points)), 2)
			text = f"{x.explanation} - {who}" if who else x.explanation
			if others:
				text += f" (+{_plural(others, 'other contact')})"
			out.append(Contribution("behaviour", signal, points, text))

		lines = self._erp_contributions(company, today, out)
		facts = dict(best_seniority)
		facts.update(
			{
				"industry": company.industry_label or None,
				"product_lines": lines,
				"territory": company.territory or None,
				"erp_customer": company.erp_customer,
				"last_activity": last_activity.isoformat() if last_activity is not None else None,
				"engaged_contacts": engaged,
				"contacts": len(contacts),
			}
		)
		return self._result(out, facts)


def _utc_ordinal(as_of: datetime) -> int:
	if as_of.tzinfo is not None:
		as_of = as_of.astimezone(timezone.utc)
	return as_of.toordinal()


@cache
def load_default_model() -> ScoringModel:
	"""The model shipped in the package (default_model.toml); loaded once per process."""
	return ScoringModel.from_file(DEFAULT_MODEL_FILE)
