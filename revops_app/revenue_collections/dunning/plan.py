"""Dunning plan: facts + policies + the engine's decisions and consolidated messages; nothing is written.

Contract
- `plan(on, company, customer, invoices)` returns a `Plan`: the run date, the `PolicySet`, every decision
  (send or skip with the reason), the consolidated messages (one per customer and step) and the printed rows
  of the invoices and customers. The preview (`dunning.preview.preview`, the "Dunning Preview" report) and the
  daily run (`dunning.run.run_dunning`) both use it, so they agree. In order:
  1. the engine decides per invoice (`core.collections.dunning.decide`);
  2. invoices with a payment schedule are decided per instalment and folded back to one decision each
     (`core.collections.dunning.instalments`); `Plan.instalments` names the instalment a decision is about;
  3. promises to pay (`dunning.promised`): promised invoices skip, a broken promise sends its step;
     `Plan.notes` says why, per invoice;
  4. CX awareness (`core.collections.dunning_cx`): held reminders become skips, softened ones lose their
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
from revops_app.core.collections.dunning import instalments as per_instalment
from revops_app.core.collections.instalments import Instalment
from revops_app.revenue_collections.dunning import promised
from revops_app.revenue_collections.dunning.cx_standing import standings_for_plan
from revops_app.revenue_collections.dunning.facts import (
	CustomerRow,
	InvoiceRow,
	collect_facts,
	collect_instalments,
)
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
	# invoice -> the instalment its decision is about (invoices with a payment schedule)
	instalments: dict[str, Instalment] = field(default_factory=dict)
	# invoice -> promise note (promised until, promise broken)
	notes: dict[str, str] = field(default_factory=dict)

	def instalment_for(self, decision: engine.Decision) -> Instalment | None:
		"""The instalment a send decision's reminder is logged for (None: the whole invoice)."""
		inst = self.instalments.get(decision.invoice)
		if inst is None or not decision.policy or not decision.step:
			return None
		key = per_instalment.instalment_key(decision.invoice, decision.policy, decision.step.name, inst.index)
		return inst if decision.key == key else None


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
	decisions, instalments = _per_instalment(facts, decisions, states, policy_set, on)
	decisions, notes = promised.apply(on, decisions, policy_set)
	sending = {d.customer for d in decisions if d.is_send}
	standings = standings_for_plan(policy_set, sending, on)
	decisions, cx_notes = dunning_cx.apply_cx(decisions, standings, policy_set.cx_rules, on)
	return Plan(
		on,
		policy_set,
		decisions,
		engine.group_messages(decisions),
		details,
		customers,
		cx_notes,
		instalments,
		notes,
	)


def _per_instalment(
	facts: list[engine.InvoiceFacts],
	decisions: list[engine.Decision],
	states: dict[str, engine.CustomerState],
	policy_set: PolicySet,
	on: date,
) -> tuple[list[engine.Decision], dict[str, Instalment]]:
	expanded = collect_instalments(facts)
	if not expanded:
		return decisions, {}
	by_invoice = {item.invoice: item for item in facts}
	folded: dict[str, engine.Decision] = {}
	instalments: dict[str, Instalment] = {}
	for name, items in expanded.items():
		decision, inst = per_instalment.decide_invoice(
			by_invoice[name], items, states, policy_set.policies, on, policy_set.default
		)
		folded[name] = decision
		if inst is not None:
			instalments[name] = inst
	return [folded.get(d.invoice, d) for d in decisions], instalments
