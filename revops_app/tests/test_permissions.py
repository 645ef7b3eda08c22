"""Real-bench tests of the app's roles as a whole: every role a report names can run it, and guests can
read none of the app's records (they reach only the pay page and the webhook).

Frappe runs a Script Report only for a user who holds one of its roles AND may "report" on its
ref_doctype (frappe.desk.query_report.get_report_doc), so a role listed on a report without that right
sees an error instead of the report.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import json
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase


def app_json(kind: str) -> list[dict]:
	root = Path(frappe.get_app_path("revops_app"))
	return [json.loads(path.read_text()) for path in sorted(root.glob(f"*/{kind}/*/*.json"))]


class TestRolesAcrossTheApp(FrappeTestCase):
	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def user_with_only(self, role: str) -> str:
		email = f"revops-role-{frappe.scrub(role)}@example.com"
		if not frappe.db.exists("User", email):
			user = frappe.get_doc(
				{"doctype": "User", "email": email, "first_name": role, "send_welcome_email": 0}
			)
			user.insert(ignore_permissions=True)
			user.add_roles(role)
		return email

	def test_every_role_of_a_report_may_run_it(self):
		reports = app_json("report")
		self.assertGreaterEqual(len(reports), 9)
		refused = []
		for report in reports:
			for role in (row["role"] for row in report.get("roles", [])):
				frappe.set_user(self.user_with_only(role))
				try:
					if not frappe.has_permission(report["ref_doctype"], "report"):
						refused.append(f"{report['name']}: {role} cannot report on {report['ref_doctype']}")
				finally:
					frappe.set_user("Administrator")
		self.assertEqual(refused, [])

	def test_guests_read_no_app_record(self):
		doctypes = [d["name"] for d in app_json("doctype") if not d.get("istable")]
		self.assertGreaterEqual(len(doctypes), 7)
		frappe.set_user("Guest")
		readable = [doctype for doctype in doctypes if frappe.has_permission(doctype, "read")]
		self.assertEqual(readable, [])
