"""The pass commands: `run` (scheduler loop), `sync`, `backfill` (one pass under the run lock), `plan` (dry run)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from sidecar.commands.runtime import (
	EXIT_ERROR,
	EXIT_LOCKED,
	EXIT_OK,
	Progress,
	_acquire,
	_holder,
	_locked_pass,
	_mode,
	_renew_loop,
	_runtime,
	_summary,
	log,
)
from sidecar.config import Config


def cmd_sync(args: argparse.Namespace, cfg: Config) -> int:
	return _locked_pass(cfg, None if not args.full else "full")


def cmd_backfill(args: argparse.Namespace, cfg: Config) -> int:
	progress = None if args.no_progress else Progress()
	try:
		return _locked_pass(cfg, "full", progress=progress)
	finally:
		if progress:
			progress.close()


def cmd_plan(args: argparse.Namespace, cfg: Config) -> int:
	pipeline, store = _runtime(cfg, dry_run=True)
	result = pipeline.run_pass(_mode(store, args.full))
	store.close()
	print_plan(result, as_json=args.json, limit=args.limit)
	return EXIT_OK


def cmd_run(args: argparse.Namespace, cfg: Config) -> int:
	pipeline, store = _runtime(cfg, dry_run=False)
	holder = _holder()
	ttl = cfg.get("store.lock_ttl_seconds")
	if not _acquire(store, holder, ttl):
		lock = store.lock_holder() or {}
		print(f"another instance holds the run lock ({lock.get('holder')}); not starting", file=sys.stderr)
		return EXIT_LOCKED
	stop = threading.Event()

	def _graceful(signum: int, _frame: Any) -> None:
		log.info("signal %s: finishing the current pass, then stopping", signum)
		stop.set()

	previous = {sig: signal.signal(sig, _graceful) for sig in (signal.SIGTERM, signal.SIGINT)}
	renew_stop = threading.Event()
	threading.Thread(target=_renew_loop, args=(store, holder, ttl, renew_stop), daemon=True).start()
	passes = 0
	status = EXIT_OK
	try:
		while not stop.is_set():
			from sidecar.sync import CURSOR_FULL

			last_full = store.get_cursor(CURSOR_FULL)
			due = last_full is None or datetime.now(timezone.utc) - datetime.fromisoformat(
				last_full
			) > timedelta(hours=cfg.get("run.full_rescore_hours"))
			try:
				result = pipeline.run_pass("full" if due else "incremental")
				print(_summary(result), flush=True)
				status = EXIT_OK
			except Exception as exc:  # the loop survives a failed pass; the run row records it
				log.exception("pass failed: %s", exc)
				print(f"pass failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
				status = EXIT_ERROR
			passes += 1
			if args.max_passes and passes >= args.max_passes:
				break
			stop.wait(args.interval if args.interval is not None else cfg.get("run.interval_seconds"))
	finally:
		renew_stop.set()
		store.release_lock(holder)
		for sig, handler in previous.items():
			signal.signal(sig, handler)
	return status


def print_plan(result: Any, as_json: bool = False, limit: int = 50, stream: Any = None) -> None:
	stream = stream or sys.stdout
	if as_json:
		out = {
			"mode": result.mode,
			"as_of": result.as_of.isoformat(),
			"stats": result.stats,
			"changes": result.changes,
			"handoffs": result.handoffs,
		}
		stream.write(json.dumps(out, indent=2, default=str) + "\n")
		return
	stream.write(_summary(result) + "\n")
	stream.write(f"\n{len(result.changes)} record(s) would change:\n")
	stream.write(
		f"{'object':10} {'id':>14} {'score':>5} {'fit':>4} {'beh':>4} {'erp':>4} band  erp customer\n"
	)
	for change in result.changes[:limit]:
		p = change["properties"]
		vals = list(p.values())
		stream.write(
			f"{change['object_type']:10} {change['id']:>14} {vals[0]!s:>5} {vals[1]!s:>4} {vals[2]!s:>4} {vals[3]!s:>4} "
			f"{vals[4]!s:5} {p.get('revops_erp_customer', '')}\n"
		)
	if len(result.changes) > limit:
		stream.write(f"... {len(result.changes) - limit} more (use --json for all)\n")
	stream.write(f"\n{len(result.handoffs)} handoff(s) would be made:\n")
	for h in result.handoffs[:limit]:
		stream.write(
			f"  {h['contact_id']:>14} score {h['score']:>3} team {h['team'] or '-'} owner {h['owner_id'] or '-'}  {h['subject']}\n"
		)
