"""Outcome rows for benchmarks/signals.py `--outcomes`: what the feed's first-order statements read.

`generate_outcomes(customers, params)` adds, in the benchmark's transaction (rolled back by it), 2N submitted
Sales Orders (order i belongs to customer (i mod N) + 1, dated up to 300 days ago) and N/2 RevOps Lead
Handoffs (every other customer, handed off up to 200 days ago), so each page's `first_order` and
`handoff_orders` statements (revops_app/revops/signals/first_orders.py) rank real rows. Set-based SQL over
MariaDB's seq_1_to_N tables, like the rest of the generator. `TABLES`: what `--cleanup` also deletes.
"""

from __future__ import annotations

import time

TABLES = ("Sales Order", "RevOps Lead Handoff")


def generate_outcomes(customers: int, params: dict) -> None:
	import frappe

	started = time.perf_counter()
	orders, handoffs = 2 * customers, customers // 2
	frappe.db.sql(
		f"""
		INSERT INTO `tabSales Order` (name, company, customer, customer_name, transaction_date, delivery_date,
			currency, conversion_rate, base_net_total, net_total, base_grand_total, grand_total, docstatus,
			status, owner, modified_by, creation, modified)
		SELECT CONCAT(%(prefix)s, 'SO-', LPAD(s.seq, 8, '0')), %(company)s,
			CONCAT(%(prefix)s, LPAD((s.seq %% %(n)s) + 1, 7, '0')), CONCAT('Bench Signals ', (s.seq %% %(n)s) + 1),
			%(today)s - INTERVAL (s.seq %% 300) DAY, %(today)s, %(currency)s, 1,
			200 + (s.seq %% 700), 200 + (s.seq %% 700), 200 + (s.seq %% 700), 200 + (s.seq %% 700), 1,
			'To Deliver and Bill', 'Administrator', 'Administrator',
			%(now)s - INTERVAL (s.seq %% 300) DAY, %(now)s - INTERVAL (s.seq %% 300) DAY
		FROM seq_1_to_{int(orders)} s
		""",
		params,
	)
	frappe.db.sql(
		f"""
		INSERT INTO `tabRevOps Lead Handoff` (name, handoff_key, customer, handed_off_at, contact_id, score,
			docstatus, idx, owner, modified_by, creation, modified)
		SELECT CONCAT(%(prefix)s, 'H', s.seq, ':1'), CONCAT(%(prefix)s, 'H', s.seq, ':1'),
			CONCAT(%(prefix)s, LPAD(2 * s.seq, 7, '0')), %(now)s - INTERVAL (s.seq %% 200) DAY, s.seq, 75,
			0, 0, 'Administrator', 'Administrator', %(now)s - INTERVAL 1 DAY, %(now)s - INTERVAL 1 DAY
		FROM seq_1_to_{int(handoffs)} s
		""",
		params,
	)
	print(
		f"generated {orders:,} Sales Orders and {handoffs:,} lead handoffs in"
		f" {time.perf_counter() - started:.1f} s (uncommitted)"
	)
