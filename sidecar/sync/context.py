"""What every step of a pass gets: the config, the ports, the pass's clock and mode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sidecar.config import Config
from sidecar.sync.ports import ErpPort, HubSpotPort, ModelPort, Progress, StorePort


@dataclass(frozen=True)
class PassContext:
	cfg: Config
	store: StorePort
	hubspot: HubSpotPort
	erp: ErpPort | None
	model: ModelPort
	mode: str  # "incremental" | "full" | "push" (the app named the customers that changed)
	dry_run: bool
	as_of: datetime
	clock: Callable[[], datetime]
	property_names: dict[str, str]  # role (total, fit, ...) -> HubSpot property name
	progress: Progress | None = None

	def report(self, stage: str, done: int, total: int | None) -> None:
		if self.progress:
			self.progress(stage, done, total)
