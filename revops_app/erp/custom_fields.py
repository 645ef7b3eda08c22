"""Custom fields the app adds to ERPNext DocTypes, created in code (after_install, after_migrate).

One dict, grouped by feature with a comment. Field names carry the `revops_` prefix. The
schema-fidelity tests check that every `insert_after` anchor exists in ERPNext v15 and that no
name collides with a standard field.
"""

from __future__ import annotations

CUSTOM_FIELDS: dict[str, list[dict]] = {}


def install_custom_fields() -> None:
	from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

	if CUSTOM_FIELDS:
		create_custom_fields(CUSTOM_FIELDS, ignore_validate=False, update=True)
