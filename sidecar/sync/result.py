"""What a pass reports (`PassResult`) and the HubSpot values a score becomes (hashed for the ledger)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sidecar.hubspot.properties import ERP_CUSTOMER_PROPERTY
from sidecar.scoring import ScoreResult
from sidecar.scoring.result import round_points


@dataclass
class PassResult:
	mode: str
	dry_run: bool
	as_of: datetime
	stats: dict[str, Any] = field(default_factory=dict)
	changes: list[dict[str, Any]] = field(default_factory=list)  # values that were/would be pushed
	handoffs: list[dict[str, Any]] = field(default_factory=list)  # crossings decided (or that would be)
	top: list[dict[str, Any]] = field(default_factory=list)  # best scores of the pass with breakdown
	errors: dict[str, str] = field(default_factory=dict)


def values_hash(values: dict[str, Any]) -> str:
	return hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def score_values(names: dict[str, str], result: ScoreResult, customer: str | None) -> dict[str, Any]:
	"""The properties written for one score: total, tiers, band, reasons and the matched ERP customer.

	Every number goes through the one rounding rule of the model (`round_points`, half away from zero), the
	rule the total and the reasons' points already use: a tier decaying from 8.51 to 8.50 stays 9, no write."""
	tiers = result.tiers
	return {
		names["total"]: round_points(float(result.total)),
		names["fit"]: round_points(float(tiers.get("fit", 0))),
		names["behaviour"]: round_points(float(tiers.get("behaviour", 0))),
		names["erp"]: round_points(float(tiers.get("erp", 0))),
		names["band"]: result.band,
		names["reasons"]: "; ".join(result.reasons[:5])[:1000],
		ERP_CUSTOMER_PROPERTY: customer or "",
	}
