"""Labelled examples from the store: each lead's entry score (features as scored) and what happened after.

- Entry: a contact's FIRST score history row that carries contributions (migration 3 onwards). Its features
  are the per-signal points as the model of that day scored them: nothing learned later leaks in.
- Outcome: a closed-won deal associated with the contact (or, for a deal with no contacts, with the contact's
  company) whose close date is in (entry, entry + horizon]. Deal value = the sum of those deals' amounts;
  pipeline = amounts of deals created in the window, won or not. Leads with a won deal closed on or before
  the entry were already customers: they are counted apart and never used.
- ERPNext orders (the signals feed's `first_order` / `handoff_orders`, kept in `revops_erp_orders`) convert
  too, for leads whose company is an ERPNext customer: the first order after one of the contact's handoffs
  reported to ERPNext, or the customer's first order ever ("became an ERP customer") dated after the entry
  day, within the horizon. Its amount (before taxes) is the deal value when no won deal gives one; days to
  close run to whichever came first, the won deal or the order.
- Maturity: a lead entering less than `horizon` days before `as_of` has no final label yet and is left out
  (counted), so late leads are not mistaken for losses.
- Rows scored by another model version are put on the base model's scale when both versions carry
  cumulative `scale` multipliers from the same root (fitted files do); rows of unknown versions are skipped.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any


@dataclass(slots=True)
class Example:
	contact_id: str
	scored_at: datetime
	features: dict[str, float]  # signal -> points as scored, on the base model's scale
	total: float
	converted: bool = False
	won_value: float = 0.0
	pipeline_value: float = 0.0
	days_to_close: float | None = None
	erp_matched: bool = False
	erp_order: bool = False  # converted (also) by an ERPNext order


@dataclass(frozen=True, slots=True)
class ErpOrder:
	day: date
	amount: float
	after_handoff: bool  # False: the customer's first order ever


def erp_orders_by_contact(store: Any) -> tuple[dict[str, ErpOrder], dict[str, list[ErpOrder]]]:
	"""(first order of each customer, first orders after each contact's handoffs) from the store."""
	contact_of = {h["handoff_key"]: h["contact_id"] for h in store.handoff_rows()}
	first: dict[str, ErpOrder] = {}
	after: dict[str, list[ErpOrder]] = defaultdict(list)
	for r in store.erp_orders():
		if r["kind"] == "first":
			first[r["customer"]] = ErpOrder(r["order_date"], float(r["amount"]), False)
		elif r["handoff_key"] in contact_of:
			after[contact_of[r["handoff_key"]]].append(ErpOrder(r["order_date"], float(r["amount"]), True))
	return first, after


def erp_conversion(
	entered: datetime, horizon: timedelta | None, first: ErpOrder | None, after_handoffs: list[ErpOrder]
) -> ErpOrder | None:
	"""The ERPNext order that converts a lead entering at `entered` (see the module doc), or None."""
	last = (entered + horizon).date() if horizon is not None else date.max
	found = [o for o in after_handoffs if entered.date() <= o.day <= last]
	if first is not None and entered.date() < first.day <= last:
		found.append(first)
	return min(found, key=lambda o: (o.day, not o.after_handoff), default=None)


@dataclass
class ExampleSet:
	examples: list[Example] = field(default_factory=list)
	immature: int = 0
	already_customers: int = 0
	unknown_version: int = 0
	without_features: int = 0


def deals_by_contact(store: Any, companies_of: dict[str, str | None]) -> dict[str, list[dict[str, Any]]]:
	"""Each contact's deals: its own associations, and company-only deals through its company."""
	by_company: dict[str, list[str]] = defaultdict(list)
	for contact_id, company_id in companies_of.items():
		if company_id:
			by_company[company_id].append(contact_id)
	out: dict[str, list[dict[str, Any]]] = defaultdict(list)
	for deal in store.deals():
		owners = deal["contacts"] or [c for firm in deal["companies"] for c in by_company.get(firm, [])]
		for contact_id in set(owners):
			out[contact_id].append(deal)
	return out


def _rescale(features: dict[str, float], row_scale: dict[str, float], base_scale: dict[str, float]) -> dict:
	out = {}
	for signal, points in features.items():
		row = row_scale.get(signal, 1.0)
		out[signal] = points * base_scale.get(signal, 1.0) / row if row else 0.0
	return out


def build_examples(
	store: Any,
	as_of: datetime,
	horizon_days: int,
	base_version: str | None = None,
	scales: dict[str, tuple[str, dict[str, float]]] | None = None,
) -> ExampleSet:
	"""Labelled entry examples (see the module doc). `scales`: version -> (root, cumulative multipliers)."""
	scales = scales or {}
	base_root, base_scale = scales.get(base_version or "", (base_version, {}))
	entries: dict[str, dict[str, Any]] = {}
	result = ExampleSet()
	scored_ids: set[str] = set()
	for row in store.iter_table("revops_score_history"):
		scored_ids.add(row["contact_id"])
		if not row.get("contributions"):
			continue
		seen = entries.get(row["contact_id"])
		if seen is None or row["scored_at"] < seen["scored_at"]:
			entries[row["contact_id"]] = row
	result.without_features = len(scored_ids - set(entries))
	companies = {c: r["company_id"] for c, r in entries.items()}
	deals = deals_by_contact(store, companies)
	first_orders, handoff_orders = erp_orders_by_contact(store)
	horizon = timedelta(days=horizon_days)
	for contact_id, row in sorted(entries.items(), key=lambda kv: (kv[1]["scored_at"], kv[0])):
		entered = row["scored_at"]
		features = {k: float(v) for k, v in json.loads(row["contributions"]).items()}
		version = row.get("model_version")
		if version and base_version and version != base_version:
			root, scale = scales.get(version, (None, None))
			if scale is None or root != base_root:
				result.unknown_version += 1
				continue
			features = _rescale(features, scale, base_scale)
		own = deals.get(contact_id, [])
		if any(d["is_won"] and d["close_date"] and d["close_date"] <= entered for d in own):
			result.already_customers += 1
			continue
		if entered + horizon > as_of:
			result.immature += 1
			continue
		won = [
			d
			for d in own
			if d["is_won"] and d["close_date"] and entered < d["close_date"] <= entered + horizon
		]
		created = [d for d in own if d["created_at"] and entered <= d["created_at"] <= entered + horizon]
		customer = row.get("erp_customer")
		erp = erp_conversion(
			entered,
			horizon,
			first_orders.get(customer) if customer else None,
			handoff_orders.get(contact_id, []),
		)
		first_close = min((d["close_date"] for d in won), default=None)
		if erp is not None:
			order_at = datetime.combine(erp.day, datetime.min.time())
			first_close = min(first_close, order_at) if first_close else order_at
		won_value = sum(d["amount"] or 0.0 for d in won)
		result.examples.append(
			Example(
				contact_id=contact_id,
				scored_at=entered,
				features=features,
				total=float(row["total"]),
				converted=bool(won) or erp is not None,
				won_value=won_value if won or erp is None else erp.amount,
				pipeline_value=sum(d["amount"] or 0.0 for d in created),
				days_to_close=max(0.0, (first_close - entered).total_seconds() / 86400)
				if first_close
				else None,
				erp_matched=bool(row.get("erp_customer")),
				erp_order=erp is not None,
			)
		)
	return result


def time_split(
	examples: list[Example], holdout_share: float, horizon_days: int
) -> tuple[list, list, datetime]:
	"""(train, held-out, cutoff): held-out = the newest `holdout_share` by entry time; train = leads whose
	whole outcome window closed before the cutoff (their labels were known by then; no look-ahead)."""
	ordered = sorted(examples, key=lambda e: (e.scored_at, e.contact_id))
	if not ordered:
		return [], [], datetime.min
	cut = ordered[min(len(ordered) - 1, int(len(ordered) * (1 - holdout_share)))].scored_at
	horizon = timedelta(days=horizon_days)
	train = [e for e in ordered if e.scored_at + horizon <= cut]
	held = [e for e in ordered if e.scored_at >= cut]
	return train, held, cut
