"""Real-bench tests of the install hooks: custom fields are created once, kept in step by every
migrate (after_migrate runs them again), and removed by before_uninstall.

The fields are created through ERPNext/Frappe's own create_custom_fields, which alters the table
(DDL commits in MariaDB), so the test removes its field and column itself.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import os
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from revops_app.revops import custom_fields, install

DOCTYPE = "Note"  # a small frappe table; the mechanism is the same for ERPNext DocTypes
FIELD = {
	"fieldname": "revops_test_flag",
	"fieldtype": "Check",
	"label": "RevOps Test Flag",
	"insert_after": "title",
}


MISSING_DOCTYPE = "RevOps No Such DocType"


class TestInstallHooks(FrappeTestCase):
	def setUp(self):
		self.fields = patch.dict(custom_fields.CUSTOM_FIELDS, {DOCTYPE: [dict(FIELD)]}, clear=True)
		self.fields.start()

	def tearDown(self):
		self.fields.stop()
		frappe.db.rollback()
		frappe.db.delete("DocType Link", {"parent": DOCTYPE, "link_doctype": MISSING_DOCTYPE})
		frappe.db.delete("Property Setter", {"doc_type": DOCTYPE, "field_name": FIELD["fieldname"]})
		for name in frappe.get_all(
			"Custom Field", {"dt": DOCTYPE, "fieldname": FIELD["fieldname"]}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name, force=True)
		if frappe.db.has_column(DOCTYPE, FIELD["fieldname"]):
			frappe.db.sql_ddl(f"alter table `tab{DOCTYPE}` drop column `{FIELD['fieldname']}`")
		frappe.db.commit()
		frappe.clear_cache(doctype=DOCTYPE)

	def custom_field_rows(self) -> list[dict]:
		return frappe.get_all(
			"Custom Field",
			filters={"dt": DOCTYPE, "fieldname": FIELD["fieldname"]},
			fields=["name", "label", "fieldtype", "insert_after"],
		)

	def test_install_then_migrates_are_idempotent(self):
		install.after_install()
		install.after_migrate()
		install.after_migrate()

		rows = self.custom_field_rows()
		self.assertEqual(len(rows), 1, rows)
		self.assertEqual((rows[0].fieldtype, rows[0].insert_after), ("Check", "title"))
		self.assertTrue(frappe.db.has_column(DOCTYPE, FIELD["fieldname"]))
		self.assertIsNotNone(frappe.get_meta(DOCTYPE).get_field(FIELD["fieldname"]))

	def test_install_app_survives_a_connection_to_a_missing_doctype(self):
		# A DocType's Connections may name a DocType the site lacks (this bench's ERPNext Customer lists
		# 'WhatsApp Message'); Frappe checks them when a Custom Field is validated outside migrate, which
		# aborted `install-app revops_app` half-way.
		frappe.get_doc(
			{
				"doctype": "DocType Link",
				"parent": DOCTYPE,
				"parenttype": "DocType",
				"parentfield": "links",
				"link_doctype": MISSING_DOCTYPE,
				"link_fieldname": "note",
				"custom": 1,
			}
		).db_insert()
		frappe.clear_cache(doctype=DOCTYPE)
		frappe.flags.in_install = "revops_app"
		try:
			install.after_install()
		finally:
			frappe.flags.in_install = False
		rows = self.custom_field_rows()
		self.assertEqual([(row.fieldtype, row.insert_after) for row in rows], [("Check", "title")])
		self.assertTrue(frappe.db.has_column(DOCTYPE, FIELD["fieldname"]))

	def test_migrate_updates_a_changed_definition(self):
		install.after_install()
		custom_fields.CUSTOM_FIELDS[DOCTYPE][0]["label"] = "RevOps Test Flag (renamed)"
		install.after_migrate()

		rows = self.custom_field_rows()
		self.assertEqual([r.label for r in rows], ["RevOps Test Flag (renamed)"])

	def test_before_uninstall_removes_the_fields_and_their_customisations(self):
		from frappe.custom.doctype.property_setter.property_setter import make_property_setter

		install.after_install()
		self.assertEqual(len(self.custom_field_rows()), 1)
		# What Customize Form leaves behind when a user hides the field.
		make_property_setter(
			DOCTYPE, FIELD["fieldname"], "hidden", 1, "Check", validate_fields_for_doctype=False
		)
		setter = {"doc_type": DOCTYPE, "field_name": FIELD["fieldname"]}
		self.assertTrue(frappe.db.exists("Property Setter", setter))

		install.before_uninstall()

		self.assertEqual(self.custom_field_rows(), [])
		self.assertFalse(frappe.db.exists("Property Setter", setter))
		self.assertIsNone(frappe.get_meta(DOCTYPE).get_field(FIELD["fieldname"]))


class TestShippedCustomFieldLayout(FrappeTestCase):
	"""The app's own Tab/Section Breaks on ERPNext forms hold only the app's fields: a break anchored
	in the middle of a standard section would pull the standard fields after it under our heading."""

	def test_app_sections_hold_only_app_fields(self):
		for doctype, fields in custom_fields.CUSTOM_FIELDS.items():
			ours = {field["fieldname"] for field in fields}
			meta = frappe.get_meta(doctype, cached=False)
			section_is_ours = False
			strays = []
			for field in meta.fields:
				if field.fieldtype in ("Section Break", "Tab Break"):
					section_is_ours = field.fieldname in ours
				elif section_is_ours and field.fieldname not in ours:
					strays.append(field.fieldname)
			self.assertEqual(strays, [], f"{doctype}: standard fields inside the app's sections")


class TestFailedInstallStep(FrappeTestCase):
	def test_a_failing_install_step_takes_the_app_off_the_site_so_install_app_can_run_again(self):
		# Frappe's own remove_from_installed_apps is replaced by a recorder: really removing the app mid-run
		# would unload its doc_events for every test after this one.
		removed: list[str] = []
		with (
			patch.object(install, "install_cx", side_effect=RuntimeError("SLA setup failed")),
			patch.object(install, "remove_from_installed_apps", side_effect=removed.append),
		):
			with self.assertRaisesRegex(RuntimeError, "SLA setup failed"):
				install.after_install()
		self.assertEqual(removed, ["revops_app"])
		self.assertIn("revops_app", frappe.get_installed_apps())


class TestDeskEntryPoints(FrappeTestCase):
	def test_apps_screen_entry_has_its_logo_route_and_permission(self):
		(entry,) = frappe.get_hooks("add_to_apps_screen", app_name="revops_app")
		logo = entry["logo"].removeprefix("/assets/revops_app/")
		self.assertTrue(os.path.isfile(frappe.get_app_path("revops_app", "public", logo)), entry["logo"])
		self.assertTrue(frappe.db.exists("Workspace", entry["route"].rsplit("/", 1)[-1].title()))
		self.assertTrue(frappe.get_attr(entry["has_permission"])())  # Administrator
		with self.set_user("Guest"):
			self.assertFalse(frappe.get_attr(entry["has_permission"])())

	def test_v16_sidebar_lists_the_workspaces_reports_and_records(self):
		if not frappe.db.exists("DocType", "Workspace Sidebar"):
			self.skipTest("Frappe v15 has no Workspace Sidebar (its desk lists module workspaces itself)")
		for name in ("Collections", "Customer Experience"):
			sidebar = frappe.get_doc("Workspace Sidebar", name)
			links = [row for row in sidebar.items if row.type == "Link"]
			self.assertGreater(len(links), 4, name)
			for row in links:
				self.assertTrue(
					frappe.db.exists(row.link_type, row.link_to), f"{name}: {row.link_type} {row.link_to}"
				)
		self.assertTrue(frappe.db.exists("Desktop Icon", "RevOps"))
