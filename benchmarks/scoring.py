"""Lead-scoring throughput on one core: `ScoringModel.score()` and `build_signals()` + `score()`.

Usage (from the repository root, after `make test` created .venv):

    .venv/bin/python benchmarks/scoring.py                     # demo dataset, seed 7, 2,000 companies
    .venv/bin/python benchmarks/scoring.py --companies 10000 --repeats 7
    .venv/bin/python benchmarks/scoring.py --cold               # also: every memo emptied before each pass

What is measured: the demo dataset (`sidecar.demo.dataset.generate`) gives every contact with its
company and ERP record. `build_signals` turns each into LeadSignals; `score` runs the default model
(`default_model.toml`) at the dataset's as_of and builds the full result (tiers, reasons,
contributions, facts); score() is timed on LeadSignals built afresh (untimed) for every pass. One
warm-up pass is excluded; each figure is the best of --repeats passes
(the container is shared, so the best pass is the least disturbed one; the median is printed too, and
the rate by process CPU time, which leaves out the time the process waited for the CPU).
The model memoises per-title, per-URL-set and per-firmographics results, as it does in a real sync;
`--cold` also reports passes with those memos emptied first. Goal: >= 50,000 contacts/s for score().
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from sidecar.demo.dataset import generate
from sidecar.scoring import build_signals, load_default_model

GOAL_CONTACTS_PER_SECOND = 50_000


def pin_to_one_core() -> str:
	if hasattr(os, "sched_setaffinity"):
		cpu = min(os.sched_getaffinity(0))
		os.sched_setaffinity(0, {cpu})
		return f"pinned to CPU {cpu}"
	return "not pinned (no sched_setaffinity on this OS)"


def clear_memos(model) -> None:
	model._url_memo.clear()
	model._title_memo.clear()
	model._firmographics_memo.clear()
	model.config.titles._cache.clear()


def timed(fn, repeats: int, before=None) -> list[tuple[float, float]]:
	"""(wall seconds, process CPU seconds) per pass, after one excluded warm-up pass.

	`before()` runs untimed ahead of each pass (including the warm-up); its result is passed to `fn`.
	"""
	fn(before() if before is not None else None)
	seconds = []
	for _ in range(repeats):
		arg = before() if before is not None else None
		wall, cpu = time.perf_counter(), time.process_time()
		fn(arg)
		seconds.append((time.perf_counter() - wall, time.process_time() - cpu))
	return seconds


def load() -> str:
	"""The 1-minute load average: on a shared machine it says how much the wall-clock figures were disturbed."""
	if hasattr(os, "getloadavg"):
		return f"load average {os.getloadavg()[0]:.2f}"
	return "load average unknown"


def report(label: str, count: int, seconds: list[tuple[float, float]]) -> tuple[float, float]:
	walls = [w for w, _ in seconds]
	cpus = [c for _, c in seconds]
	best = count / min(walls)
	median = count / statistics.median(walls)
	best_cpu = count / max(min(cpus), 1e-9)
	print(
		f"{label:<32} {best:>9,.0f}/s best {median:>9,.0f}/s median (wall)  {best_cpu:>9,.0f}/s best (CPU time)"
		f"  {1e6 / best:5.1f} us/contact"
	)
	return best, best_cpu


def main(argv: list[str] | None = None) -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--companies", type=int, default=2000)
	parser.add_argument("--repeats", type=int, default=5)
	parser.add_argument("--cold", action="store_true", help="also time passes with every memo emptied first")
	args = parser.parse_args(argv)

	pinned = pin_to_one_core()
	start = time.perf_counter()
	data = generate(seed=args.seed, companies=args.companies)
	generated = time.perf_counter() - start
	model = load_default_model()
	rows = data.scoring_inputs()
	as_of = data.as_of
	signals = [build_signals(contact, company, erp, as_of) for contact, company, erp in rows]
	with_erp = sum(1 for s in signals if s.has_erp)

	print(
		f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, {pinned}, {load()}"
	)
	print(
		f"dataset: seed {args.seed}, {len(data.hubspot_companies):,} companies, {len(rows):,} contacts "
		f"({with_erp:,} with an ERP record), {len(data.erp_records):,} ERP records; generated in {generated:.2f} s"
	)

	score = model.score

	def fresh_signals() -> list:
		# New LeadSignals objects for every pass, as a sync builds them, so no pass profits from
		# objects (and string hashes) a previous pass already touched. Built outside the timer.
		return [build_signals(contact, company, erp, as_of) for contact, company, erp in rows]

	def fresh_signals_cold_memos() -> list:
		clear_memos(model)
		return fresh_signals()

	def score_all(batch: list) -> None:
		for s in batch:
			score(s, as_of)

	def build_and_score_all(_: None) -> None:
		for contact, company, erp in rows:
			score(build_signals(contact, company, erp, as_of), as_of)

	def build_all(_: None) -> None:
		for contact, company, erp in rows:
			build_signals(contact, company, erp, as_of)

	best = report("score()", len(signals), timed(score_all, args.repeats, fresh_signals))
	report("build_signals() + score()", len(rows), timed(build_and_score_all, args.repeats))
	report("build_signals() alone", len(rows), timed(build_all, args.repeats))
	if args.cold:
		report(
			"score(), memos emptied per pass",
			len(signals),
			timed(score_all, args.repeats, fresh_signals_cold_memos),
		)
	best_wall, best_cpu = best
	verdict = "meets" if best_wall >= GOAL_CONTACTS_PER_SECOND else "misses"
	print(
		f"goal >= {GOAL_CONTACTS_PER_SECOND:,} contacts/s for score(): {verdict} ({best_wall:,.0f}/s wall, "
		f"{best_cpu:,.0f}/s CPU time); {load()} at the end"
	)
	return 0


if __name__ == "__main__":
	sys.exit(main())
