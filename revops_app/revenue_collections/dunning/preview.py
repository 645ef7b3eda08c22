"""Dunning preview: the whitelisted method that shows what the daily run would send, without sending.

Contract: `preview(on, company, customer)` (Finance roles only; reads, never writes) returns one entry per
consolidated message of `dunning.plan.plan`, with its recipients and rendered subject; a template that fails
to render shows its error instead of a subject. Whitelisted path:
`revops_app.revenue_collections.dunning.preview.preview`.
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
from typing import Any

import frappe
from frappe import _

from revops_app.compat import error_text
from revops_app.revenue_collections.dunning.plan import plan
from revops_app.revenue_collections.dunning.render import recipients_for, render, template_context
from revops_app.revops.constants import FINANCE_ROLES


@frappe.whitelist()
def preview(
	on: str | None = None, company: str | None = None, customer: str | None = None
) -> list[dict[str, Any]]:
	"""What the daily run would send on `on` (default today): one entry per consolidated message.
	Finance roles only; reads, never writes."""
	# Not frappe.only_for: it lets everyone through while tests run, so the test could not see a leak.
	if set(FINANCE_ROLES).isdisjoint(frappe.get_roles()):
		frappe.throw(_("Only finance users can preview dunning."), frappe.PermissionError)
	the_plan = plan(on, company, customer)
	result = []
	for message in the_plan.messages:
		entry: dict[str, Any] = {
			"customer": message.customer,
			"policy": message.policy,
			"step": message.step.name,
			"channel": message.step.channel,
			"email_template": message.step.template,
			"escalation": message.step.escalation,
			"invoices": list(message.invoices),
			"keys": list(message.keys),
			"retry": [d.invoice for d in message.decisions if d.retry],
			"superseded": sorted({s for d in message.decisions for s in d.superseded}),
			"recipients": recipients_for(message, the_plan),
			"cx_note": the_plan.cx_notes.get(message.customer),
		}
		try:
			entry["subject"] = render(message.step.template, template_context(message, the_plan))[0]
		except Exception as error:  # a broken template is exactly what a preview should reveal
			entry["subject"] = None
			entry["error"] = f"{error.__class__.__name__}: {error_text(error)}"
		result.append(entry)
	return result
