"""Install-time glue: custom fields and the default records the app ships."""

import frappe
from frappe.installer import remove_from_installed_apps

from revops_app.customer_experience.install import ensure_issue_priorities, install_cx
from revops_app.revenue_collections.dunning.install import install_dunning_defaults
from revops_app.revops.constants import APP_NAME
from revops_app.revops.custom_fields import CUSTOM_FIELDS, install_custom_fields


def before_install() -> None:
	"""Create what the app's DocType defaults link to, before Frappe syncs those DocTypes.

	While syncing, Frappe saves each new Single with its field defaults; RevOps CX Settings defaults its
	severe and default priorities to the Issue Priorities "High" and "Medium", which only ERPNext's setup
	wizard creates. On a site where the wizard has not run, that save failed with LinkValidationError and
	left the app half-installed."""
	ensure_issue_priorities()


def after_install() -> None:
	"""The app's install steps; a failure takes the app off the site's installed apps again, so that
	`install-app` can simply be run again once the cause is fixed (each step is idempotent)."""
	try:
		install_custom_fields()
		add_indexes()
		install_cx()
		install_dunning_defaults()
	except Exception:
		frappe.db.rollback()
		remove_from_installed_apps(APP_NAME)
		raise
	frappe.clear_cache()


def after_migrate() -> None:
	# New custom fields added by an upgrade appear on existing sites without a patch per field.
	install_custom_fields()
	add_indexes()
	install_cx()
	install_dunning_defaults()


def add_indexes() -> None:
	# The Stripe worker looks receipts up by Payment Entry.reference_no (the PaymentIntent id).
	frappe.db.add_index("Payment Entry", ["reference_no"], index_name="revops_reference_no")
	add_signals_indexes()


# The signals feed (revops_app.revops.signals). Two columns each: Frappe's schema sync drops a
# single-column index on a field without search_index when it re-syncs the table, never a composite one.
SIGNALS_INDEXES = (
	# overdue crossings: open invoices whose due date passed since the cursor (range on due_date)
	("Sales Invoice", ("due_date", "customer"), "revops_due_date_customer"),
	# full pass and per-page aggregates look feeding documents up by customer
	("Payment Entry", ("party", "party_type"), "revops_party"),
	("Contract", ("party_name", "party_type"), "revops_party_name"),
	("Opportunity", ("party_name", "opportunity_from"), "revops_party_name"),
	# issues leaving the 90-day window since the cursor (range on opening_date)
	("Issue", ("opening_date", "customer"), "revops_opening_date_customer"),
)


def add_signals_indexes() -> None:
	for doctype, fields, name in SIGNALS_INDEXES:
		frappe.db.add_index(doctype, list(fields), index_name=name)


def before_uninstall() -> None:
	# delete_doc, not a bare DELETE: Custom Field.on_trash also drops the Property Setters a user made
	# on the field (Customize Form) and clears the DocType's cache. The column stays, as Frappe does.
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			for name in frappe.get_all(
				"Custom Field", filters={"dt": doctype, "fieldname": field["fieldname"]}, pluck="name"
			):
				frappe.delete_doc("Custom Field", name, force=True, ignore_permissions=True)
	frappe.clear_cache()
