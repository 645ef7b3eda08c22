"""Queries behind the Stripe Reconciliation report: payouts with their balance transactions, Stripe entries
no payout carries yet, the clearing account's balance and the last balance check (aggregated, no per-row
queries)."""

from __future__ import annotations

from datetime import date

import frappe
from frappe.query_builder.functions import Sum
from frappe.utils import getdate

from revops_app.revenue_collections.constants import (
	CF_PAYMENT_INTENT,
	CF_STRIPE_PAYOUT,
	PAYOUT_TRANSACTION_DOCTYPE,
)
from revops_app.revops.constants import INTEGRATION_STRIPE, LOG_DOCTYPE


def payouts(company: str, from_date: date, to_date: date) -> list[dict]:
	"""Payout Internal Transfers (submitted or cancelled) dated in the range, with their transaction rows."""
	pe = frappe.qb.DocType("Payment Entry")
	entries = (
		frappe.qb.from_(pe)
		.select(
			pe.name,
			pe.posting_date,
			pe.paid_amount,
			pe.paid_to,
			pe.docstatus,
			pe.clearance_date,
			pe.paid_from_account_currency.as_("currency"),
			getattr(pe, CF_STRIPE_PAYOUT).as_("payout"),
		)
		.where(
			(pe.company == company)
			& (getattr(pe, CF_STRIPE_PAYOUT).isnotnull())
			& (pe.docstatus > 0)
			& (pe.posting_date.between(from_date, to_date))
		)
		.orderby(pe.posting_date)
		.run(as_dict=True)
	)
	if not entries:
		return []
	rows = frappe.get_all(
		PAYOUT_TRANSACTION_DOCTYPE,
		filters={"parenttype": "Payment Entry", "parent": ["in", [e.name for e in entries]]},
		fields=[
			"parent",
			"balance_transaction",
			"transaction_type",
			"stripe_source",
			"currency",
			"amount",
			"fee",
			"net",
			"created_on",
			"voucher_type",
			"voucher_no",
			"note",
		],
		order_by="idx asc",
	)
	by_parent: dict[str, list] = {}
	for row in rows:
		by_parent.setdefault(row.parent, []).append(row)
	for entry in entries:
		entry["transactions"] = by_parent.get(entry.name, [])
	return entries


def receipts_not_paid_out(company: str, from_date: date, to_date: date) -> list[dict]:
	"""Stripe receipts in the range whose money no submitted payout lists yet (still in the Stripe balance)."""
	pe = frappe.qb.DocType("Payment Entry")
	listed = frappe.qb.DocType(PAYOUT_TRANSACTION_DOCTYPE)
	carrier = frappe.qb.DocType("Payment Entry").as_("carrier")
	paid_out = (
		frappe.qb.from_(listed)
		.join(carrier)
		.on(carrier.name == listed.parent)
		.select(listed.voucher_no)
		.where((carrier.docstatus == 1) & (listed.voucher_no.isnotnull()))
	)
	return (
		frappe.qb.from_(pe)
		.select(
			pe.name,
			pe.posting_date,
			pe.paid_amount,
			pe.party,
			getattr(pe, CF_PAYMENT_INTENT).as_("payment_intent"),
			pe.paid_to_account_currency.as_("currency"),
		)
		.where(
			(pe.company == company)
			& (pe.docstatus == 1)
			& (pe.payment_type == "Receive")
			& (getattr(pe, CF_PAYMENT_INTENT).isnotnull())
			& (pe.posting_date.between(from_date, to_date))
			& (pe.name.notin(paid_out))
		)
		.orderby(pe.posting_date)
		.run(as_dict=True)
	)


def account_balance_upto(account: str, upto: date) -> float:
	gle = frappe.qb.DocType("GL Entry")
	rows = (
		frappe.qb.from_(gle)
		.select(Sum(gle.debit_in_account_currency) - Sum(gle.credit_in_account_currency))
		.where((gle.account == account) & (gle.is_cancelled == 0) & (gle.posting_date <= upto))
		.run()
	)
	return rows[0][0] or 0


def last_balance_check() -> dict | None:
	rows = frappe.get_all(
		LOG_DOCTYPE,
		filters={"integration": INTEGRATION_STRIPE, "event_type": "balance.check"},
		fields=["name", "status", "message", "creation"],
		order_by="creation desc",
		limit=1,
	)
	return rows[0] if rows else None


def payouts_by_day(company: str, clearing: str, from_date: date, to_date: date) -> dict[date, float]:
	"""Money paid out of the Stripe clearing account to a bank, per day: submitted Internal Transfers from
	it (the payout worker's entries, and transfers posted by hand before payouts were automated)."""
	pe = frappe.qb.DocType("Payment Entry")
	rows = (
		frappe.qb.from_(pe)
		.select(pe.posting_date, Sum(pe.base_paid_amount))
		.where(
			(pe.company == company)
			& (pe.docstatus == 1)
			& (pe.payment_type == "Internal Transfer")
			& (pe.paid_from == clearing)
			& (pe.posting_date.between(from_date, to_date))
		)
		.groupby(pe.posting_date)
		.run()
	)
	return {getdate(day): amount or 0 for day, amount in rows}
