"""Stripe payouts -> one Internal Transfer Payment Entry from the Stripe clearing account to the bank.

Contract:
- `settle_payout(event)` handles `payout.paid`, `payout.failed` and `payout.canceled` alike: it asks
  Stripe for the payout's current state (`core/gateway/payouts.retrieve_payout`) and, when it may post,
  for the balance transactions it carries (`list_balance_transactions(payout=...)`), both before any
  lock; then it locks the clearing Account row (payouts and fee entries of one account post one at a
  time), posts the Stripe fees the payout carries (`stripe_fees.settle_fees`: stripe_fee / stripe_fx_fee
  transactions and the payout's own fee, one Journal Entry each, before the transfer so its rows name
  them), reads what is posted for the payout id and lets `plan_payout` decide:
  POST   -> Internal Transfer (paid_from = clearing, paid_to = Stripe Payout Bank Account, amount =
            payout amount, posting and reference date = the payout's arrival date moved past ERPNext's
            freeze and closed periods like every Stripe entry, reference_no = payout id so ERPNext's Bank
            Reconciliation Tool ranks it first for the bank line, revops_stripe_payout = payout id
            (unique: posted once ever), one RevOps Payout Transaction row per balance transaction with
            the voucher that holds it or why none does), submitted in one save.
  CANCEL -> the entry is cancelled (the money went back to Stripe); ERPNext reverses its GL.
  HOLD   -> Error with the reason, nothing posted; NOTHING -> Success with the reason.
- The log message counts the transactions with and without a voucher (each one without says why:
  adjustments, tax, reserves... are skipped, see `ledger_home`), names the fee entries posted or held,
  and a payout whose transactions do not net to its amount. A held fee makes the row Error (the
  transfer still posts); Reprocess after the fix finds the transfer posted and posts the fee.
"""

from __future__ import annotations

from datetime import datetime, timezone

import frappe
from frappe.utils import getdate, nowdate

from erpnext.accounts.doctype.bank_transaction.bank_transaction import get_reconciled_bank_transactions

from revops_app.core.gateway.balance_transactions import (
	BalanceTxn,
	VoucherKind,
	ledger_home,
	list_balance_transactions,
)
from revops_app.core.gateway.payouts import (
	PayoutAction,
	PayoutFacts,
	PostedPayout,
	payout_mismatch,
	plan_payout,
	retrieve_payout,
)
from revops_app.core.gateway.posting_dates import posting_date
from revops_app.core.gateway.stripe_fees import fee_movement
from revops_app.core.gateway.webhooks import GatewayEvent
from revops_app.revenue_collections.constants import (
	CF_JE_STRIPE_BALANCE_TXN,
	CF_JE_STRIPE_DISPUTE,
	CF_PAYMENT_INTENT,
	CF_PAYOUT_TRANSACTIONS,
	CF_STRIPE_OBJECT,
	CF_STRIPE_PAYOUT,
	PAYOUT_TRANSACTION_DOCTYPE,
)
from revops_app.revenue_collections.settlement.posting_dates import (
	books_closed_upto,
	closed_periods,
	frozen_upto,
)
from revops_app.revenue_collections.settlement.stripe_fees import lock_clearing, settle_fees
from revops_app.revops.constants import LogStatus
from revops_app.revops.settings import get_settings, get_stripe_api_base, get_stripe_secret_key


def settle_payout(event: GatewayEvent, payout_id: str | None) -> tuple[str, str]:
	if not payout_id:
		return LogStatus.INVALID, f"{event.event_type} {event.event_id} carries no payout id"
	settings = get_settings()
	key, base = get_stripe_secret_key(), get_stripe_api_base()
	payout = retrieve_payout(key, payout_id, api_base=base)
	txns: list[BalanceTxn] = []
	if payout.status == "paid":  # listed on replays too: a fee entry missing then is posted now
		txns = list_balance_transactions(key, payout=payout_id, api_base=base)

	clearing = settings.stripe_clearing_account
	lock_clearing(clearing)  # ends the pre-lock snapshot (see worker.py, serialisation)
	carried = [*txns, *(t for t in (payout.own_txn, payout.failure_txn) if t)]
	fees, fee_entries = settle_fees(carried, event)
	status, message = _settle_transfer(event, payout, txns, settings, clearing)
	if fees.items:
		message = f"{message}; {fees.summary(fee_entries)}"
	if fees.held and status == LogStatus.SUCCESS:
		status = LogStatus.ERROR  # Reprocess once fixed: the transfer is found posted, the fee posts then
	return status, message


