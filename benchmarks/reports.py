"""Collections reports benchmark: prints figures, asserts nothing.

Always: times the framework-free metrics (`revops_app.core.collections.metrics`) over synthetic rows
(100,000 invoices by default) - the part of each report that runs in Python after the SQL - beside a bare-loop
floor over the same rows computing the same values (`metrics_floors.py`, checked equal first), and prints
library ms, floor ms and their ratio (goal: within 3x).

With a bench (`--site SITE`, run with the bench's Python from `frappe-bench/sites`): generates N invoices
(10,000 by default) with pay links and receipts in a throwaway company using direct inserts, times each
of the four Script Reports' `execute`, and rolls everything back. Without one it prints
"bench: not measured".

	python benchmarks/reports.py                       # core only
	python benchmarks/reports.py --rows 200000 --repeat 9
	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/reports.py --site revops.test
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import metrics_floors as floors
from floor_timing import compare, pin_one_cpu

from revops_app.core.collections import metrics

MODES = ("Stripe", "Wire Transfer", "Cash", "Cheque")
LINK_STATES = (None, "Not Sent", "Sent", "Viewed", "Payment Failed", "Disputed", "Paid")


def synthetic_invoices(count: int, seed: int = 7) -> list[dict]:
	rng = random.Random(seed)
	start = date(2025, 1, 1)
	rows = []
	for i in range(count):
		posted = start + timedelta(days=rng.randrange(700))
		amount = Decimal(rng.randrange(1_000, 500_000)) / 100
		paid = rng.random() < 0.55
		state = rng.choice(LINK_STATES)
		rows.append(
			{
				"invoice": f"SINV-{i:07d}",
				"customer": f"CUST-{rng.randrange(count // 20 + 1):05d}",
				"amount": amount,
				"outstanding": Decimal(0) if paid else amount,
				"due_date": posted + timedelta(days=30),
				"link_state": state,
				"disputed": 1 if state == "Disputed" else 0,
				"view_count": rng.randrange(4) if state in ("Viewed", "Payment Failed", "Paid") else 0,
				"sent_at": None if state in (None, "Not Sent") else posted,
			}
		)
	return rows


def timed(label: str, func, repeat: int = 3) -> float:
	samples = []
	for _ in range(repeat):
		started = time.perf_counter()
		func()
		samples.append(time.perf_counter() - started)
	best = min(samples)
	print(f"  {label:<52} best {best * 1000:9.1f} ms  median {statistics.median(samples) * 1000:9.1f} ms")
	return best


def bench_core(rows: int, repeat: int) -> None:
	invoices = synthetic_invoices(rows)
	as_of = date(2026, 11, 30)
	limits = metrics.DEFAULT_AGING_LIMITS
	receipts = [
		{"day": inv["due_date"], "mode_of_payment": MODES[i % len(MODES)], "amount": inv["amount"]}
		for i, inv in enumerate(invoices)
		if inv["outstanding"] == 0
	]
	ledger = {}
	for receipt in receipts:
		ledger[receipt["day"]] = ledger.get(receipt["day"], Decimal(0)) + receipt["amount"]
	ledger_rows = [{"day": day, "net": net} for day, net in ledger.items()]
	months = metrics.month_sequence(2026, 11, 36)
	sales = [{"year": y, "month": m, "amount": Decimal(100_000 + 1_000 * m)} for y, m in months]
	moves = [{"year": y, "month": m, "net": Decimal(500 * (m % 5) - 900)} for y, m in months]
	first, last = date(2025, 1, 31), date(2026, 12, 31)

	print(f"core metrics over {rows:,} synthetic invoices ({len(receipts):,} receipts), {pin_one_cpu()}")
	print(
		f"  best of {repeat} interleaved runs each; floor = bare loop over the same rows, same values (checked)"
	)
	compare(
		"aging_summary",
		lambda: metrics.aging_summary(invoices, as_of),
		lambda: floors.aging_summary_floor(invoices, as_of, limits),
		floors.same_aging_summary,
		repeat,
		rows,
	)
	compare(
		"aging report rows: bucket + pay-link status",
		lambda: aging_rows(invoices, as_of),
		lambda: floors.aging_rows_floor(invoices, as_of, limits),
		lambda a, b: a == b,
		repeat,
		rows,
	)
	compare(
		"collection_funnel (counts, amounts, stuck)",
		lambda: metrics.collection_funnel(invoices),
		lambda: floors.funnel_floor(invoices),
		floors.same_funnel,
		repeat,
		rows,
	)
	compare(
		f"daily_cash_position, 700 days, {len(receipts):,} receipts",
		lambda: metrics.daily_cash_position(first, last, Decimal(0), receipts, ledger_rows),
		lambda: floors.cash_floor(first, last, Decimal(0), receipts, ledger_rows),
		floors.same_cash,
		repeat,
		len(receipts),
	)
	compare(
		f"DSO rows -> standard + countback, 36 months x {DSO_CALLS}",
		lambda: [dso_both(months, moves, sales) for _ in range(DSO_CALLS)][-1],
		lambda: [floors.dso_floor(months, Decimal(250_000), moves, sales) for _ in range(DSO_CALLS)][-1],
		floors.same_dso,
		repeat,
	)


DSO_CALLS = 1_000


def dso_both(months: list[tuple[int, int]], moves: list[dict], sales: list[dict]) -> tuple:
	figures = metrics.month_figures(months, Decimal(250_000), moves, sales)
	return metrics.dso_standard(figures), metrics.dso_countback(figures)


def aging_rows(invoices: list[dict], as_of: date) -> list[tuple[str, str]]:
	"""What the aging report computes per row through the public API (bucket, pay-link status)."""
	return [
		(
			metrics.aging_bucket(metrics.days_overdue(inv["due_date"], as_of)),
			metrics.pay_link_status(inv["link_state"], inv["disputed"], inv["view_count"], inv["sent_at"]),
		)
		for inv in invoices
	]


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--rows", type=int, default=100_000, help="synthetic invoices for the core timing")
	parser.add_argument(
		"--site", help="a Frappe site to time the Script Reports on (run from frappe-bench/sites)"
	)
	parser.add_argument("--invoices", type=int, default=10_000, help="invoices generated on the site")
	parser.add_argument("--repeat", type=int, default=7, help="interleaved runs of library and floor")
	args = parser.parse_args()

	bench_core(args.rows, args.repeat)
	if args.site:
		from reports_site import bench_site

		bench_site(args.site, args.invoices)
	else:
		print("bench: not measured (no --site given; needs a Frappe/ERPNext v15 site)")


if __name__ == "__main__":
	main()
