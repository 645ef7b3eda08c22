"""CX subcommands of `revops-sidecar` (registered by sidecar.cli through `register(subparsers)`).

- `cx-serve`: the signed webhook receiver (see sidecar.cx.webhook) on cx.listen_host:cx.listen_port.
- `cx-sync`: one pass: pull HubSpot feedback submissions (when cx.hubspot_feedback), deliver the outbox to
  ERPNext, push CX segment / churn risk back to HubSpot (when cx.push_to_hubspot), print counts. Safe to run while cx-serve runs, and twice at once (delivery is idempotent).
- `cx-import-csv PATH`: validate a CSV and store its responses (all or nothing unless --skip-invalid).
- `cx-status`: outbox counts plus the responses that need a look (unmatched, error).
Each handler is `fn(args, cfg) -> exit code`; cfg is sidecar.config.Config.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from sidecar.cx.store import CxStore

log = logging.getLogger(__name__)
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _cx_store(cfg: Any) -> CxStore:
	from sidecar.store import open_store

	return CxStore(open_store(cfg.store_url()).engine)


def _setting(cfg: Any, name: str, default: Any) -> Any:
	value = getattr(getattr(cfg, "cx", None), name, None)
	return default if value is None else value


def cmd_serve(args: argparse.Namespace, cfg: Any) -> int:
	from sidecar.cx.webhook import WebhookSecrets, make_app, make_server

	secrets = WebhookSecrets.from_config(cfg.cx)
	if not secrets.generic and not secrets.typeform:
		print(
			"cx-serve: set REVOPS_CX_WEBHOOK_SECRET and/or REVOPS_CX_TYPEFORM_SECRET; "
			"unsigned survey webhooks are never accepted",
			file=sys.stderr,
		)
		return EXIT_USAGE
	host = args.host or _setting(cfg, "listen_host", "127.0.0.1")
	port = args.port if args.port is not None else int(_setting(cfg, "listen_port", 8088))
	store = _cx_store(cfg)
	httpd = make_server(make_app(store, secrets), host, port)
	routes = [
		r for r, s in (("/webhooks/survey", secrets.generic), ("/webhooks/typeform", secrets.typeform)) if s
	]
	print(f"cx-serve: listening on http://{host}:{httpd.server_port} ({', '.join(routes)})", flush=True)
	try:
		httpd.serve_forever()
	except KeyboardInterrupt:
		pass
	finally:
		httpd.server_close()
	return EXIT_OK


def cmd_sync(args: argparse.Namespace, cfg: Any) -> int:
	from sidecar.cx.delivery import DeliveryBlocked, deliver
	from sidecar.erp import ErpClient, ErpError

	store = _cx_store(cfg)
	summary: dict[str, Any] = {}
	if args.retry_errors or args.retry_unmatched:
		statuses = ("error",) * bool(args.retry_errors) + ("unmatched",) * bool(args.retry_unmatched)
		summary["requeued"] = store.retry_now(statuses)
	pull = args.hubspot if args.hubspot is not None else bool(_setting(cfg, "hubspot_feedback", False))
	if pull:
		from sidecar.cx.hubspot_feedback import HubSpotFeedbackSource
		from sidecar.hubspot import HubSpotClient

		cfg.require("hubspot.token")
		hubspot = HubSpotClient.from_config(cfg, store=store)
		try:
			summary["hubspot"] = HubSpotFeedbackSource.from_config(cfg, hubspot).pull(store)
		except Exception as exc:  # the outbox still gets delivered; the error is reported
			summary["hubspot_error"] = f"{type(exc).__name__}: {exc}"
	if not args.no_deliver:
		cfg.require("erp.base_url", "erp.api_key", "erp.api_secret")
		client = ErpClient.from_config(cfg.erp)
		try:
			report = deliver(store, client, int(_setting(cfg, "batch_size", 200)))
			summary["delivery"] = report.as_dict()
		except DeliveryBlocked as exc:
			summary["delivery_error"] = str(exc)
		except ErpError as exc:
			summary["delivery_error"] = str(exc)
	push = args.push if args.push is not None else bool(_setting(cfg, "push_to_hubspot", False))
	if push:
		from sidecar.cx.pushback import push_cx_state
		from sidecar.hubspot import HubSpotClient

		cfg.require("hubspot.token", "erp.base_url", "erp.api_key", "erp.api_secret")
		try:
			summary["pushback"] = push_cx_state(
				ErpClient.from_config(cfg.erp),
				HubSpotClient.from_config(cfg, store=store),
				store,
				prefix=cfg.get("hubspot.property_prefix"),
			)
		except Exception as exc:  # reported, retried next run (the cursor did not move)
			summary["pushback_error"] = f"{type(exc).__name__}: {exc}"
	summary["outbox"] = store.counts()
	print(json.dumps(summary, sort_keys=True) if args.json else _line(summary))
	return EXIT_ERROR if any(k.endswith("_error") for k in summary) else EXIT_OK


def cmd_import_csv(args: argparse.Namespace, cfg: Any) -> int:
	from sidecar.cx.csv_import import import_csv

	store = _cx_store(cfg)
	try:
		report = import_csv(args.path, store, source=args.source, skip_invalid=args.skip_invalid)
	except OSError as exc:
		print(f"cx-import-csv: cannot read {args.path}: {exc}", file=sys.stderr)
		return EXIT_USAGE
	for line, problem in report.errors:
		where = f"line {line}" if line else "file"
		print(f"{args.path}: {where}: {problem}", file=sys.stderr)
	if report.errors and not report.stored:
		print(
			f"cx-import-csv: nothing stored ({len(report.errors)} problems; fix them or use --skip-invalid)"
		)
		return EXIT_ERROR
	print(
		f"cx-import-csv: {report.rows} rows, {report.added} stored, {report.duplicates} already stored, "
		f"{len(report.errors)} problems"
	)
	return EXIT_ERROR if report.errors else EXIT_OK


def cmd_status(args: argparse.Namespace, cfg: Any) -> int:
	store = _cx_store(cfg)
	counts = store.counts()
	attention = [
		{
			"source": r.source,
			"external_id": r.external_id,
			"status": r.status,
			"attempts": r.attempts,
			"message": r.last_error,
			"erp_name": r.erp_name,
		}
		for status in ("error", "unmatched")
		for r in store.rows(status, limit=args.limit)
	]
	if args.json:
		print(json.dumps({"outbox": counts, "attention": attention}, sort_keys=True))
		return EXIT_OK
	print("CX outbox: " + (", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "empty"))
	for item in attention:
		print(
			f"  {item['status']:<9} {item['source']}/{item['external_id']} attempts={item['attempts']}"
			f" {item['erp_name'] or ''} {item['message'] or ''}".rstrip()
		)
	return EXIT_OK


def _line(summary: dict[str, Any]) -> str:
	parts = []
	for key, value in summary.items():
		if isinstance(value, dict):
			parts.append(f"{key}: " + " ".join(f"{k}={v}" for k, v in sorted(value.items())))
		else:
			parts.append(f"{key}: {value}")
	return "cx-sync: " + "; ".join(parts)


def register(subparsers: Any) -> None:
	serve = subparsers.add_parser("cx-serve", help="receive signed survey webhooks into the CX outbox")
	serve.add_argument("--host", default=None, help="bind address (default cx.listen_host)")
	serve.add_argument(
		"--port", type=int, default=None, help="port (default cx.listen_port; 0 = any free port)"
	)
	serve.set_defaults(func=cmd_serve)

	sync = subparsers.add_parser("cx-sync", help="pull survey sources and deliver responses to ERPNext")
	sync.add_argument(
		"--hubspot", dest="hubspot", action="store_true", default=None, help="pull HubSpot feedback"
	)
	sync.add_argument("--no-hubspot", dest="hubspot", action="store_false", help="skip HubSpot feedback")
	sync.add_argument("--no-deliver", action="store_true", help="only pull sources, do not call ERPNext")
	sync.add_argument(
		"--push", dest="push", action="store_true", default=None, help="push CX segment/churn risk to HubSpot"
	)
	sync.add_argument("--no-push", dest="push", action="store_false", help="do not push CX state to HubSpot")
	sync.add_argument(
		"--retry-errors", action="store_true", help="retry errored responses now (skip backoff)"
	)
	sync.add_argument(
		"--retry-unmatched",
		action="store_true",
		help="send unmatched responses again (after fixing contacts)",
	)
	sync.add_argument("--json", action="store_true", help="print the summary as JSON")
	sync.set_defaults(func=cmd_sync)

	csv_cmd = subparsers.add_parser("cx-import-csv", help="import survey responses from a CSV file")
	csv_cmd.add_argument("path")
	csv_cmd.add_argument("--source", default=None, help="source for rows without a source column")
	csv_cmd.add_argument(
		"--skip-invalid", action="store_true", help="store valid rows even if some are invalid"
	)
	csv_cmd.set_defaults(func=cmd_import_csv)

	status = subparsers.add_parser("cx-status", help="CX outbox counts and responses needing attention")
	status.add_argument("--limit", type=int, default=20)
	status.add_argument("--json", action="store_true")
	status.set_defaults(func=cmd_status)
