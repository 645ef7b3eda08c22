"""`revops-sidecar demo`: the whole pipeline on the bundled synthetic dataset (dry run, in memory), printed."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sidecar.commands.runtime import EXIT_OK, _model
from sidecar.config import Config


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
	learning = None
	if not getattr(args, "no_learning", False):
		from sidecar.demo.outcomes import learning_demo

		learning = learning_demo(dataset, _model(cfg))
	result.stats["total_seconds"] = round(time.perf_counter() - t0, 2)
	if args.json:
		print(
			json.dumps(
				{
					"stats": result.stats,
					"top": result.top[: args.top],
					"handoffs": result.handoffs,
					"learning": learning,
				},
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
	if learning:
		print_learning(learning)
	return EXIT_OK


def print_learning(learning: dict) -> None:
	o = learning["outcomes"]
	print(
		f"\nLearning from outcomes: {o['leads']} leads with entry dates over 15 months, {o['won']} won deals drawn "
		f"from a hidden rule (strongest: {', '.join(learning['hidden_strongest'])})."
	)
	print(
		f"`model fit` trained on {learning['train_leads']} older leads, validated on {learning['held_out_leads']} "
		f"leads entering from {learning['cutoff']}. Largest multipliers:"
	)
	for signal, m in list(learning["multipliers"].items())[:5]:
		print(f"  {signal:20} x{m:.2f}")
	live, fitted = learning["live"], learning["fitted"]
	print(f"  held-out {'':17} {'default':>8} {'fitted':>8}")
	for key, label in (
		("auc", "AUC"),
		("top_decile_lift", "top-decile lift"),
		("brier", "Brier (lower=better)"),
	):
		print(f"  {label:26} {live[key]:>8.3f} {fitted[key]:>8.3f}")
	for a, b in zip(live["bands"], fitted["bands"], strict=True):
		rate_a = "-" if a["conversion_rate"] is None else f"{a['conversion_rate']:.0%}"
		rate_b = "-" if b["conversion_rate"] is None else f"{b['conversion_rate']:.0%}"
		print(
			f"  {a['band']:6} default {a['leads']:>4} leads {rate_a:>4} converted | fitted {b['leads']:>4} leads {rate_b:>4}"
		)
