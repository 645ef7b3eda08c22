"""ROI report from the store: entry bands vs later conversion and deal value, ERP-matched vs unmatched leads,
time to first touch of handed-off leads (overall and before/after the last model change), lift and calibration.

What is measured (and what is not):
- Entry band: a contact's FIRST score recorded in the look-back window (score history), banded with the
  live model's own bands (`output.bands`: hot 70 / warm 50 / cool 30 / cold 0 in default_model.toml).
- Converted: a closed-won HubSpot deal (associated with the contact, or for a deal without contacts with its
  company; see `outcomes`) closing strictly after that first score, or failing deal data the lifecycle stage
  seen as opportunity/customer/evangelist by a later pass. Contacts that converted before their first score
  are counted apart (`converted_before`), never as wins. Rate = converted / contacts entering the band.
- Deal value: won = amounts of those won deals; pipeline = amounts of deals created after the entry score,
  whatever their stage. Days to close: entry score to the first won deal's close date.
- ERP-matched: the lead's company was matched to an ERPNext customer when it was first scored.
- Time to first touch: from the crossing to the first later pass that saw HubSpot's
  `hs_last_sales_activity_timestamp` at/after the crossing (exact when one touch happened between two passes,
  an upper bound otherwise). Untouched handoffs are counted and their age shown, never dropped. "Before/after
  a model change" splits handoffs at the last `model promote`/`rollback` recorded in the store.
- ERPNext orders: for an ERP-matched lead, the first Sales Order / Invoice after one of its handoffs reported
  to ERPNext, or the customer's first order ever dated after the entry day, is a conversion; its amount is the
  deal value when no won deal gives one (learning.examples.erp_conversion, the same rule `model fit` uses).
- ERPNext after handoff: exact first order after each reported handoff (days, amount, "became customer"),
  and from the invoice dates for every handoff (see `_erp_after_handoff`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sidecar.scoring.learning.evaluate import lift_curve
from sidecar.scoring.learning.examples import (
	ErpOrder,
	deals_by_contact,
	erp_conversion,
	erp_orders_by_contact,
)
from sidecar.store import Store
from sidecar.store.schema import utcnow

CONVERTED_STAGES = ("opportunity", "customer")
DEFAULT_BANDS = (("hot", 70.0), ("warm", 50.0), ("cool", 30.0), ("cold", 0.0))
BANDS = DEFAULT_BANDS  # kept importable (sidecar.report.BANDS)


def band_of(score: float, bands: tuple[tuple[str, float], ...] | list = DEFAULT_BANDS) -> str:
	ordered = sorted(bands, key=lambda b: b[1], reverse=True)
	return next((name for name, low in ordered if score >= low), ordered[-1][0])


def _pct(values: list[float], q: float) -> float | None:
	if not values:
		return None
	values = sorted(values)
	return values[min(len(values) - 1, int(q * len(values)))]


def _rate(part: int, whole: int) -> float | None:
	return round(part / whole, 4) if whole else None


def _entries(store: Store, since: datetime) -> dict[str, dict[str, Any]]:
	first: dict[str, dict[str, Any]] = {}
	for row in store.iter_table("revops_score_history"):
		if row["scored_at"] < since:
			continue
		seen = first.get(row["contact_id"])
		if seen is None or row["scored_at"] < seen["scored_at"]:
			first[row["contact_id"]] = row
	return first


def _outcome(
	entry: dict[str, Any],
	deals: list[dict[str, Any]],
	lifecycle_at: datetime | None,
	erp: ErpOrder | None = None,
) -> dict[str, Any]:
	at = entry["scored_at"]
	won = [d for d in deals if d["is_won"] and d["close_date"] and d["close_date"] > at]
	before = any(d["is_won"] and d["close_date"] and d["close_date"] <= at for d in deals)
	converted = bool(won) or erp is not None or (not deals and lifecycle_at is not None and lifecycle_at > at)
	before = before or (not deals and lifecycle_at is not None and lifecycle_at <= at)
	first_close = min((d["close_date"] for d in won), default=None)
	if erp is not None:  # an ERPNext order (examples.erp_conversion): its day, its amount if no deal won
		order_at = max(at, datetime.combine(erp.day, datetime.min.time()))
		first_close = min(first_close, order_at) if first_close else order_at
	return {
		"converted": converted and not before,
		"before": before,
		"won_value": sum(d["amount"] or 0.0 for d in won) if won or erp is None else erp.amount,
		"won_deals": len(won) or int(erp is not None),
		"pipeline_value": sum(d["amount"] or 0.0 for d in deals if d["created_at"] and d["created_at"] >= at),
		"days_to_close": (first_close - at).total_seconds() / 86400 if first_close else None,
	}


def _group(rows: list[dict[str, Any]]) -> dict[str, Any]:
	converted = [r for r in rows if r["converted"]]
	won_deals = sum(r["won_deals"] for r in converted)
	days = [r["days_to_close"] for r in converted if r["days_to_close"] is not None]
	won = sum(r["won_value"] for r in converted)
	return {
		"contacts": len(rows),
		"converted": len(converted),
		"converted_before": sum(1 for r in rows if r["before"]),
		"conversion_rate": _rate(len(converted), len(rows)),
		"won_value": round(won, 2),
		"pipeline_value": round(sum(r["pipeline_value"] for r in rows), 2),
		"avg_won_deal": round(won / won_deals, 2) if won_deals else None,
		"median_days_to_close": round(median(days), 1) if days else None,
	}


def _touch(handoffs: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
	hours = [
		(h["first_touch_at"] - h["crossed_at"]).total_seconds() / 3600
		for h in handoffs
		if h["first_touch_at"]
	]
	untouched = [h for h in handoffs if not h["first_touch_at"]]
	return {
		"handoffs": len(handoffs),
		"touched": len(hours),
		"untouched": len(untouched),
		"median_hours": round(median(hours), 2) if hours else None,
		"p90_hours": round(_pct(hours, 0.9), 2) if hours else None,
		"oldest_untouched_hours": round(
			max((now - h["crossed_at"]).total_seconds() / 3600 for h in untouched), 1
		)
		if untouched
		else None,
	}


def _score_buckets(rows: list[tuple[float, bool]], buckets: int = 10) -> list[dict[str, Any]]:
	"""Observed conversion per score range (0-9, 10-19, ...): how well the score is calibrated."""
	out = []
	for b in range(buckets):
		low, high = b * 100 / buckets, (b + 1) * 100 / buckets
		inside = [c for s, c in rows if low <= s < high or (b == buckets - 1 and s == 100)]
		if inside:
			out.append(
				{
					"from": low,
					"to": high,
					"leads": len(inside),
					"conversion_rate": _rate(sum(inside), len(inside)),
				}
			)
	return out


def _lifecycle_conversions(store: Store) -> dict[str, datetime]:
	"""The earliest time each contact was seen converted: a pass saw the stage (contact state), or HubSpot's
	own opportunity/customer entry date (`outcomes`)."""
	out: dict[str, datetime] = {}
	for r in store.iter_table("revops_contact_state"):
		if r["converted_at"]:
			out[r["contact_id"]] = r["converted_at"]
	for r in store.lifecycle_changes():
		if r["stage"] in CONVERTED_STAGES and (
			r["contact_id"] not in out or r["entered_at"] < out[r["contact_id"]]
		):
			out[r["contact_id"]] = r["entered_at"]
	return out


def _erp_after_handoff(store: Store, handoffs: list[dict[str, Any]]) -> dict[str, Any]:
	"""Handed-off leads whose ERPNext customer ordered after the crossing.
	Exact, for the handoffs reported to ERPNext (the feed's `handoff_orders`, kept in `revops_erp_orders`): the
	first Sales Order / Invoice after each, its days from the crossing and its amount; "became customer" when
	that order is also the customer's first ever. From the invoice dates, for every handoff (also those an
	older app could not be told about): a first-ever invoice after the crossing, "invoiced since" otherwise."""
	customers = {
		r["contact_id"]: r["erp_customer"]
		for r in store.iter_table("revops_contact_state")
		if r["erp_customer"]
	}
	matched = [h for h in handoffs if h["contact_id"] in customers]
	records = store.erp_records({customers[h["contact_id"]] for h in matched})
	invoiced, first_days = 0, []
	for h in matched:
		record = records.get(customers[h["contact_id"]]) or {}
		crossed = h["crossed_at"].date().isoformat()
		if (record.get("last_invoice_date") or "") >= crossed:
			invoiced += 1
			first = record.get("first_invoice_date") or ""
			if first >= crossed:
				first_days.append((datetime.fromisoformat(first) - h["crossed_at"]).total_seconds() / 86400)
	reported = {h["handoff_key"] for r in records.values() for h in r.get("handoff_orders") or ()}
	orders = {(r["kind"], r["handoff_key"] or r["customer"]): r for r in store.erp_orders()}
	order_days, order_value, became = [], 0.0, 0
	for h in matched:
		order = orders.get(("handoff", h["handoff_key"]))
		if order is None:
			continue
		order_days.append(max(0, (order["order_date"] - h["crossed_at"].date()).days))
		order_value += float(order["amount"])
		first = orders.get(("first", customers[h["contact_id"]]))
		became += int(bool(first) and first["order_name"] == order["order_name"])
	return {
		"handoffs_with_erp_customer": len(matched),
		"reported_to_erp": sum(1 for h in matched if h["handoff_key"] in reported),
		"ordered_after_handoff": len(order_days),
		"became_customer_after_handoff": became,
		"first_order_value": round(order_value, 2),
		"median_days_to_first_order": round(median(order_days), 1) if order_days else None,
		"invoiced_after_handoff": invoiced,
		"first_invoice_after_handoff": len(first_days),
		"median_days_to_first_invoice": round(max(0.0, median(first_days)), 1) if first_days else None,
	}


def build_report(
	store: Store,
	threshold: float = 70.0,
	days: int = 180,
	now: datetime | None = None,
	bands: tuple[tuple[str, float], ...] | list = DEFAULT_BANDS,
) -> dict[str, Any]:
	now = now or utcnow()
	since = now - timedelta(days=days)
	entries = _entries(store, since)
	deals = deals_by_contact(store, {c: e["company_id"] for c, e in entries.items()})
	lifecycle = _lifecycle_conversions(store)
	first_orders, handoff_orders = erp_orders_by_contact(store)
	rows = []
	for contact_id, entry in entries.items():
		customer = entry["erp_customer"]
		erp = erp_conversion(
			entry["scored_at"],
			None,
			first_orders.get(customer) if customer else None,
			handoff_orders.get(contact_id, []),
		)
		row = _outcome(entry, deals.get(contact_id, []), lifecycle.get(contact_id), erp)
		row.update(contact_id=contact_id, score=float(entry["total"]), matched=bool(entry["erp_customer"]))
		row["band"] = band_of(row["score"], bands)
		rows.append(row)
	ordered = sorted(bands, key=lambda b: b[1], reverse=True)
	band_rows = [
		{"band": name, "from": low, **_group([r for r in rows if r["band"] == name])} for name, low in ordered
	]
	handoffs = [h for h in store.handoff_rows() if h["crossed_at"] >= since]
	converted_ids = {r["contact_id"]: r for r in rows if r["converted"]}
	handed_converted = sum(1 for h in handoffs if h["contact_id"] in converted_ids)
	changes = [v["promoted_at"] for v in store.model_versions() if v["promoted_at"]]
	change_at = max(changes) if changes else None
	scored = [(r["score"], r["converted"]) for r in rows if not r["before"]]
	return {
		"window_days": days,
		"threshold": threshold,
		"generated_at": now.isoformat(timespec="seconds"),
		"bands": band_rows,
		"erp_match": {
			"matched": _group([r for r in rows if r["matched"]]),
			"unmatched": _group([r for r in rows if not r["matched"]]),
		},
		"handoffs": {
			"count": len(handoffs),
			"delivered": sum(1 for h in handoffs if h["status"] == "done"),
			"pending": sum(1 for h in handoffs if h["status"] == "pending"),
			"converted_after_handoff": handed_converted,
			"conversion_rate": _rate(handed_converted, len(handoffs)),
		},
		"first_touch": _touch(handoffs, now),
		"erp_after_handoff": _erp_after_handoff(store, handoffs),
		"model_change": {
			"at": change_at.isoformat(timespec="seconds") if change_at else None,
			"before": _touch([h for h in handoffs if change_at and h["crossed_at"] < change_at], now),
			"after": _touch([h for h in handoffs if change_at and h["crossed_at"] >= change_at], now),
		},
		"lift_curve": lift_curve([s for s, _ in scored], [c for _, c in scored]) if scored else [],
		"calibration": _score_buckets(scored),
	}
