"""An invoice's instalments for the pay pages: what ERPNext's Payment Schedule says is due now.

Contract: `due_now(invoice, on)` reads the invoice's Payment Schedule rows (ERPNext keeps them; nothing is
written) and returns what is due on `on` (`core.collections.instalments.due_now`) formatted for a page:
{amount, amount_formatted, currency, due_date, due_date_formatted, overdue, upcoming, count, instalments} in
the receivable's currency (the currency of ERPNext's outstanding_amount), or None for an invoice without a
schedule of two or more rows or with nothing owed. `schedule_of(invoice)` -> (instalments, currency).
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe.utils import cint, flt, formatdate, getdate, today

from revops_app.core.collections import instalments as rules
from revops_app.core.gateway.paylinks import format_amount


def schedule_of(invoice: str) -> tuple[tuple[rules.Instalment, ...], str | None]:
	"""(the invoice's instalments with what each still owes, the receivable's currency); no instalments
	without a schedule of 2+ rows."""
	si = frappe.db.get_value(
		"Sales Invoice",
		invoice,
		["currency", "party_account_currency", "outstanding_amount", "docstatus"],
		as_dict=True,
	)
	if not si or cint(si.docstatus) != 1:
		return (), None
	currency = si.party_account_currency or si.currency
	prefix = "base_" if currency != si.currency else ""
	rows = frappe.get_all(
		"Payment Schedule",
		filters={"parent": invoice, "parenttype": "Sales Invoice"},
		fields=["idx", "due_date", f"{prefix}payment_amount", f"{prefix}paid_amount", f"{prefix}outstanding"],
		order_by="idx",
	)
	schedule = [
		rules.ScheduleRow(
			idx=cint(row.idx),
			due_date=getdate(row.due_date),
			payment_amount=flt(row.get(f"{prefix}payment_amount")),
			paid_amount=flt(row.get(f"{prefix}paid_amount")),
			outstanding=None
			if row.get(f"{prefix}outstanding") is None
			else flt(row.get(f"{prefix}outstanding")),
		)
		for row in rows
	]
	if not rules.has_instalments(schedule):
		return (), currency
	return rules.instalments(schedule, flt(si.outstanding_amount)), currency


def due_now(invoice: str, on: date | None = None) -> dict | None:
	"""What the page shows beside the total (module docstring)."""
	schedule, currency = schedule_of(invoice)
	due = rules.due_now(schedule, getdate(on or today())) if schedule else None
	if due is None:
		return None
	return {
		"amount": due.amount,
		"amount_formatted": format_amount(due.amount, currency),
		"currency": currency,
		"due_date": due.due_date,
		"due_date_formatted": formatdate(due.due_date),
		"overdue": due.overdue,
		"upcoming": due.upcoming,
		"count": due.count,
		"instalments": len(schedule),
	}
