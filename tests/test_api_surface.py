"""The app's HTTP surface: every whitelisted method is type-annotated, and guests reach only the
pay page and the webhook endpoint.

Frappe v15 checks the arguments of a whitelisted method against its annotations at request time
(frappe.utils.typing_validations), but an un-annotated parameter goes unchecked: the hook
`require_type_annotated_api_methods` that refuses such methods is read only from Frappe v16 on. So this
test is what enforces annotations on v15.
"""

from __future__ import annotations

import ast
import re

from tests.conftest import APP_DIR

# Guest-reachable endpoints: the webhook (signature checked first), the pay pages' actions and their PDFs
# (each looked up by its token).
GUEST_ALLOWED_MODULES = (
	"revops_app.api.webhooks",
	"revops_app.api.pay",
	"revops_app.api.customer_pay",
	"revops_app.api.documents",
)


def whitelisted_functions() -> list[tuple[str, ast.FunctionDef, ast.Call | ast.Attribute]]:
	found = []
	for path in sorted(APP_DIR.rglob("*.py")):
		module = ".".join(path.relative_to(APP_DIR.parent).with_suffix("").parts)
		for node in ast.walk(ast.parse(path.read_text())):
			if not isinstance(node, ast.FunctionDef):
				continue
			for decorator in node.decorator_list:
				target = decorator.func if isinstance(decorator, ast.Call) else decorator
				if isinstance(target, ast.Attribute) and target.attr == "whitelist":
					found.append((module, node, decorator))
	return found


def is_guest(decorator) -> bool:
	if not isinstance(decorator, ast.Call):
		return False
	return any(
		kw.arg == "allow_guest" and isinstance(kw.value, ast.Constant) and kw.value.value
		for kw in decorator.keywords
	)


def test_whitelisted_methods_are_fully_annotated():
	missing = []
	for module, function, _decorator in whitelisted_functions():
		args = function.args
		for arg in args.posonlyargs + args.args + args.kwonlyargs:
			if arg.annotation is None and arg.arg not in ("self", "cls"):
				missing.append(f"{module}.{function.name}({arg.arg})")
	assert not missing, f"un-annotated whitelisted parameters: {missing}"


def test_whitelisted_annotations_are_not_strings():
	# frappe.utils.typing_validations skips an annotation that is a str or ForwardRef, and
	# `from __future__ import annotations` turns every annotation of the module into a string: the
	# request arguments of its whitelisted methods would go unchecked.
	offenders = sorted(
		{
			module
			for module, _function, _decorator in whitelisted_functions()
			if re.search(
				r"^from __future__ import annotations",
				(APP_DIR.parent / (module.replace(".", "/") + ".py")).read_text(),
				re.MULTILINE,
			)
		}
	)
	assert not offenders, f"whitelisted methods whose annotations Frappe cannot check: {offenders}"


def test_only_pay_page_and_webhooks_allow_guests():
	offenders = [
		f"{module}.{function.name}"
		for module, function, decorator in whitelisted_functions()
		if is_guest(decorator) and not module.startswith(GUEST_ALLOWED_MODULES)
	]
	assert not offenders, f"guest access outside the pay page/webhooks: {offenders}"


def test_scanner_sees_the_retry_endpoints():
	names = {f"{module}.{function.name}" for module, function, _ in whitelisted_functions()}
	assert {"revops_app.api.logs.retry", "revops_app.api.logs.bulk_retry"} <= names


def test_guest_pay_methods_are_post_only_and_rate_limited():
	# The pay page's view beacon and Pay button: a scanner's GET/HEAD must never reach them, and a guest
	# cannot hammer them (issue 3c).
	found = {f"{module}.{function.name}": function for module, function, _ in whitelisted_functions()}
	for name in ("revops_app.api.pay.view", "revops_app.api.pay.checkout"):
		function = found[name]
		decorators = {
			ast.unparse(d.func if isinstance(d, ast.Call) else d): d for d in function.decorator_list
		}
		assert "rate_limit" in decorators, name
		whitelist = decorators["frappe.whitelist"]
		methods = {kw.arg: ast.literal_eval(kw.value) for kw in whitelist.keywords}
		assert methods.get("methods") == ["POST"] and methods.get("allow_guest") is True, name
