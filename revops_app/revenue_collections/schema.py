"""ERPNext fields the collections feature reads or writes: reports, pay links and Stripe settlement,
dunning, dispute Journal Entries and posting dates. `revops_app.revops.schema` merges them into ERP_FIELDS,
which tests/test_schema_fidelity.py checks against the v15 and v16 reference schemas."""

# Fields read by revops_app/revenue_collections/reports_data.py, the collections number cards and charts.
COLLECTIONS_REPORT_FIELDS: dict[str, dict[str, str]] = {
	"Sales Invoice": {
		"name": "Data",
		"docstatus": "Int",
		"base_grand_total": "Currency",
		"base_rounded_total": "Currency",
		"is_pos": "Check",
		"is_opening": "Select",
		"party_account_currency": "Link",
		"conversion_rate": "Float",
	},
	"Payment Entry": {
		"docstatus": "Int",
		"base_received_amount": "Currency",
	},
	"GL Entry": {
		"posting_date": "Date",
		"party_type": "Link",
		"party": "Dynamic Link",
		"company": "Link",
	},
	# benchmarks/reports.py reads these to place its generated rows
	"Company": {
		"default_cash_account": "Link",
	},
}

# Fields read or written by pay_links.py, settlement/ (receipts, refunds), api/pay.py and www/pay.py.
STRIPE_FIELDS: dict[str, dict[str, str]] = {
	"Sales Invoice": {
		"name": "Data",
		"docstatus": "Int",
		"conversion_rate": "Float",
		"party_account_currency": "Link",
		"return_against": "Link",
		"disable_rounded_total": "Check",
		"payment_terms_template": "Link",
	},
	"Payment Entry": {
		"docstatus": "Int",
		"party_name": "Data",
		"paid_from_account_currency": "Link",
		"paid_to_account_currency": "Link",
		"source_exchange_rate": "Float",
		"target_exchange_rate": "Float",
		"base_paid_amount": "Currency",
		"total_allocated_amount": "Currency",
		"difference_amount": "Currency",
		"cost_center": "Link",
		"bank_account": "Link",
		"custom_remarks": "Check",
	},
	"Payment Entry Reference": {
		"payment_term": "Link",
	},
	"Delivery Note": {
		"docstatus": "Int",
		"is_return": "Check",
		"per_billed": "Percent",
		"customer": "Link",
		"company": "Link",
	},
	"ToDo": {
		"assigned_by": "Link",
		"status": "Select",
		"role": "Link",
	},
	"Company": {
		"default_currency": "Link",
	},
}

# Fields read by the fact query and written by the escalations in revops_app/revenue_collections/dunning/run.py.
DUNNING_FIELDS: dict[str, dict[str, str]] = {
	"Sales Invoice": {
		"name": "Data",
		"docstatus": "Int",
		"is_return": "Check",
		"language": "Data",
		"payment_schedule": "Table",
	},
	# ERPNext's own instalments (read by dunning/facts.py and instalments.py; never written)
	"Payment Schedule": {
		"due_date": "Date",
		"payment_amount": "Currency",
		"paid_amount": "Currency",
		"outstanding": "Currency",
		"base_payment_amount": "Currency",
		"base_paid_amount": "Currency",
		"base_outstanding": "Currency",
	},
	"Customer": {
		"customer_name": "Data",
		"customer_group": "Link",
		"email_id": "Read Only",
		"account_manager": "Link",
		"disabled": "Check",
	},
	"Dunning": {
		"dunning_type": "Link",
		"rate_of_interest": "Float",
		"dunning_fee": "Currency",
		"income_account": "Link",
		"cost_center": "Link",
		"posting_date": "Date",
		"overdue_payments": "Table",
		"body_text": "Text Editor",
		"closing_text": "Text Editor",
		"language": "Link",
	},
	"Dunning Type": {
		"dunning_type": "Data",
		"company": "Link",
		"is_default": "Check",
		"dunning_fee": "Currency",
		"rate_of_interest": "Float",
		"income_account": "Link",
		"cost_center": "Link",
	},
	"Overdue Payment": {
		"sales_invoice": "Link",
	},
	"Issue": {
		"subject": "Data",
		"customer": "Link",
		"raised_by": "Data",
		"description": "Text Editor",
		"company": "Link",
	},
	"ToDo": {
		"role": "Link",
		"status": "Select",
	},
	"Email Template": {
		"subject": "Data",
		"use_html": "Check",
		"response_html": "Code",
		"response": "Text Editor",
	},
	"Communication": {
		"subject": "Small Text",
		"content": "Text Editor",
		"communication_medium": "Select",
		"communication_type": "Select",
		"sent_or_received": "Select",
		"recipients": "Code",
		"reference_doctype": "Link",
		"reference_name": "Dynamic Link",
		"email_template": "Link",
		"timeline_links": "Table",
	},
}

# Fields read or written by settlement/dispute_money.py for dispute Journal Entries.
DISPUTE_FIELDS: dict[str, dict[str, str]] = {
	"Journal Entry": {
		"name": "Data",
		"docstatus": "Int",
		"voucher_type": "Select",
		"company": "Link",
		"posting_date": "Date",
		"cheque_no": "Data",
		"cheque_date": "Date",
		"user_remark": "Small Text",
		"multi_currency": "Check",
		"accounts": "Table",
	},
	"Journal Entry Account": {
		"parent": "Data",
		"account": "Link",
		"party_type": "Link",
		"party": "Dynamic Link",
		"cost_center": "Link",
		"debit_in_account_currency": "Currency",
		"credit_in_account_currency": "Currency",
		"reference_type": "Select",
		"reference_name": "Dynamic Link",
		"user_remark": "Small Text",
	},
	"Payment Entry": {
		"received_amount": "Currency",
	},
}

# Read by settlement/posting_dates.py (closed_periods, books_closed_upto) to move an entry past ERPNext's own
# refusals (general_ledger.validate_accounting_period / validate_against_pcv); checked against both reference
# packs in CI and against the installed meta by the bench test test_stripe_posting_dates.
PERIOD_LOCK_FIELDS: dict[str, dict[str, str]] = {
	"Accounting Period": {
		"start_date": "Date",
		"end_date": "Date",
		"company": "Link",
		"closed_documents": "Table",
	},
	"Closed Document": {"document_type": "Link", "closed": "Check"},
	"Period Closing Voucher": {"company": "Link", "period_end_date": "Date"},
}

# Fields that exist in one version only, each read through revops_app.compat (which says what changed).
VERSIONED_FIELDS: dict[str, dict[str, dict[str, str]]] = {
	"v15": {"Accounts Settings": {"acc_frozen_upto": "Date"}},
	"v16": {"Company": {"accounts_frozen_till_date": "Date"}, "Accounting Period": {"disabled": "Check"}},
}
# Fields whose type changed in v16 while the glue reads them the same way (a language code either way).
V16_TYPE_CHANGES: dict[str, dict[str, str]] = {"Sales Invoice": {"language": "Link"}}

# Stripe entries set these on the Payment Entry they date.
POSTING_DATE_FIELDS: dict[str, dict[str, str]] = {
	"Payment Entry": {"posting_date": "Date", "reference_date": "Date"}
}


# merged into revops_app.revops.schema.ERP_FIELDS
FIELDS = (
	COLLECTIONS_REPORT_FIELDS,
	STRIPE_FIELDS,
	DUNNING_FIELDS,
	DISPUTE_FIELDS,
	PERIOD_LOCK_FIELDS,
	POSTING_DATE_FIELDS,
)
