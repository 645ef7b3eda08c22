"""Dunning run: the scheduled daily job and `run_dunning`, which carries out the plan message by message.

Contract
- `daily()` is the scheduled entry point (scheduler_events daily_long), gated by RevOps Settings.
- `run_dunning(on, commit, company)` first resolves promises to pay as of `on` (`promise_resolution`),
  then takes `dunning.plan.plan(on, company)`, logs each broken policy as an
  Error, sends each consolidated message through `dunning.send.send_message` (reminder rows, Communication,
  Email Queue, pay links marked Sent, all inside one savepoint; a failure is recorded as Failed rows plus an
  Error log and retried by the next run), then escalates what was sent (`dunning.escalation.escalate`: a
  failure does not un-send the email, it becomes an Error log that the hourly sweep replays through
  `retry_escalation`). With commit=True each message is committed on its own. Returns counts.
"""

from datetime import date

import frappe
from frappe.utils import cint

from revops_app.core.collections import dunning as engine
from revops_app.revenue_collections.dunning.escalation import escalate
from revops_app.revenue_collections.dunning.plan import plan
from revops_app.revenue_collections.dunning.send import send_message
from revops_app.revenue_collections.promise_resolution import resolve_promises
from revops_app.revops.constants import INTEGRATION_DUNNING, SETTINGS_DOCTYPE, LogStatus
from revops_app.revops.integration_log import create_log


def daily() -> None:
	"""scheduler_events daily_long: one run for today when RevOps Settings enables dunning."""
	settings = frappe.db.get_singles_dict(SETTINGS_DOCTYPE)
	if not (cint(settings.get("enabled")) and cint(settings.get("dunning_enabled"))):
		return
	run_dunning(commit=True)


def run_dunning(
	on: date | str | None = None, commit: bool = True, company: str | None = None
) -> dict[str, int]:
	"""Send what the plan for `on` says. Returns counts: messages sent/failed, reminders logged, skips.
	With commit=True each message is committed on its own (a crash keeps what was already sent)."""
	# Promises whose date passed become Broken (or Kept) first, so their status matches today's step.
	resolve_promises(on)
	the_plan = plan(on, company)
	counts = {"messages_sent": 0, "messages_failed": 0, "reminders_sent": 0, "reminders_failed": 0}
	counts["already_logged"] = 0
	for policy, why in the_plan.policy_set.broken.items():
		create_log(INTEGRATION_DUNNING, "run_dunning", status=LogStatus.ERROR, message=f"{policy}: {why}")
	for message in the_plan.messages:
		outcome, done = send_message(message, the_plan)
		counts["already_logged"] += len(message.decisions) - len(done.decisions)
		if outcome == engine.Outcome.SENT:
			counts["messages_sent"] += 1
			counts["reminders_sent"] += len(done.decisions)
			escalate(done, the_plan)
		elif outcome == engine.Outcome.FAILED:
			counts["messages_failed"] += 1
			counts["reminders_failed"] += len(done.decisions)
		if commit:
			frappe.db.commit()  # nosemgrep: the daily job ends each message's transaction
	for reason, number in engine.summarise(the_plan.decisions).items():
		if reason != engine.SEND:
			counts[reason] = number
	if commit:
		frappe.db.commit()  # nosemgrep: keeps the broken-policy log entries when nothing was sent
	return counts
