"""The sidecar's custom HubSpot properties (created in their own group on first run).

Contract: `custom_properties(prefix)` lists every property the sidecar writes, per object type, with the
HubSpot type/fieldType pair from the properties spec (number/number, string/text, string/textarea,
datetime/date). `TASK_KEY_PROPERTY` on tasks holds the handoff key that makes task creation idempotent.
`ERP_CUSTOMER_PROPERTY` on companies may be filled by users to pin a company to an ERPNext Customer.
"""

from __future__ import annotations

from dataclasses import dataclass

TASK_KEY_PROPERTY = "revops_handoff_key"
ERP_CUSTOMER_PROPERTY = "revops_erp_customer"


@dataclass(frozen=True)
class PropertySpec:
	object_type: str
	name: str
	label: str
	type: str
	field_type: str
	description: str


def score_property_names(prefix: str = "revops_") -> dict[str, str]:
	"""Logical field -> HubSpot property name of the score values pushed on contacts and companies."""
	return {
		"total": f"{prefix}score",
		"fit": f"{prefix}score_fit",
		"behaviour": f"{prefix}score_behaviour",
		"erp": f"{prefix}score_erp",
		"reasons": f"{prefix}score_reasons",
		"band": f"{prefix}score_band",
		"erp_customer": ERP_CUSTOMER_PROPERTY,
	}


def custom_properties(prefix: str = "revops_") -> list[PropertySpec]:
	names = score_property_names(prefix)
	specs: list[PropertySpec] = []
	for object_type in ("contacts", "companies"):
		specs += [
			PropertySpec(
				object_type,
				names["total"],
				"RevOps score",
				"number",
				"number",
				"Lead score 0-100 (fit + behaviour + ERP)",
			),
			PropertySpec(
				object_type,
				names["fit"],
				"RevOps fit score",
				"number",
				"number",
				"Tier 1: firmographic fit and intent",
			),
			PropertySpec(
				object_type,
				names["behaviour"],
				"RevOps behaviour score",
				"number",
				"number",
				"Tier 2: decayed engagement",
			),
			PropertySpec(
				object_type, names["erp"], "RevOps ERP score", "number", "number", "Tier 3: ERPNext signals"
			),
			PropertySpec(
				object_type,
				names["reasons"],
				"RevOps score reasons",
				"string",
				"textarea",
				"Top reasons behind the score",
			),
			PropertySpec(
				object_type, names["band"], "RevOps score band", "string", "text", "Score band (A-D)"
			),
		]
	specs.append(
		PropertySpec(
			"contacts",
			ERP_CUSTOMER_PROPERTY,
			"ERPNext customer",
			"string",
			"text",
			"ERPNext Customer matched by the sidecar",
		)
	)
	specs.append(
		PropertySpec(
			"companies",
			ERP_CUSTOMER_PROPERTY,
			"ERPNext customer",
			"string",
			"text",
			"ERPNext Customer name; set it to pin the match",
		)
	)
	specs.append(
		PropertySpec(
			"tasks",
			TASK_KEY_PROPERTY,
			"RevOps handoff key",
			"string",
			"text",
			"contact:crossing key; one task per SQL crossing",
		)
	)
	return specs
