"""The pass: gather -> score -> plan -> write, with run bookkeeping (run row, API usage, timings).

`Pipeline(cfg, store, hubspot, erp, model)` holds the ports; `run_pass(mode)` builds a `PassContext` and runs
the steps in order; `run_push(customers)` is the same with the push pass's gather (pushed.py). The HubSpot properties the sidecar writes are created once per store (versioned cursor).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone

from sidecar.config import Config
from sidecar.hubspot.properties import score_property_names
from sidecar.sync.constants import CURSOR_PROPERTIES, PROPERTIES_VERSION
from sidecar.sync.context import PassContext
from sidecar.sync.gather import gather
from sidecar.sync.plan import plan
from sidecar.sync.ports import ErpPort, HubSpotPort, ModelPort, Progress, StorePort
from sidecar.sync.pushed import gather_pushed
from sidecar.sync.result import PassResult
from sidecar.sync.score import score, top_scores
from sidecar.sync.write import deliver_and_advance, write

log = logging.getLogger(__name__)


class Pipeline:
	def __init__(
		self,
		cfg: Config,
		store: StorePort,
		hubspot: HubSpotPort,
		erp: ErpPort | None,
		model: ModelPort,
		dry_run: bool = False,
		clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
		progress: Progress | None = None,
	):
		self.cfg = cfg
		self.store = store
		self.hubspot = hubspot
		self.erp = erp
		self.model = model
		self.dry_run = dry_run
		self.clock = clock
		self.progress = progress
		self.names = score_property_names(cfg.get("hubspot.property_prefix"))

	def context(self, mode: str, as_of: datetime) -> PassContext:
		return PassContext(
			cfg=self.cfg,
			store=self.store,
			hubspot=self.hubspot,
			erp=self.erp,
			model=self.model,
			mode=mode,
			dry_run=self.dry_run,
			as_of=as_of,
			clock=self.clock,
			property_names=self.names,
			progress=self.progress,
		)

	def run_push(self, customers: list[str]) -> PassResult:
		"""Rescore only the contacts of `customers` (pushed by the app after a committed ERP change)."""
		return self.run_pass("push", customers=customers)

	def run_pass(self, mode: str = "incremental", customers: list[str] | None = None) -> PassResult:
		if mode not in ("incremental", "full", "push"):
			raise ValueError(f"unknown mode {mode}")
		t0 = time.perf_counter()
		ctx = self.context(mode, self.clock())
		res = PassResult(mode=mode, dry_run=self.dry_run, as_of=ctx.as_of)
		calls_before = self._calls_so_far()
		run_id = None if self.dry_run else self.store.start_run(mode)
		try:
			self._steps(ctx, res, run_id, customers or [])
		except Exception as exc:
			self._finish(res, t0, calls_before)
			if run_id is not None:
				self.store.finish_run(run_id, "error", res.stats, f"{type(exc).__name__}: {exc}")
			raise
		self._finish(res, t0, calls_before)
		if run_id is not None:
			self.store.finish_run(run_id, "partial" if res.errors else "ok", res.stats, None)
		return res

	def _steps(self, ctx: PassContext, res: PassResult, run_id: int | None, customers: list[str]) -> None:
		self._ensure_properties()
		gathered = gather_pushed(ctx, customers, res.stats) if ctx.mode == "push" else gather(ctx, res.stats)
		scored = score(ctx, gathered, res.stats)
		res.top = top_scores(scored)
		planned = plan(ctx, gathered, scored, res.stats)
		res.changes = planned.changes()
		res.handoffs = [d.summary for d in planned.handoffs]
		if self.dry_run:
			return
		write(ctx, planned, run_id, res)
		deliver_and_advance(ctx, gathered, res)

	def _calls_so_far(self) -> dict[str, int]:
		return dict(getattr(self.hubspot, "calls", {}) or {})

	def _finish(self, res: PassResult, t0: float, before: dict[str, int]) -> None:
		"""Timing and HubSpot request counts of the pass; the requests also count towards today's usage."""
		stats = res.stats
		stats["seconds"] = round(time.perf_counter() - t0, 3)
		after = self._calls_so_far()
		for kind in ("read", "search", "write"):
			stats[f"hubspot_{kind}_calls"] = after.get(kind, 0) - before.get(kind, 0)
		if not self.dry_run:
			day = datetime.now(timezone.utc).date().isoformat()
			self.store.add_usage(day, sum(after.values()) - sum(before.values()))

	def _ensure_properties(self) -> None:
		if self.dry_run or self.store.get_cursor(CURSOR_PROPERTIES) == PROPERTIES_VERSION:
			return
		self.hubspot.ensure_properties()
		self.store.set_cursor(CURSOR_PROPERTIES, PROPERTIES_VERSION)
