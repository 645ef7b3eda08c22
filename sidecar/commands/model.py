"""`revops-sidecar outcomes` and `revops-sidecar model fit | compare | promote | rollback | history`.

The live model is `[scoring] model_file` (or the bundled default); a fitted candidate is written next to it
(or to --output) and recorded in the store as a candidate; `promote` makes it live, `rollback` undoes the
last promote (or rollback). See sidecar/scoring/learning/README.md for the loop and its guards.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sidecar.commands.runtime import EXIT_ERROR, EXIT_OK, EXIT_USAGE, _store
from sidecar.config import Config


def register(sub: Any) -> None:
	p = sub.add_parser("outcomes", help="read deals and lifecycle stage dates from HubSpot into the store")
	p.add_argument("--json", action="store_true")
	p.set_defaults(func=cmd_outcomes)
	model = sub.add_parser(
		"model", help="learn the model's weights from outcomes: fit, compare, promote, rollback"
	)
	msub = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
	p = msub.add_parser(
		"fit", help="fit per-signal weights on older leads, validate on newer; write a candidate"
	)
	p.add_argument(
		"--output", metavar="PATH", help="candidate file (default: model-candidate.toml by the live one)"
	)
	p.add_argument("--json", action="store_true")
	p.set_defaults(func=cmd_model_fit)
	p = msub.add_parser("compare", help="live model vs a candidate on the held-out period")
	p.add_argument("candidate", help="candidate model file")
	p.add_argument("--json", action="store_true")
	p.set_defaults(func=cmd_model_compare)
	p = msub.add_parser("promote", help="make a candidate the live model (versioned, with its provenance)")
	p.add_argument("candidate", help="candidate model file")
	p.set_defaults(func=cmd_model_promote)
	p = msub.add_parser("rollback", help="put back the model that was live before the current one")
	p.set_defaults(func=cmd_model_rollback)
	p = msub.add_parser("history", help="every recorded model version, live first")
	p.add_argument("--json", action="store_true")
	p.set_defaults(func=cmd_model_history)


def cmd_outcomes(args: argparse.Namespace, cfg: Config) -> int:
	from sidecar.hubspot import HubSpotClient
	from sidecar.scoring.learning.outcomes import sync_outcomes

	cfg.require("hubspot.token")
	store = _store(cfg)
	day = datetime.now(timezone.utc).date().isoformat()
	client = HubSpotClient.from_config(cfg, used_today=store.usage(day))
	try:
		stats = sync_outcomes(client, store, overlap_seconds=cfg.get("learning.overlap_seconds"))
	finally:
		store.add_usage(day, sum(client.calls.values()))
	if args.json:
		print(json.dumps(stats))
	else:
		print(
			f"outcomes: {stats['deals']} deals read ({stats['won']} won), "
			f"{stats['lifecycle_changes']} lifecycle stage dates"
		)
	return EXIT_OK


def _settings(cfg: Config) -> Any:
	from sidecar.scoring.learning.fit import FitSettings

	return FitSettings(**{k: cfg.get(f"learning.{k}") for k in FitSettings.__dataclass_fields__})


def live_model(cfg: Config) -> tuple[Path, str]:
	from sidecar.scoring.model import DEFAULT_MODEL_FILE

	configured = cfg.get("scoring.model_file")
	path = Path(configured).expanduser() if configured else DEFAULT_MODEL_FILE
	return path, path.read_text(encoding="utf-8")


def scales(store: Any, *texts: str) -> dict[str, tuple[str, dict[str, float]]]:
	"""version -> (root version, cumulative multipliers) of every known model (store + the given files)."""
	from sidecar.scoring.learning.modelfile import model_version, read_provenance

	out = {}
	known = [(v["version"], v["provenance"]) for v in store.model_versions()]
	known += [(model_version(t), read_provenance(t)) for t in texts]
	for version, prov in known:
		out[version] = (prov.get("root_version") or version, prov.get("scale") or {})
	return out


def _bounds(model: Any) -> dict[str, tuple[float, float]]:
	c = model.config
	return {tier: (float(c.tier_min[tier]), float(c.tier_max[tier])) for tier in c.tier_min}


def _prepare(cfg: Config, store: Any) -> tuple[Any, str, str, Any]:
	from sidecar.scoring.learning.examples import build_examples
	from sidecar.scoring.learning.modelfile import model_version
	from sidecar.scoring.model import ScoringModel

	path, text = live_model(cfg)
	version = model_version(text)
	s = _settings(cfg)
	now = datetime.now(timezone.utc).replace(tzinfo=None)
	data = build_examples(store, now, s.horizon_days, version, scales(store, text))
	return ScoringModel.from_file(path), text, version, data


def cmd_model_fit(args: argparse.Namespace, cfg: Config) -> int:
	from sidecar.scoring.learning.fit import NotEnoughData, provenance, run_fit
	from sidecar.scoring.learning.modelfile import model_version, read_provenance, scale_model, write_model
	from sidecar.scoring.model import ScoringModel

	store = _store(cfg)
	model, text, version, data = _prepare(cfg, store)
	s = _settings(cfg)
	try:
		result = run_fit(data, _bounds(model), list(model.config.bands), s)
	except NotEnoughData as exc:
		print(f"revops-sidecar: model fit: {exc}")
		return EXIT_ERROR
	now = datetime.now(timezone.utc).replace(tzinfo=None)
	prov = provenance(result, version, read_provenance(text), s, now)
	candidate = scale_model(text, result.multipliers, result.tier_bounds, prov)
	live_path, _ = live_model(cfg)
	out = Path(args.output).expanduser() if args.output else _default_candidate(cfg, live_path)
	write_model(out, candidate, ScoringModel.from_file)
	store.add_model_version(model_version(candidate), candidate, prov)
	summary = {
		"file": str(out),
		"version": model_version(candidate),
		**result.metrics,
		"provenance": prov,
	}
	if args.json:
		print(json.dumps(summary, indent=2, default=str))
	else:
		print(format_fit(summary))
	return EXIT_OK


def _default_candidate(cfg: Config, live_path: Path) -> Path:
	from sidecar.scoring.model import DEFAULT_MODEL_FILE

	folder = (
		Path(cfg.get("store.path")).expanduser().parent
		if live_path == DEFAULT_MODEL_FILE
		else live_path.parent
	)
	folder.mkdir(parents=True, exist_ok=True)
	return folder / "model-candidate.toml"


def format_fit(summary: dict[str, Any]) -> str:
	prov = summary["provenance"]
	lines = [
		f"Fitted {summary['file']} (version {summary['version']}) from model {prov['base_version']}:",
		f"  trained on {prov['train_leads']} leads ({prov['train_conversions']} conversions) entering "
		f"{prov['train_from']} .. {prov['cutoff']}; validated on {prov['held_out_leads']} newer leads "
		f"({prov['held_out_conversions']} conversions) up to {prov['held_out_to']}",
		"  per-signal multipliers (x the live model's points):",
	]
	for signal, m in sorted(prov["multipliers"].items(), key=lambda kv: -kv[1]):
		lines.append(f"    {signal:20} x{m:.2f}")
	lines.append(format_metrics(summary["live"], summary["candidate"]))
	lines.append(
		"Review it with `revops-sidecar model compare <file>`, make it live with `model promote <file>`."
	)
	return "\n".join(lines)


def format_metrics(live: dict[str, Any], candidate: dict[str, Any]) -> str:
	def show(v: Any, fmt: str = "{:.3f}") -> str:
		return "-" if v is None else fmt.format(v)

	lines = [f"  held-out {'':16} {'live':>10} {'candidate':>10}"]
	for key, label in (
		("auc", "AUC"),
		("top_decile_lift", "top-decile lift"),
		("brier", "Brier (lower=better)"),
	):
		lines.append(f"  {label:25} {show(live[key]):>10} {show(candidate[key]):>10}")
	lines.append("  band      live: leads conv  rate   won value | candidate: leads conv  rate   won value")
	for a, b in zip(live["bands"], candidate["bands"], strict=False):
		lines.append(
			f"  {a['band']:8} {a['leads']:>11} {a['converted']:>4} {show(a['conversion_rate'], '{:.1%}'):>6} "
			f"{a['won_value']:>11,.0f} | {b['leads']:>16} {b['converted']:>4} "
			f"{show(b['conversion_rate'], '{:.1%}'):>6} {b['won_value']:>11,.0f}"
		)
	return "\n".join(lines)


def cmd_model_compare(args: argparse.Namespace, cfg: Config) -> int:
	from sidecar.scoring.learning.examples import time_split
	from sidecar.scoring.learning.fit import compare_on
	from sidecar.scoring.learning.modelfile import model_version
	from sidecar.scoring.model import ScoringModel

	store = _store(cfg)
	live, text, version, data = _prepare(cfg, store)
	cand_path = Path(args.candidate).expanduser()
	cand_text = cand_path.read_text(encoding="utf-8")
	candidate = ScoringModel.from_file(cand_path)
	known = scales(store, text, cand_text)
	live_root, live_scale = known[version]
	cand_root, cand_scale = known[model_version(cand_text)]
	if cand_root != live_root:
		print(
			f"revops-sidecar: model compare: {cand_path} does not descend from the live model's line "
			f"(root {cand_root} vs {live_root}); compare scores history as per-signal multiples of one model, "
			"so fit the candidate from the live model (`model fit`) or promote it without a comparison."
		)
		return EXIT_USAGE
	multipliers = {sig: m / live_scale.get(sig, 1.0) for sig, m in cand_scale.items()}
	s = _settings(cfg)
	train, held, cutoff = time_split(data.examples, s.holdout_share, s.horizon_days)
	if not held or not train:
		print(
			"revops-sidecar: model compare: no labelled leads to compare on yet (run `outcomes`, wait for the horizon)"
		)
		return EXIT_ERROR
	metrics = compare_on(
		train, held, {}, _bounds(live), multipliers, _bounds(candidate), list(live.config.bands)
	)
	if args.json:
		print(json.dumps({"cutoff": cutoff.isoformat(), **metrics}, indent=2, default=str))
	else:
		print(
			f"Live {version} vs candidate {model_version(cand_text)} on leads entering from {cutoff:%Y-%m-%d}:"
		)
		print(format_metrics(metrics["live"], metrics["candidate"]))
	return EXIT_OK


def cmd_model_promote(args: argparse.Namespace, cfg: Config) -> int:
	from sidecar.scoring.config import ModelConfigError
	from sidecar.scoring.learning.versions import PromotionError, live_model_path, promote

	try:
		done = promote(
			_store(cfg), Path(args.candidate).expanduser(), live_model_path(cfg.get("scoring.model_file"))
		)
	except (PromotionError, ModelConfigError, OSError) as exc:
		print(f"revops-sidecar: model promote: {exc}")
		return EXIT_USAGE
	print(
		f"model {done['live']} is live at {done['path']} (was {done['previous']}; `model rollback` undoes it)"
	)
	return EXIT_OK


def cmd_model_rollback(args: argparse.Namespace, cfg: Config) -> int:
	from sidecar.scoring.learning.versions import PromotionError, live_model_path, rollback

	try:
		done = rollback(_store(cfg), live_model_path(cfg.get("scoring.model_file")))
	except PromotionError as exc:
		print(f"revops-sidecar: model rollback: {exc}")
		return EXIT_USAGE
	print(f"model {done['live']} is live again at {done['path']} (was {done['previous']})")
	return EXIT_OK


def cmd_model_history(args: argparse.Namespace, cfg: Config) -> int:
	rows = _store(cfg).model_versions()
	rows.sort(key=lambda v: (v["status"] != "live", -(v["id"])))
	if args.json:
		print(
			json.dumps([{k: v for k, v in r.items() if k != "content"} for r in rows], indent=2, default=str)
		)
		return EXIT_OK
	for r in rows:
		origin = r["provenance"].get("fitted_by") or r["provenance"].get("origin", "")
		print(f"{r['version']}  {r['status']:9} created {r['created_at']:%Y-%m-%d %H:%M}  {origin}")
	return EXIT_OK
