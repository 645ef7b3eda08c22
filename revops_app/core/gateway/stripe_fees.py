"""Stripe fees outside a charge -> one Journal Entry each, planned framework-free.

Stripe takes some fees from the balance on their own, not out of a charge: a balance transaction of type
`stripe_fee` (Radar screening, Billing, Connect, Identity... `amount` < 0, `fee` 0, `net` < 0) or
`stripe_fx_fee` (currency conversion), and a payout fee (Instant Payouts), which Stripe reports as the
`fee` of the payout's own balance transaction (`type` payout, `amount` = -payout amount, `fee` > 0,
`net` = amount - fee). Stripe's balance-transaction types have no `payout_fee` (stripe-python 16.1.0's
`BalanceTransaction.type` list): a payout fee is only ever that `fee`. The payout's Internal Transfer
moves the payout amount; the fee is the rest of what left the clearing account.

Contract:
- `fee_movement(txn) -> FeeMovement | None`: the fee money of one balance transaction, or None when it
  carries none. `amount` is what the fee account is debited (> 0: Stripe charged a fee; < 0: Stripe gave
  one back, e.g. a refunded Radar fee): `-net` for a fee type, `fee` for a payout-kind transaction. The
  clearing account takes the opposite.
- `plan_fees(txns, *, posted, fee_account, clearing_account, clearing_currency, company_currency)
  -> FeePlan`: one `FeeItem` per fee movement (a transaction listed twice counts once): POST (not posted
  yet), POSTED (a submitted entry holds it: nothing to do) or HOLD with the reason (no fee or clearing
  account, the fee in a currency other than the clearing account's, a clearing account outside the
  company currency, or its entry cancelled by hand). `posted` maps a balance transaction id to what the
  ledger holds for it (`PostedFee`). Pure: the glue reads, core decides, the glue writes.
- `FeePlan.summary()`: one sentence for the integration log naming what is posted and what is held, why.
- `payout_unposted(txn, *, transfer_posted, fee_posted) -> BalanceTxn | None`: the part of a payout's own
  balance transaction the ledger lacks (the balance check's explanation): all of it, only its amount
  (the transfer), only its fee, or None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

from revops_app.core.gateway.balance_transactions import FEE_TYPES, PAYOUT_TYPES, BalanceTxn
from revops_app.core.gateway.money import normalise_currency


@dataclass(frozen=True)
class FeeMovement:
	balance_transaction: str
	txn_type: str
	amount: Decimal  # fee account debit (> 0) or credit (< 0); the clearing account the opposite
	currency: str
	created: int | None = None  # Unix seconds: what the entry is dated by
	source: str | None = None
	description: str | None = None

	@property
	def what(self) -> str:
		if self.txn_type in PAYOUT_TYPES:
			return f"payout fee of {self.source or self.balance_transaction}"
		label = FEE_TYPES.get(self.txn_type, self.txn_type)
		return f"{label} ({self.description})" if self.description else label


@dataclass(frozen=True)
class PostedFee:
	"""The Journal Entry already in ERPNext for a balance transaction's fee (read by the glue)."""

	name: str
	docstatus: int


class FeeAction(str, Enum):
	POST = "post"
	POSTED = "posted"
	HOLD = "hold"


@dataclass(frozen=True)
class FeeItem:
	movement: FeeMovement
	action: FeeAction
	reason: str


@dataclass(frozen=True)
class FeePlan:
	items: tuple[FeeItem, ...] = ()

	@property
	def to_post(self) -> tuple[FeeMovement, ...]:
		return tuple(i.movement for i in self.items if i.action is FeeAction.POST)

	@property
	def held(self) -> tuple[FeeItem, ...]:
		return tuple(i for i in self.items if i.action is FeeAction.HOLD)

	def summary(self, posted_names: Mapping[str, str] | None = None) -> str:
		"""`posted_names`: balance transaction id -> the Journal Entry the glue just submitted for it."""
		names = posted_names or {}
		parts = []
		posting = [i for i in self.items if i.action is FeeAction.POST]
		if posting:
			parts.append(
				f"{len(posting)} Stripe fee entr{'y' if len(posting) == 1 else 'ies'} posted ("
				+ "; ".join(
					f"{i.movement.what} {i.movement.balance_transaction} {i.movement.amount} "
					f"{i.movement.currency}"
					+ (
						f" as {names[i.movement.balance_transaction]}"
						if i.movement.balance_transaction in names
						else ""
					)
					for i in posting
				)
				+ ")"
			)
		already = sum(1 for i in self.items if i.action is FeeAction.POSTED)
		if already:
			parts.append(f"{already} already posted")
		if self.held:
			parts.append(
				f"{len(self.held)} held, not posted ("
				+ "; ".join(f"{i.movement.balance_transaction}: {i.reason}" for i in self.held)
				+ ")"
			)
		return ", ".join(parts) if parts else "no Stripe fees outside charges"


