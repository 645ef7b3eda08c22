"""Custom fields the collections feature adds to ERPNext DocTypes (installed by revops_app.revops.custom_fields).

Field names carry the `revops_` prefix; the schema-fidelity tests check every `insert_after` anchor exists in
ERPNext and that no name collides with a standard field.
"""

# The pay URL is set on submit (allow_on_submit), read-only for users, printed on the invoice and
# usable in email templates as {{ doc.revops_pay_url }}. Payment Entry fields tie Stripe ids to the
# ledger: the PaymentIntent a receipt settles (and a refund reverses), the receipt a refund reverses.
PAY_LINK_FIELDS: dict[str, list[dict]] = {
	"Sales Invoice": [
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
	],
	"Payment Entry": [
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
	],
}

# On Customer: which policy applies (else the customer group's, else the default), a promise-to-pay
# pause and an opt-out. Only Accounts Manager / System Manager may change them (a Customer validate hook,
# revops_app.revenue_collections.dunning.policies.guard_customer_dunning_fields), so sales users cannot silence reminders; using a
# permlevel instead would copy Customer's standard permissions into Custom DocPerm on every site.
DUNNING_FIELDS: dict[str, list[dict]] = {
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

# A dispute's withdrawal and reinstatement are Journal Entries. revops_dispute_posting is unique (a
# database index): "<dispute id>:<phase>" can be inserted once, whatever races or replays happen.
# no_copy so an amended entry does not inherit it (the cancelled one keeps the key, and the worker
# then holds the dispute for finance instead of posting again).
DISPUTE_FIELDS: dict[str, list[dict]] = {
	"Journal Entry": [
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
	],
}

# A Stripe payout is one Internal Transfer Payment Entry (clearing -> bank). revops_stripe_payout is unique:
# a payout id can be inserted once, whatever races or replays happen (a cancelled entry keeps it, so a
# payout whose entry finance cancelled is held, never posted twice). The table lists the balance
# transactions the payout carries, each with its ERPNext voucher: it travels with the entry, is shown on
# its form, and is cancelled with it (the Stripe Reconciliation report reads it).
PAYOUT_FIELDS: dict[str, list[dict]] = {
	"Payment Entry": [
		{
			"fieldname": "revops_stripe_payout",
			"label": "Stripe Payout",
			"fieldtype": "Data",
			"insert_after": "revops_settlement_flags",
			"read_only": 1,
			"no_copy": 1,
			"unique": 1,
			"translatable": 0,
		},
		{
			"fieldname": "revops_payout_section",
			"label": "Stripe Payout Transactions",
			"fieldtype": "Section Break",
			# after clearance_date, the last field before ERPNext's accounting dimensions section (v15 and
			# v16): anchored higher, the section would pull standard fields under this heading.
			"insert_after": "clearance_date",
			"collapsible": 1,
			"depends_on": "revops_stripe_payout",
		},
		{
			"fieldname": "revops_payout_transactions",
			"label": "Balance Transactions",
			"fieldtype": "Table",
			"options": "RevOps Payout Transaction",
			"insert_after": "revops_payout_section",
			"read_only": 1,
			"no_copy": 1,
		},
	],
}

# A Stripe fee outside a charge (stripe_fee, stripe_fx_fee, a payout's fee) is one Journal Entry keyed by
# its balance transaction id: unique, so posted once whatever the payout worker and the backstop race;
# no_copy, so an amended entry does not inherit it (a cancelled one keeps it: the fee is then held).
STRIPE_FEE_FIELDS: dict[str, list[dict]] = {
	"Journal Entry": [
		{
			"fieldname": "revops_stripe_balance_txn",
			"label": "Stripe Balance Transaction",
			"fieldtype": "Data",
			"insert_after": "revops_dispute_posting",
			"read_only": 1,
			"no_copy": 1,
			"unique": 1,
			"translatable": 0,
			"description": "The Stripe fee (balance transaction id) this entry posts, set by the Stripe worker.",
		},
	],
}

# merged into revops_app.revops.custom_fields.CUSTOM_FIELDS, in this order
FIELDS = (PAY_LINK_FIELDS, DUNNING_FIELDS, DISPUTE_FIELDS, PAYOUT_FIELDS, STRIPE_FEE_FIELDS)
