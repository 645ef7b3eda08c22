"""Promises and instalments against the schemas: the promise DocType as the shared interface fixes it, the
policy's promise fields, the reminder log's instalment, and the shipped templates and policy."""

from __future__ import annotations

import re

from revops_app.core.collections import dunning as engine
from revops_app.core.collections.promises import PromiseSource, PromiseStatus
from revops_app.revenue_collections.constants import PROMISE_DOCTYPE, PROMISE_INVOICE_DOCTYPE
from tests.conftest import APP_DIR
from tests.test_schema_fidelity import APP_DOCTYPES, STANDARD_COLUMNS


def fields(doctype: str) -> dict[str, dict]:
	return {f["fieldname"]: f for f in APP_DOCTYPES[doctype]["fields"]}


def test_promise_doctype_is_the_shared_interface():
	doc = APP_DOCTYPES[PROMISE_DOCTYPE]
	assert doc["autoname"] == "PROMISE-.#####" and doc["track_changes"] == 1 and not doc.get("is_submittable")
	f = fields(PROMISE_DOCTYPE)
	for name, fieldtype, options in (
		("customer", "Link", "Customer"),
		("company", "Link", "Company"),
		("currency", "Link", "Currency"),
		("todo", "Link", "ToDo"),
		("invoices", "Table", PROMISE_INVOICE_DOCTYPE),
	):
		assert (f[name]["fieldtype"], f[name]["options"]) == (fieldtype, options), name
	assert all(f[name].get("reqd") for name in ("customer", "company", "currency", "promised_date"))
	assert f["status"]["options"].split("\n") == list(PromiseStatus.ALL) and f["status"]["default"] == "Open"
	assert f["source"]["options"].split("\n") == list(PromiseSource.ALL)
	assert (f["amount"]["fieldtype"], f["amount"]["options"]) == ("Currency", "currency")
	assert f["resolved_on"]["fieldtype"] == "Date" and f["todo"].get("read_only") == 1
	child = fields(PROMISE_INVOICE_DOCTYPE)
	assert APP_DOCTYPES[PROMISE_INVOICE_DOCTYPE]["istable"] == 1
	assert child["sales_invoice"]["options"] == "Sales Invoice" and child["sales_invoice"]["reqd"] == 1
	assert child["sales_invoice"]["in_list_view"] == 1
	assert {"outstanding_amount": "Currency", "due_date": "Date"} == {
		k: child[k]["fieldtype"] for k in ("outstanding_amount", "due_date")
	}


def test_policy_has_the_five_self_service_fields_with_their_defaults():
	f = fields("RevOps Dunning Policy")
	assert (f["allow_customer_promises"]["fieldtype"], f["allow_customer_promises"]["default"]) == (
		"Check",
		"1",
	)
	assert (f["max_promise_days"]["fieldtype"], f["max_promise_days"]["default"]) == ("Int", "14")
	assert f["broken_promise_step"]["fieldtype"] == "Data"
	assert (f["allow_customer_amount"]["fieldtype"], f["allow_customer_amount"]["default"]) == ("Check", "0")
	assert f["minimum_customer_amount"]["fieldtype"] == "Currency"


def test_reminder_log_records_the_instalment():
	f = fields("RevOps Dunning Reminder")
	assert f["instalment"]["fieldtype"] == "Int" and f["instalment_due_date"]["fieldtype"] == "Date"
	send = (APP_DIR / "revenue_collections" / "dunning" / "send.py").read_text()
	assert '"instalment", "instalment_due_date"' in send  # the bulk insert writes them


def test_promise_sql_reads_only_real_fields():
	glue = "".join(
		(APP_DIR / path).read_text()
		for path in (
			"revenue_collections/promises.py",
			"revenue_collections/promise_resolution.py",
			"revenue_collections/dunning/promised.py",
		)
	)
	used = set(re.findall(r"\b(pr|pi)\.([a-z_]+)\b", glue))
	assert used, "the regex no longer finds the SQL"
	names = {"pr": fields(PROMISE_DOCTYPE), "pi": fields(PROMISE_INVOICE_DOCTYPE)}
	missing = [f"{a}.{n}" for a, n in used if n not in STANDARD_COLUMNS and n not in names[a]]
	assert not missing


def test_shipped_templates_and_policy_know_instalments_and_promises():
	from revops_app.revenue_collections.dunning.install import (
		DEFAULT_BROKEN_PROMISE_STEP,
		DEFAULT_STEPS,
		EMAIL_TEMPLATES,
		INSTALMENT_LINE,
		template_body,
	)

	assert DEFAULT_BROKEN_PROMISE_STEP in {step["step_name"] for step in DEFAULT_STEPS}
	policy = engine.Policy("Standard Dunning", tuple(engine.step_from_row(row) for row in DEFAULT_STEPS))
	assert DEFAULT_BROKEN_PROMISE_STEP in policy.position
	for _subject, filename in EMAIL_TEMPLATES.values():
		assert INSTALMENT_LINE in template_body(filename)
	patches = (APP_DIR / "patches.txt").read_text()
	assert "revops_app.patches.v1_3.promises_and_instalments_in_shipped_dunning" in patches


def test_promise_job_is_scheduled_daily():
	hooks = (APP_DIR / "hooks.py").read_text()
	daily = re.search(r'"daily":\s*\[(.*?)\]', hooks, re.S).group(1)
	assert '"revops_app.revenue_collections.promise_resolution.daily"' in daily
