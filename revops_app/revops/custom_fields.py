"""Custom fields the app adds to ERPNext DocTypes: each feature's declarations, merged and created in code
(after_install, after_migrate).

A feature declares its fields in its own `custom_fields.py`. Field names carry the `revops_` prefix. The
schema-fidelity tests check that every `insert_after` anchor exists in ERPNext and that no name collides
with a standard field.
"""

from __future__ import annotations

from revops_app.customer_experience import custom_fields as customer_experience
from revops_app.revenue_collections import custom_fields as revenue_collections


def merged(*groups: dict[str, list[dict]]) -> dict[str, list[dict]]:
	fields: dict[str, list[dict]] = {}
	for group in groups:
		for doctype, declared in group.items():
			fields.setdefault(doctype, []).extend(declared)
	return fields


# Pay links first, then CX, dunning and disputes: the order fields were declared in before the split.
CUSTOM_FIELDS = merged(
	revenue_collections.PAY_LINK_FIELDS,
	*customer_experience.FIELDS,
	revenue_collections.DUNNING_FIELDS,
	revenue_collections.DISPUTE_FIELDS,
	revenue_collections.PAYOUT_FIELDS,
	revenue_collections.STRIPE_FEE_FIELDS,
)


def install_custom_fields() -> None:
	import frappe
	from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

	if CUSTOM_FIELDS:
		# Validating a Custom Field re-validates its whole DocType, Connections included, and Frappe skips
		# the Connections check only while migrating: at install-app a Connection to a DocType the site
		# does not have (this bench's ERPNext Customer lists 'WhatsApp Message') would abort the install.
		# So install-app skips Frappe's validation, as its setup wizard does; the definitions are checked
		# by tests/test_schema_fidelity.py, and every migrate validates what it changes.
		create_custom_fields(CUSTOM_FIELDS, ignore_validate=bool(frappe.flags.in_install), update=True)
