"""Payment behaviour per customer, aggregated in the database: three GROUP BY statements for any number of
customers, never a per-invoice document load. The rule and the record keys are
`revops_app.core.collections.payment_behaviour`.

Contract
- `behaviour_by_customer(match, params, today, window_days)` -> {customer: PaymentBehaviour} for the customers
  `match(column)` selects (an SQL condition over `params`: the signals page's IN list or name range). Only
  customers with something recorded appear; callers default to an empty PaymentBehaviour.
- `behaviour_for(customers, today)`: the same for a list of customer names (churn risk, the health report).
Days to pay read submitted Payment Entries against each fully paid invoice (Payment Entry Reference); failed
payments and disputes read the RevOps Payment Link. Broken promises count each RevOps Payment Promise
whose promised date fell in the window and that is Broken (or still Open with an invoice unpaid, before the
daily job resolves it), plus the collector's pause on the Customer (revops_dunning_paused_until) when it
ended in the window while an invoice due by then is still unpaid (one per customer, as before).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import frappe

from revops_app.core.collections.payment_behaviour import (
	DEFAULT_WINDOW_DAYS,
	PaymentBehaviour,
	from_aggregates,
)

PAUSED_UNTIL = "revops_dunning_paused_until"  # revenue_collections.constants.CUSTOMER_PAUSED_UNTIL_FIELD
PAYMENT_LINK = "RevOps Payment Link"
PROMISE = "RevOps Payment Promise"  # revenue_collections.constants.PROMISE_DOCTYPE
PROMISE_INVOICE = "RevOps Payment Promise Invoice"


def _days_between(later: str, earlier: str) -> str:
	if frappe.db.db_type == "postgres":
		return f"({later} - {earlier})"
	return f"DATEDIFF({later}, {earlier})"


def behaviour_by_customer(
	match: Callable[[str], str],
	params: dict[str, Any],
	today: date,
	window_days: int = DEFAULT_WINDOW_DAYS,
) -> dict[str, PaymentBehaviour]:
	params = {
		**params,
		"today": today,
		"pb_from": today - timedelta(days=window_days),
		"pb_mid": today - timedelta(days=window_days // 2),
		"pb_promise": PROMISE,
	}
	sql = frappe.db.sql
	rows: dict[str, dict[str, Any]] = {}

	def fold(found: list[dict]) -> None:
		for row in found:
			rows.setdefault(row["customer"], {}).update(row)

	fold(
		sql(
			f"""
			SELECT paid.customer, COUNT(*) AS paid_invoices, AVG(paid.days) AS avg_days_to_pay,
				AVG(CASE WHEN paid.paid_on >= %(pb_mid)s THEN paid.days END) AS recent_avg_days_to_pay,
				AVG(CASE WHEN paid.paid_on < %(pb_mid)s THEN paid.days END) AS earlier_avg_days_to_pay
			FROM (
				SELECT si.customer, MAX(pe.posting_date) AS paid_on,
					GREATEST({_days_between("MAX(pe.posting_date)", "si.posting_date")}, 0) AS days
				FROM `tabSales Invoice` si
				JOIN `tabPayment Entry Reference` per ON per.reference_doctype = 'Sales Invoice'
					AND per.reference_name = si.name AND per.parenttype = 'Payment Entry'
				JOIN `tabPayment Entry` pe ON pe.name = per.parent AND pe.docstatus = 1
				WHERE si.docstatus = 1 AND si.is_return = 0 AND si.outstanding_amount <= 0
					AND {match("si.customer")}
				GROUP BY si.customer, si.name, si.posting_date
			) paid
			WHERE paid.paid_on >= %(pb_from)s AND paid.paid_on <= %(today)s
			GROUP BY paid.customer
			""",
			params,
			as_dict=True,
		)
	)
	fold(
		sql(
			f"""
			SELECT pl.customer,
				SUM(CASE WHEN pl.last_payment_failed_at >= %(pb_from)s THEN 1 ELSE 0 END) AS failed_payments,
				SUM(CASE WHEN (pl.disputed = 1 OR COALESCE(pl.dispute_id, '') != '')
					AND si.posting_date >= %(pb_from)s THEN 1 ELSE 0 END) AS disputes
			FROM `tab{PAYMENT_LINK}` pl
			JOIN `tabSales Invoice` si ON si.name = pl.sales_invoice
			WHERE {match("pl.customer")}
			GROUP BY pl.customer
			""",
			params,
			as_dict=True,
		)
	)
	fold(
		sql(
			f"""
			SELECT broken.customer, SUM(broken.promises) AS broken_promises FROM (
				SELECT c.name AS customer, 1 AS promises
				FROM `tabCustomer` c
				WHERE {match("c.name")} AND c.{PAUSED_UNTIL} >= %(pb_from)s AND c.{PAUSED_UNTIL} < %(today)s
					AND EXISTS (
						SELECT 1 FROM `tabSales Invoice` si WHERE si.customer = c.name AND si.docstatus = 1
							AND si.is_return = 0 AND si.outstanding_amount > 0 AND si.due_date <= c.{PAUSED_UNTIL}
					)
				UNION ALL
				SELECT pr.customer AS customer, 1 AS promises
				FROM `tab{PROMISE}` pr
				WHERE {match("pr.customer")} AND pr.promised_date >= %(pb_from)s AND pr.promised_date < %(today)s
					AND (pr.status = 'Broken' OR (pr.status = 'Open' AND EXISTS (
						SELECT 1 FROM `tab{PROMISE_INVOICE}` pi
						JOIN `tabSales Invoice` si ON si.name = pi.sales_invoice
						WHERE pi.parent = pr.name AND pi.parenttype = %(pb_promise)s
							AND si.docstatus = 1 AND si.outstanding_amount > 0
					)))
			) broken
			GROUP BY broken.customer
			""",
			params,
			as_dict=True,
		)
	)
	return {customer: from_aggregates(row, window_days) for customer, row in rows.items()}


def behaviour_for(
	customers: Iterable[str], today: date, window_days: int = DEFAULT_WINDOW_DAYS
) -> dict[str, PaymentBehaviour]:
	names = tuple(sorted(set(customers)))
	if not names:
		return {}
	return behaviour_by_customer(
		lambda column: f"{column} IN %(names)s", {"names": names}, today, window_days
	)
