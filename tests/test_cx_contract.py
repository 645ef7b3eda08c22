"""The CX surface the sidecar codes against, and the CX SQL against the declared schema.

The sidecar writes CX Survey Responses through `revops_app.api.cx.ingest_responses` and reads
`customer_cx_state`; these tests pin the field names and types it relies on, the endpoint signatures,
and that every `alias.field` in the CX SQL is a declared ERPNext field, a custom field of this app or
a field of the app's own DocType.
"""

from __future__ import annotations

import ast
import json
import re

from revops_app.core.cx.intake import REFERENCE_DOCTYPES
from tests.conftest import APP_DIR
from tests.test_schema_fidelity import APP_DOCTYPES, STANDARD_COLUMNS

RESPONSE = APP_DOCTYPES["CX Survey Response"]
FIELDS = {f["fieldname"]: f for f in RESPONSE["fields"]}

CONTRACT = {
	"source": "Data",
	"external_id": "Data",
	"dedupe_key": "Data",
	"metric": "Select",
	"scale_min": "Float",
	"scale_max": "Float",
	"higher_is_better": "Check",
	"raw_score": "Float",
	"normalised_score": "Float",
	"category": "Select",
	"comment": "Small Text",
	"respondent_email": "Data",
	"contact": "Link",
	"customer": "Link",
	"reference_doctype": "Link",
	"reference_name": "Dynamic Link",
	"submitted_at": "Datetime",
	"raw_payload": "Code",
	"status": "Select",
	"service_recovery_issue": "Link",
	"promoter_action": "Data",
	"remarks": "Small Text",
}


def test_response_fields_the_sidecar_relies_on():
	assert {name: FIELDS[name]["fieldtype"] for name in CONTRACT if name in FIELDS} == CONTRACT
	assert FIELDS["dedupe_key"].get("unique") == 1
	assert FIELDS["metric"]["options"].split("\n") == ["NPS", "CSAT", "CES", "Custom"]
	assert FIELDS["status"]["options"].split("\n") == ["Processed", "Unmatched", "Error"]
	assert FIELDS["higher_is_better"]["default"] == "1"
	assert FIELDS["respondent_email"]["options"] == "Email"
	assert FIELDS["raw_payload"]["options"] == "JSON"
	assert FIELDS["service_recovery_issue"]["options"] == "Issue"
	assert RESPONSE["module"] == "Customer Experience"


def test_reference_doctypes_are_limited_in_the_form_and_the_api():
	link_filters = json.loads(FIELDS["reference_doctype"]["link_filters"])
	assert link_filters == [["DocType", "name", "in", list(REFERENCE_DOCTYPES)]]


def test_permissions_read_for_managers_configure_for_system_manager():
	roles = {p["role"]: p for p in RESPONSE["permissions"]}
	assert roles["System Manager"].get("write") and roles["System Manager"].get("create")
	assert roles["RevOps CX Integration"].get("create")
	for role in ("Accounts Manager", "Sales Manager", "Support Team"):
		assert roles[role].get("read") and not roles[role].get("write")
	settings = {p["role"]: p for p in APP_DOCTYPES["RevOps CX Settings"]["permissions"]}
	assert [r for r, p in settings.items() if p.get("write")] == ["System Manager"]


def test_endpoints_have_the_agreed_signatures():
	tree = ast.parse((APP_DIR / "api" / "cx.py").read_text())
	functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
	ingest = functions["ingest_responses"]
	assert [a.arg for a in ingest.args.args] == ["responses"]
	assert ast.unparse(ingest.args.args[0].annotation) == "list | str | None"  # missing: a 417 naming it
	assert [ast.literal_eval(d) for d in ingest.args.defaults] == [None]
	decorator = ast.unparse(ingest.decorator_list[0])
	assert decorator == "frappe.whitelist(methods=['POST'])"
	state = functions["customer_cx_state"]
	assert [a.arg for a in state.args.args] == ["modified_after", "limit"]
	assert [ast.literal_eval(d) for d in state.args.defaults] == [None, 500]
	assert "allow_guest" not in ast.unparse(state.decorator_list[0])


SQL_ALIASES = {
	"r": "CX Survey Response",
	"c": "Customer",
	"con": "Contract",
	"si": "Sales Invoice",
	"sii": "Sales Invoice Item",
	"soi": "Sales Order Item",
	"dni": "Delivery Note Item",
	"iss": "Issue",
	"t": "ToDo",
}


