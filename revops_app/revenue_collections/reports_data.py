"""Database side of the collections reports: aggregated rows for `revops_app.core.collections.metrics`.

Contract: every function runs a fixed number of SQL statements (GROUP BY in the database, never a
per-invoice `get_doc` loop) and returns plain dict rows whose keys are the ones the core metrics read.
Amounts are in the company currency unless a key says otherwise. Every ERPNext field read here is declared
in `revops_app.revops.schema.ERP_FIELDS`. Only portable SQL (EXTRACT, COALESCE, NULLIF, CASE) is used, so the
queries run on MariaDB and PostgreSQL sites alike.

Definitions the reports state to their users:
- Cash accounts in scope: every account that submitted customer receipts (`Payment Entry`, payment_type
  Receive) of the company were paid into (`paid_to`), narrowed to one mode of payment when filtered.
- Receivables: the General Ledger balance (debit - credit, company currency) of entries against a
  Customer party (`party_type = 'Customer'`, not cancelled); ERPNext only allows a Customer party on
  receivable lines, so this is the ledger's own receivables figure, advances netted in.
- Credit sales: submitted, non-POS, non-opening Sales Invoices by posting date, at their rounded total
  (grand total when rounding is off), returns included as negatives, company currency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import frappe

from revops_app.revops.constants import SETTINGS_DOCTYPE

PAYMENT_LINK_TABLE = "RevOps Payment Link"
# Owned by the dunning feature (fields sales_invoice, step, sent_at, outcome, ...); read only when it exists.
REMINDER_TABLE = "RevOps Dunning Reminder"

# Company-currency invoice total: ERPNext sets base_rounded_total to 0 when rounding is disabled.
INVOICE_TOTAL = "COALESCE(NULLIF(si.base_rounded_total, 0), si.base_grand_total)"
# Company-currency outstanding: outstanding_amount is in the party account currency, which is the company
# currency unless the customer is billed through a foreign-currency receivable account.
OUTSTANDING_COMPANY = (
	"CASE WHEN si.party_account_currency = %(company_currency)s OR si.party_account_currency IS NULL"
	" THEN si.outstanding_amount ELSE si.outstanding_amount * si.conversion_rate END"
)


def company_currency(company: str) -> str:
	return frappe.get_cached_value("Company", company, "default_currency")


# --- cash position ----------------------------------------------------------------------------------


def receipts_by_day_and_mode(
	company: str, from_date: date, to_date: date, mode_of_payment: str | None = None
) -> list[dict]:
	mode_condition = "AND pe.mode_of_payment = %(mode)s" if mode_of_payment else ""
	return frappe.db.sql(
		f"""
		SELECT pe.posting_date AS day, pe.mode_of_payment AS mode_of_payment,
			SUM(pe.base_received_amount) AS amount, COUNT(*) AS entries
		FROM `tabPayment Entry` pe
		WHERE pe.docstatus = 1 AND pe.payment_type = 'Receive' AND pe.company = %(company)s
			AND pe.posting_date BETWEEN %(from_date)s AND %(to_date)s {mode_condition}
		GROUP BY pe.posting_date, pe.mode_of_payment
		ORDER BY pe.posting_date, pe.mode_of_payment
		""",
		{"company": company, "from_date": from_date, "to_date": to_date, "mode": mode_of_payment},
		as_dict=True,
	)


def cash_accounts(company: str, mode_of_payment: str | None = None) -> list[str]:
	mode_condition = "AND pe.mode_of_payment = %(mode)s" if mode_of_payment else ""
	rows = frappe.db.sql(
		f"""
		SELECT pe.paid_to FROM `tabPayment Entry` pe
		WHERE pe.docstatus = 1 AND pe.payment_type = 'Receive' AND pe.company = %(company)s
			AND pe.paid_to IS NOT NULL {mode_condition}
		GROUP BY pe.paid_to
		""",
		{"company": company, "mode": mode_of_payment},
	)
	return sorted(row[0] for row in rows)


def account_balance_before(company: str, accounts: list[str], before: date) -> float:
	if not accounts:
		return 0
	result = frappe.db.sql(
		"""
		SELECT SUM(gle.debit - gle.credit) FROM `tabGL Entry` gle
		WHERE gle.company = %(company)s AND gle.is_cancelled = 0 AND gle.account IN %(accounts)s
			AND gle.posting_date < %(before)s
		""",
		{"company": company, "accounts": tuple(accounts), "before": before},
	)
	return result[0][0] or 0


def account_moves_by_day(company: str, accounts: list[str], from_date: date, to_date: date) -> list[dict]:
	"""Rows {day, debit, credit, net} of the ledger on `accounts`, one per day with entries."""
	if not accounts:
		return []
	return frappe.db.sql(
		"""
		SELECT gle.posting_date AS day, SUM(gle.debit) AS debit, SUM(gle.credit) AS credit,
			SUM(gle.debit - gle.credit) AS net
		FROM `tabGL Entry` gle
		WHERE gle.company = %(company)s AND gle.is_cancelled = 0 AND gle.account IN %(accounts)s
			AND gle.posting_date BETWEEN %(from_date)s AND %(to_date)s
		GROUP BY gle.posting_date
		ORDER BY gle.posting_date
		""",
		{"company": company, "accounts": tuple(accounts), "from_date": from_date, "to_date": to_date},
		as_dict=True,
	)


def stripe_clearing_account(company: str) -> str | None:
	"""The account Stripe payments are posted to, when RevOps Settings names one for this company."""
	settings = frappe.db.get_singles_dict(SETTINGS_DOCTYPE)
	account = settings.get("stripe_clearing_account")
	if account and settings.get("company") == company:
		return account
	return None


# --- DSO ------------------------------------------------------------------------------------------


def receivables_before(company: str, before: date) -> float:
	result = frappe.db.sql(
		"""
		SELECT SUM(gle.debit - gle.credit) FROM `tabGL Entry` gle
		WHERE gle.company = %(company)s AND gle.is_cancelled = 0 AND gle.party_type = 'Customer'
			AND gle.posting_date < %(before)s
		""",
		{"company": company, "before": before},
	)
	return result[0][0] or 0


def receivable_moves_by_month(company: str, from_date: date, to_date: date) -> list[dict]:
	return frappe.db.sql(
		"""
		SELECT EXTRACT(YEAR FROM gle.posting_date) AS year, EXTRACT(MONTH FROM gle.posting_date) AS month,
			SUM(gle.debit - gle.credit) AS net
		FROM `tabGL Entry` gle
		WHERE gle.company = %(company)s AND gle.is_cancelled = 0 AND gle.party_type = 'Customer'
			AND gle.posting_date BETWEEN %(from_date)s AND %(to_date)s
		GROUP BY EXTRACT(YEAR FROM gle.posting_date), EXTRACT(MONTH FROM gle.posting_date)
		""",
		{"company": company, "from_date": from_date, "to_date": to_date},
		as_dict=True,
	)


def credit_sales_by_month(company: str, from_date: date, to_date: date) -> list[dict]:
	return frappe.db.sql(
		f"""
		SELECT EXTRACT(YEAR FROM si.posting_date) AS year, EXTRACT(MONTH FROM si.posting_date) AS month,
			SUM({INVOICE_TOTAL}) AS amount, COUNT(*) AS invoices
		FROM `tabSales Invoice` si
		WHERE si.docstatus = 1 AND si.company = %(company)s AND si.is_pos = 0
			AND COALESCE(si.is_opening, 'No') = 'No'
			AND si.posting_date BETWEEN %(from_date)s AND %(to_date)s
		GROUP BY EXTRACT(YEAR FROM si.posting_date), EXTRACT(MONTH FROM si.posting_date)
		""",
		{"company": company, "from_date": from_date, "to_date": to_date},
		as_dict=True,
	)


# --- per-invoice rows with pay-link state -----------------------------------------------------------


def reminder_table_exists() -> bool:
	return reminder_invoice_column() is not None


def reminder_invoice_column() -> str | None:
	"""The reminder log's invoice column, or None when the log is absent or lacks what the report reads.

	The dunning feature owns that DocType; it links the invoice as `sales_invoice` (an earlier draft of the
	contract said `invoice`), so both are accepted rather than failing the report on a schema detail.
	"""
	if not frappe.db.table_exists(REMINDER_TABLE):
		return None
	columns = set(frappe.db.get_table_columns(REMINDER_TABLE))
	if not {"step", "sent_at", "outcome"} <= columns:
		return None
	for candidate in ("sales_invoice", "invoice"):
		if candidate in columns:
			return candidate
	return None


def open_invoices_with_links(
	company: str, as_of: date, customer: str | None = None, min_days_overdue: int | None = None
) -> list[dict]:
	"""Unpaid submitted invoices posted up to `as_of` with their pay link and, when the dunning reminder
	log exists, their latest logged reminder (any outcome: Sent, Failed or Skipped is shown as logged).
	One statement; outstanding is the invoice's current balance."""
	params: dict[str, Any] = {
		"company": company,
		"as_of": as_of,
		"customer": customer,
		"company_currency": company_currency(company),
		"min_due": None,
	}
	conditions = ""
	if customer:
		conditions += " AND si.customer = %(customer)s"
	if min_days_overdue is not None:
		# due_date <= as_of - N days, computed in Python so the SQL stays portable.
		params["min_due"] = frappe.utils.add_days(as_of, -int(min_days_overdue))
		conditions += " AND si.due_date <= %(min_due)s"

	reminder_columns, reminder_join = "", ""
	invoice_column = reminder_invoice_column()
	if invoice_column:
		reminder_columns = (
			", lr.step AS last_reminder_step, lr.sent_at AS last_reminder_at,"
			" lr.outcome AS last_reminder_outcome"
		)
		reminder_join = f"""
		LEFT JOIN (
			SELECT r.{invoice_column} AS invoice, r.step, r.sent_at, r.outcome
			FROM `tab{REMINDER_TABLE}` r
			JOIN (
				SELECT {invoice_column} AS invoice, MAX(sent_at) AS last_at
				FROM `tab{REMINDER_TABLE}` GROUP BY {invoice_column}
			) latest ON latest.invoice = r.{invoice_column} AND latest.last_at = r.sent_at
		) lr ON lr.invoice = si.name"""

	rows = frappe.db.sql(
		f"""
		SELECT si.name AS invoice, si.customer AS customer, si.customer_name AS customer_name,
			si.posting_date AS posting_date, si.due_date AS due_date,
			si.party_account_currency AS currency, si.outstanding_amount AS outstanding_party,
			{OUTSTANDING_COMPANY} AS outstanding, {INVOICE_TOTAL} AS amount,
			pl.link_state AS link_state, pl.disputed AS disputed, pl.view_count AS view_count,
			pl.sent_at AS sent_at, pl.last_viewed_at AS last_viewed_at{reminder_columns}
		FROM `tabSales Invoice` si
		LEFT JOIN `tab{PAYMENT_LINK_TABLE}` pl ON pl.sales_invoice = si.name{reminder_join}
		WHERE si.docstatus = 1 AND si.company = %(company)s AND si.outstanding_amount > 0
			AND si.posting_date <= %(as_of)s{conditions}
		ORDER BY si.due_date, si.name
		""",
		params,
		as_dict=True,
	)
	return _one_per_invoice(rows)


