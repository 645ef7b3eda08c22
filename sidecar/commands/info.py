"""Read-only commands: `status` (cursors, runs, errors, outbox, lock), `report` (ROI), `config` (every setting)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path

from sidecar.commands.runtime import EXIT_OK, _model, _store
from sidecar.config import EXAMPLE_CONFIG, Config, describe, redact_url


# --- commands ---------------------------------------------------------------------------------------
def cmd_config(args: argparse.Namespace, cfg: Config) -> int:
	if args.example:
		print(EXAMPLE_CONFIG.read_text())
		return EXIT_OK
	print(f"# configuration from {cfg.source}")
	print(describe(cfg))
	return EXIT_OK


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
	from sidecar.report.export import to_csv, to_html

	store = _store(cfg)
	bands = tuple(_model(cfg).config.bands)
	report = build_report(store, threshold=cfg.get("scoring.sql_threshold"), days=args.days, bands=bands)
	fmt = "json" if args.json else getattr(args, "format", "text")
	if fmt == "json":
		out = json.dumps(report, indent=2, default=str)
	elif fmt == "csv":
		out = to_csv(report)
	elif fmt == "html":
		out = to_html(report, format_report(report))
	else:
		out = format_report(report)
	if getattr(args, "output", None):
		Path(args.output).expanduser().write_text(out if out.endswith("\n") else out + "\n", encoding="utf-8")
		print(f"report written to {args.output} ({fmt})")
	else:
		print(out)
	return EXIT_OK
