"""Install-time records of the dunning feature: three Email Templates and the default policy.

Idempotent (after_install and after_migrate call it): a record that exists is never touched, so finance
users' edits survive upgrades; a default policy is only created when the site has no default at all.
Template bodies live in revops_app/templates/dunning/*.html (Jinja over the context documented in
revops_app.revenue_collections.dunning.render).
"""

from __future__ import annotations

from pathlib import Path

from revops_app.revenue_collections.constants import (
	DEFAULT_DUNNING_POLICY,
	DUNNING_POLICY_DOCTYPE,
	DUNNING_TEMPLATE_BEFORE_DUE,
	DUNNING_TEMPLATE_FINAL,
	DUNNING_TEMPLATE_OVERDUE,
)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "dunning"

# name -> (subject, body file)
EMAIL_TEMPLATES = {
	DUNNING_TEMPLATE_BEFORE_DUE: (
		"Reminder: {{ invoices_label }} due on {{ due_date_formatted }}",
		"upcoming_due_date.html",
	),
	DUNNING_TEMPLATE_OVERDUE: (
		"Payment overdue: {{ invoices_label }} from {{ company }}",
		"payment_overdue.html",
	),
	DUNNING_TEMPLATE_FINAL: ("Final notice: {{ invoices_label }} from {{ company }}", "final_notice.html"),
}

# The shipped policy: a heads-up before the due date, two overdue reminders, a ToDo for the collector,
# then a final notice with a draft ERPNext Dunning (the company's default Dunning Type: fees, interest).
DEFAULT_STEPS = (
	{"step_name": "Upcoming due date", "offset_days": -3, "email_template": DUNNING_TEMPLATE_BEFORE_DUE},
	{
		"step_name": "Overdue reminder",
		"offset_days": 3,
		"if_overdue": 1,
		"email_template": DUNNING_TEMPLATE_OVERDUE,
	},
	{
		"step_name": "Second reminder",
		"offset_days": 14,
		"if_overdue": 1,
		"email_template": DUNNING_TEMPLATE_OVERDUE,
		"escalation": "ToDo",
	},
	{
		"step_name": "Final notice",
		"offset_days": 30,
		"if_overdue": 1,
		"email_template": DUNNING_TEMPLATE_FINAL,
		"escalation": "ERPNext Dunning",
	},
)


# The shipped policy resumes a broken promise to pay here (RevOps Dunning Policy.broken_promise_step).
DEFAULT_BROKEN_PROMISE_STEP = "Second reminder"
# The instalment line of invoice_table.html (patches.v1_3 recognises the bodies shipped before it).
INSTALMENT_LINE = (
	"{% if row.instalment %}<br><small>instalment {{ row.instalment.number }} due "
	"{{ row.instalment.due_date_formatted }}: {{ row.instalment.amount_formatted }}</small>{% endif %}"
)


def template_body(filename: str) -> str:
	table = (TEMPLATE_DIR / "invoice_table.html").read_text()
	return (TEMPLATE_DIR / filename).read_text().replace("{{ invoice_table }}", table.strip())


def install_dunning_defaults() -> None:
	import frappe

	for name, (subject, filename) in EMAIL_TEMPLATES.items():
		if frappe.db.exists("Email Template", name):
			continue
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": name,
				"subject": subject,
				"use_html": 1,
				"response_html": template_body(filename),
			}
		).insert(ignore_permissions=True)

	if frappe.db.exists(DUNNING_POLICY_DOCTYPE, DEFAULT_DUNNING_POLICY) or frappe.db.exists(
		DUNNING_POLICY_DOCTYPE, {"is_default": 1}
	):
		return
	policy = frappe.get_doc(
		{
			"doctype": DUNNING_POLICY_DOCTYPE,
			"policy_name": DEFAULT_DUNNING_POLICY,
			"enabled": 1,
			"is_default": 1,
			"max_attempts": 3,
			"description": "Shipped with revops_app; edit freely, upgrades never overwrite it.",
			"broken_promise_step": DEFAULT_BROKEN_PROMISE_STEP,
			"steps": [{"channel": "Email", "escalation": "None", **step} for step in DEFAULT_STEPS],
		}
	)
	policy.insert(ignore_permissions=True)
