"""Install-time glue: custom fields and the default records the app ships."""

import frappe

from revops_app.erp.custom_fields import CUSTOM_FIELDS, install_custom_fields


def after_install() -> None:
	install_custom_fields()
	add_indexes()
	frappe.clear_cache()


def after_migrate() -> None:
	# New custom fields added by an upgrade appear on existing sites without a patch per field.
	install_custom_fields()
	add_indexes()


def add_indexes() -> None:
	# Issue 3: the Stripe worker looks receipts up by Payment Entry.reference_no (the PaymentIntent id).
	frappe.db.add_index("Payment Entry", ["reference_no"], index_name="revops_reference_no")


def before_uninstall() -> None:
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			frappe.db.delete("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
	frappe.clear_cache()
