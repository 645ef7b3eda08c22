"""Shadow scoring: a candidate model scored alongside the live one, into its own HubSpot property.

`ShadowingModel(live, shadow)` is the live model for everything the sync does (scores, bands, reasons,
handoffs, score history, version); each contact result also carries `facts["shadow_score"]`, the candidate's
total for the same signals at the same moment, which the sync writes to `[learning] shadow_property`
(hashed with the other values, so it is written only when it changes). Sales ops can then watch both
scores side by side in HubSpot for a trial period before `model promote`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sidecar.hubspot.properties import PropertySpec

SHADOW_FACT = "shadow_score"


class ShadowingModel:
	def __init__(self, live: Any, shadow: Any) -> None:
		self.live = live
		self.shadow = shadow

	def __getattr__(self, name: str) -> Any:  # config, version, score_company, memos: the live model's
		return getattr(self.live, name)

	def score(self, signals: Any, as_of: datetime) -> Any:
		result = self.live.score(signals, as_of)
		result.facts[SHADOW_FACT] = int(self.shadow.score(signals, as_of).total)
		return result


def shadow_property_spec(name: str, version: str | None) -> PropertySpec:
	return PropertySpec(
		"contacts",
		name,
		"RevOps shadow score",
		"number",
		"number",
		f"Candidate model {version or ''} scored alongside the live one (trial; not used for handoffs)".strip(),
	)
