"""Stripe payouts -> one Internal Transfer from the clearing account to the bank (framework-free).

Contract:
- `PAYOUT_EVENT_TYPES`: the events that move a payout in the ledger (`payout.paid`, `payout.failed`,
  `payout.canceled`); every one is handled the same way, from the payout's *current* state, so
  out-of-order or late deliveries converge (a `payout.paid` replayed after the payout failed posts nothing).
- `parse_payout(obj) -> PayoutFacts` (GatewayError on a malformed object); `retrieve_payout(api_key,
  payout_id, *, api_base=None)` GETs `/v1/payouts/{id}` through the stripe SDK with its own balance
  and failure balance transactions expanded (`own_txn`: its `fee` is the payout fee, which Stripe does
  not list under the payout filter for manual and Instant Payouts; `failure_txn`: what a failed payout
  returned, a given-back fee included).
- `plan_payout(payout, *, posted, bank_account, bank_currency, clearing_currency) -> PayoutPlan`:
  POST (paid, not posted yet), CANCEL (failed/canceled and the posted entry is not reconciled with the
  bank), NOTHING (already posted, never posted and failed, still in transit) or HOLD with the reason
  (no bank account set, a currency other than the bank's or the clearing account's, a non-positive
  amount, an entry cancelled by hand, a failed payout whose entry is already cleared at the bank).
- `payout_mismatch(payout, txns)`: the payout amount (plus its own fee) against the net of the balance
  transactions it carries (None when they agree, else a sentence), so a partial listing never goes
  unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import stripe

from revops_app.core.gateway.balance_transactions import BalanceTxn, parse_balance_transaction
from revops_app.core.gateway.client import (
	DEFAULT_TIMEOUT,
	GatewayError,
	as_mapping,
	gateway_error,
	stripe_client,
	v1_services,
)
from revops_app.core.gateway.money import from_minor_units, normalise_currency

PAYOUT_EVENT_TYPES = ("payout.paid", "payout.failed", "payout.canceled")
REVERSED_STATUSES = ("failed", "canceled")


@dataclass(frozen=True)
class PayoutFacts:
	payout_id: str
	status: str
	amount: Decimal
	currency: str
	arrival_date: int | None = None  # Unix seconds: when the money is expected at the bank
	created: int | None = None
	balance_transaction: str | None = None
	failure_code: str | None = None
	failure_message: str | None = None
	automatic: bool = True
	destination: str | None = None
	own_txn: BalanceTxn | None = None  # the payout's balance transaction, when Stripe expanded it
	failure_txn: BalanceTxn | None = None  # a failed payout's return to the balance (expanded)


@dataclass(frozen=True)
class PostedPayout:
	"""The Internal Transfer already in ERPNext for a payout (read by the glue)."""

	name: str
	docstatus: int
	cleared: bool = False  # a clearance_date: reconciled with a bank statement line


class PayoutAction(str, Enum):
	POST = "post"
	CANCEL = "cancel"
	NOTHING = "nothing"
	HOLD = "hold"


@dataclass(frozen=True)
class PayoutPlan:
	action: PayoutAction
	reason: str


def _ts(value: Any) -> int | None:
	return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _id(value: Any) -> str | None:
	if isinstance(value, Mapping):
		value = value.get("id")
	return value if isinstance(value, str) and value else None


def parse_payout(obj: Mapping) -> PayoutFacts:
	if not isinstance(obj, Mapping) or not _id(obj.get("id")) or not str(obj["id"]).startswith("po_"):
		raise GatewayError("Stripe returned no payout")
	amount = obj.get("amount")
	if isinstance(amount, bool) or not isinstance(amount, int):
		raise GatewayError(f"payout {obj['id']} has a non-integer amount: {amount!r}")
	try:
		currency = normalise_currency(obj.get("currency") or "")
	except ValueError as error:
		raise GatewayError(f"payout {obj['id']} has no currency") from error
	return PayoutFacts(
		payout_id=obj["id"],
		status=str(obj.get("status") or ""),
		amount=from_minor_units(amount, currency),
		currency=currency,
		arrival_date=_ts(obj.get("arrival_date")),
		created=_ts(obj.get("created")),
		balance_transaction=_id(obj.get("balance_transaction")),
		failure_code=obj.get("failure_code") or None,
		failure_message=obj.get("failure_message") or None,
		automatic=bool(obj.get("automatic", True)),
		destination=_id(obj.get("destination")),
		own_txn=_txn(obj.get("balance_transaction")),
		failure_txn=_txn(obj.get("failure_balance_transaction")),
	)


def _txn(value: Any) -> BalanceTxn | None:
	return parse_balance_transaction(value) if isinstance(value, Mapping) else None


def retrieve_payout(
	api_key: str, payout_id: str, *, api_base: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> PayoutFacts:
	if not isinstance(payout_id, str) or not payout_id.startswith("po_"):
		raise ValueError(f"not a payout id: {payout_id!r}")
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		expand = ["balance_transaction", "failure_balance_transaction"]
		found = v1_services(client).payouts.retrieve(payout_id, params={"expand": expand})
		return parse_payout(as_mapping(found))
	except stripe.StripeError as error:
		raise gateway_error("payout retrieve", error) from error


def plan_payout(
	payout: PayoutFacts,
	*,
	posted: PostedPayout | None,
	bank_account: str | None,
	bank_currency: str | None,
	clearing_currency: str | None,
) -> PayoutPlan:
	"""What the ledger should do for this payout now (module docstring)."""
	pid = payout.payout_id
	if payout.status in REVERSED_STATUSES:
		why = f"payout {pid} {payout.status}" + (f" ({payout.failure_code})" if payout.failure_code else "")
		if posted is None:
			return PayoutPlan(PayoutAction.NOTHING, f"{why}; it was never posted, nothing to reverse")
		if posted.docstatus == 2:
			return PayoutPlan(PayoutAction.NOTHING, f"{why}; {posted.name} is already cancelled")
		if posted.cleared:
			return PayoutPlan(
				PayoutAction.HOLD,
				f"{why} but {posted.name} is already reconciled with a bank transaction; "
				"unreconcile it in the Bank Reconciliation Tool, then reprocess",
			)
		return PayoutPlan(PayoutAction.CANCEL, f"{why}: the money went back to the Stripe balance")
	if payout.status != "paid":
		return PayoutPlan(
			PayoutAction.NOTHING, f"payout {pid} is {payout.status or 'unknown'}; posted once it is paid"
		)
	if posted is not None:
		if posted.docstatus == 1:
			return PayoutPlan(PayoutAction.NOTHING, f"payout {pid} is already posted as {posted.name}")
		return PayoutPlan(
			PayoutAction.HOLD,
			f"payout {pid} was posted as {posted.name}, which is cancelled; post it by hand if it is right",
		)
	if not bank_account:
		return PayoutPlan(PayoutAction.HOLD, "RevOps Settings has no Stripe Payout Bank Account")
	if payout.amount <= 0:
		return PayoutPlan(PayoutAction.HOLD, f"payout {pid} amount {payout.amount} is not positive")
	for label, currency in (("bank account", bank_currency), ("Stripe clearing account", clearing_currency)):
		if currency and normalise_currency(currency) != payout.currency:
			return PayoutPlan(
				PayoutAction.HOLD,
				f"payout {pid} is in {payout.currency} but the {label} is in {normalise_currency(currency)}; "
				"post it by hand (or set a payout bank account in that currency)",
			)
	return PayoutPlan(PayoutAction.POST, f"payout {pid}: {payout.amount} {payout.currency} to {bank_account}")


def payout_mismatch(payout: PayoutFacts, txns: Sequence[BalanceTxn]) -> str | None:
	"""The payout against what it carries: the payout's own transaction is -amount, the rest net to +amount."""
	carried = [t for t in txns if t.type not in ("payout", "payout_cancel", "payout_failure")]
	if not carried:
		return (
			None if not payout.automatic else f"Stripe listed no balance transactions for {payout.payout_id}"
		)
	total = sum((t.net for t in carried), Decimal(0))
	fee = sum((t.fee for t in txns if t.type == "payout"), Decimal(0))  # a payout fee leaves with it
	if total != payout.amount + fee:
		return (
			f"the {len(carried)} balance transactions of {payout.payout_id} net to {total}, "
			f"the payout is {payout.amount}" + (f" plus its fee {fee}" if fee else "")
		)
	return None
