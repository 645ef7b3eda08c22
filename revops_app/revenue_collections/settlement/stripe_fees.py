"""Stripe fees outside a charge -> one Journal Entry per balance transaction, exactly once.

`core/gateway/stripe_fees.plan_fees` decides (stripe_fee and stripe_fx_fee transactions, the fee of a
payout's own balance transaction); this module reads what is posted, and writes what the plan says:
    Stripe charged a fee:   Dr Stripe Fee Account   Cr Stripe clearing    (the fee)
    Stripe gave one back:   Dr Stripe clearing      Cr Stripe Fee Account
voucher_type Journal Entry, company = the clearing account's, posting and cheque date = the balance
transaction's `created` through the same posting-date rules as every Stripe entry (site time zone, past
ERPNext's freeze and closed periods), cheque_no and revops_stripe_balance_txn = the balance transaction id
(unique: posted once ever; a cancelled entry keeps the id and the fee is then held for finance).

Contract:
- `settle_fees(txns, event=None) -> (FeePlan, {txn id: Journal Entry})`: the caller holds the clearing
  Account row lock (`lock_clearing`), taken as the first statement of a fresh transaction, so the
  payout worker and the backstop post one at a time and each sees what the other committed.
- `posted_fees(ids)`: what the ledger holds per balance transaction id (one query).
- `backstop_fees(api_key, api_base, created_gte)`: the backstop's pass, for fees no payout carries yet
  (manual payouts, a payout still in transit): lists each fee type since `created_gte` (GatewayError on
  failure, before any lock), then locks and settles like the payout worker.
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.model.document import Document
from frappe.utils import flt

from revops_app.core.gateway.balance_transactions import FEE_TYPES, BalanceTxn, list_balance_transactions
from revops_app.core.gateway.stripe_fees import FeeMovement, FeePlan, PostedFee, plan_fees
from revops_app.core.gateway.webhooks.events import GatewayEvent
from revops_app.revenue_collections.constants import CF_JE_STRIPE_BALANCE_TXN
from revops_app.revenue_collections.settlement.posting_dates import stripe_posting_date
from revops_app.revops.settings import get_settings

FEE_REMARK = "Stripe fee"


def lock_clearing(clearing: str | None) -> None:
	"""End the caller's snapshot, then lock the clearing Account row (serialises payouts and fees)."""
	frappe.db.commit()  # nosemgrep: a fresh transaction, so reads after the lock see committed entries
	if clearing:
		frappe.db.get_value("Account", clearing, "name", for_update=True)


def posted_fees(txn_ids: list[str]) -> dict[str, PostedFee]:
	if not txn_ids:
		return {}
	rows = frappe.get_all(
		"Journal Entry",
		filters={CF_JE_STRIPE_BALANCE_TXN: ["in", sorted(set(txn_ids))]},
		fields=["name", "docstatus", CF_JE_STRIPE_BALANCE_TXN],
	)
	return {row[CF_JE_STRIPE_BALANCE_TXN]: PostedFee(row.name, row.docstatus) for row in rows}


def settle_fees(txns: list[BalanceTxn], event: GatewayEvent | None = None) -> tuple[FeePlan, dict[str, str]]:
	"""Plan and post the fee entries of these transactions (under the clearing lock, see the docstring)."""
	settings = get_settings()
	clearing = settings.stripe_clearing_account
	company = frappe.db.get_value("Account", clearing, "company") if clearing else None
	plan = plan_fees(
		txns,
		posted=posted_fees([t.id for t in txns]),
		fee_account=settings.stripe_fee_account,
		clearing_account=clearing,
		clearing_currency=frappe.db.get_value("Account", clearing, "account_currency") if clearing else None,
		company_currency=frappe.get_cached_value("Company", company, "default_currency") if company else None,
	)
	names = {}
	for movement in plan.to_post:
		je = post_fee_entry(movement, settings, company, event)
		names[movement.balance_transaction] = je.name
	return plan, names


def post_fee_entry(
	movement: FeeMovement, settings: Document, company: str, event: GatewayEvent | None
) -> Document:
	when = stripe_posting_date(company, "Journal Entry", movement.created, event)
	cost_center = settings.cost_center or frappe.get_cached_value("Company", company, "cost_center")
	je = frappe.new_doc("Journal Entry")
	je.voucher_type = "Journal Entry"
	je.company = company
	je.posting_date = when.date  # the day Stripe took the fee (or the first open date after it)
	je.cheque_no = movement.balance_transaction
	je.cheque_date = when.date
	je.set(CF_JE_STRIPE_BALANCE_TXN, movement.balance_transaction)
	value = flt(abs(movement.amount))
	charged = movement.amount > Decimal(0)
	for account, debit, remark in (
		(settings.stripe_fee_account, charged, f"{FEE_REMARK}: {movement.what}"),
		(settings.stripe_clearing_account, not charged, "Stripe balance"),
	):
		je.append(
			"accounts",
			{
				"account": account,
				"cost_center": cost_center,
				"debit_in_account_currency": value if debit else 0,
				"credit_in_account_currency": 0 if debit else value,
				"user_remark": remark,
			},
		)
	je.user_remark = (
		f"{movement.what}: Stripe balance transaction {movement.balance_transaction} "
		f"({movement.txn_type}, {'charged' if charged else 'given back'} {value} {movement.currency})"
		+ (f". {when.remark}" if when.remark else "")
	)
	je.flags.ignore_permissions = True
	je.submit()  # a new document: one insert with docstatus 1
	return je


def backstop_fees(api_key: str, api_base: str | None, created_gte: int) -> tuple[FeePlan, dict[str, str]]:
	txns: list[BalanceTxn] = []
	for fee_type in FEE_TYPES:
		txns += list_balance_transactions(api_key, type_=fee_type, created_gte=created_gte, api_base=api_base)
	if not txns:
		return FeePlan(), {}
	lock_clearing(get_settings().stripe_clearing_account)
	return settle_fees(txns)
