"""Console entry point `revops-sidecar`: run, sync, plan, backfill, status, report, demo, config.

Contract: `main(argv) -> exit code`. No command prints help and returns 2. Configuration comes from `--config`
(or REVOPS_CONFIG / the default paths) plus environment overrides; a bad setting exits 2 with the key named.
`run`, `sync` and `backfill` take the store's run lock (a lease) so two instances never run a pass at once;
`plan` and `demo` write nothing to HubSpot or ERPNext. C2's `sidecar.cx.cli.register(subparsers)` adds the
CX commands when that module exists; those commands get `(args, cfg)` like ours. The handlers are in
sidecar/commands/ (passes.py, info.py, demo.py; wiring in runtime.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys

from sidecar import __version__
from sidecar.commands.demo import cmd_demo
from sidecar.commands.info import cmd_config, cmd_report, cmd_status
from sidecar.commands.model import register as register_model_commands

# handlers and helpers keep their old import path (sidecar.cli.X)
from sidecar.commands.passes import cmd_backfill, cmd_plan, cmd_run, cmd_sync, print_plan
from sidecar.commands.runtime import EXIT_ERROR, EXIT_LOCKED, EXIT_OK, EXIT_USAGE, Progress, log
from sidecar.config import ConfigError, load_config


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
	p.add_argument(
		"--format",
		choices=("text", "json", "csv", "html"),
		default="text",
		help="output format (html: charts)",
	)
	p.add_argument("--output", metavar="PATH", help="write the report to a file instead of printing it")
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
	p.add_argument("--no-learning", action="store_true", help="skip the outcomes + `model fit` part")
	p.set_defaults(func=cmd_demo)
	p = sub.add_parser(
		"config", help="print every setting, its env variable, value and meaning (secrets masked)"
	)
	p.add_argument("--example", action="store_true", help="print the example config file")
	p.set_defaults(func=cmd_config)
	register_model_commands(sub)
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
