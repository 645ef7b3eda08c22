"""The demo as a sales-ops person reads it: names beside ids, best first, reasons whose points add up.

Pure functions over the demo's PassResult entries and dataset (no I/O), so each line can be tested.
- `reason_lines(lead, shown)`: the `shown` largest contributions as "<explanation> +N", then "+K more +P" for
  the rest, then "tier limits -C" when the model's tier caps (or the 0-100 range) cut the sum, so the
  printed points always add up to the lead's score exactly (rounding goes into the "more" line).
- `band_legend(bands)`: the model's band names with their ranges ("hot 70-100, warm 50-69, ...").
- `handoff_lines(handoffs, names)`: best score first (then contact name), each with contact, company and
  owner names beside their ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHOWN_REASONS = 4


def _points(value: float) -> int:
	"""Half away from zero, as the model rounds a reason's points."""
	return int(value + 0.5) if value >= 0 else -int(0.5 - value)


def reason_lines(lead: dict[str, Any], shown: int = SHOWN_REASONS) -> list[str]:
	contributions = [c for c in lead.get("contributions") or [] if _points(c["points"]) != 0]
	ordered = sorted(contributions, key=lambda c: -abs(c["points"]))  # stable: ties keep model order
	head, rest = ordered[:shown], ordered[shown:]
	lines = [f"{c['explanation']} {_points(c['points']):+d}" for c in head]
	head_points = sum(_points(c["points"]) for c in head)
	summed = _points(sum(c["points"] for c in lead.get("contributions") or []))
	rest_points = summed - head_points
	if rest:
		lines.append(f"+{len(rest)} more {rest_points:+d}")
	elif rest_points:
		lines.append(f"rounding {rest_points:+d}")
	limited = lead["total"] - summed
	if limited:
		lines.append(f"tier limits {limited:+d} (each tier and the total are capped by the model)")
	return lines


def band_legend(bands: list[tuple[str, int]] | tuple[tuple[str, int], ...]) -> str:
	"""bands: (name, lowest total), highest first, as the model keeps them."""
	parts, upper = [], 100
	for name, lowest in sorted(bands, key=lambda b: -b[1]):
		parts.append(f"{name} {int(lowest)}-{upper}")
		upper = int(lowest) - 1
	return ", ".join(parts)


@dataclass
class Names:
	"""Display names by HubSpot id (contacts, companies, owners) and each contact's company id."""

	contacts: dict[str, str] = field(default_factory=dict)
	companies: dict[str, str] = field(default_factory=dict)
	owners: dict[str, str] = field(default_factory=dict)
	company_of: dict[str, str] = field(default_factory=dict)

	@classmethod
	def of(cls, dataset: Any) -> Names:
		from sidecar.demo.dataset import primary_company_id

		names = cls()
		for contact in dataset.hubspot_contacts:
			props = contact.get("properties") or {}
			full = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
			names.contacts[str(contact["id"])] = full or props.get("email") or ""
			company_id = primary_company_id(contact)
			if company_id:
				names.company_of[str(contact["id"])] = str(company_id)
		for company in dataset.hubspot_companies:
			names.companies[str(company["id"])] = (company.get("properties") or {}).get("name") or ""
		for owner in dataset.hubspot_owners:
			full = " ".join(p for p in (owner.get("firstName"), owner.get("lastName")) if p)
			names.owners[str(owner["id"])] = full or owner.get("email") or ""
		return names


def _named(name: str, kind: str, ident: str | None) -> str:
	if not ident:
		return f"no {kind}"
	return f"{name} ({kind} {ident})" if name else f"{kind} {ident}"


def handoff_lines(handoffs: list[dict[str, Any]], names: Names, limit: int = 20) -> list[str]:
	ordered = sorted(
		handoffs,
		key=lambda h: (-h["score"], names.contacts.get(str(h["contact_id"]), ""), str(h["contact_id"])),
	)
	lines = []
	for h in ordered[:limit]:
		contact_id = str(h["contact_id"])
		company_id = names.company_of.get(contact_id)
		owner_id = h.get("owner_id")
		lines.append(
			f"  {h['score']:3}  {_named(names.contacts.get(contact_id, ''), 'contact', contact_id)}"
			f" at {_named(names.companies.get(company_id or '', ''), 'company', company_id)}"
			f" -> team {h.get('team') or '-'}, owner {_named(names.owners.get(str(owner_id or ''), ''), 'owner', owner_id)}"
		)
	if len(ordered) > limit:
		lines.append(f"  ... and {len(ordered) - limit} more (--json lists them all)")
	return lines
