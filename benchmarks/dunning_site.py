"""Dunning benchmark, site part: the daily job, a second run, the preview and ERPNext Dunning escalations on
N generated open invoices.

Run through `dunning.py --site SITE` (bench Python from `frappe-bench/sites`); everything inserted is rolled
back. Prints figures, asserts nothing.
"""

from __future__ import annotations

import time

from revops_app.core.collections import dunning as d


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