def fee_movement(txn: BalanceTxn) -> FeeMovement | None:
	"""The fee money one balance transaction moves on its own (module docstring), or None."""
	if txn.type in FEE_TYPES:
		amount = -txn.net
	elif txn.type in PAYOUT_TYPES:
		amount = txn.fee
	else:
		return None
	if not amount:
		return None
	return FeeMovement(
		balance_transaction=txn.id,
		txn_type=txn.type,
		amount=amount,
		currency=txn.currency,
		created=txn.created,
		source=txn.source,
		description=txn.description,
	)


def plan_fees(
	txns: Iterable[BalanceTxn],
	*,
	posted: Mapping[str, PostedFee],
	fee_account: str | None,
	clearing_account: str | None,
	clearing_currency: str | None,
	company_currency: str | None,
) -> FeePlan:
	"""What to post for the fees these transactions carry (module docstring)."""
	items: list[FeeItem] = []
	seen: set[str] = set()
	for txn in txns:
		movement = fee_movement(txn)
		if movement is None or movement.balance_transaction in seen:
			continue
		seen.add(movement.balance_transaction)
		entry = posted.get(movement.balance_transaction)
		accounts = (fee_account, clearing_account, clearing_currency, company_currency)
		items.append(_decide(movement, entry, *accounts))
	return FeePlan(tuple(items))


def _decide(
	movement: FeeMovement,
	entry: PostedFee | None,
	fee_account: str | None,
	clearing_account: str | None,
	clearing_currency: str | None,
	company_currency: str | None,
) -> FeeItem:
	if entry is not None:
		if entry.docstatus == 1:
			return FeeItem(movement, FeeAction.POSTED, f"posted as {entry.name}")
		return FeeItem(
			movement,
			FeeAction.HOLD,
			f"its entry {entry.name} was cancelled; post it by hand if the fee is right",
		)
	if not clearing_account:
		return FeeItem(movement, FeeAction.HOLD, "RevOps Settings has no Stripe clearing account")
	if not fee_account:
		return FeeItem(movement, FeeAction.HOLD, "RevOps Settings has no Stripe Fee Account")
	clearing = normalise_currency(clearing_currency) if clearing_currency else None
	if clearing and clearing != movement.currency:
		return FeeItem(
			movement,
			FeeAction.HOLD,
			f"the fee is in {movement.currency} but the clearing account is in {clearing}; post it by hand",
		)
	company = normalise_currency(company_currency) if company_currency else None
	if company and movement.currency != company:
		return FeeItem(
			movement,
			FeeAction.HOLD,
			f"fee entries are automated in the company currency ({company}) only; post this "
			f"{movement.currency} fee by hand at the right rate",
		)
	return FeeItem(movement, FeeAction.POST, movement.what)


def payout_unposted(txn: BalanceTxn, *, transfer_posted: bool, fee_posted: bool) -> BalanceTxn | None:
	"""What of a payout transaction no ERPNext entry holds (module docstring); `net` is that part."""
	fee_missing = bool(txn.fee) and not fee_posted
	if transfer_posted and not fee_missing:
		return None
	if not transfer_posted and (fee_missing or not txn.fee):
		return txn
	if transfer_posted:  # only the fee is missing
		return replace(txn, amount=Decimal(0), net=-txn.fee, description="payout fee")
	return replace(txn, fee=Decimal(0), net=txn.amount)  # only the transfer is missing
