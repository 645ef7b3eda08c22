"""ROI report from the store: score bands vs later conversion, and time to first touch of handed-off leads.

What is measured (and what is not):
- Entry band: a contact's FIRST score recorded in the look-back window (score history). Converted: HubSpot
  lifecycle stage seen as opportunity/customer/evangelist by a later pass (contact state `converted_at`),
  strictly after that first score. Conversion rate per band = converted / contacts entering in that band.
  Contacts that converted before their first score are counted apart (`converted_before`), not as wins.
- Handoffs: per crossing; converted after the crossing or not.
- Time to first touch: from the crossing to the first later pass that saw HubSpot's
  `hs_last_sales_activity_timestamp` at/after the crossing; the value taken is that timestamp, so it is exact
  when one touch happened between two passes and an upper bound otherwise (a later touch overwrote it).
  Untouched handoffs are counted and their age shown, never dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sidecar.store import Store
from sidecar.store.schema import utcnow

BANDS = ((0, 25, "0-24"), (25, 50, "25-49"), (50, 70, "50-69"), (70, 85, "70-84"), (85, 101, "85-100"))


def band_of(score: float, threshold: float) -> str:
	for low, high, label in BANDS:
		if low <= score < high:
			return label
	return BANDS[-1][2]


def _pct(values: list[float], q: float) -> float | None:
	if not values:
		return None
	values = sorted(values)
	return values[min(len(values) - 1, int(q * len(values)))]


def build_report(
	store: Store, threshold: float = 70.0, days: int = 180, now: datetime | None = None
) -> dict[str, Any]:
	now = now or utcnow()
	since = now - timedelta(days=days)
	first: dict[str, tuple[datetime, float]] = {}
	for row in store.iter_table("revops_score_history"):
		if row["scored_at"] < since:
			continue
		seen = first.get(row["contact_id"])
		if seen is None or row["scored_at"] < seen[0]:
			first[row["contact_id"]] = (row["scored_at"], row["total"])
	converted = {
		r["contact_id"]: r["converted_at"]
		for r in store.iter_table("revops_contact_state")
		if r["converted_at"]
	}
	bands = {
		label: {"band": label, "contacts": 0, "converted": 0, "converted_before": 0} for _, _, label in BANDS
	}
	for contact_id, (at, score) in first.items():
		b = bands[band_of(score, threshold)]
		b["contacts"] += 1
		conv = converted.get(contact_id)
		if conv is not None and conv > at:
			b["converted"] += 1
		elif conv is not None:
			b["converted_before"] += 1
	for b in bands.values():
		b["conversion_rate"] = round(b["converted"] / b["contacts"], 4) if b["contacts"] else None
	handoffs = [h for h in store.handoff_rows() if h["crossed_at"] >= since]
	hours = [
		(h["first_touch_at"] - h["crossed_at"]).total_seconds() / 3600
		for h in handoffs
		if h["first_touch_at"]
	]
	untouched = [h for h in handoffs if not h["first_touch_at"]]
	handed_converted = sum(
		1 for h in handoffs if converted.get(h["contact_id"]) and converted[h["contact_id"]] > h["crossed_at"]
	)
	return {
		"window_days": days,
		"threshold": threshold,
		"bands": list(bands.values()),
		"handoffs": {
			"count": len(handoffs),
			"delivered": sum(1 for h in handoffs if h["status"] == "done"),
			"pending": sum(1 for h in handoffs if h["status"] == "pending"),
			"converted_after_handoff": handed_converted,
			"conversion_rate": round(handed_converted / len(handoffs), 4) if handoffs else None,
		},
		"first_touch": {
			"touched": len(hours),
			"untouched": len(untouched),
			"median_hours": round(median(hours), 2) if hours else None,
			"p90_hours": round(_pct(hours, 0.9), 2) if hours else None,
			"oldest_untouched_hours": round(
				max((now - h["crossed_at"]).total_seconds() / 3600 for h in untouched), 1
			)
			if untouched
			else None,
		},
	}
