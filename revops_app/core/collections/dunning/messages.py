"""Consolidation of the day's dunning decisions (framework-free).

`group_messages` folds the send decisions into one consolidated message per customer, policy and step, so
three invoices at "Reminder 1" make one email; `summarise` counts the decisions by outcome for logs and the
preview.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from revops_app.core.collections.dunning.decisions import SEND, SKIP, Decision
from revops_app.core.collections.dunning.policy import Step


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


def group_messages(decisions: Iterable[Decision]) -> list[Message]:
	"""Send decisions folded into one message per (customer, policy, step), in a stable order."""
	groups: dict[tuple[str, str, str], list[Decision]] = {}
	steps: dict[tuple[str, str, str], Step] = {}
	for decision in decisions:
		step = decision.step
		if decision.action != SEND or step is None or decision.policy is None:
			continue
		group = (decision.customer, decision.policy, step.name)
		items = groups.get(group)
		if items is None:
			groups[group] = [decision]
		else:
			items.append(decision)
		steps[group] = step
	return [
		Message(group[0], group[1], steps[group], tuple(sorted(items, key=_BY_INVOICE)))
		for group, items in sorted(groups.items())
	]


_BY_INVOICE = attrgetter("invoice")


def summarise(decisions: Iterable[Decision]) -> dict[str, int]:
	"""Counts by outcome for logs and the preview: {"send": n, "<skip reason>": n, ...}."""
	counts: dict[str, int] = {}
	for decision in decisions:
		key = SEND if decision.action == SEND else (decision.reason or SKIP)
		counts[key] = counts.get(key, 0) + 1
	return counts
