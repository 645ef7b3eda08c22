"""Owner routing: the first matching rule names the team; round-robin over its owners (pointer in the store)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sidecar.config import Config, HandoffRule, Team
from sidecar.store import Store

log = logging.getLogger(__name__)


@dataclass
class OwnerRouter:
	rules: tuple[HandoffRule, ...]
	teams: dict[str, Team]
	default_team: str
	owners: list[dict[str, Any]]
	store: Store | None = None
	_pointers: dict[str, int] = field(default_factory=dict)
	_members: dict[str, list[str]] = field(default_factory=dict)

	@classmethod
	def from_config(cls, cfg: Config, owners: list[dict[str, Any]], store: Store | None) -> OwnerRouter:
		return cls(
			rules=cfg.rules,
			teams=cfg.teams,
			default_team=cfg.get("handoff.default_team"),
			owners=owners,
			store=store,
		)

	def team_for(
		self, territory: str | set[str] | None, industry: str | set[str] | None, product_lines: set[str]
	) -> str | None:
		for rule in self.rules:
			if rule.matches(territory, industry, product_lines):
				return rule.team
		return self.default_team or None

	def members(self, team_name: str) -> list[str]:
		if team_name in self._members:
			return self._members[team_name]
		team = self.teams.get(team_name)
		ids: list[str] = []
		if team is not None:
			active = [o for o in self.owners if not o.get("archived")]
			by_email = {str(o.get("email", "")).lower(): str(o["id"]) for o in active if o.get("email")}
			known = {str(o["id"]) for o in active}
			for ref in team.owners:
				owner_id = by_email.get(ref.lower()) if "@" in ref else (ref if ref in known else None)
				if owner_id is None:
					log.warning("handoff team %s: owner %s is not an active HubSpot owner", team_name, ref)
				elif owner_id not in ids:
					ids.append(owner_id)
			if team.hubspot_team:
				wanted = team.hubspot_team.casefold()
				for o in sorted(active, key=lambda o: int(o["id"]) if str(o["id"]).isdigit() else 0):
					names = {str(t.get("name", "")).casefold() for t in o.get("teams") or []} | {
						str(t.get("id")) for t in o.get("teams") or []
					}
					if (wanted in names or team.hubspot_team in names) and str(o["id"]) not in ids:
						ids.append(str(o["id"]))
		self._members[team_name] = ids
		return ids

	def route(
		self, territory: str | None, industry: str | None, product_lines: set[str]
	) -> tuple[str | None, str | None]:
		team = self.team_for(territory, industry, product_lines)
		if not team:
			return None, None
		members = self.members(team)
		if not members:
			return team, None
		cursor = f"round_robin:{team}"
		if team not in self._pointers:
			self._pointers[team] = int((self.store.get_cursor(cursor) if self.store else 0) or 0)
		index = self._pointers[team] % len(members)
		self._pointers[team] += 1
		if self.store:
			self.store.set_cursor(cursor, self._pointers[team])
		return team, members[index]