def _settle_transfer(
	event: GatewayEvent, payout: PayoutFacts, txns: list[BalanceTxn], settings, clearing: str | None
) -> tuple[str, str]:
	payout_id = payout.payout_id
	posted = posted_payout(payout_id)
	bank = settings.get("stripe_payout_bank_account")
	plan = plan_payout(
		payout,
		posted=posted,
		bank_account=bank,
		bank_currency=frappe.db.get_value("Account", bank, "account_currency") if bank else None,
		clearing_currency=frappe.db.get_value("Account", clearing, "account_currency") if clearing else None,
	)
	if plan.action is PayoutAction.HOLD:
		return LogStatus.ERROR, f"held: {plan.reason}; nothing posted"
	if plan.action is PayoutAction.NOTHING:
		return LogStatus.SUCCESS, plan.reason
	if plan.action is PayoutAction.CANCEL:
		frappe.get_doc("Payment Entry", posted.name).cancel()
		return LogStatus.SUCCESS, f"{plan.reason}: Internal Transfer {posted.name} cancelled"
	if not clearing:
		return LogStatus.ERROR, "held: RevOps Settings has no Stripe clearing account; nothing posted"
	pe = post_payout(payout, txns, settings, clearing, bank, event)
	rows = pe.get(CF_PAYOUT_TRANSACTIONS)
	unmatched = [
		f"{row.transaction_type} {row.balance_transaction}: {row.note}" for row in rows if not row.voucher_no
	]
	message = (
		f"{plan.reason}: Internal Transfer {pe.name} submitted; {len(txns)} balance transactions, "
		f"{len(txns) - len(unmatched)} with their ERPNext voucher, {len(unmatched)} without"
		+ (f" ({'; '.join(unmatched[:10])}{' ...' if len(unmatched) > 10 else ''})" if unmatched else "")
	)
	mismatch = payout_mismatch(payout, txns)
	return LogStatus.SUCCESS, message + (f"; check: {mismatch}" if mismatch else "")


def posted_payout(payout_id: str) -> PostedPayout | None:
	row = frappe.db.get_value(
		"Payment Entry",
		{CF_STRIPE_PAYOUT: payout_id},
		["name", "docstatus", "clearance_date"],
		as_dict=True,
		order_by="docstatus asc",
	)
	if not row:
		return None
	# Reconciled: a clearance date, or allocated to a Bank Transaction (ERPNext sets no clearance date on an
	# Internal Transfer between two Bank-type accounts until both sides are matched to statement lines).
	reconciled = bool(row.clearance_date) or bool(get_reconciled_bank_transactions("Payment Entry", row.name))
	return PostedPayout(row.name, row.docstatus, reconciled)


