"""Collections reports benchmark, site part: the four Script Reports' `execute` on N generated invoices.

Run through `reports.py --site SITE` (bench Python from `frappe-bench/sites`); everything inserted is rolled
back. Prints figures, asserts nothing.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from reports import MODES, synthetic_invoices, timed


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
