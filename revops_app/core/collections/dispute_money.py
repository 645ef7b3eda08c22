"""Dispute money: which ledger postings a Stripe dispute calls for now (framework-free, pure).

Stripe moves money at two moments (see core/gateway/disputes.py for the facts and their sources):
- withdrawal, when a chargeback is created: the disputed amount and the dispute fee leave the Stripe
  balance (a balance transaction with amount < 0 and fee > 0). Inquiries (`warning_*`) move nothing.
- reinstatement, when it is won: the amount comes back (amount > 0); the fee stays unless Stripe gives
  it back too (then that transaction's fee is negative). A lost dispute moves nothing more.

`plan_dispute_money(...)` compares what Stripe's balance transactions say happened, per phase, with
what is already posted for that dispute, and returns the postings still due. It works on cumulative
totals, like `plan_refund`, so a replay, a duplicate, or a `closed` event seen before its `created`
converge: whichever event arrives first posts everything its dispute object shows, later ones find it
posted and plan nothing. It never posts, never raises for business conditions (HOLD with a reason, or
`retry_later` when the payment itself is not posted yet); ValueError only for malformed arguments.

A `DisputePosting` is signed so the glue needs no rules of its own:
- `receivable` change of the customer's balance (+ owes more: the withdrawal; - owes less: reinstated),
- `fee` change of the dispute-fee expense (+ fee charged, - fee given back),
- `clearing` = -(receivable + fee): the change of the Stripe clearing account, which always mirrors the
  Stripe balance (withdrawal of 70 + fee 15 -> clearing -85; reinstatement of 70 -> clearing +70).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from revops_app.core.collections.allocation.common import SettlementAction
from revops_app.core.gateway.disputes import REINSTATEMENT, WITHDRAWAL, DisputeMovement

ZERO = Decimal(0)
PHASES = (WITHDRAWAL, REINSTATEMENT)


@dataclass(frozen=True)
class PostedPhase:
	"""What the ledger already holds for one phase of one dispute, in the phase's own direction:
	`amount` >= 0 moved between clearing and receivable, `fee` signed as in DisputePosting.
	`keyed` says the one entry this phase may ever have (its unique key) exists, posted or cancelled."""

	amount: Decimal = ZERO
	fee: Decimal = ZERO
	keyed: bool = False


@dataclass(frozen=True)
class DisputePosting:
	phase: str
	amount: Decimal  # >= 0, moved out of clearing (withdrawal) or back into it (reinstatement)
	fee: Decimal  # + charged, - given back
	balance_transactions: tuple[str, ...]
	created: int = 0  # latest `created` (Unix seconds) of those balance transactions: when the money moved

	@property
	def receivable(self) -> Decimal:
		return self.amount if self.phase == WITHDRAWAL else -self.amount

	@property
	def clearing(self) -> Decimal:
		return -(self.receivable + self.fee)


@dataclass(frozen=True)
class DisputeMoneyPlan:
	action: SettlementAction
	postings: tuple[DisputePosting, ...]
	reason: str
	flags: tuple[str, ...] = ()
	retry_later: bool = False


@dataclass(frozen=True)
class _PhaseTotal:
	amount: Decimal
	fee: Decimal
	ids: tuple[str, ...]
	created: int = 0


def _totals(movements: Iterable[DisputeMovement], phase: str) -> _PhaseTotal:
	rows = [m for m in movements if m.phase == phase]
	amount = sum((m.amount for m in rows), ZERO)
	# The withdrawal's amounts are negative in Stripe's sign; the plan works with magnitudes per phase.
	return _PhaseTotal(
		-amount if phase == WITHDRAWAL else amount,
		sum((m.fee for m in rows), ZERO),
		tuple(m.id for m in rows),
		max((m.created for m in rows), default=0),
	)


def _hold(reason: str, *flags: str) -> DisputeMoneyPlan:
	return DisputeMoneyPlan(SettlementAction.HOLD, (), reason, tuple(flags))


def plan_dispute_money(
	*,
	dispute_id: str,
	status: str,
	movements: Iterable[DisputeMovement],
	invoice_currency: str,
	posted: Mapping[str, PostedPhase] | None = None,
	payment_posted: bool = True,
) -> DisputeMoneyPlan:
	"""Postings due now for a dispute, from its balance transactions (see the module docstring)."""
	movements = tuple(movements)
	posted = dict(posted or {})
	for phase in posted:
		if phase not in PHASES:
			raise ValueError(f"unknown dispute phase {phase!r}")
	currency = (invoice_currency or "").strip().upper()
	foreign = sorted({m.currency for m in movements if m.currency != currency})
	if foreign:
		return _hold(
			f"dispute {dispute_id} moved {', '.join(foreign)} on the Stripe balance but the invoice is in "
			f"{currency}: nothing posted, post the dispute (amount and fee) manually at the right rate",
			"currency_mismatch",
		)
	totals = {phase: _totals(movements, phase) for phase in PHASES}
	withdrawn, reinstated = totals[WITHDRAWAL], totals[REINSTATEMENT]
	if withdrawn.amount < 0 or reinstated.amount < 0:
		return _hold(
			f"dispute {dispute_id} has balance transactions of the wrong sign; nothing posted", "bad_sign"
		)
	if reinstated.amount > withdrawn.amount:
		return _hold(
			f"dispute {dispute_id}: Stripe shows {reinstated.amount} {currency} reinstated but only "
			f"{withdrawn.amount} {currency} withdrawn; nothing posted",
			"reinstated_exceeds_withdrawn",
		)

	postings: list[DisputePosting] = []
	stale = False
	for phase in PHASES:
		due, done = totals[phase], posted.get(phase, PostedPhase())
		delta_amount, delta_fee = due.amount - done.amount, due.fee - done.fee
		if not delta_amount and not delta_fee:
			continue
		# Balance transactions are never removed, only added: a dispute object showing less than the
		# ledger holds is an older snapshot (`created` delivered after `closed`), not a reversal.
		fee_covered = not due.fee or (
			bool(done.fee) and (due.fee > 0) == (done.fee > 0) and abs(due.fee) <= abs(done.fee)
		)
		if delta_amount <= 0 and fee_covered:
			stale = True
			continue
		# A fee moving against Stripe's own sign means the ledger holds more fee than Stripe charged.
		fee_backwards = bool(delta_fee) and (not due.fee or (delta_fee > 0) != (due.fee > 0))
		if done.keyed or delta_amount < 0 or fee_backwards:
			# Each phase gets one entry; a different figure afterwards is for a person to look at.
			return _hold(
				f"dispute {dispute_id} {phase}: Stripe shows {due.amount} {currency} (fee {due.fee}) but the "
				f"ledger holds {done.amount} {currency} (fee {done.fee}) for it, or its entry was cancelled; "
				"nothing posted, adjust it manually",
				"dispute_posting_mismatch",
			)
		postings.append(DisputePosting(phase, delta_amount, delta_fee, due.ids, due.created))

	if not postings:
		if not movements and not stale:
			return DisputeMoneyPlan(
				SettlementAction.SKIP,
				(),
				f"dispute {dispute_id} ({status}): Stripe has moved no funds for it (an inquiry, or not withdrawn yet)",
			)
		return DisputeMoneyPlan(
			SettlementAction.ALREADY_SETTLED,
			(),
			f"dispute {dispute_id} ({status}): withdrawal {withdrawn.amount} {currency} (fee {withdrawn.fee}) and "
			f"reinstatement {reinstated.amount} {currency} are already posted"
			+ ("; this event's dispute object is older than what is posted" if stale else ""),
		)
	if not payment_posted:
		# The withdrawal reverses money the receipt put in clearing; post it after the receipt.
		return DisputeMoneyPlan(
			SettlementAction.HOLD,
			(),
			f"dispute {dispute_id} moved funds before its payment was posted; will retry after the payment posts",
			("payment_not_posted",),
			retry_later=True,
		)
	parts = []
	for p in postings:
		fee = f", fee {p.fee} {currency}" if p.fee else ""
		parts.append(f"{p.phase} {p.amount} {currency}{fee}")
	flags = tuple(f"dispute_{p.phase}" for p in postings)
	return DisputeMoneyPlan(
		SettlementAction.POST,
		tuple(postings),
		f"dispute {dispute_id} ({status}): post {'; '.join(parts)}",
		flags,
	)
