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


# --- Stripe pay links and webhooks (issue 3) ----------------------------------------------------
# The pay URL is set on submit (allow_on_submit), read-only for users, printed on the invoice and
# usable in email templates as {{ doc.revops_pay_url }}. Payment Entry fields tie Stripe ids to the
# ledger: the PaymentIntent a receipt settles (and a refund reverses), the receipt a refund reverses.
CUSTOM_FIELDS.setdefault("Sales Invoice", []).extend(
	[
		{
			"fieldname": "revops_pay_url",
			"label": "Pay Online URL",
			"fieldtype": "Data",
			"options": "URL",
			"insert_after": "due_date",
			"read_only": 1,
			"allow_on_submit": 1,
			"no_copy": 1,
			"print_hide": 0,
			"translatable": 0,
			"description": "Stripe pay link for this invoice; use {{ doc.revops_pay_url }} in print formats and emails.",
		},
	]
)
CUSTOM_FIELDS.setdefault("Payment Entry", []).extend(
	[
		{
			"fieldname": "revops_payment_intent",
			"label": "Stripe PaymentIntent",
			"fieldtype": "Data",
			"insert_after": "reference_date",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
			"translatable": 0,
		},
		{
			"fieldname": "revops_refund_of",
			"label": "Reverses Stripe Receipt",
			"fieldtype": "Link",
			"options": "Payment Entry",
			"insert_after": "revops_payment_intent",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
		},
		{
			"fieldname": "revops_stripe_object",
			"label": "Stripe Refund / Dispute",
			"fieldtype": "Data",
			"insert_after": "revops_refund_of",
			"read_only": 1,
			"no_copy": 1,
			"translatable": 0,
		},
		{
			"fieldname": "revops_settlement_flags",
			"label": "Stripe Settlement Flags",
			"fieldtype": "Data",
			"insert_after": "revops_stripe_object",
			"read_only": 1,
			"no_copy": 1,
			"translatable": 0,
			"description": "Set by the Stripe webhook worker: partial, overpayment (unallocated), fee_not_deducted ...",
		},
	]
)
# --- end Stripe pay links and webhooks ----------------------------------------------------------
