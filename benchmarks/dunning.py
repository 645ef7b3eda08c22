"""Dunning benchmark: prints figures, asserts nothing.

Always: the framework-free engine (`revops_app.core.collections.dunning.decide` + `group_messages`) on
100,000 generated invoices (by default) for one run date, pinned to one CPU where the OS allows, beside a
bare-loop floor applying the same rules to the same facts (`dunning_floor.py`, checked equal first): library
ms, floor ms, ratio. Goals: 100,000 invoices decided in under 2 s on one core, within 3x of the floor.

With a bench (`--site SITE`, run with the bench's Python from `frappe-bench/sites`): generates N open
invoices (10,000 by default) with pay links for a handful of throwaway customers by direct inserts, times
the daily job (`revops_app.revenue_collections.dunning.run.run_dunning`: one fact query, engine, log rows, consolidated
emails) under an emails-only policy, the same run again (sends nothing), the preview, and a sample of
ERPNext Dunning escalations apart (ERPNext's own document cost), then rolls everything back. Without one it prints "bench: not measured".

	python benchmarks/dunning.py
	python benchmarks/dunning.py --invoices 200000 --repeats 3
	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/dunning.py --site dunning.test
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dunning_floor as bare
from floor_timing import best_of, compare, pin_one_cpu

from revops_app.core.collections import dunning as d

RUN_DATE = date(2026, 11, 30)
C = d.Condition


def policy() -> d.Policy:
	return d.Policy(
		"Bench",
		(
			d.Step("Heads-up", -3, template="T"),
			d.Step("Reminder 1", 1, frozenset({C.OVERDUE}), template="T"),
			d.Step("Unseen", 7, frozenset({C.OVERDUE, C.NEVER_VIEWED}), template="T"),
			d.Step("Viewed", 7, frozenset({C.OVERDUE, C.VIEWED_UNPAID}), template="T"),
			d.Step("Card failed", 10, frozenset({C.PAYMENT_FAILED}), template="T"),
			d.Step("Partial", 14, frozenset({C.OVERDUE, C.PARTIALLY_PAID}), template="T"),
			d.Step("Final", 30, frozenset({C.OVERDUE}), template="T", escalation=d.Escalation.DUNNING),
		),
	)


def generate(count: int, seed: int = 7) -> tuple[list[d.InvoiceFacts], dict[str, d.CustomerState]]:
	rng = random.Random(seed)
	steps = [s.name for s in policy().ordered]
	customers = {
		f"CUST-{i:05d}": d.CustomerState(
			policy="Bench",
			paused_until=RUN_DATE + timedelta(days=3) if i % 50 == 0 else None,
			opted_out=i % 97 == 0,
		)
		for i in range(count // 20 + 1)
	}
	names = list(customers)
	invoices = []
	for i in range(count):
		total = rng.randrange(1_000, 500_000) / 100
		outstanding = total if rng.random() < 0.8 else round(total * rng.random(), 2)
		logged = tuple(
			d.LoggedStep("Bench", step, d.Outcome.SENT) for step in steps[: rng.randrange(len(steps) + 1)]
		)
		invoices.append(
			d.InvoiceFacts(
				invoice=f"SINV-{i:07d}",
				customer=rng.choice(names),
				due_date=RUN_DATE - timedelta(days=rng.randrange(-10, 90)),
				outstanding=outstanding,
				grand_total=total,
				currency="USD",
				disputed=rng.random() < 0.01,
				link_viewed=rng.random() < 0.4,
				last_payment_failed=rng.random() < 0.05,
				logged=logged,
			)
		)
	return invoices, customers


def bench_engine(count: int, repeats: int) -> None:
	print(f"python {platform.python_version()} on {platform.machine()}, {pin_one_cpu()}")
	invoices, customers = generate(count)
	policies = {"Bench": policy()}
	args = (invoices, customers, policies, RUN_DATE, "Bench")
	print(
		f"engine: {count:,} invoices, {len(customers):,} customers, policy of {len(policies['Bench'].steps)} steps"
	)
	print(f"  best of {repeats} interleaved runs each; floor = bare loop, same rules and values (checked)")
	compare(
		"decide + group_messages",
		lambda: bare.engine(*args),
		lambda: bare.floor(*args),
		bare.same,
		repeats,
		count,
	)
	decisions = d.decide(*args)
	messages = d.group_messages(decisions)
	decide_s = best_of(lambda: d.decide(*args), repeats)
	group_s = best_of(lambda: d.group_messages(decisions), repeats)
	print(
		f"  decide alone {decide_s * 1000:8.1f} ms -> {count / decide_s:,.0f} decisions/s"
		f" ({decide_s / count * 1e6:.1f} us/invoice); group_messages alone {group_s * 1000:6.1f} ms"
		f" ({len(messages):,} consolidated messages)"
	)
	print(f"  outcomes: {dict(sorted(d.summarise(decisions).items()))}")


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--invoices", type=int, default=100_000, help="generated invoices for the engine")
	parser.add_argument("--repeats", type=int, default=5)
	parser.add_argument("--site", help="a Frappe site to time the daily job on (run from frappe-bench/sites)")
	parser.add_argument("--site-invoices", type=int, default=10_000, help="invoices generated on the site")
	args = parser.parse_args()

	bench_engine(args.invoices, args.repeats)
	if args.site:
		from dunning_site import bench_site

		bench_site(args.site, args.site_invoices)
	else:
		print("bench: not measured (no --site given; needs a Frappe/ERPNext v15 site)")


if __name__ == "__main__":
	main()
