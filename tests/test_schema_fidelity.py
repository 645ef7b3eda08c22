"""Schema fidelity: the app's DocType/report JSON, hooks and ERPNext field usage against Frappe/ERPNext v15.

Frappe cannot be installed in CI, so these tests read the same facts `bench install-app` would
enforce (field types, JSON keys, link targets, hook names) from the v15 reference data.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tests.conftest import APP_DIR, ERPNEXT_VERSIONS, load_frappe_meta, load_reference_doctypes

META = load_frappe_meta()
FIELDTYPES = set(META["docfield_fieldtypes"])
NO_VALUE_FIELDTYPES = set(META["fieldtype_groups"]["no_value_fields"])
DOCTYPE_KEYS = {item["key"] for item in META["doctype_json_keys"]}
FIELD_KEYS = {item["key"] for item in META["docfield_properties"]}
PERM_KEYS = {item["key"] for item in META["docperm_keys"]}
STANDARD_COLUMNS = set(META["standard_columns"]["default_fields"]) | set(
	META["standard_columns"]["child_table_fields"]
)
MODULES = [line.strip() for line in (APP_DIR / "modules.txt").read_text().splitlines() if line.strip()]
SECRET_NAME = re.compile(r"(secret|token|password|api_key|private_key)")
# Names that look secret but are not: the pay-link and customer-page tokens are in the customer's URL by design
# (it is the capability in the customer's URL), so it cannot be a write-only Password.
NOT_SECRETS = {("RevOps Payment Link", "token"), ("RevOps Customer Pay Page", "token")}


def scrub(name: str) -> str:
	return name.replace(" ", "_").replace("-", "_").lower()


def app_doctype_files() -> list[Path]:
	return sorted(
		path
		for path in APP_DIR.glob("*/doctype/*/*.json")
		if path.stem == path.parent.name and json.loads(path.read_text()).get("doctype") == "DocType"
	)


APP_DOCTYPES = {json.loads(p.read_text())["name"]: json.loads(p.read_text()) for p in app_doctype_files()}
REFERENCE = load_reference_doctypes()


def known_doctypes() -> set[str]:
	"""DocTypes that exist on an ERPNext v15 site with this app: the app's own, the reference
	schemas, and every DocType the reference schemas themselves link to (Account, Cost Center, ...)."""
	names = set(APP_DOCTYPES) | set(REFERENCE)
	for doctype in REFERENCE.values():
		for field in doctype["fields"]:
			if field["fieldtype"] in ("Link", "Table", "Table MultiSelect") and field.get("options"):
				names.add(field["options"])
	# Frappe core DocTypes that no reference schema happens to link to but every site has.
	names |= {"DocType", "Role", "Module Def", "Report", "Workspace", "Country", "Currency"}
	return names


KNOWN_DOCTYPES = known_doctypes()


def test_app_ships_doctypes():
	assert {"RevOps Settings", "RevOps Integration Log", "RevOps Webhook Secret"} <= set(APP_DOCTYPES)


@pytest.mark.parametrize("path", app_doctype_files(), ids=lambda p: p.parent.name)
def test_doctype_json_is_valid_for_frappe_v15(path: Path):
	doc = json.loads(path.read_text())
	name = doc["name"]
	errors: list[str] = []

	unknown_keys = set(doc) - DOCTYPE_KEYS
	if unknown_keys:
		errors.append(f"unknown DocType keys {sorted(unknown_keys)}")
	for key in ("doctype", "name", "module", "fields", "permissions", "engine", "modified"):
		if key not in doc:
			errors.append(f"missing required key {key!r}")
	if scrub(name) != path.stem:
		errors.append(f"file {path.name} should be {scrub(name)}.json")
	if doc["module"] not in MODULES:
		errors.append(f"module {doc['module']!r} not in modules.txt")
	elif path.parent.parent.parent.name != scrub(doc["module"]):
		errors.append(
			f"lives under {path.parent.parent.parent.name}/, module folder is {scrub(doc['module'])}/"
		)

	fieldnames = [f.get("fieldname") for f in doc["fields"]]
	duplicates = {n for n in fieldnames if fieldnames.count(n) > 1}
	if duplicates:
		errors.append(f"duplicate fieldnames {sorted(duplicates)}")
	if doc.get("field_order") and doc["field_order"] != fieldnames:
		errors.append("field_order does not list the fields in order")

	by_name = {f.get("fieldname"): f for f in doc["fields"]}
	for field in doc["fields"]:
		not_secret = (name, field.get("fieldname")) in NOT_SECRETS
		errors.extend(f"{field.get('fieldname')}: {e}" for e in field_errors(field, by_name, not_secret))

	for key in ("title_field", "sort_field", "image_field", "timeline_field"):
		value = doc.get(key)
		if value and value not in by_name and value not in STANDARD_COLUMNS:
			errors.append(f"{key} {value!r} is not a field")
	for value in filter(None, (doc.get("search_fields") or "").split(",")):
		if value.strip() not in by_name:
			errors.append(f"search_fields names unknown field {value!r}")
	autoname = doc.get("autoname") or ""
	if autoname.startswith("field:") and autoname[6:] not in by_name:
		errors.append(f"autoname uses unknown field {autoname[6:]!r}")

	if doc.get("istable"):
		if doc["permissions"]:
			errors.append("child tables carry no permissions")
	else:
		if not doc["permissions"]:
			errors.append("no permissions: nobody could open it")
		for perm in doc["permissions"]:
			if set(perm) - PERM_KEYS:
				errors.append(f"unknown permission keys {sorted(set(perm) - PERM_KEYS)}")
			if perm.get("role") in ("Guest", "All"):
				errors.append(f"{perm['role']} must not be granted desk access")

	controller = path.with_suffix(".py")
	class_name = name.replace(" ", "").replace("-", "")
	if not controller.exists() or f"class {class_name}(" not in controller.read_text():
		errors.append(f"controller {controller.name} with class {class_name} missing")

	assert not errors, f"{name}: " + "; ".join(errors)


def field_errors(field: dict, by_name: dict[str, dict], not_secret: bool = False) -> list[str]:
	errors = []
	fieldname, fieldtype = field.get("fieldname", ""), field.get("fieldtype")
	if not re.fullmatch(r"[a-z][a-z0-9_]*", fieldname or ""):
		errors.append("fieldname must be lower_snake_case")
	if fieldname in STANDARD_COLUMNS:
		errors.append("fieldname clashes with a standard column")
	if fieldtype not in FIELDTYPES:
		errors.append(f"unknown fieldtype {fieldtype!r}")
	if set(field) - FIELD_KEYS - {"fieldname", "fieldtype"}:
		errors.append(f"unknown field keys {sorted(set(field) - FIELD_KEYS)}")
	options = field.get("options")
	if fieldtype == "Link" and options not in KNOWN_DOCTYPES:
		errors.append(f"Link to unknown DocType {options!r}")
	if fieldtype in ("Table", "Table MultiSelect"):
		child = APP_DOCTYPES.get(options) or REFERENCE.get(options)
		if not child or not child.get("istable"):
			errors.append(f"{fieldtype} options {options!r} is not a child DocType")
	if fieldtype == "Dynamic Link":
		target = by_name.get(options)
		if (
			not target
			or target.get("fieldtype") not in ("Link", "Select")
			or (target.get("fieldtype") == "Link" and target.get("options") != "DocType")
		):
			errors.append(f"Dynamic Link options {options!r} must name a Link-to-DocType field")
	if fieldtype == "Select":
		choices = (options or "").split("\n")
		if field.get("default") and field["default"] not in choices:
			errors.append(f"default {field['default']!r} not among options")
	if (
		not not_secret
		and SECRET_NAME.search(fieldname or "")
		and fieldtype
		not in (
			"Password",
			"Section Break",
			"Column Break",
			"Check",
			"Table",
			"Int",
			"Tab Break",
		)
	):
		errors.append("looks like a secret but is not a Password field")
	if field.get("unique") and fieldtype in NO_VALUE_FIELDTYPES:
		errors.append("unique on a field without a column")
	if (
		field.get("reqd")
		and fieldtype in NO_VALUE_FIELDTYPES
		and fieldtype not in ("Table", "Table MultiSelect")
	):
		errors.append("reqd on a layout field")
	return errors


def declared_field_errors(declared: dict[str, dict[str, str]], version: str) -> list[str]:
	from revops_app.revops.schema import V16_TYPE_CHANGES

	reference = load_reference_doctypes(version)
	changed = V16_TYPE_CHANGES if version == "v16" else {}
	errors = []
	for doctype, fields in declared.items():
		if doctype not in reference:
			errors.append(f"{doctype} has no {version} reference schema: add it or drop the usage")
			continue
		reference_fields = {f["fieldname"]: f for f in reference[doctype]["fields"]}
		for fieldname, fieldtype in fields.items():
			if fieldname in STANDARD_COLUMNS:
				continue
			actual = reference_fields.get(fieldname)
			if actual is None:
				errors.append(f"{doctype}.{fieldname} does not exist in {version}")
			elif actual["fieldtype"] not in {
				fieldtype,
				*SAME_KIND.get(fieldtype, ()),
				changed.get(doctype, {}).get(fieldname),
			}:
				errors.append(
					f"{doctype}.{fieldname} is {actual['fieldtype']} in {version}, glue expects {fieldtype}"
				)
	return errors


# v16 made some amounts Currency where v15 has Float; the glue reads both as numbers.
SAME_KIND = {"Float": ("Currency",), "Currency": ("Float",)}


@pytest.mark.parametrize("version", ERPNEXT_VERSIONS)
def test_erpnext_fields_used_by_glue_exist_in_every_version(version):
	"""Every field the glue touches exists in v15 and in v16, unless compat.py reads it per version."""
	from revops_app.revops.schema import ERP_FIELDS

	errors = declared_field_errors(ERP_FIELDS, version)
	assert not errors, "; ".join(errors)


@pytest.mark.parametrize("version", ERPNEXT_VERSIONS)
def test_fields_compat_reads_per_version_exist_in_that_version(version):
	from revops_app.revops.schema import VERSIONED_FIELDS

	assert set(VERSIONED_FIELDS) == set(ERPNEXT_VERSIONS)
	errors = declared_field_errors(VERSIONED_FIELDS[version], version)
	assert not errors, "; ".join(errors)


def test_custom_fields_fit_the_v15_schema():
	from revops_app.revops.custom_fields import CUSTOM_FIELDS

	errors = []
	for doctype, fields in CUSTOM_FIELDS.items():
		if doctype not in REFERENCE:
			errors.append(f"{doctype}: no reference schema")
			continue
		standard = {f["fieldname"] for f in REFERENCE[doctype]["fields"]}
		added: set[str] = set()
		for field in fields:
			name = field["fieldname"]
			if not name.startswith("revops_"):
				errors.append(f"{doctype}.{name}: custom fields carry the revops_ prefix")
			if name in standard:
				errors.append(f"{doctype}.{name}: clashes with a standard field")
			anchor = field.get("insert_after")
			# Layout fields (breaks) are not in the compact reference, so anchor on data fields.
			if anchor and anchor not in standard and anchor not in added:
				errors.append(f"{doctype}.{name}: insert_after {anchor!r} not found")
			# insert_after is a Custom Field property, not a DocField one.
			docfield = {k: v for k, v in field.items() if k != "insert_after"}
			errors.extend(
				f"{doctype}.{name}: {e}" for e in field_errors(docfield, {}) if "Dynamic Link" not in e
			)
			added.add(name)
	assert not errors, "; ".join(errors)


# --- hooks.py --------------------------------------------------------------------------------


def hooks() -> dict:
	tree = ast.parse((APP_DIR / "hooks.py").read_text())
	values = {}
	for node in tree.body:
		assert isinstance(node, ast.Assign), "hooks.py holds assignments only"
		values[node.targets[0].id] = ast.literal_eval(node.value)
	return values


def dotted_paths(value) -> list[str]:
	if isinstance(value, str):
		return [value] if value.startswith("revops_app.") else []
	if isinstance(value, dict):
		return [p for v in value.values() for p in dotted_paths(v)]
	if isinstance(value, list | tuple):
		return [p for v in value for p in dotted_paths(v)]
	return []


def defined_names(module_file: Path) -> set[str]:
	tree = ast.parse(module_file.read_text())
	names = set()
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.ClassDef):
			names.add(node.name)
		elif isinstance(node, ast.Assign):
			names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
	return names


def test_hooks_use_real_keys_and_resolve():
	values = hooks()
	assert values["required_apps"] == ["frappe/erpnext"]
	assert values["app_name"] == "revops_app"

	events = {e["event"] for e in META["doc_events"]["events"]}
	for doctype, handlers in values.get("doc_events", {}).items():
		assert doctype == "*" or doctype in KNOWN_DOCTYPES, doctype
		assert set(handlers) <= events, f"unknown doc events {set(handlers) - events}"
	assert set(values.get("scheduler_events", {})) <= set(META["scheduler_events"]["keys"])

	for log_doctype in values.get("default_log_clearing_doctypes", {}):
		assert log_doctype in APP_DOCTYPES
		controller = APP_DIR / "revops" / "doctype" / scrub(log_doctype) / f"{scrub(log_doctype)}.py"
		assert "def clear_old_logs(" in controller.read_text(), "Log Settings needs clear_old_logs"

	for path in dotted_paths({k: v for k, v in values.items() if k not in ("app_name",)}):
		module, _, attr = path.rpartition(".")
		module_file = APP_DIR.parent / (module.replace(".", "/") + ".py")
		assert module_file.exists(), f"{path}: module file missing"
		assert attr in defined_names(module_file), f"{path}: {attr} not defined in {module_file.name}"


def test_patches_txt_has_both_sections_and_patches_exist():
	text = (APP_DIR / "patches.txt").read_text()
	assert "[pre_model_sync]" in text and "[post_model_sync]" in text
	for line in text.splitlines():
		line = line.strip()
		if line and not line.startswith(("#", "[")):
			module_file = APP_DIR.parent / (line.split()[0].replace(".", "/") + ".py")
			assert module_file.exists(), line
			assert "execute" in defined_names(module_file), line


def test_modules_have_packages():
	for module in MODULES:
		package = APP_DIR / scrub(module)
		assert (package / "__init__.py").exists(), module
		assert (package / "doctype" / "__init__.py").exists(), module


# --- reports, number cards, charts, workspaces --------------------------------------------


@pytest.mark.parametrize("path", sorted(APP_DIR.glob("*/report/*/*.json")), ids=lambda p: p.stem)
def test_report_json(path: Path):
	doc = json.loads(path.read_text())
	assert doc["doctype"] == "Report"
	assert scrub(doc["name"]) == path.stem == path.parent.name
	assert doc["module"] in MODULES
	assert doc["report_type"] in ("Script Report", "Query Report", "Report Builder")
	assert doc["ref_doctype"] in KNOWN_DOCTYPES
	assert doc.get("roles"), "a report with no roles is visible to nobody"
	if doc["report_type"] == "Script Report":
		assert "execute" in defined_names(path.with_suffix(".py"))


@pytest.mark.parametrize(
	"path",
	sorted(APP_DIR.glob("*/number_card/*/*.json")) + sorted(APP_DIR.glob("*/dashboard_chart/*/*.json")),
	ids=lambda p: p.stem,
)
def test_cards_and_charts(path: Path):
	doc = json.loads(path.read_text())
	assert doc["doctype"] in ("Number Card", "Dashboard Chart")
	assert doc["module"] in MODULES
	assert scrub(doc["name"]) == path.stem
	if doc.get("type") == "Report" or doc.get("chart_type") == "Report":
		report = doc["report_name"]
		assert list(APP_DIR.glob(f"*/report/{scrub(report)}/{scrub(report)}.json")), report
	elif doc.get("document_type"):
		assert doc["document_type"] in KNOWN_DOCTYPES


@pytest.mark.parametrize("path", sorted(APP_DIR.glob("*/workspace/*/*.json")), ids=lambda p: p.stem)
def test_workspace_links_resolve(path: Path):
	doc = json.loads(path.read_text())
	assert doc["doctype"] == "Workspace"
	assert doc["module"] in MODULES
	reports = {json.loads(p.read_text())["name"] for p in APP_DIR.glob("*/report/*/*.json")}
	for link in doc.get("links", []):
		if link.get("type") != "Link":
			continue
		if link["link_type"] == "DocType":
			assert link["link_to"] in KNOWN_DOCTYPES, link["link_to"]
		elif link["link_type"] == "Report":
			assert link["link_to"] in reports or link["link_to"] in KNOWN_DOCTYPES, link["link_to"]


# --- collections reports: cards, charts and workspace in depth (issue 4b) ------------------------
# Field lists of Frappe v15's own DocTypes (frappe/desk/doctype/number_card/number_card.json,
# dashboard_chart/dashboard_chart.json, workspace/workspace.json, read at v15.74.1). The reference pack has
# no schema for them, so they are spelled out here; a key outside them is silently dropped on import.
DOC_KEYS = {"doctype", "name", "owner", "creation", "modified", "modified_by", "docstatus", "idx"}
NUMBER_CARD_FIELDS = {
	"document_type", "function", "aggregate_function_based_on", "filters_json", "label", "color",
	"is_public", "show_percentage_stats", "stats_time_interval", "is_standard", "module",
	"dynamic_filters_json", "type", "report_name", "report_field", "method", "filters_config",
	"report_function", "parent_document_type", "currency", "background_color",
}  # fmt: skip
DASHBOARD_CHART_FIELDS = {
	"chart_name", "chart_type", "source", "document_type", "based_on", "value_based_on", "timespan",
	"time_interval", "timeseries", "filters_json", "type", "color", "last_synced_on", "group_by_based_on",
	"group_by_type", "aggregate_function_based_on", "number_of_groups", "from_date", "to_date", "x_field",
	"report_name", "y_axis", "custom_options", "is_public", "heatmap_year", "is_standard", "module",
	"dynamic_filters_json", "use_report_chart", "parent_document_type", "roles", "currency",
	"show_values_over_chart",
}  # fmt: skip
WORKSPACE_FIELDS = {
	"label", "charts", "shortcuts", "restrict_to_domain", "module", "for_user", "hide_custom", "icon",
	"links", "public", "title", "parent_page", "content", "sequence_id", "roles", "quick_lists",
	"is_hidden", "number_cards", "custom_blocks", "indicator_color",
}  # fmt: skip


def app_json(kind: str) -> dict[str, dict]:
	return {
		json.loads(p.read_text())["name"]: json.loads(p.read_text())
		for p in APP_DIR.glob(f"*/{kind}/*/*.json")
	}


def doctype_fields(doctype: str) -> set[str]:
	schema = APP_DOCTYPES.get(doctype) or REFERENCE.get(doctype)
	assert schema, f"no schema for {doctype}"
	return {f["fieldname"] for f in schema["fields"]} | STANDARD_COLUMNS


def report_filter_names(report: str) -> set[str]:
	js = next(APP_DIR.glob(f"*/report/{scrub(report)}/{scrub(report)}.js")).read_text()
	return set(re.findall(r'fieldname:\s*"([a-z0-9_]+)"', js))


def report_column_names(report: str) -> set[str]:
	py = next(APP_DIR.glob(f"*/report/{scrub(report)}/{scrub(report)}.py")).read_text()
	return set(re.findall(r'"fieldname":\s*"([a-z0-9_]+)"', py))


def check_filters(doc: dict) -> list[str]:
	"""Document filters name real fields; report filters are filters the report's JS declares."""
	errors = []
	for key in ("filters_json", "dynamic_filters_json"):
		if not doc.get(key):
			continue
		value = json.loads(doc[key])
		if doc.get("report_name") and (doc.get("type") == "Report" or doc.get("chart_type") == "Report"):
			unknown = set(value) - report_filter_names(doc["report_name"])
			if unknown:
				errors.append(f"{key}: {sorted(unknown)} are not filters of {doc['report_name']}")
		else:
			for condition in value:
				doctype, fieldname = condition[0], condition[1]
				if fieldname not in doctype_fields(doctype):
					errors.append(f"{key}: {doctype}.{fieldname} does not exist")
	return errors


