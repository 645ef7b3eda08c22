"""Console entry point `revops-sidecar`: run, sync, plan, backfill, status, report, demo, config.

Contract: `main(argv) -> exit code`. No command prints help and returns 2. Configuration comes from `--config`
(or REVOPS_CONFIG / the default paths) plus environment overrides; a bad setting exits 2 with the key named.
`run`, `sync` and `backfill` take the store's run lock (a lease) so two instances never run a pass at once;
`plan` and `demo` write nothing to HubSpot or ERPNext. C2's `sidecar.cx.cli.register(subparsers)` adds the
CX commands when that module exists; those commands get `(args, cfg)` like ours.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sidecar import __version__
from sidecar.config import EXAMPLE_CONFIG, Config, ConfigError, describe, load_config, redact_url

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
	return ScoringModel.from_file(path) if path else load_default_model()


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
	return Pipeline(cfg, store, hubspot, erp, _model(cfg), dry_run=dry_run, progress=progress), store


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


# --- commands ---------------------------------------------------------------------------------------
def cmd_config(args: argparse.Namespace, cfg: Config) -> int:
	if args.example:
		print(EXAMPLE_CONFIG.read_text())
		return EXIT_OK
	print(f"# configuration from {cfg.source}")
	print(describe(cfg))
	return EXIT_OK


def cmd_sync(args: argparse.Namespace, cfg: Config) -> int:
	return _locked_pass(cfg, None if not args.full else "full")


def cmd_backfill(args: argparse.Namespace, cfg: Config) -> int:
	progress = None if args.no_progress else Progress()
	try:
		return _locked_pass(cfg, "full", progress=progress)
	finally:
		if progress:
			progress.close()


def _mode(store: Any, full: bool) -> str:
	"""Incremental once a full pass has set the HubSpot cursors; before that, a full pass."""
	from sidecar.sync import CURSOR_CONTACTS

	if full or store.get_cursor(CURSOR_CONTACTS) is None:
		return "full"
	return "incremental"


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


def cmd_status(args: argparse.Namespace, cfg: Config) -> int:
	store = _store(cfg)
	day = datetime.now(timezone.utc).date().isoformat()
	data = {
		"store": redact_url(cfg.store_url()),
		"cursors": {k: {"value": v, "updated_at": str(at)} for k, (v, at) in store.cursors().items()},
		"last_runs": store.last_runs(10),
		"recent_errors": store.recent_errors(10),
		"outbox": store.outbox_depth(),
		"ledger": store.ledger_count(),
		"erp_customers_cached": store.erp_count(),
		"lock": store.lock_holder(),
		"hubspot_requests_today": store.usage(day),
	}
	if args.json:
		print(json.dumps(data, indent=2, default=str))
		return EXIT_OK
	print(f"store: {data['store']}")
	print("cursors:")
	for name, c in data["cursors"].items():
		print(f"  {name:32} {json.dumps(c['value'], default=str)[:70]:72} (updated {c['updated_at'][:19]})")
	print(
		f"outbox: {data['outbox'] or 'empty'}   ledger: {data['ledger']}   ERP customers cached: {data['erp_customers_cached']}"
	)
	print(f"HubSpot requests today: {data['hubspot_requests_today']}   lock: {data['lock'] or 'free'}")
	print("last runs:")
	for r in data["last_runs"]:
		stats = r.get("stats") or {}
		brief = ", ".join(
			f"{k}={stats[k]}"
			for k in ("contacts_scored", "changed", "written", "handoffs_decided", "tasks_created")
			if k in stats
		)
		print(
			f"  #{r['id']} {r['kind']:11} {str(r['started_at'])[:19]} {r['status']:8} {brief} {r.get('error') or ''}"
		)
	if data["recent_errors"]:
		print("recent errors:")
		for e in data["recent_errors"]:
			print(f"  {str(e['at'])[:19]} {e['object_type']}/{e['object_id']}: {e['error'][:100]}")
	return EXIT_OK


def cmd_report(args: argparse.Namespace, cfg: Config) -> int:
	from sidecar.report import build_report, format_report

	store = _store(cfg)
	report = build_report(store, threshold=cfg.get("scoring.sql_threshold"), days=args.days)
	print(json.dumps(report, indent=2, default=str) if args.json else format_report(report))
	return EXIT_OK


def cmd_demo(args: argparse.Namespace, cfg: Config) -> int:
	from sidecar.demo.dataset import generate
	from sidecar.dryrun import run_demo

	t0 = time.perf_counter()
	dataset = generate(seed=args.seed, companies=args.companies)
	if args.store:
		store_path = Path(args.store).expanduser()
		tmp = None
	else:
		tmp = tempfile.TemporaryDirectory(prefix="revops-demo-")
		store_path = Path(tmp.name) / "demo.sqlite3"
	if args.threshold is not None:
		cfg = cfg.with_values(scoring__sql_threshold=args.threshold)
	try:
		result = run_demo(dataset, f"sqlite:///{store_path}", _model(cfg), base=cfg)
	finally:
		if tmp is not None:
			tmp.cleanup()
	result.stats["total_seconds"] = round(time.perf_counter() - t0, 2)
	if args.json:
		print(
			json.dumps(
				{"stats": result.stats, "top": result.top[: args.top], "handoffs": result.handoffs},
				indent=2,
				default=str,
			)
		)
		return EXIT_OK
	print(
		f"revops-sidecar demo: {len(dataset.hubspot_companies)} companies, {len(dataset.hubspot_contacts)} contacts, "
		f"{len(dataset.erp_records)} ERP customers (seed {args.seed}, as of {dataset.as_of:%Y-%m-%d %H:%M} UTC); "
		f"HubSpot and ERPNext in memory, nothing sent."
	)
	print(f"\nTop {args.top} leads:")
	for i, lead in enumerate(result.top[: args.top], 1):
		tiers = lead["tiers"]
		print(
			f"{i:2}. {lead['total']:3} [{lead['band']}] {lead['name'] or lead['email']} <{lead['email']}>"
			f"  fit {tiers.get('fit', 0):.0f} / behaviour {tiers.get('behaviour', 0):.0f} / erp {tiers.get('erp', 0):.0f}"
			+ (f"  ERP {lead['erp_customer']}" if lead.get("erp_customer") else "")
		)
		for reason in lead["reasons"][:4]:
			print(f"      - {reason}")
	threshold = cfg.get("scoring.sql_threshold")
	print(f"\nHandoffs it would make (SQL threshold {threshold:g}): {len(result.handoffs)}")
	for h in result.handoffs[:20]:
		print(
			f"  contact {h['contact_id']} score {h['score']} -> team {h['team'] or '-'}, owner {h['owner_id'] or '-'}: {h['subject']}"
		)
	if len(result.handoffs) > 20:
		print(f"  ... and {len(result.handoffs) - 20} more")
	s = result.stats
	print(
		f"\nWould write {s.get('changed', 0)} contact and {s.get('companies_changed', 0)} company score updates "
		f"in {-(-s.get('changed', 0) // 100) + -(-s.get('companies_changed', 0) // 100)} batch calls; "
		f"{s['erp_calls']} ERP page calls; done in {s['total_seconds']} s."
	)
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


def build_parser() -> argparse.ArgumentParser:
	parser = argparse.ArgumentParser(
		prog="revops-sidecar", description="ERP-enriched lead scores in HubSpot, SQL handoff, CX sync."
	)
	parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
	parser.add_argument(
		"--config",
		metavar="PATH",
		help="TOML config file (default: REVOPS_CONFIG, ./revops-sidecar.toml, ~/.revops/sidecar.toml)",
	)
	parser.add_argument("-v", "--verbose", action="store_true", help="log progress and retries")
	sub = parser.add_subparsers(dest="command", metavar="COMMAND")

	p = sub.add_parser(
		"run", help="scheduler loop: incremental passes every run.interval_seconds, full re-score daily"
	)
	p.add_argument("--interval", type=float, help="seconds between passes (default: run.interval_seconds)")
	p.add_argument("--max-passes", type=int, default=0, help="stop after N passes (0 = until SIGTERM)")
	p.set_defaults(func=cmd_run)
	p = sub.add_parser(
		"sync", help="one incremental pass (ERP changes + HubSpot changes); full when none ran yet"
	)
	p.add_argument("--full", action="store_true", help="re-score every contact")
	p.set_defaults(func=cmd_sync)
	p = sub.add_parser("plan", help="dry run: what a pass would change (writes nothing)")
	p.add_argument("--json", action="store_true", help="print JSON instead of a table")
	p.add_argument("--full", action="store_true", help="plan a full re-score")
	p.add_argument("--limit", type=int, default=50, help="rows shown in the table")
	p.set_defaults(func=cmd_plan)
	p = sub.add_parser("backfill", help="score every contact and push the changes (with a progress bar)")
	p.add_argument("--no-progress", action="store_true")
	p.set_defaults(func=cmd_backfill)
	p = sub.add_parser("status", help="cursors, last runs, errors, outbox depth, lock")
	p.add_argument("--json", action="store_true")
	p.set_defaults(func=cmd_status)
	p = sub.add_parser(
		"report", help="score bands vs later conversion; time to first touch of handed-off leads"
	)
	p.add_argument("--json", action="store_true")
	p.add_argument("--days", type=int, default=180, help="look back this many days")
	p.set_defaults(func=cmd_report)
	p = sub.add_parser(
		"demo", help="the whole pipeline on the bundled synthetic dataset (dry run, in memory)"
	)
	p.add_argument("--seed", type=int, default=7)
	p.add_argument("--companies", type=int, default=2000)
	p.add_argument("--top", type=int, default=10)
	p.add_argument(
		"--store", metavar="PATH", help="SQLite file to use (default: a temp dir, removed afterwards)"
	)
	p.add_argument(
		"--threshold", type=float, help="SQL threshold for the demo (default: scoring.sql_threshold)"
	)
	p.add_argument("--json", action="store_true")
	p.set_defaults(func=cmd_demo)
	p = sub.add_parser(
		"config", help="print every setting, its env variable, value and meaning (secrets masked)"
	)
	p.add_argument("--example", action="store_true", help="print the example config file")
	p.set_defaults(func=cmd_config)
	if (
		importlib.util.find_spec("sidecar.cx") is not None
		and importlib.util.find_spec("sidecar.cx.cli") is not None
	):
		from sidecar.cx import cli as cx_cli

		cx_cli.register(sub)
	return parser


def main(argv: list[str] | None = None) -> int:
	parser = build_parser()
	args = parser.parse_args(argv)
	if args.command is None:
		parser.print_help()
		return EXIT_USAGE
	logging.basicConfig(
		level=logging.INFO if args.verbose else logging.WARNING,
		format="%(asctime)s %(levelname)s %(name)s: %(message)s",
	)
	try:
		if args.command == "demo" and not args.config:
			cfg = load_config(
				path=None, env={k: v for k, v in os.environ.items() if k.startswith("REVOPS_SCORING_")}
			)
		else:
			cfg = load_config(args.config)
	except ConfigError as exc:
		print(f"revops-sidecar: configuration error: {exc}", file=sys.stderr)
		return EXIT_USAGE
	try:
		return int(args.func(args, cfg) or 0)
	except ConfigError as exc:
		print(f"revops-sidecar: configuration error: {exc}", file=sys.stderr)
		return EXIT_USAGE
	except KeyboardInterrupt:
		return 130
	except BrokenPipeError:  # output piped into `head`: not an error
		os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
		return EXIT_OK
	except Exception as exc:  # a failed pass: one clear line (details with -v), non-zero exit, state kept
		log.info("command failed", exc_info=True)
		print(f"revops-sidecar: {args.command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
		return EXIT_ERROR


if __name__ == "__main__":
	sys.exit(main())
