"""Wiring shared by the commands: exit codes, the progress bar, model/store/pipeline construction, the run lock."""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sidecar.config import Config

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
log = logging.getLogger("revops_sidecar")


class Progress:
	"""A small stderr progress bar (no dependency): `Progress()(stage, done, total)`; total None = a counter."""

	def __init__(self, stream: Any = None, min_interval: float = 0.2):
		self.stream = stream or sys.stderr
		self.min_interval = min_interval
		self._last = 0.0
		self._stage = ""
		self._start = time.monotonic()

	def __call__(self, stage: str, done: int, total: int | None) -> None:
		now = time.monotonic()
		if stage != self._stage:
			if self._stage:
				self.stream.write("\n")
			self._stage, self._start, self._last = stage, now, 0.0
		finished = bool(total) and done >= (total or 0)
		if not finished and now - self._last < self.min_interval:
			return
		self._last = now
		rate = done / max(now - self._start, 1e-9)
		if total:
			width = 30
			filled = int(width * done / total)
			bar = "#" * filled + "-" * (width - filled)
			self.stream.write(f"\r{stage:18} [{bar}] {done}/{total} {done * 100 // total}% {rate:,.0f}/s")
		else:
			self.stream.write(f"\r{stage:18} {done} {rate:,.0f}/s")
		self.stream.flush()

	def close(self) -> None:
		if self._stage:
			self.stream.write("\n")
			self.stream.flush()


# --- wiring -----------------------------------------------------------------------------------------
def _model(cfg: Config) -> Any:
	from sidecar.scoring import ScoringModel, load_default_model

	path = cfg.get("scoring.model_file")
	live = ScoringModel.from_file(path) if path else load_default_model()
	shadow = cfg.get("learning.shadow_model_file")
	if not shadow:
		return live
	from sidecar.scoring.learning.shadow import ShadowingModel

	return ShadowingModel(live, ScoringModel.from_file(shadow))


def _store(cfg: Config) -> Any:
	from sidecar.store import open_store

	return open_store(cfg.store_url())


def _runtime(
	cfg: Config, dry_run: bool, progress: Callable[[str, int, int | None], None] | None = None
) -> tuple[Any, Any]:
	"""(pipeline, store) wired to the real HubSpot and ERPNext."""
	from sidecar.erp import ErpClient
	from sidecar.hubspot import DryRunHubSpot, HubSpotClient
	from sidecar.sync import Pipeline

	cfg.require("hubspot.token", "erp.base_url", "erp.api_key", "erp.api_secret")
	store = _store(cfg)
	day = datetime.now(timezone.utc).date().isoformat()
	hubspot: Any = HubSpotClient.from_config(cfg, used_today=store.usage(day))
	if dry_run:
		hubspot = DryRunHubSpot(hubspot)
	erp = ErpClient.from_config(cfg.erp)
	model = _model(cfg)
	if getattr(model, "shadow", None) is not None and not dry_run:
		from sidecar.scoring.learning.shadow import shadow_property_spec

		hubspot.ensure_properties(
			[shadow_property_spec(cfg.get("learning.shadow_property"), model.shadow.version)]
		)
	return Pipeline(cfg, store, hubspot, erp, model, dry_run=dry_run, progress=progress), store


def _holder() -> str:
	return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _acquire(store: Any, holder: str, ttl: float) -> bool:
	"""Take the run lock; a lease left by a dead process on this host (crash, kill -9) is taken over at once."""
	if store.acquire_lock(holder, ttl):
		return True
	current = (store.lock_holder() or {}).get("holder", "")
	host, _, rest = current.partition(":")
	pid = rest.partition(":")[0]
	if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
		log.warning("run lock held by dead process %s; taking it over", current)
		return store.take_over_lock(current, holder, ttl)
	return False


def _alive(pid: int) -> bool:
	try:
		os.kill(pid, 0)
	except ProcessLookupError:
		return False
	except PermissionError:
		return True
	return True


def _summary(result: Any) -> str:
	s = result.stats
	parts = [f"{k}={v}" for k, v in s.items()]
	return f"{result.mode} pass{' (dry run)' if result.dry_run else ''}: " + " ".join(parts)


def _locked_pass(
	cfg: Config, mode: str | None, progress: Callable[[str, int, int | None], None] | None = None
) -> int:
	"""One pass under the run lock; mode None = incremental, or full when no pass has run yet."""
	pipeline, store = _runtime(cfg, dry_run=False, progress=progress)
	mode = mode or _mode(store, False)
	holder = _holder()
	ttl = cfg.get("store.lock_ttl_seconds")
	if not _acquire(store, holder, ttl):
		lock = store.lock_holder() or {}
		print(f"another instance holds the run lock ({lock.get('holder')}); try again later", file=sys.stderr)
		return EXIT_LOCKED
	stop = threading.Event()
	renewer = threading.Thread(target=_renew_loop, args=(store, holder, ttl, stop), daemon=True)
	renewer.start()
	try:
		result = pipeline.run_pass(mode)
	finally:
		stop.set()
		store.release_lock(holder)
	print(_summary(result))
	for key, error in list(result.errors.items())[:20]:
		print(f"  error {key}: {error}", file=sys.stderr)
	return EXIT_OK if not result.errors else EXIT_ERROR


def _renew_loop(store: Any, holder: str, ttl: float, stop: threading.Event) -> None:
	while not stop.wait(max(1.0, ttl / 3)):
		if not store.renew_lock(holder, ttl):
			log.error("lost the run lock (lease expired and taken over)")
			return


def _mode(store: Any, full: bool) -> str:
	"""Incremental once a full pass has set the HubSpot cursors; before that, a full pass."""
	from sidecar.sync import CURSOR_CONTACTS

	if full or store.get_cursor(CURSOR_CONTACTS) is None:
		return "full"
	return "incremental"
