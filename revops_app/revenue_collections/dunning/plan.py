"""Dunning plan: facts + policies + the engine's decisions and consolidated messages; nothing is written.

Contract
- `plan(on, company, customer, invoices)` returns a `Plan`: the run date, the `PolicySet`, every decision
  (send or skip with the reason), the consolidated messages (one per customer and step) and the printed rows
  of the invoices and customers. The preview (`dunning.preview.preview`, the "Dunning Preview" report) and the
  daily run (`dunning.run.run_dunning`) both use it, so they agree. CX awareness
  (`core.collections.dunning_cx`) is applied here: held reminders become skips, softened ones lose their
  escalation and take the gentle template; `Plan.cx_notes` says why, per customer.
- `SAVEPOINT` is the savepoint one message is sent in (`dunning.send`) and then escalated in
  (`dunning.escalation`), one after the other.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from frappe.utils import getdate, today

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import dunning_cx
from revops_app.revenue_collections.dunning.cx_standing import standings_for_plan
from revops_app.revenue_collections.dunning.facts import CustomerRow, InvoiceRow, collect_facts
from revops_app.revenue_collections.dunning.policies import PolicySet, load_policies

SAVEPOINT = "revops_dunning_message"


@dataclass
class Plan:
	on: date
	policy_set: PolicySet
	decisions: list[engine.Decision]
	messages: list[engine.Message]
	invoices: dict[str, InvoiceRow]
	customers: dict[str, CustomerRow]
	# customer -> why its reminders are held or softened (open recovery Issue, recent detractor)
	cx_notes: dict[str, str] = field(default_factory=dict)


def plan(
	on: date | str | None = None,
	company: str | None = None,
	customer: str | None = None,
	invoices: Iterable[str] | None = None,
) -> Plan:
	"""What a run on `on` would do. Reads only."""
	on = getdate(on or today())
	policy_set = load_policies()
	facts, details, customers = collect_facts(on, policy_set, company, customer, invoices)
	states = {name: row.state for name, row in customers.items()}
	decisions = engine.decide(facts, states, policy_set.policies, on, policy_set.default)
	sending = {d.customer for d in decisions if d.is_send}
	standings = standings_for_plan(policy_set, sending, on)
	decisions, notes = dunning_cx.apply_cx(decisions, standings, policy_set.cx_rules, on)
	return Plan(on, policy_set, decisions, engine.group_messages(decisions), details, customers, notes)
