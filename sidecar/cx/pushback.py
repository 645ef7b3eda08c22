"""Optional: push each customer's CX outcome from ERPNext back to HubSpot companies and contacts.

Contract: `push_cx_state(erp, hubspot, store)` reads `customer_cx_state` changed since the stored cursor,
finds the HubSpot companies and contacts the scoring sync tagged with that ERPNext customer
(`revops_erp_customer`, see sidecar.hubspot.properties) and writes, only where the value differs:
`<prefix>cx_segment` (text, ERPNext's CX segment), `<prefix>cx_churn_risk` ("true"/"false"),
`<prefix>cx_latest_nps` (number, empty when no NPS answer). Properties are created in the sidecar's group
on first use. Batches of <= 100 through the client's limiter/retries; the cursor only moves when every
write succeeded, so a failure is retried on the next run. Enabled by `cx.push_to_hubspot`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sidecar.cx.store import CxStore

CURSOR_NAME = "cx_state.modified_after"
OBJECT_TYPES = ("companies", "contacts")
IN_FILTER_VALUES = 100


def property_names(prefix: str = "revops_") -> dict[str, str]:
	return {
		"segment": f"{prefix}cx_segment",
		"churn": f"{prefix}cx_churn_risk",
		"nps": f"{prefix}cx_latest_nps",
	}


def property_specs(prefix: str = "revops_") -> list[Any]:
	from sidecar.hubspot.properties import PropertySpec

	names = property_names(prefix)
	specs = []
	for object_type in OBJECT_TYPES:
		specs += [
			PropertySpec(object_type, names["segment"], "CX segment", "string", "text", "ERPNext CX segment"),
			PropertySpec(
				object_type,
				names["churn"],
				"CX churn risk",
				"string",
				"text",
				"ERPNext churn-risk flag (true/false)",
			),
			PropertySpec(
				object_type, names["nps"], "CX latest NPS", "number", "number", "Latest NPS answer in ERPNext"
			),
		]
	return specs


def desired_values(state: dict[str, Any], prefix: str = "revops_") -> dict[str, str]:
	names = property_names(prefix)
	nps = state.get("latest_nps")
	return {
		names["segment"]: str(state.get("cx_segment") or ""),
		names["churn"]: "true" if state.get("churn_risk") else "false",
		names["nps"]: "" if nps is None else f"{float(nps):g}",
	}


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
	for start in range(0, len(items), size):
		yield items[start : start + size]


def push_cx_state(erp: Any, hubspot: Any, store: CxStore, prefix: str = "revops_") -> dict[str, int]:
	from sidecar.hubspot.properties import ERP_CUSTOMER_PROPERTY

	cursor = store.get_cursor(CURSOR_NAME)
	states = {s["customer"]: s for s in erp.customer_cx_state(cursor)}
	stats = {"customers": len(states), "updated": 0, "unchanged": 0, "failed": 0}
	if not states:
		return stats
	hubspot.ensure_properties(property_specs(prefix))
	wanted = list(property_names(prefix).values())
	for object_type in OBJECT_TYPES:
		for chunk in _chunks(sorted(states), IN_FILTER_VALUES):
			objects = hubspot.search_all(
				object_type,
				[{"propertyName": ERP_CUSTOMER_PROPERTY, "operator": "IN", "values": chunk}],
				[ERP_CUSTOMER_PROPERTY, *wanted],
			)
			updates: dict[str, dict[str, str]] = {}
			for obj in objects:
				props = obj.get("properties") or {}
				state = states.get(props.get(ERP_CUSTOMER_PROPERTY))
				if state is None:
					continue
				diff = {k: v for k, v in desired_values(state, prefix).items() if (props.get(k) or "") != v}
				if diff:
					updates[str(obj["id"])] = diff
				else:
					stats["unchanged"] += 1
			if updates:
				result = hubspot.batch_update(object_type, updates)
				stats["updated"] += len(result.ok)
				stats["failed"] += len(result.failed)
	if not stats["failed"]:
		stamps = [s.get("cx_updated_on") for s in states.values() if s.get("cx_updated_on")]
		if stamps:
			store.set_cursor(CURSOR_NAME, max(stamps))
	return stats
