"""Custom fields the app adds to ERPNext DocTypes, created in code (after_install, after_migrate).

One dict, grouped by feature with a comment. Field names carry the `revops_` prefix. The
schema-fidelity tests check that every `insert_after` anchor exists in ERPNext v15 and that no
name collides with a standard field.
"""

from __future__ import annotations

CUSTOM_FIELDS: dict[str, list[dict]] = {}


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

# --- customer experience (issue 6) ---------------------------------------------------------------
# Names come from revops_app/revops/constants.py (CF_*); the values are written by revops_app/customer_experience/rules.py only.
_CX_CUSTOM_FIELDS: dict[str, list[dict]] = {
	"Customer": [
		{"fieldname": "revops_cx_tab", "fieldtype": "Tab Break", "label": "Customer Experience", "insert_after": "portal_users"},
		{"fieldname": "revops_cx_segment", "fieldtype": "Data", "label": "CX Segment", "read_only": 1, "in_standard_filter": 1, "insert_after": "revops_cx_tab"},
		{"fieldname": "revops_latest_nps", "fieldtype": "Float", "label": "Latest NPS (0-10)", "read_only": 1, "insert_after": "revops_cx_segment"},
		{"fieldname": "revops_latest_csat", "fieldtype": "Float", "label": "Latest CSAT (0-100)", "read_only": 1, "insert_after": "revops_latest_nps"},
		{"fieldname": "revops_latest_ces", "fieldtype": "Float", "label": "Latest CES (0-100, 100 = easiest)", "read_only": 1, "insert_after": "revops_latest_csat"},
		{"fieldname": "revops_cx_column", "fieldtype": "Column Break", "insert_after": "revops_latest_ces"},
		{"fieldname": "revops_churn_risk", "fieldtype": "Check", "label": "Churn Risk", "read_only": 1, "in_standard_filter": 1, "insert_after": "revops_cx_column"},
		{"fieldname": "revops_churn_risk_reason", "fieldtype": "Small Text", "label": "Churn Risk Reason", "read_only": 1, "insert_after": "revops_churn_risk"},
		{"fieldname": "revops_churn_flagged_on", "fieldtype": "Datetime", "label": "Churn Risk Flagged On", "read_only": 1, "insert_after": "revops_churn_risk_reason"},
		{"fieldname": "revops_cx_updated_on", "fieldtype": "Datetime", "label": "CX Updated On", "read_only": 1, "search_index": 1, "insert_after": "revops_churn_flagged_on"},
		{"fieldname": "revops_cx_timeline_section", "fieldtype": "Section Break", "label": "Sentiment Timeline", "insert_after": "revops_cx_updated_on"},
		{"fieldname": "revops_cx_timeline", "fieldtype": "Small Text", "label": "Recent Survey Responses", "read_only": 1, "description": "Newest first; every response and escalation is also a comment in the timeline below.", "insert_after": "revops_cx_timeline_section"},
	],
	"Issue": [
		{"fieldname": "revops_cx_survey_response", "fieldtype": "Link", "label": "CX Survey Response", "options": "CX Survey Response", "read_only": 1, "unique": 1, "no_copy": 1, "insert_after": "customer"},
		{"fieldname": "revops_cx_escalation_level", "fieldtype": "Int", "label": "CX Escalation Level", "read_only": 1, "no_copy": 1, "default": "0", "insert_after": "revops_cx_survey_response",
		 "description": "1 = first response overdue, 2 = resolution overdue; each level escalates once."},
	],
}  # fmt: skip
for _doctype, _fields in _CX_CUSTOM_FIELDS.items():
	CUSTOM_FIELDS.setdefault(_doctype, []).extend(_fields)
# --- end customer experience ---------------------------------------------------------------------

# --- dunning (issue 4) ----------------------------------------------------------------------------
# On Customer: which policy applies (else the customer group's, else the default), a promise-to-pay
# pause and an opt-out. Only Accounts Manager / System Manager may change them (a Customer validate hook,
# revops_app.revenue_collections.dunning.policies.guard_customer_dunning_fields), so sales users cannot silence reminders; using a
# permlevel instead would copy Customer's standard permissions into Custom DocPerm on every site.
_DUNNING_CUSTOM_FIELDS: dict[str, list[dict]] = {
	"Customer": [
		{
			"fieldname": "revops_dunning_section",
			"fieldtype": "Section Break",
			"label": "Dunning",
			# After the Credit Limit section's last field (the credit_limits table), not payment_terms:
			# a break there would move the credit limits under the Dunning heading.
			"insert_after": "credit_limits",
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

# --- Stripe dispute accounting (issue 3b) --------------------------------------------------------
# A dispute's withdrawal and reinstatement are Journal Entries. revops_dispute_posting is unique (a
# database index): "<dispute id>:<phase>" can be inserted once, whatever races or replays happen.
# no_copy so an amended entry does not inherit it (the cancelled one keeps the key, and the worker
# then holds the dispute for finance instead of posting again).
CUSTOM_FIELDS.setdefault("Journal Entry", []).extend(
	[
		{
			"fieldname": "revops_stripe_dispute",
			"label": "Stripe Dispute",
			"fieldtype": "Data",
			"insert_after": "cheque_date",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
			"translatable": 0,
		},
		{
			"fieldname": "revops_dispute_posting",
			"label": "Stripe Dispute Posting",
			"fieldtype": "Data",
			"insert_after": "revops_stripe_dispute",
			"read_only": 1,
			"no_copy": 1,
			"unique": 1,
			"translatable": 0,
			"description": "<dispute id>:withdrawal or :reinstatement, set by the Stripe webhook worker (one entry each).",
		},
	]
)
# --- end Stripe dispute accounting ---------------------------------------------------------------
