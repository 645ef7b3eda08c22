"""Install-time glue: custom fields and the default records the app ships."""

import frappe

from revops_app.erp.custom_fields import CUSTOM_FIELDS, install_custom_fields
from revops_app.erp.dunning_install import install_dunning_defaults


def after_install() -> None:
	install_custom_fields()
	install_dunning_defaults()
	frappe.clear_cache()


def after_migrate() -> None:
	# New custom fields added by an upgrade appear on existing sites without a patch per field.
	install_custom_fields()
	install_dunning_defaults()


def before_uninstall() -> None:
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			frappe.db.delete("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
	frappe.clear_cache()
