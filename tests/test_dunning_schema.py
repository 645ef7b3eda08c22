"""Dunning glue against the schemas: the fact query reads only declared ERPNext fields and real app fields,
the reminder log keeps the columns the aging report reads, and the shipped policy passes the engine.

Frappe cannot run in CI; these read the same facts `bench migrate` would enforce.
"""

from __future__ import annotations

import json
import re

from revops_app.core.collections import dunning as engine
from revops_app.revenue_collections.constants import CUSTOMER_DUNNING_FIELDS, DUNNING_REMINDER_DOCTYPE
from tests.conftest import APP_DIR
from tests.test_schema_fidelity import APP_DOCTYPES, STANDARD_COLUMNS

# the whole dunning feature folder: whichever module a query moves to, it is still read
GLUE = "".join(p.read_text() for p in sorted((APP_DIR / "revenue_collections" / "dunning").glob("*.py")))
ALIASES = {
	"si": "Sales Invoice",
	"c": "Customer",
	"pl": "RevOps Payment Link",
	"r": "RevOps Dunning Reminder",
	"g": "RevOps Dunning Policy Customer Group",
	"p": "RevOps Dunning Policy",
}


def app_fields(doctype: str) -> set[str]:
	return {f["fieldname"] for f in APP_DOCTYPES[doctype]["fields"]}


def test_fact_query_reads_only_declared_fields():
	from revops_app.revops.custom_fields import CUSTOM_FIELDS
	from revops_app.revops.schema import ERP_FIELDS

	used = set(re.findall(r"\b(si|c|pl|r|g|p)\.([a-z_]+)\b", GLUE))
	# custom-field columns are interpolated from constants: c.{CUSTOMER_..._FIELD}
	for constant in re.findall(r"c\.\{(CUSTOMER_[A-Z_]+_FIELD)\}", GLUE):
		import revops_app.revenue_collections.constants as constants

		used.add(("c", getattr(constants, constant)))
	assert len(used) > 25, "the regex no longer finds the SQL"
	customer_custom = {f["fieldname"] for f in CUSTOM_FIELDS["Customer"]}
	errors = []
	for alias, fieldname in sorted(used):
		doctype = ALIASES[alias]
		if fieldname in STANDARD_COLUMNS:
			continue
		if doctype in APP_DOCTYPES:
			if fieldname not in app_fields(doctype):
				errors.append(f"{doctype}.{fieldname} is not a field of the app DocType")
		elif fieldname not in ERP_FIELDS.get(doctype, {}) and fieldname not in customer_custom:
			errors.append(f"{doctype}.{fieldname} is read by SQL but not declared")
	assert not errors, "; ".join(errors)


def test_reminder_log_has_what_the_aging_report_reads_and_a_unique_key():
	fields = {f["fieldname"]: f for f in APP_DOCTYPES[DUNNING_REMINDER_DOCTYPE]["fields"]}
	assert {"sales_invoice", "step", "sent_at", "outcome"} <= set(fields)
	assert fields["reminder_key"].get("unique") == 1 and fields["reminder_key"].get("reqd") == 1
	assert fields["outcome"]["options"].split("\n") == list(engine.Outcome.ALL)


def test_policy_step_selects_match_the_engine():
	step = {f["fieldname"]: f for f in APP_DOCTYPES["RevOps Dunning Policy Step"]["fields"]}
	assert step["escalation"]["options"].split("\n") == list(engine.Escalation.ALL)
	assert step["channel"]["options"].split("\n") == list(engine.Channel.ALL)
	from revops_app.core.collections.dunning.policy import CONDITION_FIELDS

	assert set(CONDITION_FIELDS) <= set(step)
	assert sorted(CONDITION_FIELDS.values()) == sorted(engine.Condition.ALL)


def test_customer_dunning_fields_are_custom_fields():
	from revops_app.revops.custom_fields import CUSTOM_FIELDS

	assert set(CUSTOM_DUNNING := CUSTOMER_DUNNING_FIELDS) <= {
		f["fieldname"] for f in CUSTOM_FIELDS["Customer"]
	}
	assert len(CUSTOM_DUNNING) == 4


def test_shipped_policy_and_templates_are_valid():
	from revops_app.revenue_collections.dunning.install import DEFAULT_STEPS, EMAIL_TEMPLATES, template_body

	steps = tuple(engine.step_from_row(row) for row in DEFAULT_STEPS)
	policy = engine.Policy("Standard Dunning", steps)  # raises PolicyError when invalid
	assert [s.offset_days for s in policy.ordered] == [-3, 3, 14, 30]
	assert {s.template for s in steps} <= set(EMAIL_TEMPLATES)
	for subject, filename in EMAIL_TEMPLATES.values():
		assert len(subject) <= 140, "Email Template.subject is a Data field (140 characters)"
		body = template_body(filename)
		assert "{{ invoice_table }}" not in body and "{% for row in invoices %}" in body
		assert "row.pay_url" in body


def test_daily_job_is_on_the_long_queue_and_preview_is_whitelisted():
	hooks = (APP_DIR / "hooks.py").read_text()
	assert re.search(r'"daily_long":\s*\[\s*"revops_app\.revenue_collections\.dunning\.run\.daily"', hooks)
	assert re.search(r"@frappe\.whitelist\(\)\ndef preview\(", GLUE)
	assert "set(FINANCE_ROLES).isdisjoint(frappe.get_roles())" in GLUE


def test_preview_report_filters_and_columns():
	report = json.loads(
		(APP_DIR / "revenue_collections/report/dunning_preview/dunning_preview.json").read_text()
	)
	assert {r["role"] for r in report["roles"]} == {"Accounts Manager", "Accounts User"}
