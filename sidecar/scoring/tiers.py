"""The three tiers' rules, mixed into `ScoringModel` (model.py), which compiles the tables they read.

- `FitTier`: seniority from the title, industry, revenue and employee bands, intent pages (all memoised);
- `BehaviourTier`: per-signal event counts with exponential decay;
- `ErpTier`: ERPNext enrichment (lifetime value, open/overdue invoices, renewal, product interest,
  opportunities, support issues).
Each method appends at most one `Contribution` per signal to `out`.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sidecar.scoring.payment import payment_contribution
from sidecar.scoring.result import (
	_DAY,
	Contribution,
	_age_text,
	_band_fit,
	_BandTable,
	_contribution,
	_day_text,
	_money,
	_plural,
	_short_money,
	round2,
)
from sidecar.scoring.signals import LeadSignals


class FitTier:
	"""Tier 1 "fit". Needs `config`, `MEMO_LIMIT`, `_revenue`, `_employees`, `_intent_k`, `_relative` and the memos."""

	config: Any
	MEMO_LIMIT: int
	_revenue: _BandTable
	_employees: _BandTable
	_intent_k: float
	_relative: bool
	_url_memo: dict
	_title_memo: dict
	_firmographics_memo: dict

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


class BehaviourTier:
	"""Tier 2 "behaviour". Needs `_behaviour_rows` and `_relative`."""

	_behaviour_rows: tuple
	_relative: bool

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


class ErpTier:
	"""Tier 3 "erp". Needs `config`, `_ltv`, `_overdue_amount`, `_overdue_days`, `_ltv_k` and `_relative`."""

	config: Any
	_ltv: _BandTable
	_overdue_amount: _BandTable
	_overdue_days: _BandTable
	_ltv_k: float | None
	_relative: bool

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
		paying = payment_contribution(s, c.payment)
		if paying is not None:
			out.append(paying)
		return lines
