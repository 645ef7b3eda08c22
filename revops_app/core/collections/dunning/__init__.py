"""Dunning decisions: which reminder step is due for each open invoice on a given day.

Contract: pure functions over plain dataclasses; never imports frappe or erpnext, never writes anything.
The daily job (`revops_app.revenue_collections.dunning.run`) and the preview call the same `decide` on the same facts, so the
preview shows exactly what a run on that date would send.

Modules
- `policy.py`: `Policy` and its `Step`s (offsets, conditions, channel, template, escalation), `Condition`,
  `Channel`, `Escalation`, `policy_errors` (validation a finance user can act on), `step_from_row` (the
  DocType row translation shared by the glue and the CI tests).
- `decisions.py`: the engine: `decide` over `InvoiceFacts`, `CustomerState` and the reminder log
  (`LoggedStep`, `Outcome`) -> one `Decision` per invoice (send a step, or `Skip` with a reason); the
  catch-up, retry and idempotency rules (`reminder_key`).
- `messages.py`: `group_messages` folds the send decisions into one `Message` per customer, policy and
  step; `summarise` counts the outcomes.

Every public name is importable from this package as well as from its module, so the glue keeps
`dunning.<name>`.
"""

from __future__ import annotations

from revops_app.core.collections.dunning.decisions import (
	SEND,
	SKIP,
	CustomerState,
	Decision,
	InvoiceFacts,
	LoggedStep,
	Outcome,
	Skip,
	conditions_holding,
	decide,
	invoice_conditions,
	reminder_key,
)
from revops_app.core.collections.dunning.messages import Message, group_messages, summarise
from revops_app.core.collections.dunning.policy import (
	CONDITION_FIELDS,
	DEFAULT_MAX_ATTEMPTS,
	Channel,
	Condition,
	Escalation,
	Policy,
	PolicyError,
	Step,
	condition_mask,
	policy_errors,
	step_from_row,
)

__all__ = [
	"CONDITION_FIELDS",
	"DEFAULT_MAX_ATTEMPTS",
	"SEND",
	"SKIP",
	"Channel",
	"Condition",
	"CustomerState",
	"Decision",
	"Escalation",
	"InvoiceFacts",
	"LoggedStep",
	"Message",
	"Outcome",
	"Policy",
	"PolicyError",
	"Skip",
	"Step",
	"condition_mask",
	"conditions_holding",
	"decide",
	"group_messages",
	"invoice_conditions",
	"policy_errors",
	"reminder_key",
	"step_from_row",
	"summarise",
]
