"""The signals feed SQL (revops_app/revops/signals/feed.py) reads only declared fields, with real v15 types.

Frappe is absent in CI, so the SQL strings are read from the module's source: every `alias.field` must be
declared in `revops_app.revops.schema` (ERP_FIELDS for ERPNext DocTypes, checked against the v15 reference by
test_schema_fidelity; SIGNALS_FRAPPE_CORE_FIELDS for the two core DocTypes the reference lacks, checked on
the real bench). The endpoint itself must be whitelisted for logged-in users only and fully annotated.
"""

from __future__ import annotations

import ast
import json
import re

from tests.conftest import APP_DIR, load_frappe_meta, load_reference_doctypes

ALIASES = {
	"c": "Customer",
	"si": "Sales Invoice",
	"so": "Sales Order",
	"co": "Company",
	"pe": "Payment Entry",
	"ct": "Contract",
	"q": "Quotation",
	"qi": "Quotation Item",
	"o": "Opportunity",
	"i": "Issue",
	"ca": "Contact",
	"dl": "Dynamic Link",
	"dd": "Deleted Document",
	"per": "Payment Entry Reference",
}
# The app's own DocTypes, checked against their JSON in the app.
APP_ALIASES = {
	"pl": "revenue_collections/doctype/revops_payment_link/revops_payment_link.json",
	"lh": "revops/doctype/revops_lead_handoff/revops_lead_handoff.json",
	"dpo": "revenue_collections/doctype/revops_dunning_policy/revops_dunning_policy.json",
	"dpp": "revenue_collections/doctype/revops_dunning_policy/revops_dunning_policy.json",
	"dpd": "revenue_collections/doctype/revops_dunning_policy/revops_dunning_policy.json",
	"dpg": "revenue_collections/doctype/revops_dunning_policy_customer_group/revops_dunning_policy_customer_group.json",
	"pr": "revenue_collections/doctype/revops_payment_promise/revops_payment_promise.json",
	"pi": "revenue_collections/doctype/revops_payment_promise_invoice/revops_payment_promise_invoice.json",
}
# Custom fields the app adds to ERPNext DocTypes (revops_app.revops.custom_fields) that the feed reads.
APP_CUSTOM_FIELDS = {"Customer": {"revops_dunning_policy", "revops_dunning_paused_until"}}
DERIVED = {"eff", "feed", "paid", "gp", "broken", "od"}  # subquery aliases
_META = load_frappe_meta()["standard_columns"]
STANDARD = set(_META["default_fields"]) | set(_META["child_table_fields"])


SIGNALS_DIR = APP_DIR / "revops" / "signals"


def signals_source() -> str:
	"""The whole signals feed package, whichever module each query lives in."""
	return "\n".join(p.read_text() for p in sorted(SIGNALS_DIR.glob("*.py")))


def sql_strings() -> list[str]:
	out = []
	for path in sorted(SIGNALS_DIR.glob("*.py")):
		out += _sql_strings(ast.parse(path.read_text()))
	return out


def _sql_strings(tree: ast.Module) -> list[str]:
	out = []
	for node in ast.walk(tree):
		if isinstance(node, ast.Constant) and isinstance(node.value, str) and "`tab" in node.value:
			out.append(node.value)
		elif isinstance(node, ast.JoinedStr):
			text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
			if "`tab" in text or "si." in text or "ct." in text:
				out.append(text)
	# module-level SQL fragments (OUTSTANDING_COMPANY) and f-string helpers
	for node in tree.body:
		if (
			isinstance(node, ast.Assign)
			and isinstance(node.value, ast.Constant)
			and isinstance(node.value.value, str)
		):
			out.append(node.value.value)
	return out


def test_every_alias_field_in_the_sql_is_declared():
	from revops_app.revops.schema import ERP_FIELDS, SIGNALS_FRAPPE_CORE_FIELDS

	used = set()
	for text in sql_strings():
		used |= set(re.findall(r"\b([a-z]{1,3})\.([a-z_]+)\b", text))
	# also the column strings passed to the date helpers ("si.due_date", ...)
	source = signals_source()
	used |= set(re.findall(r"_midnight_after\(\"([a-z]+)\.([a-z_]+)\"", source))
	used |= set(re.findall(r"crossing\(\"([a-z]+)\.([a-z_]+)\"", source))
	used = {(a, f) for a, f in used if a not in DERIVED}
	assert len(used) > 40, f"the regex no longer finds the SQL ({len(used)})"
	errors = []
	app_fields = {
		alias: {f["fieldname"] for f in json.loads((APP_DIR / path).read_text())["fields"]}
		for alias, path in APP_ALIASES.items()
	}
	for alias, fieldname in sorted(used):
		if alias in app_fields:
			if fieldname not in app_fields[alias] and fieldname not in STANDARD:
				errors.append(f"{APP_ALIASES[alias]} has no field {fieldname}")
			continue
		doctype = ALIASES.get(alias)
		if doctype is None:
			errors.append(f"unknown alias {alias!r} ({alias}.{fieldname})")
			continue
		if fieldname in STANDARD:
			continue
		declared = ERP_FIELDS.get(doctype, {}) | SIGNALS_FRAPPE_CORE_FIELDS.get(doctype, {})
		if fieldname in APP_CUSTOM_FIELDS.get(doctype, ()):
			continue
		if fieldname not in declared:
			errors.append(f"{doctype}.{fieldname} is read by the signals SQL but not declared in schema.py")
	assert not errors, "; ".join(errors)


def test_core_fields_not_in_the_reference_are_really_absent_from_it():
	# If the reference pack gains these DocTypes, move them into ERP_FIELDS so CI checks them.
	from revops_app.revops.schema import SIGNALS_FRAPPE_CORE_FIELDS

	assert not set(SIGNALS_FRAPPE_CORE_FIELDS) & set(load_reference_doctypes())


def test_endpoint_is_whitelisted_not_guest_and_annotated():
	tree = ast.parse((APP_DIR / "api" / "signals.py").read_text())
	functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
	endpoint = functions["customer_signals"]
	(decorator,) = endpoint.decorator_list
	assert isinstance(decorator, ast.Call) and decorator.func.attr == "whitelist"
	assert not any(kw.arg == "allow_guest" for kw in decorator.keywords)
	assert [a.arg for a in endpoint.args.args] == [
		"modified_after",
		"after_name",
		"limit",
		"settle_seconds",
		"full",
		"snapshot",
	]
	assert all(a.annotation is not None for a in endpoint.args.args) and endpoint.returns is not None
	# the permission check runs before anything else
	first = endpoint.body[0]
	assert isinstance(first, ast.Expr) and first.value.func.id == "check_access"
