"""Stripe balance transactions: parsed, listed, and sorted into what ERPNext holds for each (framework-free).

Contract:
- `parse_balance_transaction(obj) -> BalanceTxn`: amounts in major units of the transaction's currency
  (the account's settlement currency), `source` the id of what moved the money (charge, refund,
  dispute, payout, ...), `payment_intent` when the source is an expanded charge carrying one.
  A malformed object raises GatewayError.
- `list_balance_transactions(api_key, *, payout=None, type_=None, created_gte=None, created_lt=None,
  api_base=None)` GETs `/v1/balance_transactions` (`payout=` / `type=` / `created` filters,
  `expand[]=data.source`, 100 a page) through the stripe SDK's auto-paging list and
  returns every transaction; GatewayError on failure.
- `ledger_home(txn) -> LedgerHome`: where the money of a transaction lives in ERPNext. Either a voucher
  kind the glue looks up by a Stripe id (receipt by PaymentIntent, refund by refund id, dispute Journal
  Entry by dispute id, payout Internal Transfer by payout id, fee Journal Entry by the balance
  transaction's own id for `FEE_TYPES`), or no voucher and the reason it is not posted automatically
  (adjustments other than disputes, tax, reserves, transfers...). Every balance-transaction type
  stripe-python 16.1.0 documents has an answer; an unknown type says so. A payout-kind transaction's
  own `fee` (Instant Payouts) is a second home, a fee Journal Entry: see `core/gateway/stripe_fees.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import stripe

from revops_app.core.gateway.client import (
	DEFAULT_TIMEOUT,
	GatewayError,
	as_mapping,
	gateway_error,
	stripe_client,
	v1_services,
)
from revops_app.core.gateway.money import from_minor_units, normalise_currency

PAGE_SIZE = 100


@dataclass(frozen=True)
class BalanceTxn:
	id: str
	type: str
	amount: Decimal
	fee: Decimal
	net: Decimal
	currency: str
	source: str | None = None
	payment_intent: str | None = None
	reporting_category: str | None = None
	created: int | None = None
	available_on: int | None = None
	status: str | None = None
	description: str | None = None


class VoucherKind(str, Enum):
	RECEIPT = "receipt"  # Receive Payment Entry, revops_payment_intent = PaymentIntent
	REFUND = "refund"  # Pay Payment Entry, revops_stripe_object = refund id
	DISPUTE = "dispute"  # Journal Entry, revops_stripe_dispute = dispute id
	PAYOUT = "payout"  # Internal Transfer Payment Entry, revops_stripe_payout = payout id
	FEE = "fee"  # Journal Entry, revops_stripe_balance_txn = the balance transaction id (stripe_fees.py)


@dataclass(frozen=True)
class LedgerHome:
	kind: VoucherKind | None  # None: RevOps posts nothing for it (see `reason`)
	key: str | None = None  # the Stripe id the voucher is found by
	reason: str | None = None


# Fees Stripe takes from the balance on their own: posted to the fee account (core/gateway/stripe_fees.py).
FEE_TYPES = {
	"stripe_fee": "Stripe fee not tied to a charge",
	"stripe_fx_fee": "Stripe currency conversion fee",
}
# A payout's own balance transactions (their `fee` is the payout fee).
PAYOUT_TYPES = ("payout", "payout_cancel", "payout_failure")

# Types RevOps does not post, each with why (the finance team sees this in the log and the report).
NOT_POSTED = {
	"tax": "tax Stripe charged on its fees; post it to your tax account by hand",
	"tax_fee": "tax Stripe charged on its fees; post it to your tax account by hand",
	"tax_fund": "a Stripe Tax filing payment; post it by hand",
	"fee_credit_funding": "Stripe fee credits added to the account; post them by hand",
	"payment_failure_refund": "a payment the bank returned after it succeeded; post the reversal by hand",
	"payment_reversal": "a reversed payment (e.g. an ACH return); post the reversal by hand",
	"payment_unreconciled": "money Stripe received that it could not match to a payment; ask Stripe",
	"payment_network_reserve_hold": "held back by the payment network; it returns when released",
	"payment_network_reserve_release": "a payment network hold released",
	"reserve_hold": "moved into a Stripe reserve; post it by hand",
	"reserve_release": "released from a Stripe reserve; post it by hand",
	"inbound_transfer": "money moved in from a bank (Treasury); post it by hand",
	"inbound_transfer_reversal": "a reversed inbound transfer (Treasury); post it by hand",
	"stripe_balance_payment_debit": "a payment out of the Stripe balance to a Connect platform; post it by hand",
	"stripe_balance_payment_debit_reversal": "a refunded Stripe balance payment; post it by hand",
	"issuing_dispute_provisional_credit": "Stripe Issuing, outside pay-link settlement",
	"issuing_dispute_provisional_credit_reversal": "Stripe Issuing, outside pay-link settlement",
	"payout_minimum_balance_hold": "held back by Stripe as a minimum balance; it returns in a later payout",
	"payout_minimum_balance_release": "a minimum balance Stripe held back, released",
	"reserve_transaction": "moved into or out of a Stripe reserve; post it by hand",
	"reserved_funds": "moved into or out of a Stripe reserve; post it by hand",
	"transfer": "a Connect transfer, outside pay-link settlement",
	"transfer_cancel": "a Connect transfer, outside pay-link settlement",
	"transfer_failure": "a Connect transfer, outside pay-link settlement",
	"transfer_refund": "a Connect transfer, outside pay-link settlement",
	"application_fee": "a Connect application fee, outside pay-link settlement",
	"application_fee_refund": "a Connect application fee, outside pay-link settlement",
	"topup": "money added to the Stripe balance from a bank; post it by hand",
	"topup_reversal": "a reversed top-up; post it by hand",
	"contribution": "a Stripe Climate contribution; post it by hand",
	"issuing_authorization_hold": "Stripe Issuing, outside pay-link settlement",
	"issuing_authorization_release": "Stripe Issuing, outside pay-link settlement",
	"issuing_dispute": "Stripe Issuing, outside pay-link settlement",
	"issuing_transaction": "Stripe Issuing, outside pay-link settlement",
	"connect_collection_transfer": "a Connect collection, outside pay-link settlement",
	"climate_order_purchase": "a Stripe Climate order; post it by hand",
	"climate_order_refund": "a Stripe Climate order; post it by hand",
	"obligation_outbound": "a Stripe obligation; post it by hand",
	"obligation_reversal_inbound": "a Stripe obligation; post it by hand",
	"refund_failure": "a refund the bank returned; post the reversal by hand",
	"advance": "a Stripe Capital advance; post it by hand",
	"advance_funding": "a Stripe Capital advance; post it by hand",
	"anticipation_repayment": "a Stripe Capital repayment; post it by hand",
}

_DISPUTE_CATEGORIES = ("dispute", "dispute_reversal")


def ledger_home(txn: BalanceTxn) -> LedgerHome:
	"""Which ERPNext voucher holds this transaction's money, or why none does (module docstring)."""
	kind = txn.type
	if kind in ("charge", "payment"):
		if txn.payment_intent:
			return LedgerHome(VoucherKind.RECEIPT, txn.payment_intent)
		return LedgerHome(
			None, reason=f"charge {txn.source or '?'} has no PaymentIntent: not a pay-link payment"
		)
	if kind in ("refund", "payment_refund"):
		return LedgerHome(VoucherKind.REFUND, txn.source)
	if kind == "adjustment":
		if txn.reporting_category in _DISPUTE_CATEGORIES and txn.source:
			return LedgerHome(VoucherKind.DISPUTE, txn.source)
		return LedgerHome(
			None,
			reason=(
				f"a Stripe adjustment ({txn.reporting_category or 'uncategorised'}), not a dispute: skipped, "
				"Stripe's dashboard says what it corrects; post it by hand"
			),
		)
	if kind in PAYOUT_TYPES:
		return LedgerHome(VoucherKind.PAYOUT, txn.source)
	if kind in FEE_TYPES:
		return LedgerHome(VoucherKind.FEE, txn.id)
	if kind in NOT_POSTED:
		return LedgerHome(None, reason=NOT_POSTED[kind])
	return LedgerHome(None, reason=f"balance transaction type {kind!r} is unknown to RevOps; post it by hand")


