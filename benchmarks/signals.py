"""Signals feed benchmark (the sidecar's ERP side): prints per-page and total figures, asserts nothing.

With a bench (`--site SITE`, run with the bench's Python from `frappe-bench/sites`, MariaDB sites only):
1. generates N customers (10,000 by default), 4N submitted Sales Invoices and N linked Contacts by set-based SQL
   (INSERT ... SELECT over MariaDB's seq_1_to_N tables) inside the benchmark's transaction: `modified` spread
   over the past year, a third of the invoices open, half of those overdue;
2. times the full pass by customer name (`full_signals_page`, what the sidecar asks for without a cursor)
   page by page, and checks every customer came exactly once;
3. times the first `--legacy-pages` pages of the (modified, name) cursor started from nothing (the full
   sync before the name-paged pass existed, still served when a caller sends no `full` flag);
4. times incremental runs from the pass's hand-over cursor: nothing changed, then 1% of the customers changed
   (half by their own save, half by a new invoice);
5. with --outcomes, first adds 2N Sales Orders and N/2 lead handoffs (benchmarks/signals_outcomes.py), so
   the first-order statements of each page rank real rows;
6. with --explain, prints MariaDB's EXPLAIN of the statements that pick a page; then rolls everything back.

Without --site it prints what it needs and exits.

	cd frappe-bench/sites && PYTHONPATH=/path/to/repo ../env/bin/python /path/to/repo/benchmarks/signals.py \\
		--site SITE --customers 50000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.signals_outcomes import TABLES as OUTCOME_TABLES
from benchmarks.signals_outcomes import generate_outcomes

PREFIX = "BSIG-"
PAGE = 1000


def fmt(seconds: float) -> str:
	return f"{seconds * 1000:8.1f} ms"


def summary(label: str, times: list[float], records: int) -> None:
	if not times:
		print(f"  {label}: no pages")
		return
	total = sum(times)
	print(
		f"  {label}: {len(times)} pages, {records:,} records, total {total:.2f} s; per page median"
		f" {fmt(statistics.median(times))}, first {fmt(times[0])}, last {fmt(times[-1])}, max {fmt(max(times))}"
	)


def generate(customers: int) -> dict:
	"""Customers and invoices by set-based SQL in the current transaction (rolled back by the caller)."""
	import frappe
	from frappe.utils import now_datetime

	company = frappe.defaults.get_global_default("company") or frappe.get_all("Company", pluck="name")[0]
	currency = frappe.get_cached_value("Company", company, "default_currency")
	group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
	territory = frappe.db.get_value("Territory", {"is_group": 0}, "name")
	invoices = 4 * customers
	params = {
		"prefix": PREFIX,
		"group": group,
		"territory": territory,
		"company": company,
		"currency": currency,
		"n": customers,
		# the site's clock, not the database server's (they may differ by time zone)
		"now": now_datetime(),
		"today": now_datetime().date(),
	}
	started = time.perf_counter()
	# modified: spread over the past year (a prime stride keeps it deterministic and unordered by name)
	frappe.db.sql(
		f"""
		INSERT INTO `tabCustomer` (name, customer_name, customer_type, customer_group, territory, disabled,
			docstatus, idx, owner, modified_by, creation, modified)
		SELECT CONCAT(%(prefix)s, LPAD(s.seq, 7, '0')), CONCAT('Bench Signals ', s.seq), 'Company',
			%(group)s, %(territory)s, 0, 0, 0, 'Administrator', 'Administrator',
			%(now)s - INTERVAL 400 DAY,
			%(now)s - INTERVAL 1 DAY - INTERVAL ((s.seq * 7919) %% 31536000) SECOND
		FROM seq_1_to_{int(customers)} s
		""",
		params,
	)
	# invoice i belongs to customer (i mod N) + 1; posted up to 300 days ago, due 30 days later;
	# i mod 3 = 0 is open (outstanding = total), of which i mod 2 = 0 is overdue
	frappe.db.sql(
		f"""
		INSERT INTO `tabSales Invoice` (name, naming_series, company, customer, customer_name, posting_date,
			due_date, currency, party_account_currency, conversion_rate, base_grand_total, grand_total,
			base_rounded_total, rounded_total, outstanding_amount, docstatus, is_return, is_pos,
			is_opening, status, owner, modified_by, creation, modified)
		SELECT CONCAT(%(prefix)s, 'SI-', LPAD(s.seq, 8, '0')), 'BSIG-.#####', %(company)s,
			CONCAT(%(prefix)s, LPAD((s.seq %% %(n)s) + 1, 7, '0')),
			CONCAT('Bench Signals ', (s.seq %% %(n)s) + 1),
			d.posted, d.posted + INTERVAL 30 DAY, %(currency)s, %(currency)s, 1,
			100 + (s.seq %% 900), 100 + (s.seq %% 900), 100 + (s.seq %% 900), 100 + (s.seq %% 900),
			CASE WHEN s.seq %% 3 = 0 THEN 100 + (s.seq %% 900) ELSE 0 END,
			1, 0, 0, 'No', CASE WHEN s.seq %% 3 = 0 THEN 'Unpaid' ELSE 'Paid' END,
			'Administrator', 'Administrator', %(now)s - INTERVAL 400 DAY,
			%(now)s - INTERVAL 1 DAY - INTERVAL ((s.seq * 104729) %% 31536000) SECOND
		FROM seq_1_to_{int(invoices)} s
		JOIN (SELECT seq, CASE WHEN seq %% 6 = 0 THEN %(today)s - INTERVAL 20 DAY
			ELSE %(today)s - INTERVAL (seq %% 300) DAY END AS posted FROM seq_1_to_{int(invoices)}) d
			ON d.seq = s.seq
		""",
		params,
	)
	# one contact per customer, linked through Dynamic Link (the feed reads their e-mail and modified)
	frappe.db.sql(
		f"""
		INSERT INTO `tabContact` (name, first_name, email_id, status, docstatus, idx, owner, modified_by,
			creation, modified)
		SELECT CONCAT(%(prefix)s, 'CT-', LPAD(s.seq, 7, '0')), CONCAT('Buyer ', s.seq),
			CONCAT('buyer', s.seq, '@bench', s.seq %% 997, '.example'), 'Passive', 0, 0, 'Administrator',
			'Administrator', %(now)s - INTERVAL 400 DAY,
			%(now)s - INTERVAL 1 DAY - INTERVAL ((s.seq * 15485863) %% 31536000) SECOND
		FROM seq_1_to_{int(customers)} s
		""",
		params,
	)
	frappe.db.sql(
		f"""
		INSERT INTO `tabDynamic Link` (name, parent, parenttype, parentfield, link_doctype, link_name, idx,
			docstatus, owner, modified_by, creation, modified)
		SELECT CONCAT(%(prefix)s, 'DL-', LPAD(s.seq, 7, '0')), CONCAT(%(prefix)s, 'CT-', LPAD(s.seq, 7, '0')),
			'Contact', 'links', 'Customer', CONCAT(%(prefix)s, LPAD(s.seq, 7, '0')), 1, 0, 'Administrator',
			'Administrator', %(now)s, %(now)s
		FROM seq_1_to_{int(customers)} s
		""",
		params,
	)
	print(
		f"generated {customers:,} customers, {invoices:,} invoices and {customers:,} linked contacts in"
		f" {time.perf_counter() - started:.1f} s (uncommitted)"
	)
	return params


def change_one_percent(customers: int, params: dict) -> int:
	"""1% of the customers change now: half saved, half get a new invoice. Returns the count."""
	import frappe
	from frappe.utils import now_datetime

	params = {**params, "now": now_datetime(), "today": now_datetime().date()}
	step = 100
	frappe.db.sql(
		f"""
		UPDATE `tabCustomer` SET modified = %(now)s
		WHERE name IN (SELECT CONCAT(%(prefix)s, LPAD(s.seq, 7, '0')) FROM seq_1_to_{int(customers)}_step_{step * 2} s)
		""",
		params,
	)
	frappe.db.sql(
		f"""
		INSERT INTO `tabSales Invoice` (name, company, customer, customer_name, posting_date, due_date,
			currency, party_account_currency, conversion_rate, base_grand_total, grand_total,
			outstanding_amount, docstatus, is_return, is_pos, is_opening, status, owner, modified_by,
			creation, modified)
		SELECT CONCAT(%(prefix)s, 'SI-NEW-', LPAD(s.seq, 7, '0')), %(company)s,
			CONCAT(%(prefix)s, LPAD(s.seq, 7, '0')), 'new', %(today)s, %(today)s + INTERVAL 30 DAY,
			%(currency)s, %(currency)s, 1, 50, 50, 50, 1, 0, 0, 'No', 'Unpaid', 'Administrator',
			'Administrator', %(now)s, %(now)s
		FROM seq_{step + 1}_to_{int(customers)}_step_{step * 2} s
		""",
		params,
	)
	return len(range(1, customers + 1, step * 2)) + len(range(step + 1, customers + 1, step * 2))


def drain_incremental(cursor: dict, now) -> tuple[list[float], int, dict]:
	from frappe.utils import get_datetime

	from revops_app.revops.signals import feed

	times, records = [], 0
	while True:
		started = time.perf_counter()
		page = feed.signals_page(
			get_datetime(cursor["modified"]), cursor["name"], PAGE, settle_seconds=0, now=now
		)
		times.append(time.perf_counter() - started)
		records += len(page["records"])
		if page["next_cursor"]:
			cursor = page["next_cursor"]
		if not page["has_more"]:
			return times, records, cursor


def cleanup(site: str) -> None:
	"""Delete (and commit) what a killed run may have left: rows named with the benchmark's prefix."""
	import frappe

	frappe.init(site=site)
	frappe.connect()
	try:
		for table in ("Sales Invoice", *OUTCOME_TABLES, "Dynamic Link", "Contact", "Customer"):
			frappe.db.sql(f"DELETE FROM `tab{table}` WHERE name LIKE %s", (PREFIX + "%",))
		frappe.db.commit()
		print(f"bench {site}: removed rows named {PREFIX}*")
	finally:
		frappe.destroy()


