"""CX throughput: payload check + scoring + rules per response (core), and ingest on a site.

Usage (from the repository root, after `make test` created .venv):

    .venv/bin/python benchmarks/cx.py                      # 50,000 responses through the core
    .venv/bin/python benchmarks/cx.py --responses 200000
    # on a bench, from frappe-bench/sites with the bench's Python:
    ../env/bin/python /path/to/repo/benchmarks/cx.py --site SITE --batches 5

Core: `parse_item` (shape check + normalisation) and `decide` (service recovery / promoter) for a mix
of NPS / CSAT / CES / Custom responses, then `churn_risk` for 10,000 customers with 6 NPS scores each.
Site (`--site`): `ingest_responses` with batches of 200 NPS responses for one matched customer, the
`--scores` cycled (default 0-8: 7 in 9 are detractors, each an Issue + SLA + assignment; promoters are
left out by default because their email needs an outgoing Email Account), timed per batch, rolled back.
"""

import argparse
import platform
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from revops_app.core.cx.health import ChurnConfig, ChurnInputs, churn_risk
from revops_app.core.cx.intake import parse_item
from revops_app.core.cx.rules import CustomerStanding, RuleConfig, decide


def sample_items(count: int, seed: int = 7) -> list[dict]:
	rng = random.Random(seed)
	shapes = [
		("NPS", None, None, lambda: rng.randint(0, 10)),
		("CSAT", 1, 5, lambda: rng.randint(1, 5)),
		("CES", 1, 7, lambda: rng.randint(1, 7)),
		("Custom", 0, 100, lambda: rng.uniform(0, 100)),
	]
	items = []
	for index in range(count):
		metric, low, high, score = shapes[index % len(shapes)]
		item = {
			"source": "bench",
			"external_id": f"r-{index}",
			"metric": metric,
			"score": score(),
			"respondent_email": f"user{index % 500}@client.example",
			"submitted_at": "2026-11-02T09:30:00Z",
			"comment": "fine",
			"raw_payload": {"i": index},
		}
		if low is not None:
			item.update(scale_min=low, scale_max=high)
		items.append(item)
	return items


def bench_core(count: int) -> None:
	items = sample_items(count)
	config = RuleConfig(custom_low_max_score=25)
	standing = CustomerStanding()
	start = time.perf_counter()
	recoveries = 0
	for raw in items:
		parsed = parse_item(raw, "Europe/Berlin")
		recoveries += decide(parsed.scored, config, standing).service_recovery is not None
	elapsed = time.perf_counter() - start
	print(
		f"core parse+score+decide: {count:,} responses in {elapsed:.3f} s = {count / elapsed:,.0f}/s "
		f"({elapsed / count * 1e6:.1f} us each); {recoveries:,} would open an Issue"
	)

	rng = random.Random(3)
	today = date(2026, 11, 30)
	customers = [
		ChurnInputs(
			[rng.randint(0, 10) for _ in range(6)],
			[today + timedelta(days=rng.randint(-30, 400))],
			rng.randint(0, 2),
			rng.randint(0, 1),
		)
		for _ in range(10_000)
	]
	start = time.perf_counter()
	flagged = sum(churn_risk(c, ChurnConfig(), today).at_risk for c in customers)
	elapsed = time.perf_counter() - start
	print(f"core churn_risk: 10,000 customers in {elapsed * 1000:.1f} ms; {flagged:,} flagged")


def bench_site(site: str, batches: int, scores: list[int]) -> None:
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		from revops_app.api.cx import ingest_responses
		from revops_app.customer_experience.install import install_cx

		install_cx()
		frappe.db.set_single_value("RevOps Settings", "cx_enabled", 1)
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": "CX Benchmark " + frappe.generate_hash(length=6),
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}),
			}
		).insert(ignore_permissions=True)
		timings = []
		for batch in range(batches):
			items = [
				dict(
					raw,
					customer=customer.name,
					external_id=f"{batch}-{raw['external_id']}",
					metric="NPS",
					score=scores[i % len(scores)],
					scale_min=None,
					scale_max=None,
				)
				for i, raw in enumerate(sample_items(200, seed=batch))
			]
			start = time.perf_counter()
			results = ingest_responses(items)["results"]
			timings.append(time.perf_counter() - start)
			assert all(r["status"] == "created" for r in results), results[:3]
		issues = frappe.db.count("Issue", {"customer": customer.name})
		best, worst = min(timings), max(timings)
		print(
			f"site ingest: {batches} batches of 200 NPS responses (scores {scores}: "
			f"{sum(score <= 6 for score in scores)} in {len(scores)} open an Issue+SLA+ToDo): "
			f"best {best:.2f} s ({200 / best:,.0f}/s), worst {worst:.2f} s; {issues} Issues raised"
		)
	finally:
		frappe.db.rollback()
		frappe.destroy()


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--responses", type=int, default=50_000)
	parser.add_argument("--site")
	parser.add_argument("--batches", type=int, default=3)
	parser.add_argument(
		"--scores",
		default="0,1,2,3,4,5,6,7,8",
		help="NPS scores cycled through each batch (promoters need mail)",
	)
	args = parser.parse_args()
	print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
	bench_core(args.responses)
	if args.site:
		bench_site(args.site, args.batches, [int(x) for x in args.scores.split(",")])
	else:
		print("site ingest: not measured (no --site)")


if __name__ == "__main__":
	main()