@pytest.mark.parametrize("name", sorted(app_json("number_card")))
def test_number_card_fits_frappe_v15(name: str):
	doc = app_json("number_card")[name]
	errors = [f"unknown key {k}" for k in set(doc) - NUMBER_CARD_FIELDS - DOC_KEYS]
	assert doc["type"] in ("Document Type", "Report", "Custom")
	if doc["type"] == "Document Type":
		assert doc["function"] in ("Count", "Sum", "Average", "Minimum", "Maximum")
		if doc["function"] != "Count":
			assert doc["aggregate_function_based_on"] in doctype_fields(doc["document_type"])
	elif doc["type"] == "Report":
		# NumberCard.validate wants `function` too, although the widget uses report_function.
		assert doc.get("function") and doc["report_function"] in ("Sum", "Average", "Minimum", "Maximum")
		assert doc["report_field"] in report_column_names(doc["report_name"]), doc["report_field"]
	errors += check_filters(doc)
	assert not errors, f"{name}: " + "; ".join(errors)


@pytest.mark.parametrize("name", sorted(app_json("dashboard_chart")))
def test_dashboard_chart_fits_frappe_v15(name: str):
	doc = app_json("dashboard_chart")[name]
	errors = [f"unknown key {k}" for k in set(doc) - DASHBOARD_CHART_FIELDS - DOC_KEYS]
	assert doc["chart_name"] == name
	assert doc["chart_type"] in ("Count", "Sum", "Average", "Group By", "Custom", "Report")
	assert doc["type"] in ("Line", "Bar", "Percentage", "Pie", "Donut", "Heatmap")
	if doc["chart_type"] in ("Count", "Sum", "Average"):
		fields = doctype_fields(doc["document_type"])
		assert doc["based_on"] in fields
		if doc["chart_type"] != "Count":
			assert doc["value_based_on"] in fields
	if doc["chart_type"] == "Report" and doc.get("use_report_chart"):
		# The report must hand back a chart for use_report_chart to draw anything.
		report = scrub(doc["report_name"])
		py = next(APP_DIR.glob(f"*/report/{report}/{report}.py")).read_text()
		assert "def get_chart(" in py
	errors += check_filters(doc)
	assert not errors, f"{name}: " + "; ".join(errors)