def post_payout(
	payout: PayoutFacts, txns: list[BalanceTxn], settings, clearing: str, bank: str, event: GatewayEvent
):
	company = frappe.db.get_value("Account", clearing, "company")
	when = payout_posting_date(company, payout, event)
	pe = frappe.new_doc("Payment Entry")
	pe.update(
		{
			"payment_type": "Internal Transfer",
			"company": company,
			"posting_date": when.date,
			"reference_date": when.date,
			"reference_no": payout.payout_id,
			"paid_from": clearing,
			"paid_to": bank,
			"paid_amount": payout.amount,
			"received_amount": payout.amount,
			"cost_center": settings.cost_center,
			CF_STRIPE_PAYOUT: payout.payout_id,
			"custom_remarks": 1,
			"remarks": (
				f"Stripe payout {payout.payout_id} to the bank" + (f". {when.remark}." if when.remark else "")
			),
		}
	)
	if settings.mode_of_payment:
		pe.mode_of_payment = settings.mode_of_payment
	vouchers = voucher_index(txns)
	for txn in txns:
		home = ledger_home(txn)
		voucher = vouchers.get((home.kind, home.key)) if home.kind else None
		note = home.reason
		if home.kind is VoucherKind.PAYOUT:
			note = "this payout" if home.key == payout.payout_id else f"payout {home.key}"
		elif home.kind and not voucher:
			note = f"no submitted ERPNext {home.kind.value} entry for {home.key} yet"
		pe.append(
			CF_PAYOUT_TRANSACTIONS,
			{
				"balance_transaction": txn.id,
				"transaction_type": txn.type,
				"reporting_category": txn.reporting_category,
				"stripe_source": txn.source,
				"currency": txn.currency,
				"amount": txn.amount,
				"fee": txn.fee,
				"net": txn.net,
				"created_on": _utc(txn.created),
				"voucher_type": voucher[0] if voucher else None,
				"voucher_no": voucher[1] if voucher else None,
				"note": None if voucher else note,
			},
		)
	pe.flags.ignore_permissions = True
	pe.submit()  # new document: one insert with docstatus 1
	own = [row.name for row in pe.get(CF_PAYOUT_TRANSACTIONS) if row.note == "this payout"]
	if own:  # the payout's own balance transaction is held by this entry, named only now
		frappe.db.set_value(
			PAYOUT_TRANSACTION_DOCTYPE,
			own[0],
			{"voucher_type": "Payment Entry", "voucher_no": pe.name, "note": None},
		)
		for row in pe.get(CF_PAYOUT_TRANSACTIONS):
			if row.name == own[0]:
				row.update({"voucher_type": "Payment Entry", "voucher_no": pe.name, "note": None})
	return pe


def voucher_index(txns: list[BalanceTxn]) -> dict[tuple[VoucherKind, str], tuple[str, str]]:
	"""(kind, Stripe id) -> (voucher type, name) for every submitted entry these transactions name,
	one query per kind (never one per row); (FEE, txn id) also for a payout transaction's fee."""
	wanted: dict[VoucherKind, set[str]] = {}
	for txn in txns:
		home = ledger_home(txn)
		if home.kind and home.key and home.kind is not VoucherKind.PAYOUT:
			wanted.setdefault(home.kind, set()).add(home.key)
		if home.kind is VoucherKind.PAYOUT and fee_movement(txn):  # the payout fee's own entry
			wanted.setdefault(VoucherKind.FEE, set()).add(txn.id)
	found: dict[tuple[VoucherKind, str], tuple[str, str]] = {}
	lookups = {
		VoucherKind.RECEIPT: ("Payment Entry", CF_PAYMENT_INTENT, {"payment_type": "Receive"}),
		VoucherKind.REFUND: ("Payment Entry", CF_STRIPE_OBJECT, {"payment_type": "Pay"}),
		VoucherKind.DISPUTE: ("Journal Entry", CF_JE_STRIPE_DISPUTE, {}),
		VoucherKind.FEE: ("Journal Entry", CF_JE_STRIPE_BALANCE_TXN, {}),
	}
	for kind, keys in wanted.items():
		doctype, field, extra = lookups[kind]
		rows = frappe.get_all(
			doctype,
			filters={field: ["in", sorted(keys)], "docstatus": 1, **extra},
			fields=["name", field],
			order_by="creation asc",
		)
		for row in rows:
			found.setdefault((kind, row[field]), (doctype, row.name))
	return found


def payout_posting_date(company: str, payout: PayoutFacts, event: GatewayEvent):
	"""The arrival date, a calendar date Stripe sends as midnight UTC (read in UTC, not the site zone),
	moved past ERPNext's freeze and closed periods as every Stripe entry is."""
	return posting_date(
		money_ts=payout.arrival_date,
		event_ts=event.created,
		today=getdate(nowdate()),
		tz="UTC",
		frozen_upto=frozen_upto(company),
		closed=closed_periods(company, "Payment Entry"),
		books_closed_upto=books_closed_upto(company),
	)


def _utc(ts: int | None):
	return datetime.fromtimestamp(ts, tz=timezone.utc).replace(tzinfo=None) if ts else None
