"""Real-bench test: every key in revops_app/hooks.py is one the installed Frappe/ERPNext read.

A misspelt or version-mismatched hook name (`doc_event`, a v16-only key) is silently ignored by
Frappe, so the app would just not do what hooks.py says. This reads the real v15 source of the
installed apps: a key counts as live when some module outside hooks.py/boilerplate names it.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import ast
import re
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

# Descriptive keys that frappe's app boilerplate writes (frappe/utils/boilerplate.py).
APP_METADATA = {"app_name", "app_title", "app_publisher", "app_description", "app_email", "app_license"}

# Keys kept on purpose although Frappe v15 does not read them; each needs its reason here.
NOT_READ_BY_V15 = {
	# CONVENTIONS.md 9 asks for it; Frappe reads it from v16 on. On v15 whitelisted methods'
	# annotations are checked by tests/test_api_surface.py instead.
	"require_type_annotated_api_methods",
}


def app_hook_keys() -> set[str]:
	tree = ast.parse(Path(frappe.get_app_path("revops_app", "hooks.py")).read_text())
	return {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets}


def framework_source() -> str:
	chunks = []
	for app in ("frappe", "erpnext"):
		root = Path(frappe.get_app_path(app))
		for path in root.rglob("*.py"):
			if (
				path.name in ("hooks.py", "boilerplate.py")
				or path.name.startswith("test_")
				or "tests" in path.parts
			):
				continue
			chunks.append(path.read_text(errors="ignore"))
	return "\n".join(chunks)


class TestHooksAreLive(FrappeTestCase):
	def test_every_hook_key_is_read_by_frappe_or_erpnext(self):
		source = framework_source()
		dead = sorted(
			key
			for key in app_hook_keys() - APP_METADATA - NOT_READ_BY_V15
			if not re.search(rf"""["']{re.escape(key)}["']|hooks\.{re.escape(key)}\b""", source)
		)
		self.assertEqual(dead, [], "hooks.py keys that the installed Frappe/ERPNext never read")

	def test_the_scan_finds_a_known_dead_key(self):
		# Guards the regex above: a made-up key must not be found in the framework source.
		source = framework_source()
		self.assertIsNone(re.search(r"""["']revops_no_such_hook["']""", source))
		self.assertIsNotNone(re.search(r"""["']scheduler_events["']""", source))
