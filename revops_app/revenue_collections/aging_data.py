"""The receivables behind Receivables Aging with Pay-Link Status: ERPNext's own Accounts Receivable rows.

Rows come from `erpnext.accounts.report.accounts_receivable.accounts_receivable.execute` on the same
company, report date and ageing basis (due date, aged on the report date), so every open item is there
as ERPNext counts it: invoices net of credit notes and payments up to the report date, credit notes with
their own balance, unallocated payments and refunds, Journal Entries charging the customer (the app's
dispute withdrawals included). Totals per customer and bucket therefore equal ERPNext's Accounts
Receivable and Accounts Receivable Summary, also for a past date. The pay link, views and the latest
dunning reminder are joined per invoice in two queries (no per-row query).

`promised_invoices` (used by this report and Collection Bottlenecks): invoice -> promised date of the
RevOps Payment Promise covering it on the report date as things stood that day: made on or before it, still
Open then (Open now, or resolved after it), promised_date on or after it (one query, through
`revenue_collections.promises.load_promises`; the rule is `core.collections.promises.promised_as_of`). A
promise kept since still shows on a report dated before it was kept.
"""

from __future__ import annotations

from datetime import date

import frappe

from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as accounts_receivable

from revops_app.core.collections.promises import PromiseStatus, promised_as_of
from revops_app.revenue_collections.constants import (
	CF_JE_STRIPE_DISPUTE,
	PAYMENT_LINK_DOCTYPE,
	PROMISE_DOCTYPE,
)
from revops_app.revenue_collections.promises import load_promises
from revops_app.revenue_collections.reports_data import REMINDER_TABLE, reminder_invoice_column


def erpnext_receivables(
	company: str, as_of: date, limits: tuple[int, ...], customer: str | None
) -> list[dict]:
	filters = {
		"company": company,
		"report_date": as_of,
		"ageing_based_on": "Due Date",
		"calculate_ageing_with": "Report Date",
		"range": ", ".join(str(limit) for limit in limits),
		"party_type": "Customer",
	}
	if customer:
		filters["party"] = [customer]
	result = accounts_receivable(filters)
	return [row for row in (result[1] or []) if isinstance(row, dict) and row.get("voucher_no")]


def what_it_is(rows: list[dict]) -> dict[tuple[str, str], str]:
	"""(voucher type, name) -> Invoice / Credit Note / Unallocated Payment / Refund / Stripe Dispute / Journal Entry."""
	kinds: dict[tuple[str, str], str] = {}
	by_type: dict[str, list[str]] = {}
	for row in rows:
		by_type.setdefault(row["voucher_type"], []).append(row["voucher_no"])
	if by_type.get("Sales Invoice"):
		for si in frappe.get_all(
			"Sales Invoice", filters={"name": ["in", by_type["Sales Invoice"]]}, fields=["name", "is_return"]
		):
			kinds[("Sales Invoice", si.name)] = "Credit Note" if si.is_return else "Invoice"
	if by_type.get("Payment Entry"):
		for pe in frappe.get_all(
			"Payment Entry",
			filters={"name": ["in", by_type["Payment Entry"]]},
			fields=["name", "payment_type"],
		):
			kinds[("Payment Entry", pe.name)] = (
				"Refund" if pe.payment_type == "Pay" else "Unallocated Payment"
			)
	if by_type.get("Journal Entry"):
		for je in frappe.get_all(
			"Journal Entry",
			filters={"name": ["in", by_type["Journal Entry"]]},
			fields=["name", CF_JE_STRIPE_DISPUTE],
		):
			kinds[("Journal Entry", je.name)] = (
				"Stripe Dispute" if je.get(CF_JE_STRIPE_DISPUTE) else "Journal Entry"
			)
	return kinds


def links_and_reminders(invoices: list[str]) -> dict[str, dict]:
	"""Per invoice: its pay link's state, dispute flag, views, sent time and the latest logged reminder."""
	if not invoices:
		return {}
	info: dict[str, dict] = {}
	for link in frappe.get_all(
		PAYMENT_LINK_DOCTYPE,
		filters={"sales_invoice": ["in", invoices]},
		fields=["sales_invoice", "link_state", "disputed", "view_count", "sent_at", "last_viewed_at"],
		order_by="creation asc",
	):
		info[link.sales_invoice] = dict(link)
	column = reminder_invoice_column()
	if column:
		for reminder in frappe.get_all(
			REMINDER_TABLE,
			filters={column: ["in", invoices]},
			fields=[column, "step", "sent_at", "outcome"],
			order_by="sent_at asc",
		):
			info.setdefault(reminder[column], {}).update(
				last_reminder_step=reminder.step,
				last_reminder_at=reminder.sent_at,
				last_reminder_outcome=reminder.outcome,
			)
	return info


def customer_names(customers: set[str]) -> dict[str, str]:
	if not customers:
		return {}
	return dict(
		frappe.get_all(
			"Customer",
			filters={"name": ["in", sorted(customers)]},
			fields=["name", "customer_name"],
			as_list=True,
		)
	)


def promised_invoices(invoices: list[str], on: date) -> dict[str, date]:
	"""invoice -> the date it is promised by, for those of `invoices` under a promise running on `on` as it
	stood that day (made by then, still Open then, promised_date >= on; module docstring)."""
	if not invoices or not frappe.db.table_exists(PROMISE_DOCTYPE):
		return {}
	return promised_as_of(load_promises(invoices, statuses=PromiseStatus.ALL), on)