@pytest.mark.parametrize("path", sorted(APP_DIR.glob("*/workspace/*/*.json")), ids=lambda p: p.stem)
def test_workspace_blocks_resolve(path: Path):
	doc = json.loads(path.read_text())
	assert not set(doc) - WORKSPACE_FIELDS - DOC_KEYS, set(doc) - WORKSPACE_FIELDS - DOC_KEYS
	blocks = json.loads(doc["content"])
	cards, charts = app_json("number_card"), app_json("dashboard_chart")
	card_rows = {row["number_card_name"] for row in doc["number_cards"]}
	chart_rows = {row["chart_name"] for row in doc["charts"]}
	shortcut_labels = {row["label"] for row in doc["shortcuts"]}
	card_breaks = {row["label"] for row in doc["links"] if row["type"] == "Card Break"}
	ids = [block["id"] for block in blocks]
	assert len(ids) == len(set(ids)), "block ids must be unique"
	for block in blocks:
		data = block["data"]
		if block["type"] == "number_card":
			assert data["number_card_name"] in card_rows and data["number_card_name"] in cards, data
		elif block["type"] == "chart":
			assert data["chart_name"] in chart_rows and data["chart_name"] in charts, data
		elif block["type"] == "shortcut":
			assert data["shortcut_name"] in shortcut_labels, data
		elif block["type"] == "card":
			assert data["card_name"] in card_breaks, data
	# link_count of a Card Break is how many Link rows follow it; the desk renders that many.
	links = doc["links"]
	for index, row in enumerate(links):
		if row["type"] == "Card Break":
			following = 0
			for after in links[index + 1 :]:
				if after["type"] != "Link":
					break
				following += 1
			assert row["link_count"] == following, row["label"]
	for shortcut in doc["shortcuts"]:
		if shortcut["type"] == "DocType":
			assert shortcut["link_to"] in KNOWN_DOCTYPES
		elif shortcut["type"] == "Report":
			assert shortcut["link_to"] in app_json("report"), shortcut["link_to"]


