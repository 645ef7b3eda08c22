"""The pass commands: `run` (scheduler loop: periodic passes, push passes between them, `--standby`), `sync`, `backfill` (one pass under the run lock), `plan` (dry run)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
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
from sidecar.push.serve import start_receiver


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
	stop = threading.Event()

	def _graceful(signum: int, _frame: Any) -> None:
		log.info("signal %s: finishing the current pass, then stopping", signum)
		stop.set()

	previous = {sig: signal.signal(sig, _graceful) for sig in (signal.SIGTERM, signal.SIGINT)}
	receiver = start_receiver(cfg, store)  # every instance receives pushes, the lock holder drains them
	try:
		if not _acquire(store, holder, ttl):
			lock = store.lock_holder() or {}
			if not args.standby:
				print(
					f"another instance holds the run lock ({lock.get('holder')}); not starting",
					file=sys.stderr,
				)
				return EXIT_LOCKED
			print(f"standby: {lock.get('holder')} holds the run lock; waiting for it", flush=True)
			while not _acquire(store, holder, ttl):
				if stop.wait(min(1.0, ttl / 10)):
					return EXIT_OK
			print(f"standby: took over the run lock as {holder}", flush=True)
		return _loop(args, cfg, pipeline, store, holder, ttl, stop)
	finally:
		if receiver is not None:
			receiver.shutdown()
		for sig, handler in previous.items():
			signal.signal(sig, handler)


def _loop(
	args: argparse.Namespace,
	cfg: Config,
	pipeline: Any,
	store: Any,
	holder: str,
	ttl: float,
	stop: threading.Event,
) -> int:
	"""Periodic passes every interval (full when due) and, between them, push passes for queued customers."""
	from sidecar.push.queue import PushQueue
	from sidecar.sync import CURSOR_FULL

	renew_stop = threading.Event()
	threading.Thread(target=_renew_loop, args=(store, holder, ttl, renew_stop), daemon=True).start()
	queue = PushQueue(store.engine)
	interval = args.interval if args.interval is not None else cfg.get("run.interval_seconds")
	poll = cfg.get("push.poll_seconds")
	passes = 0
	status = EXIT_OK
	next_pass = time.monotonic()
	push_after, push_failures = 0.0, 0
	try:
		while not stop.is_set():
			if time.monotonic() >= next_pass:
				last_full = store.get_cursor(CURSOR_FULL)
				due = last_full is None or datetime.now(timezone.utc) - datetime.fromisoformat(
					last_full
				) > timedelta(hours=cfg.get("run.full_rescore_hours"))
				status = _one_pass(lambda: pipeline.run_pass("full" if due else "incremental"))
				passes += 1
				if args.max_passes and passes >= args.max_passes:
					break
				next_pass = time.monotonic() + interval
			pushed = queue.take(cfg.get("push.max_customers")) if time.monotonic() >= push_after else None
			if pushed and pushed.customers:
				if _one_pass(lambda: pipeline.run_push(pushed.customers)) != EXIT_ERROR:
					queue.ack(pushed)  # write failures are in the pending set
					push_failures = 0
					continue
				push_failures += 1  # the rows stay queued; retry after a backoff, not in a hot loop
				push_after = time.monotonic() + min(60.0, 2.0**push_failures)
			stop.wait(max(0.0, min(poll, next_pass - time.monotonic())))
	finally:
		renew_stop.set()
		store.release_lock(holder)
	return status


def _one_pass(run: Any) -> int:
	"""Run one pass; the loop survives a failed pass (the run row records it)."""
	try:
		result = run()
	except Exception as exc:
		log.exception("pass failed: %s", exc)
		print(f"pass failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
		return EXIT_ERROR
	print(_summary(result), flush=True)
	return EXIT_OK


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