def explain_queries(handover: dict) -> None:
	"""Time and EXPLAIN every statement of an incremental page and of a full-pass page (from the start)."""
	import frappe
	from frappe.utils import get_datetime, now_datetime

	from revops_app.revops.signals import feed

	real_sql = frappe.db.sql
	for label, call in (
		(
			"incremental page (from the hand-over cursor)",
			lambda: feed.signals_page(get_datetime(handover["modified"]), "", PAGE),
		),
		("full-pass page (first 1000 names)", lambda: feed.full_signals_page("", PAGE)),
	):
		captured: list[tuple[str, object, float]] = []

		def timed_sql(query, values=(), *args, **kwargs):
			started = time.perf_counter()
			result = real_sql(query, values, *args, **kwargs)
			captured.append((query, values, time.perf_counter() - started))
			return result

		frappe.db.sql = timed_sql
		try:
			call()
		finally:
			frappe.db.sql = real_sql
		print(f"  statements of one {label}:")
		for query, values, seconds in captured:
			if not query.lstrip().upper().startswith("SELECT"):
				continue
			first = " ".join(query.split())[:70]
			print(f"    {fmt(seconds)}  {first}")
			for row in real_sql("EXPLAIN " + query, values, as_dict=True):
				if row.get("table") and not str(row.get("table")).startswith("<"):
					print(
						f"        {row.get('table')!s:<4} type={row.get('type')!s:<7}"
						f" key={row.get('key')!s:<30} rows={row.get('rows')}"
					)


