"""Collections reports benchmark: prints figures, asserts nothing.

Always: times the framework-free metrics (`revops_app.core.collections.metrics`) over synthetic rows
(100,000 invoices by default) - the part of each report that runs in Python after the SQL.

With a bench (`--site SITE`, run with the bench's Python from `frappe-bench/sites`): generates N invoices
(10,000 by default) with pay links and receipts in a throwaway company using direct inserts, times each
of the four Script Reports' `execute`, and rolls everything back. Without one it prints
"bench: not measured".

	python benchmarks/reports.py                       # core only
	python benchmarks/reports.py --rows 200000
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


def bench_core(rows: int) -> None:
	invoices = synthetic_invoices(rows)
	as_of = date(2026, 11, 30)
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

	print(f"core metrics over {rows:,} synthetic invoices ({len(receipts):,} receipts), one core:")
	t = timed("aging: bucket + pay-link status per invoice", lambda: aging_rows(invoices, as_of))
	print(f"  {'':<52} {rows / t:,.0f} invoices/s")
	t = timed("aging_summary", lambda: metrics.aging_summary(invoices, as_of))
	print(f"  {'':<52} {rows / t:,.0f} invoices/s")
	t = timed("collection_funnel (counts, amounts, stuck lists)", lambda: metrics.collection_funnel(invoices))
	print(f"  {'':<52} {rows / t:,.0f} invoices/s")
	timed(
		f"daily_cash_position, 700 days from {len(receipts):,} receipt rows",
		lambda: metrics.daily_cash_position(date(2025, 1, 31), date(2026, 12, 31), 0, receipts, ledger_rows),
	)
	figures = metrics.month_figures(months, Decimal(250_000), moves, sales)
	timed(
		"DSO standard + countback, 36 months",
		lambda: (metrics.dso_standard(figures), metrics.dso_countback(figures)),
	)


def aging_rows(invoices: list[dict], as_of: date) -> None:
	for inv in invoices:
		metrics.aging_bucket(metrics.days_overdue(inv["due_date"], as_of))
		metrics.pay_link_status(inv["link_state"], inv["disputed"], inv["view_count"], inv["sent_at"])


def bench_site(site: str, count: int) -> None:
	import frappe

	frappe.init(site=site)
	frappe.connect()
	try:
		from revops_app.revenue_collections.report.collection_bottlenecks import collection_bottlenecks
		from revops_app.revenue_collections.report.daily_cash_position import daily_cash_position
		from revops_app.revenue_collections.report.dso_trend import dso_trend
		from revops_app.revenue_collections.report.receivables_aging_with_pay_link_status import (
			receivables_aging_with_pay_link_status as aging,
		)

		company = frappe.get_all("Company", pluck="name", limit=1)[0]
		started = time.perf_counter()
		generate(company, count)
		print(
			f"bench {site}: generated {count:,} invoices (+ links, receipts, GL) in {time.perf_counter() - started:.1f} s"
		)
		today = date(2026, 11, 30)
		timed(
			"Daily Cash Position, 90 days",
			lambda: daily_cash_position.execute(
				{"company": company, "from_date": today - timedelta(days=89), "to_date": today}
			),
		)
		timed(
			"DSO Trend, 24 months, standard",
			lambda: dso_trend.execute({"company": company, "to_date": today, "months": 24}),
		)
		timed(
			"DSO Trend, 24 months, countback",
			lambda: dso_trend.execute(
				{"company": company, "to_date": today, "months": 24, "method": "Countback"}
			),
		)
		timed(
			"Receivables Aging with Pay-Link Status",
			lambda: aging.execute({"company": company, "report_date": today}),
		)
		timed(
			"Collection Bottlenecks, 2 years",
			lambda: collection_bottlenecks.execute(
				{"company": company, "from_date": date(2025, 1, 1), "to_date": today}
			),
		)
	finally:
		frappe.db.rollback()
		frappe.destroy()


def generate(company: str, count: int) -> None:
	"""Bulk rows straight into the tables the reports read (submitted state), rolled back afterwards.
	Not ERPNext-valid documents - only the columns the report SQL touches - so 10,000 take seconds."""
	import frappe

	customer = frappe.get_all("Customer", pluck="name", limit=1)
	customer = customer[0] if customer else "Benchmark Customer"
	receivable = frappe.get_cached_value("Company", company, "default_receivable_account")
	cash = frappe.get_cached_value("Company", company, "default_cash_account") or receivable
	currency = frappe.get_cached_value("Company", company, "default_currency")
	now = frappe.utils.now()
	invoices, links, payments, gl = [], [], [], []
	for i, row in enumerate(synthetic_invoices(count, seed=11)):
		name = f"BENCH-SINV-{i:06d}"
		invoices.append(
			(name, company, customer, customer, row["due_date"] - timedelta(days=30), row["due_date"], currency,
			 currency, 1, row["amount"], row["amount"], row["outstanding"], 1, 0, 0, "No", now, now)
		)  # fmt: skip
		gl.append(
			(
				f"BENCH-GLI-{i:06d}",
				company,
				receivable,
				"Customer",
				customer,
				row["due_date"] - timedelta(days=30),
				row["amount"],
				0,
				"Sales Invoice",
				name,
				0,
				now,
				now,
			)
		)
		if row["link_state"]:
			links.append(
				(
					f"BENCH-PL-{i:06d}",
					name,
					customer,
					company,
					row["link_state"],
					row["disputed"],
					row["view_count"],
					row["sent_at"],
					f"tok{i:06d}",
					now,
					now,
				)
			)
		if row["outstanding"] == 0:
			pe = f"BENCH-PE-{i:06d}"
			payments.append(
				(
					pe,
					company,
					"Receive",
					1,
					row["due_date"],
					MODES[i % len(MODES)],
					cash,
					row["amount"],
					row["amount"],
					"Customer",
					customer,
					now,
					now,
				)
			)
			gl.append(
				(
					f"BENCH-GLP-{i:06d}",
					company,
					receivable,
					"Customer",
					customer,
					row["due_date"],
					0,
					row["amount"],
					"Payment Entry",
					pe,
					0,
					now,
					now,
				)
			)
			gl.append(
				(
					f"BENCH-GLC-{i:06d}",
					company,
					cash,
					None,
					None,
					row["due_date"],
					row["amount"],
					0,
					"Payment Entry",
					pe,
					0,
					now,
					now,
				)
			)
	frappe.db.bulk_insert(
		"Sales Invoice",
		["name", "company", "customer", "customer_name", "posting_date", "due_date", "currency",
		 "party_account_currency", "conversion_rate", "base_grand_total", "base_rounded_total",
		 "outstanding_amount", "docstatus", "is_return", "is_pos", "is_opening", "creation", "modified"],
		invoices,
	)  # fmt: skip
	frappe.db.bulk_insert(
		"RevOps Payment Link",
		["name", "sales_invoice", "customer", "company", "link_state", "disputed", "view_count", "sent_at",
		 "token", "creation", "modified"],
		links,
	)  # fmt: skip
	frappe.db.bulk_insert(
		"Payment Entry",
		["name", "company", "payment_type", "docstatus", "posting_date", "mode_of_payment", "paid_to",
		 "received_amount", "base_received_amount", "party_type", "party", "creation", "modified"],
		payments,
	)  # fmt: skip
	frappe.db.bulk_insert(
		"GL Entry",
		["name", "company", "account", "party_type", "party", "posting_date", "debit", "credit",
		 "voucher_type", "voucher_no", "is_cancelled", "creation", "modified"],
		gl,
	)  # fmt: skip


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--rows", type=int, default=100_000, help="synthetic invoices for the core timing")
	parser.add_argument(
		"--site", help="a Frappe site to time the Script Reports on (run from frappe-bench/sites)"
	)
	parser.add_argument("--invoices", type=int, default=10_000, help="invoices generated on the site")
	args = parser.parse_args()

	bench_core(args.rows)
	if args.site:
		bench_site(args.site, args.invoices)
	else:
		print("bench: not measured (no --site given; needs a Frappe/ERPNext v15 site)")


if __name__ == "__main__":
	main()
