"""Dunning per instalment: an invoice with a payment schedule is reminded on each instalment's due date.

Contract: pure, framework-free; the glue (`revenue_collections.dunning.facts.collect_instalments` and
`dunning.plan`) reads the schedule and the reminder log and calls `decide_invoice`.

Rules
- Each unpaid instalment (`core.collections.instalments`) runs the policy's step sequence on its own due
  date, outstanding and payment amount (so "partially paid" means the instalment is), with its own
  idempotency key `instalment_key(invoice, policy, step, index)`: "Reminder 1" is logged once per
  instalment. A paid instalment gets nothing.
- Reminder rows logged for the whole invoice (instalment 0: sent before the invoice was dunned per
  instalment, or a broken-promise step) count as done for every instalment.
- One decision per invoice and day: when several instalments have a step to send, the earliest due one is
  sent and the others follow on the next run (reported as skips with `Skip` reasons of their own run);
  when none sends, the earliest unpaid instalment's skip is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from revops_app.core.collections.dunning.decisions import (
	SEND,
	SKIP,
	CustomerState,
	Decision,
	InvoiceFacts,
	LoggedStep,
	Skip,
	decide,
	reminder_key,
)
from revops_app.core.collections.dunning.policy import Policy
from revops_app.core.collections.instalments import Instalment

WHOLE_INVOICE = 0  # the reminder log's `instalment` for rows about the whole invoice


def instalment_key(invoice: str, policy: str, step: str, index: int) -> str:
	"""The reminder key of one step for one instalment (40 hex chars, distinct from the invoice's own)."""
	if index == WHOLE_INVOICE:
		return reminder_key(invoice, policy, step)
	return reminder_key(invoice, policy, f"{step}\x1f#{index}")


def instalment_facts(
	facts: InvoiceFacts,
	schedule: Sequence[Instalment],
	logged: Mapping[int, Sequence[LoggedStep]],
) -> list[tuple[Instalment, InvoiceFacts]]:
	"""One InvoiceFacts per unpaid instalment; `logged` maps instalment index -> its own logged steps
	(the invoice-wide rows are `facts.logged`)."""
	expanded = []
	for inst in schedule:
		if inst.paid:
			continue
		own = tuple(logged.get(inst.index, ()))
		expanded.append(
			(
				inst,
				replace(
					facts,
					due_date=inst.due_date,
					outstanding=inst.outstanding,
					grand_total=inst.amount,
					logged=tuple(facts.logged) + own,
				),
			)
		)
	return expanded


def decide_invoice(
	facts: InvoiceFacts,
	expanded: Sequence[tuple[Instalment, InvoiceFacts]],
	customers: Mapping[str, CustomerState],
	policies: Mapping[str, Policy],
	on: date,
	default_policy: str | None = None,
) -> tuple[Decision, Instalment | None]:
	"""The invoice's one decision for day `on` and the instalment it is about (module rules)."""
	if not expanded:
		return Decision(facts.invoice, facts.customer, SKIP, Skip.PAID), None
	decisions = decide([item for _, item in expanded], customers, policies, on, default_policy)
	pairs = sorted(zip((inst for inst, _ in expanded), decisions, strict=True), key=lambda p: p[0].due_date)
	for inst, decision in pairs:
		if decision.action == SEND and decision.policy and decision.step:
			key = instalment_key(facts.invoice, decision.policy, decision.step.name, inst.index)
			return replace(decision, key=key), inst
	inst, decision = pairs[0]
	return decision, inst