SQL_ALIASES = {"si": "Sales Invoice", "pe": "Payment Entry", "gle": "GL Entry", "pl": "RevOps Payment Link"}


def test_collections_sql_reads_only_declared_fields():
	"""Every `alias.field` in the collections SQL is declared in ERP_FIELDS (ERPNext) or is a field of the
	app DocType it names, so a typo fails here and not on a finance user's screen."""
	from revops_app.revops.schema import ERP_FIELDS

	source = (APP_DIR / "revenue_collections" / "reports_data.py").read_text()
	used = set(re.findall(r"\b(si|pe|gle|pl)\.([a-z_]+)\b", source))
	assert len(used) > 20, "the regex no longer finds the SQL"
	errors = []
	for alias, fieldname in sorted(used):
		doctype = SQL_ALIASES[alias]
		if fieldname in STANDARD_COLUMNS:
			continue
		if doctype in APP_DOCTYPES:
			if fieldname not in {f["fieldname"] for f in APP_DOCTYPES[doctype]["fields"]}:
				errors.append(f"{doctype}.{fieldname} is not a field of the app DocType")
		elif fieldname not in ERP_FIELDS.get(doctype, {}):
			errors.append(f"{doctype}.{fieldname} is read by SQL but not declared in ERP_FIELDS")
	assert not errors, "; ".join(errors)


def test_doctype_js_files_exist_and_call_whitelisted_methods():
	# Frappe reads each doctype_js file from the app folder into the form's script; a missing file is silent
	for doctype, path in hooks().get("doctype_js", {}).items():
		assert doctype in KNOWN_DOCTYPES, doctype
		script = APP_DIR / path
		assert script.exists(), f"doctype_js for {doctype}: {path} missing"
		for method in re.findall(r'method: "(revops_app\.[a-z_.]+)"', script.read_text()):
			module, _, attr = method.rpartition(".")
			module_file = APP_DIR.parent / (module.replace(".", "/") + ".py")
			assert attr in defined_names(module_file), f"{path} calls {method}, which is not defined"