def test_cx_sql_reads_only_declared_fields():
	from revops_app.revops.custom_fields import CUSTOM_FIELDS
	from revops_app.revops.schema import CX_UNREFERENCED_FIELDS, ERP_FIELDS

	source = (APP_DIR / "customer_experience" / "reports_data.py").read_text()
	used = set(re.findall(r"\b(r|c|con|si|sii|soi|dni|iss|t)\.([a-z_]+)\b", source))
	assert len(used) > 25, "the regex no longer finds the SQL"
	errors = []
	for alias, fieldname in sorted(used):
		doctype = SQL_ALIASES[alias]
		if fieldname in STANDARD_COLUMNS:
			continue
		known = set(ERP_FIELDS.get(doctype, {})) | set(CX_UNREFERENCED_FIELDS.get(doctype, {}))
		known |= {f["fieldname"] for f in CUSTOM_FIELDS.get(doctype, [])}
		if doctype in APP_DOCTYPES:
			known |= {f["fieldname"] for f in APP_DOCTYPES[doctype]["fields"]}
		if fieldname not in known:
			errors.append(f"{doctype}.{fieldname}")
	assert not errors, "read by the CX SQL but not declared: " + ", ".join(errors)


def test_hooks_wire_the_cx_jobs():
	from tests.test_schema_fidelity import hooks

	values = hooks()
	hourly = values["scheduler_events"]["hourly"]
	assert "revops_app.customer_experience.escalation.escalate_slipped_issues" in hourly
	assert (
		"revops_app.customer_experience.customer_state.refresh_all_customers"
		in values["scheduler_events"]["daily"]
	)
	# Failed rules are retried by the one sweep of the integration log, not by a job of their own.
	assert "revops_app.revops.jobs.sweep_stuck_logs" in hourly
	assert not [job for job in hourly if "retry_failed_responses" in job]
	assert (
		values["override_doctype_dashboards"]["Customer"]
		== "revops_app.customer_experience.dashboard.customer_dashboard"
	)


def _functions(path) -> dict[str, ast.FunctionDef]:
	return {n.name: n for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)}


def test_the_cx_rules_worker_is_retryable_on_the_long_queue():
	from revops_app.customer_experience.constants import CX_RULES_WORKER

	tree = ast.parse((APP_DIR / "revops" / "jobs.py").read_text())
	workers = next(
		node.value
		for node in tree.body
		if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "RETRYABLE_WORKERS"
	)
	registered = {
		ast.literal_eval(key): ast.unparse(value)
		for key, value in zip(workers.keys, workers.values, strict=True)
		if isinstance(key, ast.Constant)
	}
	assert registered.get(CX_RULES_WORKER) == "'long'"
	module, _, function = CX_RULES_WORKER.rpartition(".")
	worker = _functions(APP_DIR.parent / (module.replace(".", "/") + ".py"))[function]
	assert [a.arg for a in worker.args.args] == ["log_name"]


def test_customer_experience_modules_import_no_circle_and_stay_small():
	package = "revops_app.customer_experience"
	root = APP_DIR / "customer_experience"
	modules = {
		".".join(p.relative_to(APP_DIR.parent).with_suffix("").parts): p
		for p in root.rglob("*.py")
		if p.name != "__init__.py"
	}
	graph: dict[str, set[str]] = {}
	for name, path in modules.items():
		tree = ast.parse(path.read_text())
		deps: set[str] = set()
		for node in ast.walk(tree):
			if isinstance(node, ast.ImportFrom) and node.module:
				targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
			elif isinstance(node, ast.Import):
				targets = [a.name for a in node.names]
			else:
				continue
			deps |= {t for t in targets if t in modules and t != name}
		graph[name] = deps
		for function in ast.walk(tree):
			if isinstance(function, ast.FunctionDef):
				local = [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
				own = [n for n in local if ast.unparse(n).split()[1].startswith(package)]
				assert not own, f"{name}.{function.name} imports this feature inside a function"
		if "doctype" not in path.parts and "report" not in path.parts:
			assert len(path.read_text().splitlines()) <= 300, f"{name} has grown past 300 lines"

	def reach(start: str, seen: set[str]) -> set[str]:
		for dep in graph[start] - seen:
			seen.add(dep)
			reach(dep, seen)
		return seen

	circles = sorted(name for name in graph if name in reach(name, set()))
	assert not circles, f"import circle through {circles}"
