"""Lead-scoring throughput on one core: `ScoringModel.score()` and `build_signals()` + `score()`.

Usage (from the repository root, after `make test` created .venv):

    .venv/bin/python benchmarks/scoring.py                     # demo dataset, seed 7, 2,000 companies
    .venv/bin/python benchmarks/scoring.py --companies 10000 --repeats 7
    .venv/bin/python benchmarks/scoring.py --cold               # also: every memo emptied before each pass

What is measured: the demo dataset (`sidecar.demo.dataset.generate`) gives every contact with its
company and ERP record. `build_signals` turns each into LeadSignals; `score` runs the default model
(`default_model.toml`) at the dataset's as_of and builds the full result (tiers, reasons,
contributions, facts). One warm-up pass is excluded; each figure is the best of --repeats passes
(the container is shared, so the best pass is the least disturbed one; the median is printed too).
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


def timed(fn, repeats: int, before=None) -> list[float]:
	fn()  # warm-up, excluded
	seconds = []
	for _ in range(repeats):
		if before is not None:
			before()
		start = time.perf_counter()
		fn()
		seconds.append(time.perf_counter() - start)
	return seconds


def report(label: str, count: int, seconds: list[float]) -> float:
	best = count / min(seconds)
	median = count / statistics.median(seconds)
	print(
		f"{label:<34} {best:>10,.0f} contacts/s best  {median:>10,.0f} median  {1e6 / best:6.1f} us/contact"
	)
	return best


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

	print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, {pinned}")
	print(
		f"dataset: seed {args.seed}, {len(data.hubspot_companies):,} companies, {len(rows):,} contacts "
		f"({with_erp:,} with an ERP record), {len(data.erp_records):,} ERP records; generated in {generated:.2f} s"
	)

	score = model.score

	def score_all() -> None:
		for s in signals:
			score(s, as_of)

	def build_and_score_all() -> None:
		for contact, company, erp in rows:
			score(build_signals(contact, company, erp, as_of), as_of)

	def build_all() -> None:
		for contact, company, erp in rows:
			build_signals(contact, company, erp, as_of)

	best = report("score()", len(signals), timed(score_all, args.repeats))
	report("build_signals() + score()", len(rows), timed(build_and_score_all, args.repeats))
	report("build_signals() alone", len(rows), timed(build_all, args.repeats))
	if args.cold:
		report(
			"score(), memos emptied per pass",
			len(signals),
			timed(score_all, args.repeats, lambda: clear_memos(model)),
		)
	verdict = "meets" if best >= GOAL_CONTACTS_PER_SECOND else "misses"
	print(f"goal >= {GOAL_CONTACTS_PER_SECOND:,} contacts/s for score(): {verdict} ({best:,.0f})")
	return 0


if __name__ == "__main__":
	sys.exit(main())
