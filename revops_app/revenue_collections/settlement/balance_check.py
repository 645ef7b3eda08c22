"""Stripe's balance against the Stripe clearing account; a difference is flagged with what explains it.

Contract:
- `run(now=None)` (daily scheduler job, also whitelisted through the report's button later): Stripe's
  balance (available + pending per currency, `core/gateway/balance.retrieve_balance`) against the
  clearing account's ledger balance (GL, account currency, cancelled entries excluded); the balance
  transactions of the last LOOKBACK_DAYS that no submitted ERPNext voucher holds
  (`ledger_home` + `payouts.voucher_index`; a payout's own fee counts apart from its transfer,
  `stripe_fees.payout_unposted`) are listed as the explanation. One Stripe log row per run:
  Success when every currency agrees, Error ("balance differs") naming each difference, the
  transactions that explain it and what is left unexplained. Returns the row's name.
"""

from __future__ import annotations

import time
from decimal import Decimal

import frappe
from frappe.query_builder.functions import Sum

from revops_app.core.gateway.balance import compare_balance, retrieve_balance
from revops_app.core.gateway.balance_transactions import VoucherKind, ledger_home, list_balance_transactions
from revops_app.core.gateway.client import GatewayError
from revops_app.core.gateway.stripe_fees import payout_unposted
from revops_app.revenue_collections.constants import CF_STRIPE_PAYOUT
from revops_app.revenue_collections.settlement.payouts import voucher_index
from revops_app.revops.constants import INTEGRATION_STRIPE, LogStatus
from revops_app.revops.integration_log import create_log
from revops_app.revops.settings import get_settings, get_stripe_api_base, get_stripe_secret_key

LOOKBACK_DAYS = 35
BALANCE_EVENT_TYPE = "balance.check"


def run(now: int | None = None) -> str | None:
	settings = get_settings()
	key = get_stripe_secret_key()
	clearing = settings.stripe_clearing_account
	if not (settings.enabled and settings.stripe_enabled and key and clearing):
		return None
	now = now or int(time.time())
	base = get_stripe_api_base()
	try:
		stripe_balance = retrieve_balance(key, api_base=base)
		txns = list_balance_transactions(key, created_gte=now - LOOKBACK_DAYS * 86_400, api_base=base)
	except GatewayError as error:
		return _log(LogStatus.ERROR, f"balance check not made: {error}")
	currency = frappe.db.get_value("Account", clearing, "account_currency")
	ledger = {currency: clearing_balance(clearing)}
	vouchers = voucher_index(txns)
	posted_payouts = set(
		frappe.get_all(
			"Payment Entry", filters={CF_STRIPE_PAYOUT: ["is", "set"], "docstatus": 1}, pluck=CF_STRIPE_PAYOUT
		)
	)
	unposted = []
	for txn in txns:
		home = ledger_home(txn)
		if home.kind is VoucherKind.PAYOUT:
			part = payout_unposted(
				txn,
				transfer_posted=home.key in posted_payouts,
				fee_posted=bool(vouchers.get((VoucherKind.FEE, txn.id))),
			)
			if part:
				unposted.append(part)
		elif not (home.kind and vouchers.get((home.kind, home.key))):
			unposted.append(txn)
	checks = compare_balance(stripe_balance, ledger, unposted)
	if all(check.ok for check in checks):
		totals = ", ".join(f"{c.stripe} {c.currency}" for c in checks) or "nothing"
		return _log(LogStatus.SUCCESS, f"Stripe balance ({totals}) equals {clearing}")
	parts = []
	for check in (c for c in checks if not c.ok):
		if check.ledger is None:
			parts.append(
				f"{check.currency}: Stripe holds {check.stripe} but no clearing account is in {check.currency}"
			)
			continue
		listed = "; ".join(
			f"{t.type} {t.id} net {t.net} ({ledger_home(t).reason or 'not posted in ERPNext yet'})"
			for t in check.explained_by[:20]
		)
		parts.append(
			f"{check.currency}: Stripe {check.stripe}, {clearing} {check.ledger}, difference {check.difference}; "
			f"explained by {len(check.explained_by)} balance transactions without an ERPNext voucher"
			+ (f" ({listed})" if listed else "")
			+ f"; unexplained {check.unexplained}"
		)
	return _log(LogStatus.ERROR, "balance differs: " + " | ".join(parts))


def clearing_balance(account: str) -> Decimal:
	gle = frappe.qb.DocType("GL Entry")
	rows = (
		frappe.qb.from_(gle)
		.select(Sum(gle.debit_in_account_currency) - Sum(gle.credit_in_account_currency))
		.where((gle.account == account) & (gle.is_cancelled == 0))
		.run()
	)
	return Decimal(str(rows[0][0] or 0)).quantize(Decimal("0.01"))


def _log(status: str, message: str) -> str:
	log = create_log(INTEGRATION_STRIPE, status=status, event_type=BALANCE_EVENT_TYPE, message=message)
	frappe.db.commit()  # nosemgrep: a scheduled job ends its own transaction
	return log.name
