"""Settlement cost against ERPNext's own floor, and burst throughput with one and two workers.

Usage (inside a bench, from frappe-bench/sites, with the bench's python):

    ../env/bin/python ../apps/revops_app/benchmarks/settlement.py --site SITE [--invoices 20] [--burst 50]

What is measured, on the stripe_bench test company (its documents are deleted afterwards):
- floor: ERPNext's `get_payment_entry("Sales Invoice", si)` for the paid amount, paid to the Stripe clearing
  account with the fee as a deduction, then `submit()`: per invoice, seconds and SQL statements;
- worker: the Stripe worker (`settlement.worker.process_event`) settling a stored checkout.session.completed
  for an invoice of the same shape (Stripe asked through the local stand-in), per invoice, seconds and SQL
  statements; the ratio worker / floor (goal <= 1.15);
- burst: `--burst` invoices paid at once, settled by one worker process, then by two (each its own
  process and database connection, as two RQ workers): events/s for both and the speed-up (goal >= 1.7).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

GOAL_RATIO = 1.15
GOAL_SPEEDUP = 1.7


class SqlCounter:
	"""Counts statements through frappe.db.sql for one connection."""

	def __init__(self, db) -> None:
		self.db, self.count, self.original = db, 0, db.sql

		def counted(*args, **kwargs):
			self.count += 1
			return self.original(*args, **kwargs)

		db.sql = counted

	def close(self) -> None:
		self.db.sql = self.original


def settle_chunk(site: str, sites_path: str, logs: list[str]) -> None:
	"""One worker process settling its share of the burst (as an RQ worker would)."""
	import frappe

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		from revops_app.revenue_collections.settlement.worker import process_event

		for name in logs:
			process_event(name)
	finally:
		frappe.destroy()


def main(argv: list[str] | None = None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--invoices", type=int, default=20)
	parser.add_argument("--burst", type=int, default=50)
	args = parser.parse_args(argv)

	import frappe

	sites_path = os.getcwd()
	frappe.init(site=args.site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	from revops_app.revenue_collections.settlement.intake import accept_event
	from revops_app.revenue_collections.settlement.worker import process_event
	from revops_app.tests.stripe_bench import (
		COMPANY,
		configure_settings,
		ensure_masters,
		link_of,
		make_invoice,
		purge_company_transactions,
		restore_settings,
	)
	from revops_app.tests.stripe_standin import StripeStandIn, event, session_completed

	masters = ensure_masters()
	standin = StripeStandIn().start()
	previous = configure_settings(masters, standin.url)
	events: list[str] = []

	def paid_invoices(count: int) -> list[str]:
		"""Invoices paid at Stripe, each with its stored event; returns the log rows."""
		logs = []
		for _ in range(count):
			si = make_invoice(masters, 100, commit=False)
			link = link_of(si.name)
			pi = f"pi_bench{frappe.generate_hash(length=16)}"
			standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=10000, fee=320)
			event_id = f"evt_bench{frappe.generate_hash(length=16)}"
			events.append(event_id)
			payload = event(
				event_id, "checkout.session.completed", session_completed(pi, si.name, link.name, 10000)
			)
			logs.append(accept_event(json.loads(payload), payload))
		frappe.db.commit()
		return logs

	try:
		# warm-up: one of each, not counted (caches, first imports)
		for log in paid_invoices(1):
			process_event(log)
		# floor: ERPNext's own get_payment_entry + submit
		floor_s, floor_sql = [], []
		invoices = [make_invoice(masters, 100, commit=False).name for _ in range(args.invoices)]
		frappe.db.commit()
		for name in invoices:
			counter = SqlCounter(frappe.db)
			t0 = time.perf_counter()
			pe = get_payment_entry("Sales Invoice", name, party_amount=100, bank_account=masters["clearing"])
			pe.paid_to = masters["clearing"]
			pe.reference_no, pe.reference_date = f"floor-{name}", pe.posting_date
			pe.append(
				"deductions",
				{"account": masters["fee"], "cost_center": masters["cost_center"], "amount": 3.2},
			)
			pe.set_amounts()
			pe.submit()
			frappe.db.commit()
			floor_s.append(time.perf_counter() - t0)
			counter.close()
			floor_sql.append(counter.count)

		# worker: the same payment through the Stripe worker
		worker_s, worker_sql = [], []
		for log in paid_invoices(args.invoices):
			counter = SqlCounter(frappe.db)
			t0 = time.perf_counter()
			process_event(log)
			worker_s.append(time.perf_counter() - t0)
			counter.close()
			worker_sql.append(counter.count)
		floor, worker = statistics.median(floor_s), statistics.median(worker_s)
		print(
			f"floor  get_payment_entry + submit: {floor:.3f} s, {statistics.median(floor_sql):.0f} SQL per invoice"
		)
		print(
			f"worker process_event:              {worker:.3f} s, {statistics.median(worker_sql):.0f} SQL per invoice"
		)
		print(f"ratio worker / floor: {worker / floor:.2f}x (goal <= {GOAL_RATIO}x)")

		# burst: one worker process, then two (RQ workers are processes: threads would share one GIL)
		def settle(logs: list[str], workers: int) -> float:
			context = multiprocessing.get_context("spawn")
			processes = [
				context.Process(target=settle_chunk, args=(args.site, sites_path, logs[i::workers]))
				for i in range(workers)
			]
			t0 = time.perf_counter()
			for process in processes:
				process.start()
			for process in processes:
				process.join()
			if any(process.exitcode for process in processes):
				raise RuntimeError("a worker process failed")
			return time.perf_counter() - t0

		one = settle(paid_invoices(args.burst), 1)
		two = settle(paid_invoices(args.burst), 2)
		print(
			f"burst {args.burst} invoices: 1 worker {one:.1f} s ({args.burst / one:.2f} events/s), "
			f"2 workers {two:.1f} s ({args.burst / two:.2f} events/s), speed-up {one / two:.2f}x (goal >= {GOAL_SPEEDUP}x)"
		)
		frappe.db.rollback()
		posted = frappe.db.count(
			"Payment Entry", {"company": COMPANY, "docstatus": 1, "reference_no": ["like", "pi_bench%"]}
		)
		print(f"posted by the worker: {posted} of {1 + args.invoices + 2 * args.burst} (one warm-up)")
	finally:
		frappe.db.rollback()
		purge_company_transactions(COMPANY, events)
		frappe.db.commit()
		standin.stop()
		restore_settings(previous)
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
