"""`model fit` at scale: building the labelled examples from the store and fitting, for 100,000 leads.

Usage (from the repository root, after `make test` created .venv):

    .venv/bin/python benchmarks/model_fit.py                    # 100,000 leads, SQLite file store
    .venv/bin/python benchmarks/model_fit.py --leads 300000 --store postgresql://postgres@127.0.0.1/test

What is measured: the demo dataset is scored once with the default model; its leads' contributions are
resampled (seeded) to --leads leads with entry dates over 15 months, outcomes drawn from the demo's hidden
rule (sidecar/demo/outcomes.py), written as score history and deals. Then, timed separately: reading the
store into labelled examples (`build_examples`), the fit (`run_fit`: time split, scikit-learn logistic
regression, tier bounds, both models' held-out metrics) and writing the model file. Memory: peak Python
allocations during the fit (tracemalloc, numpy's buffers included) and the process's peak RSS.
Floor: a refit is a weekly/monthly batch job; it must take well under a minute and under 1 GB for 100,000
leads on one core (printed as ratios to that floor: below 1.0 is inside it).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from sidecar.demo.dataset import generate
from sidecar.demo.outcomes import ENTRY_SPAN_DAYS, hidden_probability
from sidecar.scoring import build_signals
from sidecar.scoring.learning.examples import build_examples
from sidecar.scoring.learning.fit import FitSettings, run_fit
from sidecar.scoring.learning.modelfile import scale_model
from sidecar.scoring.model import DEFAULT_MODEL_FILE, ScoringModel
from sidecar.store import open_store

FLOOR_SECONDS = 60.0
FLOOR_MB = 1024.0


def populate(store, leads: int, seed: int) -> None:
	dataset = generate()
	model = ScoringModel.from_file(DEFAULT_MODEL_FILE)
	scored = []
	for contact, company, erp in dataset.scoring_inputs():
		result = model.score(build_signals(contact, company, erp, dataset.as_of), dataset.as_of)
		scored.append((result, {c.signal: c.points for c in result.contributions}, erp))
	rng = random.Random(seed)
	as_of = dataset.as_of.replace(tzinfo=None)
	history, deals = [], []
	for i in range(leads):
		result, contributions, erp = scored[rng.randrange(len(scored))]
		entered = as_of - timedelta(days=rng.uniform(0, ENTRY_SPAN_DAYS))
		contact_id = str(10_000_000 + i)
		history.append(
			{
				"contact_id": contact_id,
				"company_id": None,
				"erp_customer": erp["customer"] if erp else None,
				"scored_at": entered,
				"total": float(result.total),
				"fit": 0.0,
				"behaviour": 0.0,
				"erp": 0.0,
				"contributions": json.dumps(contributions),
				"model_version": model.version,
			}
		)
		if rng.random() < hidden_probability(contributions):
			closes = entered + timedelta(days=rng.uniform(5, 80))
			deals.append(
				{
					"deal_id": str(20_000_000 + i),
					"amount": round(rng.lognormvariate(math.log(8000), 0.5), 2),
					"close_date": closes,
					"created_at": entered,
					"is_closed": True,
					"is_won": True,
					"modified_at": closes,
					"contacts": [contact_id],
					"companies": [],
				}
			)
		if len(history) >= 10_000:
			store.add_score_history(history)
			history = []
	if history:
		store.add_score_history(history)
	for start in range(0, len(deals), 5_000):
		store.upsert_deals(deals[start : start + 5_000])
	return model, as_of


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--leads", type=int, default=100_000)
	parser.add_argument("--seed", type=int, default=3)
	parser.add_argument("--store", help="SQLAlchemy URL (default: a SQLite file in a temp dir)")
	args = parser.parse_args()
	with tempfile.TemporaryDirectory() as tmp:
		store = open_store(args.store or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
		t0 = time.perf_counter()
		model, as_of = populate(store, args.leads, args.seed)
		t_populate = time.perf_counter() - t0
		t0 = time.perf_counter()
		data = build_examples(store, as_of, 90, model.version)
		t_examples = time.perf_counter() - t0
		tracemalloc.start()
		t0 = time.perf_counter()
		c = model.config
		bounds = {tier: (c.tier_min[tier], c.tier_max[tier]) for tier in c.tier_min}
		result = run_fit(data, bounds, list(c.bands), FitSettings())
		t_fit = time.perf_counter() - t0
		_, peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
		t0 = time.perf_counter()
		scale_model(DEFAULT_MODEL_FILE.read_text(), result.multipliers, result.tier_bounds, {"bench": True})
		t_write = time.perf_counter() - t0
		store.close()
	rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
	total = t_examples + t_fit + t_write
	print(f"python {platform.python_version()} on {platform.machine()}, store {args.store or 'sqlite file'}")
	print(
		f"leads {args.leads:,}: labelled {len(data.examples):,} (train {len(result.train):,}, held-out {len(result.held_out):,}); "
		f"store populated in {t_populate:.1f} s (untimed setup)"
	)
	print(
		f"build_examples {t_examples:.2f} s | run_fit {t_fit:.2f} s | model file {t_write:.3f} s | total {total:.2f} s "
		f"(ratio to the {FLOOR_SECONDS:.0f} s floor: {total / FLOOR_SECONDS:.3f})"
	)
	print(
		f"fit peak Python allocations {peak / 2**20:.1f} MB; process peak RSS {rss_mb:.0f} MB "
		f"(ratio to the {FLOOR_MB:.0f} MB floor: {rss_mb / FLOOR_MB:.3f})"
	)
	print(f"held-out AUC live {result.metrics['live']['auc']} -> fitted {result.metrics['candidate']['auc']}")


if __name__ == "__main__":
	main()