def invoices_for_funnel(
	company: str, from_date: date, to_date: date, customer: str | None = None
) -> list[dict]:
	"""Submitted, non-return invoices posted in the range with their pay link, for the funnel."""
	conditions = " AND si.customer = %(customer)s" if customer else ""
	return frappe.db.sql(
		f"""
		SELECT si.name AS invoice, si.customer AS customer, si.customer_name AS customer_name,
			si.posting_date AS posting_date, si.due_date AS due_date,
			{INVOICE_TOTAL} AS amount, {OUTSTANDING_COMPANY} AS outstanding,
			pl.link_state AS link_state, pl.disputed AS disputed, pl.view_count AS view_count,
			pl.sent_at AS sent_at, pl.last_viewed_at AS last_viewed_at
		FROM `tabSales Invoice` si
		LEFT JOIN `tab{PAYMENT_LINK_TABLE}` pl ON pl.sales_invoice = si.name
		WHERE si.docstatus = 1 AND si.is_return = 0 AND si.company = %(company)s
			AND si.posting_date BETWEEN %(from_date)s AND %(to_date)s{conditions}
		ORDER BY si.posting_date, si.name
		""",
		{
			"company": company,
			"from_date": from_date,
			"to_date": to_date,
			"customer": customer,
			"company_currency": company_currency(company),
		},
		as_dict=True,
	)


def _one_per_invoice(rows: list[dict]) -> list[dict]:
	# Two reminders logged at the same instant for one invoice would both match MAX(sent_at); keep one.
	seen: set[str] = set()
	unique = []
	for row in rows:
		if row["invoice"] not in seen:
			seen.add(row["invoice"])
			unique.append(row)
	return unique
