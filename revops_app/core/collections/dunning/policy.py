"""Dunning policies: ordered reminder steps with their conditions, validated, and the translation of a policy
step row (RevOps Dunning Policy Step) into a `Step`. Pure, framework-free.

- A `Policy` has ordered `Step`s. A step is *reached* on day X when X >= due_date + offset_days (a
  negative offset is a reminder before the due date). A step *applies* when every one of its conditions
  holds for the invoice (no condition = always applies).
- The step's position is its place in the policy sorted by (offset_days, order given); `Policy` derives
  the order, the offsets and one condition bit mask per step once, for the engine's hot loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


class Condition:
	OVERDUE = "Overdue"
	PARTIALLY_PAID = "Partially Paid"
	NEVER_VIEWED = "Pay Link Never Viewed"
	VIEWED_UNPAID = "Pay Link Viewed But Unpaid"
	PAYMENT_FAILED = "Last Payment Failed"

	ALL = (OVERDUE, PARTIALLY_PAID, NEVER_VIEWED, VIEWED_UNPAID, PAYMENT_FAILED)


# One bit per condition, so "does this step apply" is one AND on ints in the hot loop.
CONDITION_BITS = {name: 1 << index for index, name in enumerate(Condition.ALL)}


class Channel:
	EMAIL = "Email"

	ALL = (EMAIL,)


class Escalation:
	NONE = "None"
	DUNNING = "ERPNext Dunning"
	TODO = "ToDo"
	ISSUE = "Issue"

	ALL = (NONE, DUNNING, TODO, ISSUE)


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
		mask |= CONDITION_BITS[condition]
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
