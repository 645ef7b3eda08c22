"""Dunning decisions: which reminder step is due for each open invoice on a given day.

Contract: pure functions over plain dataclasses; never imports frappe or erpnext, never writes anything.
The daily job (`revops_app.revenue_collections.dunning.run`) and the preview call the same `decide` on the same facts, so the
preview shows exactly what a run on that date would send.

Model
- A `Policy` has ordered `Step`s. A step is *reached* on day X when X >= due_date + offset_days (a
  negative offset is a reminder before the due date). A step *applies* when every one of its conditions
  holds for the invoice (no condition = always applies).
- The step's position is its place in the policy sorted by (offset_days, order given). A step is *done*
  for an invoice once it was logged as Sent or Skipped, or logged Failed `max_attempts` times.
- Catch-up rule: on day X the engine picks the LATEST reached step that applies and lies after the last
  done step. Earlier reached steps that were never sent are reported as superseded, not sent, so a run
  that was missed for a week sends one reminder, not a burst; a step before the last done one never fires.
- A step logged Failed (fewer than `max_attempts` times) is retried with the same idempotency key while it
  is still the step to send; once a later step is due it is superseded like any missed step.
- Nothing goes out for an invoice that is paid (outstanding <= 0), cancelled or disputed, nor for a
  customer who opted out or is paused (promise to pay) until and including the pause date.

Grouping: `group_messages` folds the send decisions into one consolidated message per customer, policy
and step, so three invoices at "Reminder 1" make one email.

Idempotency: `reminder_key(invoice, policy, step)` is the unique key of the reminder log, so a step is
logged (and sent) at most once per invoice even when two runs race.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


class Condition:
	OVERDUE = "Overdue"
	PARTIALLY_PAID = "Partially Paid"
	NEVER_VIEWED = "Pay Link Never Viewed"
	VIEWED_UNPAID = "Pay Link Viewed But Unpaid"
	PAYMENT_FAILED = "Last Payment Failed"

	ALL = (OVERDUE, PARTIALLY_PAID, NEVER_VIEWED, VIEWED_UNPAID, PAYMENT_FAILED)


# One bit per condition, so "does this step apply" is one AND on ints in the hot loop.
_CONDITION_BITS = {name: 1 << index for index, name in enumerate(Condition.ALL)}


class Channel:
	EMAIL = "Email"

	ALL = (EMAIL,)


class Escalation:
	NONE = "None"
	DUNNING = "ERPNext Dunning"
	TODO = "ToDo"
	ISSUE = "Issue"

	ALL = (NONE, DUNNING, TODO, ISSUE)


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
DEFAULT_MAX_ATTEMPTS = 3


class PolicyError(ValueError):
	"""A policy that cannot be run (empty, duplicate step names, unknown condition, ...)."""


@dataclass(frozen=True, slots=True)
class Step:
	name: str
	offset_days: int
	conditions: frozenset[str] = frozenset()
	channel: str = Channel.EMAIL
	template: str | None = None
	escalation: str = Escalation.NONE
	# ERPNext Dunning Type for a formal notice (escalation "ERPNext Dunning"); None = company default.
	dunning_type: str | None = None


@dataclass(frozen=True)
class Policy:
	name: str
	steps: tuple[Step, ...]
	max_attempts: int = DEFAULT_MAX_ATTEMPTS
	# Derived in __post_init__: steps sorted by (offset, given order), their offsets and condition masks.
	ordered: tuple[Step, ...] = field(init=False, repr=False, compare=False)
	offsets: tuple[int, ...] = field(init=False, repr=False, compare=False)
	masks: tuple[int, ...] = field(init=False, repr=False, compare=False)
	position: Mapping[str, int] = field(init=False, repr=False, compare=False)

	def __post_init__(self) -> None:
		errors = policy_errors(self.name, self.steps, self.max_attempts)
		if errors:
			raise PolicyError(f"Dunning policy {self.name!r}: " + "; ".join(errors))
		ordered = tuple(
			step for _, step in sorted(enumerate(self.steps), key=lambda pair: (pair[1].offset_days, pair[0]))
		)
		object.__setattr__(self, "ordered", ordered)
		object.__setattr__(self, "offsets", tuple(step.offset_days for step in ordered))
		object.__setattr__(self, "masks", tuple(condition_mask(step.conditions) for step in ordered))
		object.__setattr__(self, "position", {step.name: index for index, step in enumerate(ordered)})


def condition_mask(conditions: Iterable[str]) -> int:
	mask = 0
	for condition in conditions:
		mask |= _CONDITION_BITS[condition]
	return mask


def policy_errors(name: str, steps: Sequence[Step], max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> list[str]:
	"""Everything wrong with a policy, as sentences a finance user can act on (empty list = valid)."""
	errors = []
	if not name:
		errors.append("a policy needs a name")
	if not steps:
		errors.append("add at least one step")
	if max_attempts < 1:
		errors.append("max attempts must be at least 1")
	seen: set[str] = set()
	for index, step in enumerate(steps, start=1):
		label = step.name or f"row {index}"
		if not step.name or not step.name.strip():
			errors.append(f"step {index} needs a name")
		elif step.name in seen:
			errors.append(f"step name {step.name!r} is used twice (names identify what was sent)")
		seen.add(step.name)
		if not isinstance(step.offset_days, int) or isinstance(step.offset_days, bool):
			errors.append(f"{label}: offset days must be a whole number")
		unknown = set(step.conditions) - set(Condition.ALL)
		if unknown:
			errors.append(f"{label}: unknown conditions {sorted(unknown)}")
		if Condition.NEVER_VIEWED in step.conditions and Condition.VIEWED_UNPAID in step.conditions:
			errors.append(f"{label}: 'never viewed' and 'viewed but unpaid' can never hold together")
		if step.channel not in Channel.ALL:
			errors.append(f"{label}: unknown channel {step.channel!r}")
		if step.channel == Channel.EMAIL and not step.template:
			errors.append(f"{label}: an email step needs an Email Template")
		if step.escalation not in Escalation.ALL:
			errors.append(f"{label}: unknown escalation {step.escalation!r}")
	return errors


# --- rows from the policy DocType (RevOps Dunning Policy Step) ---------------------------------------
# Kept here, framework-free, so the glue and the CI tests translate a step row the same way.
CONDITION_FIELDS = {
	"if_overdue": Condition.OVERDUE,
	"if_partially_paid": Condition.PARTIALLY_PAID,
	"if_never_viewed": Condition.NEVER_VIEWED,
	"if_viewed_unpaid": Condition.VIEWED_UNPAID,
	"if_payment_failed": Condition.PAYMENT_FAILED,
}


def _int(value: object) -> int:
	try:
		return int(float(value or 0))  # type: ignore[arg-type]
	except (TypeError, ValueError):
		return 0


def step_from_row(row: Mapping) -> Step:
	"""A Step from a policy step row (dict or Frappe child document: anything with .get)."""
	return Step(
		name=(row.get("step_name") or "").strip(),
		offset_days=_int(row.get("offset_days")),
		conditions=frozenset(
			cond for fieldname, cond in CONDITION_FIELDS.items() if _int(row.get(fieldname))
		),
		channel=row.get("channel") or Channel.EMAIL,
		template=row.get("email_template") or None,
		escalation=row.get("escalation") or Escalation.NONE,
		dunning_type=row.get("dunning_type") or None,
	)


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


@dataclass(frozen=True)
class Message:
	"""One consolidated reminder: one customer, one policy step, one or more invoices."""

	customer: str
	policy: str
	step: Step
	decisions: tuple[Decision, ...]

	@property
	def invoices(self) -> tuple[str, ...]:
		return tuple(d.invoice for d in self.decisions)

	@property
	def keys(self) -> tuple[str, ...]:
		return tuple(d.key for d in self.decisions if d.key)


def reminder_key(invoice: str, policy: str, step: str) -> str:
	"""Stable unique key of one step for one invoice under one policy (40 hex chars)."""
	raw = "\x1f".join((invoice, policy, step)).encode()
	return hashlib.sha256(raw).hexdigest()[:40]


def invoice_conditions(facts: InvoiceFacts, on: date) -> int:
	"""The bit mask of conditions that hold for `facts` on day `on`."""
	mask = 0
	if on > facts.due_date:
		mask |= _CONDITION_BITS[Condition.OVERDUE]
	if 0 < facts.outstanding < facts.grand_total:
		mask |= _CONDITION_BITS[Condition.PARTIALLY_PAID]
	if facts.link_viewed:
		mask |= _CONDITION_BITS[Condition.VIEWED_UNPAID]
	else:
		mask |= _CONDITION_BITS[Condition.NEVER_VIEWED]
	if facts.last_payment_failed:
		mask |= _CONDITION_BITS[Condition.PAYMENT_FAILED]
	return mask


def conditions_holding(facts: InvoiceFacts, on: date) -> list[str]:
	mask = invoice_conditions(facts, on)
	return [name for name in Condition.ALL if mask & _CONDITION_BITS[name]]


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


def group_messages(decisions: Iterable[Decision]) -> list[Message]:
	"""Send decisions folded into one message per (customer, policy, step), in a stable order."""
	groups: dict[tuple[str, str, str], list[Decision]] = {}
	steps: dict[tuple[str, str, str], Step] = {}
	for decision in decisions:
		if decision.action != SEND or decision.step is None or decision.policy is None:
			continue
		group = (decision.customer, decision.policy, decision.step.name)
		groups.setdefault(group, []).append(decision)
		steps[group] = decision.step
	return [
		Message(
			customer, policy, steps[(customer, policy, step)], tuple(sorted(items, key=lambda d: d.invoice))
		)
		for (customer, policy, step), items in sorted(groups.items())
	]


def summarise(decisions: Iterable[Decision]) -> dict[str, int]:
	"""Counts by outcome for logs and the preview: {"send": n, "<skip reason>": n, ...}."""
	counts: dict[str, int] = {}
	for decision in decisions:
		key = SEND if decision.action == SEND else (decision.reason or SKIP)
		counts[key] = counts.get(key, 0) + 1
	return counts
