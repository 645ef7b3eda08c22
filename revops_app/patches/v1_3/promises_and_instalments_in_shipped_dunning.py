"""Issue 16 (promises to pay, payment schedules) for sites that already have the shipped dunning records.

- The three shipped Email Templates gained a line naming the instalment a reminder is about (templates/
  dunning/invoice_table.html). A template whose body is still exactly the previously shipped one is brought
  up to date; one a finance user edited is left alone (the `instalment` context is documented for them).
- The shipped policy (Standard Dunning) resumes a broken promise at its "Second reminder" step (which also
  gives the collector a ToDo), when it still has that step and names no broken-promise step yet.
New columns (the promise settings on RevOps Dunning Policy, the instalment on RevOps Dunning Reminder) come
with `bench migrate` and their defaults; nothing else needs data.
"""

import frappe

from revops_app.revenue_collections.constants import DEFAULT_DUNNING_POLICY, DUNNING_POLICY_DOCTYPE
from revops_app.revenue_collections.dunning.install import (
	DEFAULT_BROKEN_PROMISE_STEP,
	EMAIL_TEMPLATES,
	INSTALMENT_LINE,
	template_body,
)


def execute() -> None:
	for name, (_subject, filename) in EMAIL_TEMPLATES.items():
		current = frappe.db.get_value("Email Template", name, "response_html")
		new = template_body(filename)
		previous = new.replace(INSTALMENT_LINE, "")
		if current is not None and current == previous and current != new:
			frappe.db.set_value("Email Template", name, "response_html", new)
	policy = frappe.db.get_value(
		DUNNING_POLICY_DOCTYPE, DEFAULT_DUNNING_POLICY, ["name", "broken_promise_step"], as_dict=True
	)
	if policy and not policy.broken_promise_step:
		steps = frappe.get_all(
			"RevOps Dunning Policy Step",
			filters={"parent": policy.name, "parenttype": DUNNING_POLICY_DOCTYPE},
			pluck="step_name",
		)
		if DEFAULT_BROKEN_PROMISE_STEP in steps:
			frappe.db.set_value(
				DUNNING_POLICY_DOCTYPE, policy.name, "broken_promise_step", DEFAULT_BROKEN_PROMISE_STEP
			)
