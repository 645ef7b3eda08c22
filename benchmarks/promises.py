"""Promises and instalments in the dunning plan: prints figures, asserts nothing.

Framework-free only (`revops_app.core.collections.dunning.promises.apply_promises` and
`core.collections.dunning.instalments.decide_invoice`), on generated decisions for one run date:
- apply_promises over N decisions (10 % of the invoices promised, 5 % with a broken promise), beside the
  floor: a bare loop doing the same dictionary lookups per decision and building a plain tuple where a
  decision changes (the rule builds a frozen Decision there); the ratio is printed.
- decide_invoice over N/3 invoices of three instalments each, beside the engine's own `decide` on the same
  expanded facts (the floor: what deciding the instalments costs anyway); the ratio is printed.

	python benchmarks/promises.py
	python benchmarks/promises.py --invoices 300000 --repeats 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from revops_app.core.collections import dunning as d
from revops_app.core.collections import instalments as sched
from revops_app.core.collections.dunning import instalments as per
from revops_app.core.collections.dunning import promises as rule

ON = date(2026, 11, 30)
POLICY = d.Policy(
	"Bench",
	(
		d.Step("Reminder 1", 1, frozenset({d.Condition.OVERDUE}), template="T"),
		d.Step("Promise Broken", 5, frozenset({d.Condition.PAYMENT_FAILED}), template="T"),
		d.Step("Final", 30, frozenset({d.Condition.OVERDUE}), template="T"),
	),
)
POLICIES = {"Bench": POLICY}


def best(fn, repeats: int) -> float:
	times = []
	for _ in range(repeats):
		start = time.perf_counter()
		fn()
		times.append(time.perf_counter() - start)
	return min(times), statistics.median(times)


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--invoices", type=int, default=100_000)
	parser.add_argument("--repeats", type=int, default=3)
	args = parser.parse_args()
	rng = random.Random(16)
	facts = [
		d.InvoiceFacts(
			f"INV-{i:06d}", f"C-{i % 5000:04d}", ON - timedelta(days=rng.randint(-5, 40)), 100.0, 100.0
		)
		for i in range(args.invoices)
	]
	decisions = d.decide(facts, {}, POLICIES, ON, "Bench")
	promised = {f.invoice: ON + timedelta(days=3) for f in facts[::10]}
	broken = {
		f.invoice: rule.BrokenPromise(f"PR-{i}", ON - timedelta(days=1)) for i, f in enumerate(facts[5::20])
	}
	steps = {"Bench": "Promise Broken"}

	def floor() -> None:
		out = []
		append = out.append
		for decision in decisions:
			invoice = decision.invoice
			if invoice in promised:
				append((invoice, decision.customer, "skip", rule.PROMISED, decision.policy))
			elif invoice in broken:
				append((invoice, decision.customer, "send", broken[invoice].promise, decision.policy))
			else:
				append(decision)

	apply_best, apply_median = best(
		lambda: rule.apply_promises(decisions, promised, broken, steps, POLICIES, {}), args.repeats
	)
	floor_best, _ = best(floor, args.repeats)
	print(
		f"apply_promises: {args.invoices:,} decisions in {apply_best * 1000:.1f} ms (median {apply_median * 1000:.1f} ms)"
	)
	print(f"  bare loop (same lookups): {floor_best * 1000:.1f} ms; ratio {apply_best / floor_best:.2f}x")

	count = max(args.invoices // 3, 1)
	expanded = []
	for i in range(count):
		start = ON - timedelta(days=rng.randint(0, 60))
		rows = [sched.ScheduleRow(k, start + timedelta(days=30 * k), 100.0, 0.0, 100.0) for k in range(1, 4)]
		item = d.InvoiceFacts(f"SCH-{i:06d}", f"C-{i % 5000:04d}", rows[-1].due_date, 300.0, 300.0)
		schedule = sched.instalments(rows, 300.0 - 100.0 * (i % 3 == 0))
		expanded.append((item, per.instalment_facts(item, schedule, {})))
	flat = [f for _, items in expanded for _, f in items]

	def fold() -> None:
		for item, items in expanded:
			per.decide_invoice(item, items, {}, POLICIES, ON, "Bench")

	fold_best, fold_median = best(fold, args.repeats)
	engine_best, _ = best(lambda: d.decide(flat, {}, POLICIES, ON, "Bench"), args.repeats)
	print(
		f"decide_invoice: {count:,} invoices x 3 instalments in {fold_best * 1000:.1f} ms (median {fold_median * 1000:.1f} ms)"
	)
	print(
		f"  engine decide on the same {len(flat):,} instalment facts: {engine_best * 1000:.1f} ms; ratio {fold_best / engine_best:.2f}x"
	)


if __name__ == "__main__":
	main()
