"""Dunning decisions: which reminder step is due for each open invoice on a given day (`decide`).

Contract: pure functions over plain dataclasses; never imports frappe or erpnext, never writes anything.
The daily job (`revops_app.revenue_collections.dunning.run`) and the preview call the same `decide` on the same facts, so the
preview shows exactly what a run on that date would send.

Rules (what a step, its offset, conditions and position are: `policy.py`)
- A step is *done* for an invoice once it was logged as Sent or Skipped, or logged Failed `max_attempts`
  times.
- Catch-up rule: on day X the engine picks the LATEST reached step that applies and lies after the last
  done step. Earlier reached steps that were never sent are reported as superseded, not sent, so a run
  that was missed for a week sends one reminder, not a burst; a step before the last done one never fires.
- A step logged Failed (fewer than `max_attempts` times) is retried with the same idempotency key while it
  is still the step to send; once a later step is due it is superseded like any missed step.
- Nothing goes out for an invoice that is paid (outstanding <= 0), cancelled or disputed, nor for a
  customer who opted out or is paused (promise to pay) until and including the pause date.

Idempotency: `reminder_key(invoice, policy, step)` is the unique key of the reminder log, so a step is
logged (and sent) at most once per invoice even when two runs race.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from revops_app.core.collections.dunning.policy import CONDITION_BITS, Condition, Policy, Step


class Outcome:
	SENT = "Sent"
	FAILED = "Failed"
	# Set by a collector to stop a failing step from being retried; counts as done.
	SKIPPED = "Skipped"

	ALL = (SENT, FAILED, SKIPPED)


class Skip:
	"""Why an invoice gets nothing on the day (the `reason` of a skip decision)."""

	PAID = "paid"
	CANCELLED = "cancelled"
	DISPUTED = "disputed"
	OPTED_OUT = "customer opted out"
	PAUSED = "customer paused"
	NO_POLICY = "no dunning policy"
	NOT_DUE = "no step reached yet"
	DONE = "latest applicable step already sent"
	CONDITIONS = "conditions of the reached steps do not hold"


SEND = "send"
SKIP = "skip"


@dataclass(frozen=True, slots=True)
class LoggedStep:
	"""What the reminder log holds for one invoice and step."""

	policy: str
	step: str
	outcome: str
	attempts: int = 1


@dataclass(slots=True)
class InvoiceFacts:
	invoice: str
	customer: str
	due_date: date
	outstanding: float
	grand_total: float
	currency: str = ""
	cancelled: bool = False
	disputed: bool = False
	link_viewed: bool = False
	last_payment_failed: bool = False
	logged: Sequence[LoggedStep] = ()


@dataclass(frozen=True, slots=True)
class CustomerState:
	"""Per-customer switches and the policy that applies (customer's own, else its group's, else default)."""

	policy: str | None = None
	paused_until: date | None = None
	opted_out: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
	invoice: str
	customer: str
	action: str  # SEND or SKIP
	reason: str | None = None  # a Skip value for SKIP
	policy: str | None = None
	step: Step | None = None
	key: str | None = None
	retry: bool = False  # the step was logged Failed before: update that log row, do not insert
	days_overdue: int = 0
	superseded: tuple[str, ...] = ()

	@property
	def is_send(self) -> bool:
		return self.action == SEND


_sha256 = hashlib.sha256


def reminder_key(invoice: str, policy: str, step: str) -> str:
	"""Stable unique key of one step for one invoice under one policy (40 hex chars)."""
	return _sha256("\x1f".join((invoice, policy, step)).encode()).hexdigest()[:40]


# The condition bits as module constants: `invoice_conditions` runs once per invoice.
_OVERDUE = CONDITION_BITS[Condition.OVERDUE]
_PARTIALLY_PAID = CONDITION_BITS[Condition.PARTIALLY_PAID]
_VIEWED_UNPAID = CONDITION_BITS[Condition.VIEWED_UNPAID]
_NEVER_VIEWED = CONDITION_BITS[Condition.NEVER_VIEWED]
_PAYMENT_FAILED = CONDITION_BITS[Condition.PAYMENT_FAILED]


def invoice_conditions(facts: InvoiceFacts, on: date) -> int:
	"""The bit mask of conditions that hold for `facts` on day `on`."""
	mask = _VIEWED_UNPAID if facts.link_viewed else _NEVER_VIEWED
	if on > facts.due_date:
		mask |= _OVERDUE
	if 0 < facts.outstanding < facts.grand_total:
		mask |= _PARTIALLY_PAID
	if facts.last_payment_failed:
		mask |= _PAYMENT_FAILED
	return mask


def conditions_holding(facts: InvoiceFacts, on: date) -> list[str]:
	mask = invoice_conditions(facts, on)
	return [name for name in Condition.ALL if mask & CONDITION_BITS[name]]


_NO_CUSTOMER = CustomerState()


def decide(
	invoices: Iterable[InvoiceFacts],
	customers: Mapping[str, CustomerState],
	policies: Mapping[str, Policy],
	on: date,
	default_policy: str | None = None,
) -> list[Decision]:
	"""One Decision per invoice for day `on` (see the module docstring for the rules)."""
	decisions = []
	append = decisions.append
	for facts in invoices:
		customer = customers.get(facts.customer, _NO_CUSTOMER)
		append(_decide_one(facts, customer, policies, on, default_policy))
	return decisions


def _decide_one(
	facts: InvoiceFacts,
	customer: CustomerState,
	policies: Mapping[str, Policy],
	on: date,
	default_policy: str | None,
) -> Decision:
	invoice, customer_name = facts.invoice, facts.customer
	if facts.cancelled:
		return Decision(invoice, customer_name, SKIP, Skip.CANCELLED)
	if facts.outstanding <= 0:
		return Decision(invoice, customer_name, SKIP, Skip.PAID)
	if facts.disputed:
		return Decision(invoice, customer_name, SKIP, Skip.DISPUTED)
	if customer.opted_out:
		return Decision(invoice, customer_name, SKIP, Skip.OPTED_OUT)
	if customer.paused_until is not None and on <= customer.paused_until:
		return Decision(invoice, customer_name, SKIP, Skip.PAUSED)
	policy_name = customer.policy or default_policy
	policy = policies.get(policy_name) if policy_name else None
	if policy is None:
		return Decision(invoice, customer_name, SKIP, Skip.NO_POLICY)

	days = (on - facts.due_date).days
	days_overdue = days if days > 0 else 0
	reached = bisect_right(policy.offsets, days)  # steps [0, reached) are reached
	if reached == 0:
		return Decision(invoice, customer_name, SKIP, Skip.NOT_DUE, policy_name, days_overdue=days_overdue)

	# Last done position and failed attempts, from this policy's log rows only.
	last_done = -1
	failed: dict[str, int] = {}
	if facts.logged:
		position = policy.position
		for row in facts.logged:
			if row.policy != policy_name or row.step not in position:
				continue
			if row.outcome == Outcome.FAILED and row.attempts < policy.max_attempts:
				failed[row.step] = row.attempts
				continue
			index = position[row.step]
			if index > last_done:
				last_done = index
	if reached - 1 <= last_done:
		return Decision(invoice, customer_name, SKIP, Skip.DONE, policy_name, days_overdue=days_overdue)

	holding = invoice_conditions(facts, on)
	masks = policy.masks
	for index in range(reached - 1, last_done, -1):
		if masks[index] & ~holding == 0:
			step = policy.ordered[index]
			# Reached, applicable, never done, but earlier than the chosen one: passed over by catch-up.
			superseded = tuple(
				policy.ordered[earlier].name
				for earlier in range(last_done + 1, index)
				if masks[earlier] & ~holding == 0
			)
			return Decision(
				invoice,
				customer_name,
				SEND,
				None,
				policy_name,
				step,
				reminder_key(invoice, policy_name, step.name),
				step.name in failed,
				days_overdue,
				superseded,
			)
	# Nothing after the last done step applies: "already sent" when something was, else "conditions".
	reason = Skip.DONE if last_done >= 0 else Skip.CONDITIONS
	return Decision(invoice, customer_name, SKIP, reason, policy_name, days_overdue=days_overdue)