def bench_site(site: str, customers: int, legacy_pages: int, explain: bool, outcomes: bool = False) -> None:
	import frappe

	frappe.init(site=site)
	frappe.connect()
	try:
		from frappe.utils import get_datetime, now_datetime

		from revops_app.revops.signals import feed

		if frappe.db.db_type != "mariadb":
			print(
				f"bench {site}: not measured (the generator needs MariaDB, the site runs {frappe.db.db_type})"
			)
			return
		existing = frappe.db.count("Customer")
		indexes = frappe.db.sql(
			"SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE()"
			" AND table_name = 'tabSales Invoice' AND index_name LIKE 'revops%%'",
			pluck=True,
		)
		print(f"bench {site}: {existing:,} customers already there; Sales Invoice revops indexes: {indexes}")
		if frappe.db.sql("SELECT 1 FROM `tabCustomer` WHERE name LIKE %s LIMIT 1", (PREFIX + "%",)):
			print(
				f"bench {site}: customers named {PREFIX}* are already there (a killed run?); rerun with --cleanup"
			)
			return
		# nothing below may commit (no DDL, no ANALYZE TABLE: both commit implicitly in MariaDB)
		params = generate(customers)
		if outcomes:
			generate_outcomes(customers, params)

		# full pass by name
		times, seen = [], []
		cursor = None
		snapshot = None
		now = now_datetime()
		while True:
			started = time.perf_counter()
			page = feed.full_signals_page(cursor["name"] if cursor else "", PAGE, snapshot, now=now)
			times.append(time.perf_counter() - started)
			seen += [r["customer"] for r in page["records"]]
			cursor = page["next_cursor"]
			if not cursor.get("snapshot"):
				break
			snapshot = get_datetime(cursor["snapshot"])
		summary("full pass by name (full_signals_page)", times, len(seen))
		print(
			f"    every customer once: {len(seen) == len(set(seen))}; bench customers served:"
			f" {sum(1 for n in seen if n.startswith(PREFIX)):,} of {customers:,}; hand-over cursor {cursor}"
		)
		handover = cursor

		# legacy full sync: the (modified, name) cursor from nothing
		if legacy_pages:
			times, records, after = [], 0, None
			for _ in range(legacy_pages):
				started = time.perf_counter()
				page = feed.signals_page(
					get_datetime(after["modified"]) if after else None,
					after["name"] if after else "",
					PAGE,
					now=now,
				)
				times.append(time.perf_counter() - started)
				records += len(page["records"])
				after = page["next_cursor"]
				if not page["has_more"]:
					break
			summary(
				f"legacy full sync, first {len(times)} pages ((modified, name) cursor from nothing)",
				times,
				records,
			)

		# incremental
		times, records, _ = drain_incremental(handover, now_datetime())
		summary("incremental, nothing changed", times, records)
		changed = change_one_percent(customers, params)
		times, records, _ = drain_incremental(handover, now_datetime() + timedelta(seconds=1))
		summary(f"incremental, 1% changed ({changed:,} customers)", times, records)

		if explain:
			explain_queries(handover)
	finally:
		frappe.db.rollback()
		frappe.destroy()
	print("rolled back")


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", help="a Frappe/ERPNext v15 site on MariaDB (run from frappe-bench/sites)")
	parser.add_argument("--customers", type=int, default=10_000, help="customers generated (4x invoices)")
	parser.add_argument("--explain", action="store_true", help="print EXPLAIN of the page-picking queries")
	parser.add_argument(
		"--outcomes", action="store_true", help="also 2x Sales Orders and 0.5x lead handoffs (first orders)"
	)
	parser.add_argument("--cleanup", action="store_true", help=f"delete rows named {PREFIX}* and commit")
	parser.add_argument(
		"--legacy-pages", type=int, default=5, help="pages of the old full sync to time (0: skip)"
	)
	args = parser.parse_args()
	print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()}")
	if not args.site:
		print(
			"bench: not measured. Needs --site SITE: a Frappe/ERPNext v15 site on MariaDB with revops_app"
			" migrated, run with the bench's Python from frappe-bench/sites and this repository on"
			" PYTHONPATH; it writes N customers / 4N invoices in one transaction and rolls them back."
		)
		return
	if args.cleanup:
		cleanup(args.site)
		return
	bench_site(args.site, args.customers, args.legacy_pages, args.explain, args.outcomes)


if __name__ == "__main__":
	main()
