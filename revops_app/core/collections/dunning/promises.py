"""Dunning and promises to pay: promised invoices pause, a broken promise sends the policy's dedicated step.

Contract: pure, framework-free; `apply_promises` post-processes the engine's decisions (`decisions.decide`,
after the per-instalment fold) and is called by the glue (`revenue_collections.dunning.plan`) with what it
read: which invoices are promised on the day, which promise broke for which invoice, each policy's
broken-promise step and the reminder log rows of the broken-promise keys.

Rules
- A promised invoice (an Open promise whose promised_date >= the day, `core.collections.promises`) gets
  nothing: its decision becomes a skip `PROMISED`, unless it was already skipped for a reason that says
  more (paid, cancelled, disputed, opted out, the collector's pause on the Customer, no policy).
- A broken promise (Broken, or Open with its date passed while the invoice is outstanding) resumes dunning
  at the policy's `broken_promise_step`: that step is sent once per broken promise and invoice, keyed by
  `broken_key(invoice, policy, step, promise)`, whatever its offset and conditions. It is logged under the
  step's own name, so the schedule then continues after that step (catch-up rule). A Failed attempt is
  retried with the same key until the policy's attempts are used; once logged Sent or Skipped the invoice
  follows its normal schedule. Only the invoice's latest promise counts. No broken-promise step set (or a
  step the policy does not have): the schedule simply resumes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from revops_app.core.collections.dunning.decisions import (
	SEND,
	SKIP,
	Decision,
	LoggedStep,
	Outcome,
	Skip,
	reminder_key,
)
from revops_app.core.collections.dunning.policy import Policy
from revops_app.core.collections.promises import Promise, PromiseStatus

PROMISED = "payment promised"
# Skips that already say more than "promised"; a promise never turns them into a send either.
FIRM_SKIPS = frozenset(
	{Skip.PAID, Skip.CANCELLED, Skip.DISPUTED, Skip.OPTED_OUT, Skip.PAUSED, Skip.NO_POLICY}
)


@dataclass(frozen=True, slots=True)
class BrokenPromise:
	promise: str
	promised_date: date


def broken_key(invoice: str, policy: str, step: str, promise: str) -> str:
	"""The reminder key of the broken-promise step for one invoice and one broken promise."""
	return reminder_key(invoice, policy, f"{step}\x1fpromise:{promise}")


def broken_promises(promises: Iterable[Promise], on: date) -> dict[str, BrokenPromise]:
	"""invoice -> its latest promise when that one is broken on `on` (Broken, or Open and past its date;
	the caller only asks about invoices still outstanding)."""
	latest: dict[str, Promise] = {}
	for promise in promises:
		for name in promise.invoices:
			current = latest.get(name)
			if current is None or (promise.promised_date, promise.name) > (
				current.promised_date,
				current.name,
			):
				latest[name] = promise
	return {
		name: BrokenPromise(promise.name, promise.promised_date)
		for name, promise in latest.items()
		if promise.status == PromiseStatus.BROKEN
		or (promise.status == PromiseStatus.OPEN and promise.promised_date < on)
	}


def apply_promises(
	decisions: Iterable[Decision],
	promised: Mapping[str, date],
	broken: Mapping[str, BrokenPromise],
	broken_steps: Mapping[str, str | None],
	policies: Mapping[str, Policy],
	logged: Mapping[str, LoggedStep],
) -> list[Decision]:
	"""The decisions with promises applied (module rules). `logged` maps a broken key to its log row."""
	result = []
	append = result.append
	for decision in decisions:
		invoice = decision.invoice
		if invoice not in promised and invoice not in broken:
			append(decision)  # the common case: nothing promised
		elif decision.action == SKIP and decision.reason in FIRM_SKIPS:
			append(decision)
		elif invoice in promised:
			append(
				Decision(
					invoice,
					decision.customer,
					SKIP,
					PROMISED,
					decision.policy,
					days_overdue=decision.days_overdue,
				)
			)
		else:
			append(_broken_step(decision, broken[invoice], broken_steps, policies, logged))
	return result


def _broken_step(
	decision: Decision,
	broken: BrokenPromise,
	broken_steps: Mapping[str, str | None],
	policies: Mapping[str, Policy],
	logged: Mapping[str, LoggedStep],
) -> Decision:
	policy = policies.get(decision.policy or "")
	step_name = broken_steps.get(decision.policy or "")
	if policy is None or not step_name or step_name not in policy.position:
		return decision
	key = broken_key(decision.invoice, policy.name, step_name, broken.promise)
	row = logged.get(key)
	if row is not None and (row.outcome != Outcome.FAILED or row.attempts >= policy.max_attempts):
		return decision  # sent (or given up) for this promise: the normal schedule runs
	return Decision(
		decision.invoice,
		decision.customer,
		SEND,
		None,
		policy.name,
		policy.ordered[policy.position[step_name]],
		key,
		row is not None,
		decision.days_overdue,
	)
