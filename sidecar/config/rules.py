"""Handoff routing rules and teams from `[[handoff.rules]]` and `[handoff.teams.NAME]` (first match wins)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sidecar.config.setting import ConfigError


@dataclass(frozen=True)
class HandoffRule:
	"""First matching rule wins; every given criterion must match (case-insensitive)."""

	team: str
	territory: str = ""
	industry: str = ""
	product_line: str = ""

	def matches(
		self, territory: str | set[str] | None, industry: str | set[str] | None, product_lines: set[str]
	) -> bool:
		"""Each argument may be one value or a set of candidate spellings (e.g. label and HubSpot enum)."""
		if self.territory and _norm(self.territory) not in _norms(territory):
			return False
		if self.industry and _norm(self.industry) not in _norms(industry):
			return False
		if self.product_line and _norm(self.product_line) not in _norms(product_lines):
			return False
		return True


def _norm(value: str) -> str:
	"""'Industrial Automation', 'INDUSTRIAL_AUTOMATION' and 'industrial-automation' compare equal."""
	return "".join(ch if ch.isalnum() else "_" for ch in value.casefold()).strip("_")


def _norms(values: str | set[str] | None) -> set[str]:
	if not values:
		return set()
	if isinstance(values, str):
		values = {values}
	return {_norm(v) for v in values if v}


@dataclass(frozen=True)
class Team:
	"""Owners of a team: explicit owner ids/emails, and/or the members of a HubSpot team (owners API)."""

	name: str
	owners: tuple[str, ...] = ()
	hubspot_team: str = ""


def _parse_rules(data: Mapping[str, Any], origin: str) -> tuple[tuple[HandoffRule, ...], dict[str, Team]]:
	teams: dict[str, Team] = {}
	for name, body in (data.get("teams") or {}).items():
		if not isinstance(body, Mapping):
			raise ConfigError(f"handoff.teams.{name} (from {origin}): expected a table")
		unknown = set(body) - {"owners", "hubspot_team"}
		if unknown:
			raise ConfigError(f"handoff.teams.{name}.{sorted(unknown)[0]} (from {origin}): unknown key")
		owners = body.get("owners", [])
		if not isinstance(owners, list) or not all(isinstance(o, str | int) for o in owners):
			raise ConfigError(
				f"handoff.teams.{name}.owners (from {origin}): expected a list of owner ids or emails"
			)
		hubspot_team = body.get("hubspot_team", "")
		if not isinstance(hubspot_team, str):
			raise ConfigError(f"handoff.teams.{name}.hubspot_team (from {origin}): expected a string")
		if not owners and not hubspot_team:
			raise ConfigError(f"handoff.teams.{name} (from {origin}): give owners or hubspot_team")
		teams[name] = Team(name=name, owners=tuple(str(o) for o in owners), hubspot_team=hubspot_team)
	rules = []
	raw_rules = data.get("rules") or []
	if not isinstance(raw_rules, list):
		raise ConfigError(f"handoff.rules (from {origin}): expected an array of tables ([[handoff.rules]])")
	for i, body in enumerate(raw_rules):
		where = f"handoff.rules[{i}]"
		if not isinstance(body, Mapping):
			raise ConfigError(f"{where} (from {origin}): expected a table")
		unknown = set(body) - {"team", "territory", "industry", "product_line"}
		if unknown:
			raise ConfigError(f"{where}.{sorted(unknown)[0]} (from {origin}): unknown key")
		for key in body:
			if not isinstance(body[key], str):
				raise ConfigError(f"{where}.{key} (from {origin}): expected a string")
		team = body.get("team", "")
		if team not in teams:
			raise ConfigError(
				f"{where}.team (from {origin}): team {team!r} is not defined under [handoff.teams]"
			)
		rules.append(HandoffRule(**body))
	return tuple(rules), teams
