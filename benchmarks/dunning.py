"""Dunning benchmark: prints figures, asserts nothing.

Always: the framework-free engine (`revops_app.core.collections.dunning.decide` + `group_messages`) on
100,000 generated invoices (by default) for one run date, pinned to one CPU where the OS allows.
Goal: 100,000 invoices decided in under 2 s on one core.

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


def pin_one_cpu() -> str:
	try:
		os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
		return f"pinned to CPU {min(os.sched_getaffinity(0))}"
	except (AttributeError, OSError) as error:
		return f"not pinned ({error.__class__.__name__})"


def bench_engine(count: int, repeats: int) -> None:
	print(f"python {platform.python_version()} on {platform.machine()}, {pin_one_cpu()}")
	invoices, customers = generate(count)
	policies = {"Bench": policy()}
	samples, group_samples = [], []
	decisions: list[d.Decision] = []
	for _ in range(repeats):
		started = time.perf_counter()
		decisions = d.decide(invoices, customers, policies, RUN_DATE, "Bench")
		middle = time.perf_counter()
		messages = d.group_messages(decisions)
		samples.append(middle - started)
		group_samples.append(time.perf_counter() - middle)
	best = min(samples)
	print(
		f"engine: {count:,} invoices, {len(customers):,} customers, policy of {len(policies['Bench'].steps)} steps"
	)
	print(
		f"  decide           best {best:6.3f} s  median {statistics.median(samples):6.3f} s"
		f"  -> {count / best:,.0f} decisions/s ({best / count * 1e6:.1f} us/invoice)"
	)
	print(f"  group_messages   best {min(group_samples):6.3f} s  ({len(messages):,} consolidated messages)")
	print(f"  decide + group   best {min(a + b for a, b in zip(samples, group_samples, strict=True)):6.3f} s")
	print(f"  outcomes: {dict(sorted(d.summarise(decisions).items()))}")


def bench_site(site: str, count: int, args_sample: int = 20) -> None:
	import frappe

	frappe.init(site=site)
	frappe.connect()
	try:
		from revops_app.revenue_collections.dunning import run as glue
		from revops_app.revenue_collections.dunning.escalation import _make_dunning as make_dunning
		from revops_app.revenue_collections.dunning.preview import preview

		started = time.perf_counter()
		info = generate_site_invoices(count)
		print(f"bench {site}: generated {count:,} open invoices for {info['customers']} customers in "
			f"{time.perf_counter() - started:.1f} s")  # fmt: skip
		# muted: Frappe queues with a dummy account and never connects to SMTP; all rolled back anyway
		frappe.flags.mute_emails = True
		started = time.perf_counter()
		result = glue.run_dunning(on=info["run_date"], commit=False)
		elapsed = time.perf_counter() - started
		print(f"  daily job (run_dunning)   {elapsed:7.2f} s   {result}")
		started = time.perf_counter()
		again = glue.run_dunning(on=info["run_date"], commit=False)
		print(f"  second run same day       {time.perf_counter() - started:7.2f} s   {again}")
		started = time.perf_counter()
		messages = preview(str(info["run_date"]))
		print(
			f"  preview                   {time.perf_counter() - started:7.2f} s   {len(messages)} messages"
		)
		# Escalations are ERPNext's own documents; time a sample of draft Dunnings apart.
		step = d.Step("Final", 30, template="T", escalation=d.Escalation.DUNNING)
		sample = info["invoices"][:args_sample]
		started = time.perf_counter()
		for invoice in sample:
			make_dunning(invoice, step, info["run_date"])
		per = (time.perf_counter() - started) / max(len(sample), 1)
		print(f"  ERPNext Dunning escalation {per:6.3f} s per document ({len(sample)} timed)")
	finally:
		frappe.db.rollback()
		frappe.destroy()
		print("  rolled back")


def generate_site_invoices(count: int) -> dict:
	"""Direct inserts of `count` open submitted invoices, rolled back by the caller.
	Only the columns the fact query reads; not ERPNext-valid documents, so 10,000 take seconds."""
	import frappe
	from frappe.utils import add_days, getdate, now_datetime, today

	from revops_app.revenue_collections.constants import (
		CUSTOMER_DUNNING_POLICY_FIELD,
		CUSTOMER_OPT_OUT_FIELD,
		DUNNING_POLICY_DOCTYPE,
		DUNNING_TEMPLATE_BEFORE_DUE,
		DUNNING_TEMPLATE_FINAL,
		DUNNING_TEMPLATE_OVERDUE,
	)
	from revops_app.revenue_collections.dunning.facts import PAYMENT_LINK_TABLE

	company = frappe.get_all("Company", pluck="name", limit=1)[0]
	currency = frappe.get_cached_value("Company", company, "default_currency")
	now = now_datetime()
	if not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		# Queued mail needs a sender; no SMTP server is contacted (no password, nothing is sent).
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "RevOps Dunning Benchmark",
				"email_id": "billing-benchmark@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "smtp.example.invalid",
				"no_smtp_authentication": 1,
			}
		).insert(ignore_permissions=True)
	run_date = getdate(today())
	# Emails only: escalations are ERPNext documents with their own cost, timed apart by the benchmark.
	policy = frappe.get_doc(
		{
			"doctype": DUNNING_POLICY_DOCTYPE,
			"policy_name": "RevOps Benchmark Policy",
			"steps": [
				{
					"step_name": name,
					"offset_days": offset,
					"if_overdue": int(offset > 0),
					"if_never_viewed": int(name == "Unseen"),
					"if_viewed_unpaid": int(name == "Viewed"),
					"email_template": template,
				}
				for name, offset, template in (
					("Upcoming", -3, DUNNING_TEMPLATE_BEFORE_DUE),
					("Overdue", 3, DUNNING_TEMPLATE_OVERDUE),
					("Unseen", 10, DUNNING_TEMPLATE_OVERDUE),
					("Viewed", 10, DUNNING_TEMPLATE_OVERDUE),
					("Final", 30, DUNNING_TEMPLATE_FINAL),
				)
			],
		}
	).insert(ignore_permissions=True)
	customers = []
	for i in range(max(count // 25, 1)):
		name = f"BENCH-DUN-CUST-{i:05d}"
		customers.append(
			(name, name, "All Customer Groups", f"bench{i}@example.com", 0, 0, policy.name, now, now)
		)
	frappe.db.bulk_insert(
		"Customer",
		["name", "customer_name", "customer_group", "email_id", "disabled", CUSTOMER_OPT_OUT_FIELD,
		 CUSTOMER_DUNNING_POLICY_FIELD, "creation", "modified"],
		customers,
	)  # fmt: skip
	invoices, links = [], []
	for i in range(count):
		name = f"BENCH-DUN-SINV-{i:06d}"
		due = add_days(run_date, -(i % 60) + 5)
		amount = 100 + i % 900
		invoices.append(
			(name, company, customers[i % len(customers)][0], add_days(due, -30), due, currency, currency,
			 amount, amount, amount if i % 7 else amount / 2, 1, 0, now, now)
		)  # fmt: skip
		if i % 3:
			links.append(
				(f"BENCH-DUN-PL-{i:06d}", name, customers[i % len(customers)][0], company, "Active",
				 "Viewed" if i % 2 else "Sent", i % 2, f"https://pay.example/{i}", f"tok{i}", now, now)
			)  # fmt: skip
	frappe.db.bulk_insert(
		"Sales Invoice",
		["name", "company", "customer", "posting_date", "due_date", "currency", "party_account_currency",
		 "grand_total", "rounded_total", "outstanding_amount", "docstatus", "is_return", "creation",
		 "modified"],
		invoices,
	)  # fmt: skip
	frappe.db.bulk_insert(
		PAYMENT_LINK_TABLE,
		["name", "sales_invoice", "customer", "company", "status", "link_state", "view_count", "url",
		 "token", "creation", "modified"],
		links,
	)  # fmt: skip
	return {
		"customers": len(customers),
		"run_date": run_date,
		"company": company,
		"invoices": [row[0] for row in invoices],
	}


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--invoices", type=int, default=100_000, help="generated invoices for the engine")
	parser.add_argument("--repeats", type=int, default=5)
	parser.add_argument("--site", help="a Frappe site to time the daily job on (run from frappe-bench/sites)")
	parser.add_argument("--site-invoices", type=int, default=10_000, help="invoices generated on the site")
	args = parser.parse_args()

	bench_engine(args.invoices, args.repeats)
	if args.site:
		bench_site(args.site, args.site_invoices)
	else:
		print("bench: not measured (no --site given; needs a Frappe/ERPNext v15 site)")


if __name__ == "__main__":
	main()
