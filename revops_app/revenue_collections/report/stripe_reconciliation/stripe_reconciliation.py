"""Stripe Reconciliation: each payout (or day) with the balance transactions it carries and the ERPNext
voucher of each, what is unmatched on either side, fees, and the clearing account against Stripe's balance.

Rows are a tree: a payout (or a Stripe day) and, under it, its balance transactions. A transaction without
a voucher says why (the reason the payout worker recorded: adjustments, tax, reserves... are skipped and
posted by hand; a Stripe fee outside a charge has its own Journal Entry as its voucher). "Not yet paid
out" lists Stripe receipts in the range that no payout carries yet: money still in the Stripe balance. The summary shows fees, payouts, the
clearing account at To Date and the last balance check (the daily job's log row).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate, today

from revops_app.core.gateway.balance_transactions import FEE_TYPES
from revops_app.revenue_collections import reconciliation_data as data
from revops_app.revenue_collections.reports_data import stripe_clearing_account


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	if not company:
		frappe.throw(_("Please select a Company"))
	to_date = getdate(filters.get("to_date") or today())
	from_date = getdate(filters.get("from_date") or add_days(to_date, -30))
	if from_date > to_date:
		frappe.throw(_("From Date must be on or before To Date"))
	entries = data.payouts(company, from_date, to_date)
	pending = data.receipts_not_paid_out(company, from_date, to_date)
	if filters.get("group_by") == "Day":
		rows = rows_by_day(entries)
	else:
		rows = rows_by_payout(entries)
	rows += pending_rows(pending)
	return get_columns(), rows, None, None, get_summary(company, to_date, entries, pending)


def get_columns() -> list[dict]:
	money = {"fieldtype": "Currency", "options": "currency", "width": 110}
	return [
		{"fieldname": "label", "label": _("Payout / Day"), "fieldtype": "Data", "width": 220},
		{
			"fieldname": "balance_transaction",
			"label": _("Balance Transaction"),
			"fieldtype": "Data",
			"width": 170,
		},
		{"fieldname": "transaction_type", "label": _("Type"), "fieldtype": "Data", "width": 100},
		{"fieldname": "stripe_source", "label": _("Stripe Source"), "fieldtype": "Data", "width": 150},
		{"fieldname": "amount", "label": _("Amount"), **money},
		{"fieldname": "fee", "label": _("Fee"), **money},
		{"fieldname": "net", "label": _("Net"), **money},
		{
			"fieldname": "voucher_type",
			"label": _("Voucher Type"),
			"fieldtype": "Link",
			"options": "DocType",
			"width": 110,
		},
		{
			"fieldname": "voucher_no",
			"label": _("ERPNext Voucher"),
			"fieldtype": "Dynamic Link",
			"options": "voucher_type",
			"width": 160,
		},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 120},
		{"fieldname": "note", "label": _("Unmatched Because"), "fieldtype": "Data", "width": 260},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
		{"fieldname": "row_id", "label": _("Row"), "fieldtype": "Data", "hidden": 1},
		{"fieldname": "parent_row", "label": _("Parent"), "fieldtype": "Data", "hidden": 1},
	]


def txn_row(txn, parent: str) -> dict:
	return {
		"row_id": f"{parent}/{txn.balance_transaction}",
		"parent_row": parent,
		"indent": 1,
		"balance_transaction": txn.balance_transaction,
		"transaction_type": txn.transaction_type,
		"stripe_source": txn.stripe_source,
		"amount": txn.amount,
		"fee": txn.fee,
		"net": txn.net,
		"currency": txn.currency,
		"voucher_type": txn.voucher_type,
		"voucher_no": txn.voucher_no,
		"status": _("Matched") if txn.voucher_no else _("Unmatched"),
		"note": txn.note,
	}


def payout_status(entry) -> str:
	if entry.docstatus == 2:
		return _("Reversed")
	return _("In Bank (cleared)") if entry.clearance_date else _("Posted")


def rows_by_payout(entries: list[dict]) -> list[dict]:
	rows = []
	for entry in entries:
		rows.append(
			{
				"row_id": entry.payout,
				"indent": 0,
				"label": f"{entry.payout} ({entry.posting_date})",
				"net": entry.paid_amount,
				"fee": sum(fee_of(t) for t in entry.transactions),
				"currency": entry.currency,
				"voucher_type": "Payment Entry",
				"voucher_no": entry.name,
				"status": payout_status(entry),
			}
		)
		rows += [txn_row(t, entry.payout) for t in entry.transactions]
	return rows


def rows_by_day(entries: list[dict]) -> list[dict]:
	days: dict[str, list] = {}
	for entry in entries:
		if entry.docstatus != 1:
			continue
		for txn in entry.transactions:
			day = str(getdate(txn.created_on)) if txn.created_on else str(entry.posting_date)
			days.setdefault(day, []).append(txn)
	rows = []
	for day in sorted(days):
		txns = days[day]
		rows.append(
			{
				"row_id": day,
				"indent": 0,
				"label": day,
				"net": sum(flt(t.net) for t in txns),
				"fee": sum(fee_of(t) for t in txns),
				"currency": txns[0].currency,
				"status": _("{0} unmatched").format(sum(1 for t in txns if not t.voucher_no)),
			}
		)
		rows += [txn_row(t, day) for t in txns]
	return rows


def pending_rows(pending: list[dict]) -> list[dict]:
	if not pending:
		return []
	head = "not-paid-out"
	rows = [
		{
			"row_id": head,
			"indent": 0,
			"label": _("In ERPNext, in no payout yet"),
			"net": sum(flt(p.paid_amount) for p in pending),
			"currency": pending[0].currency,
			"status": _("{0} entries").format(len(pending)),
		}
	]
	for p in pending:
		rows.append(
			{
				"row_id": f"{head}/{p.name}",
				"parent_row": head,
				"indent": 1,
				"stripe_source": p.payment_intent,
				"net": p.paid_amount,
				"currency": p.currency,
				"voucher_type": "Payment Entry",
				"voucher_no": p.name,
				"status": _("Not paid out"),
				"note": _("still in the Stripe balance, or its payout is not posted yet"),
			}
		)
	return rows


def fee_of(txn) -> float:
	"""What Stripe took in fees with this transaction: its fee (charges, refunds, a payout's own fee), or
	the whole of a fee-type transaction (stripe_fee, stripe_fx_fee: net < 0 when charged)."""
	return -flt(txn.net) if txn.transaction_type in FEE_TYPES else flt(txn.fee)


def get_summary(company: str, to_date, entries: list[dict], pending: list[dict]) -> list[dict]:
	posted = [e for e in entries if e.docstatus == 1]
	txns = [t for e in posted for t in e.transactions]
	summary = [
		{"label": _("Payouts"), "value": sum(flt(e.paid_amount) for e in posted), "datatype": "Currency"},
		{"label": _("Stripe Fees"), "value": sum(fee_of(t) for t in txns), "datatype": "Currency"},
		{
			"label": _("Unmatched Stripe Transactions"),
			"value": sum(1 for t in txns if not t.voucher_no),
			"datatype": "Int",
			"indicator": "Red" if any(not t.voucher_no for t in txns) else "Green",
		},
		{"label": _("ERPNext Receipts in No Payout"), "value": len(pending), "datatype": "Int"},
	]
	clearing = stripe_clearing_account(company)
	if clearing:
		summary.append(
			{
				"label": _("Clearing Account at {0}").format(to_date),
				"value": data.account_balance_upto(clearing, to_date),
				"datatype": "Currency",
			}
		)
	check = data.last_balance_check()
	if check:
		summary.append(
			{
				"label": _("Stripe Balance Check ({0})").format(getdate(check.creation)),
				"value": _("Agrees")
				if check.status == "Success"
				else _("Differs: see log {0}").format(check.name),
				"datatype": "Data",
				"indicator": "Green" if check.status == "Success" else "Red",
			}
		)
	return summary
