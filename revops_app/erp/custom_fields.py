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


# --- dunning (issue 4) ----------------------------------------------------------------------------
# On Customer: which policy applies (else the customer group's, else the default), a promise-to-pay
# pause and an opt-out. Only Accounts Manager / System Manager may change them (a Customer validate hook,
# revops_app.erp.dunning.guard_customer_dunning_fields), so sales users cannot silence reminders; using a
# permlevel instead would copy Customer's standard permissions into Custom DocPerm on every site.
_DUNNING_CUSTOM_FIELDS: dict[str, list[dict]] = {
	"Customer": [
		{
			"fieldname": "revops_dunning_section",
			"fieldtype": "Section Break",
			"label": "Dunning",
			"insert_after": "payment_terms",
			"collapsible": 1,
		},
		{
			"fieldname": "revops_dunning_policy",
			"fieldtype": "Link",
			"label": "Dunning Policy",
			"options": "RevOps Dunning Policy",
			"insert_after": "revops_dunning_section",
			"description": "Empty: the policy of the customer group, else the default policy.",
		},
		{
			"fieldname": "revops_dunning_opt_out",
			"fieldtype": "Check",
			"label": "No Dunning Reminders",
			"insert_after": "revops_dunning_policy",
		},
		{
			"fieldname": "revops_dunning_column",
			"fieldtype": "Column Break",
			"insert_after": "revops_dunning_opt_out",
		},
		{
			"fieldname": "revops_dunning_paused_until",
			"fieldtype": "Date",
			"label": "Promise to Pay Until",
			"insert_after": "revops_dunning_column",
			"description": "No reminders up to and including this date.",
		},
		{
			"fieldname": "revops_dunning_pause_reason",
			"fieldtype": "Small Text",
			"label": "Pause Reason",
			"insert_after": "revops_dunning_paused_until",
			"depends_on": "revops_dunning_paused_until",
		},
	],
}
for _doctype, _fields in _DUNNING_CUSTOM_FIELDS.items():
	CUSTOM_FIELDS.setdefault(_doctype, []).extend(_fields)
# --- end dunning ----------------------------------------------------------------------------------
