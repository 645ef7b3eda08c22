"""Dunning glue for promises to pay: reads the promises and broken-promise reminder rows the rule needs.

Contract
- `apply(on, decisions, policy_set)` reads the promises covering the decided invoices (one statement,
  `promises.load_promises`) and the reminder rows of the candidate broken-promise keys (one statement),
  then applies `core.collections.dunning.promises.apply_promises`: promised invoices are skipped until
  the promised date, a broken promise sends the policy's broken-promise step once. Returns the decisions
  and a note per invoice for the Dunning Preview ("promised by ...", "promise ... broken"). Reads only.
"""

from collections.abc import Sequence
from datetime import date

import frappe

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import promises as promise_rules
from revops_app.core.collections.dunning import promises as rule
from revops_app.revenue_collections.constants import DUNNING_REMINDER_DOCTYPE
from revops_app.revenue_collections.dunning.policies import PolicySet
from revops_app.revenue_collections.promises import load_promises

STATUSES = (promise_rules.PromiseStatus.OPEN, promise_rules.PromiseStatus.BROKEN)


def apply(
	on: date, decisions: Sequence[engine.Decision], policy_set: PolicySet
) -> tuple[list[engine.Decision], dict[str, str]]:
	"""Decisions with promises applied, and a note per affected invoice (module docstring)."""
	if not decisions:
		return list(decisions), {}
	# Cancelled and Kept promises matter too: only an invoice's latest promise can be the broken one.
	promises = load_promises([d.invoice for d in decisions], statuses=promise_rules.PromiseStatus.ALL)
	if not promises:
		return list(decisions), {}
	promised = promise_rules.promised_until(promises, on)
	broken = rule.broken_promises(promises, on)
	broken_steps = {name: each.broken_step for name, each in policy_set.promise_rules.items()}
	candidates = {
		rule.broken_key(d.invoice, d.policy, broken_steps[d.policy], broken[d.invoice].promise)
		for d in decisions
		if d.invoice in broken and d.policy and broken_steps.get(d.policy)
	}
	logged = _logged(candidates)
	result = rule.apply_promises(decisions, promised, broken, broken_steps, policy_set.policies, logged)
	notes = {name: f"promised to pay by {day.isoformat()}" for name, day in promised.items()}
	for name, why in broken.items():
		notes.setdefault(name, f"promise {why.promise} broken ({why.promised_date.isoformat()} passed)")
	return result, notes


def _logged(keys: set[str]) -> dict[str, engine.LoggedStep]:
	if not keys:
		return {}
	rows = frappe.db.sql(
		f"""SELECT reminder_key, policy, step, outcome, attempts FROM `tab{DUNNING_REMINDER_DOCTYPE}`
		WHERE reminder_key IN %(keys)s""",
		{"keys": tuple(sorted(keys))},
		as_dict=True,
	)
	return {
		row.reminder_key: engine.LoggedStep(row.policy or "", row.step, row.outcome, int(row.attempts or 1))
		for row in rows
	}