def _int(value: Any, label: str) -> int:
	if isinstance(value, bool) or not isinstance(value, int):
		raise GatewayError(f"Stripe returned a non-integer balance transaction {label}: {value!r}")
	return value


def _ts(value: Any) -> int | None:
	return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def parse_balance_transaction(obj: Mapping) -> BalanceTxn:
	if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), str) or not obj.get("type"):
		raise GatewayError("Stripe returned a balance transaction without id or type")
	currency = normalise_currency(obj.get("currency") or "")
	source = obj.get("source")
	payment_intent = None
	if isinstance(source, Mapping):
		intent = source.get("payment_intent")
		payment_intent = intent.get("id") if isinstance(intent, Mapping) else intent
		source = source.get("id")
	return BalanceTxn(
		id=obj["id"],
		type=str(obj["type"]),
		amount=from_minor_units(_int(obj.get("amount", 0), "amount"), currency),
		fee=from_minor_units(_int(obj.get("fee") or 0, "fee"), currency),
		net=from_minor_units(_int(obj.get("net", 0), "net"), currency),
		currency=currency,
		source=source if isinstance(source, str) and source else None,
		payment_intent=payment_intent if isinstance(payment_intent, str) and payment_intent else None,
		reporting_category=obj.get("reporting_category") or None,
		created=_ts(obj.get("created")),
		available_on=_ts(obj.get("available_on")),
		status=obj.get("status") or None,
		description=obj.get("description") or None,
	)


def list_balance_transactions(
	api_key: str,
	*,
	payout: str | None = None,
	type_: str | None = None,
	created_gte: int | None = None,
	created_lt: int | None = None,
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
) -> list[BalanceTxn]:
	"""Every balance transaction of a payout (or of a created window), every page (module docstring)."""
	params: dict[str, Any] = {"limit": PAGE_SIZE, "expand": ["data.source"]}
	if payout:
		params["payout"] = payout
	if type_:
		params["type"] = type_
	created = {k: v for k, v in (("gte", created_gte), ("lt", created_lt)) if v is not None}
	if created:
		params["created"] = created
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		page = v1_services(client).balance_transactions.list(params=params)
		return [parse_balance_transaction(as_mapping(txn)) for txn in page.auto_paging_iter()]
	except stripe.StripeError as error:
		raise gateway_error("balance transaction list", error) from error
