"""Every ERPNext/Frappe field the glue reads or writes, declared in one place.

`tests/test_schema_fidelity.py` checks each entry against the ERPNext v15 reference schema, so a
typo or a field that does not exist in v15 fails CI instead of a customer's site. When glue code
starts touching a new field, add it here first. Values are the v15 fieldtype.
"""

ERP_FIELDS: dict[str, dict[str, str]] = {
	"Sales Invoice": {
		"customer": "Link",
		"customer_name": "Small Text",
		"company": "Link",
		"posting_date": "Date",
		"due_date": "Date",
		"currency": "Link",
		"grand_total": "Currency",
		"rounded_total": "Currency",
		"outstanding_amount": "Currency",
		"status": "Select",
		"is_return": "Check",
		"debit_to": "Link",
		"contact_email": "Data",
	},
	"Payment Entry": {
		"payment_type": "Select",
		"posting_date": "Date",
		"company": "Link",
		"mode_of_payment": "Link",
		"party_type": "Link",
		"party": "Dynamic Link",
		"paid_from": "Link",
		"paid_to": "Link",
		"paid_amount": "Currency",
		"received_amount": "Currency",
		"references": "Table",
		"deductions": "Table",
		"reference_no": "Data",
		"reference_date": "Date",
		"unallocated_amount": "Currency",
		"remarks": "Small Text",
	},
	"Payment Entry Reference": {
		"reference_doctype": "Link",
		"reference_name": "Dynamic Link",
		"allocated_amount": "Float",
		"outstanding_amount": "Float",
	},
	"Payment Entry Deduction": {
		"account": "Link",
		"cost_center": "Link",
		"amount": "Currency",
		"description": "Small Text",
	},
	"GL Entry": {
		"account": "Link",
		"debit": "Currency",
		"credit": "Currency",
		"voucher_type": "Link",
		"voucher_no": "Dynamic Link",
		"is_cancelled": "Check",
	},
	"Customer": {
		"customer_name": "Data",
		"customer_group": "Link",
		"territory": "Link",
		"industry": "Link",
		"email_id": "Read Only",
	},
	"Company": {
		"default_currency": "Link",
		"default_receivable_account": "Link",
		"cost_center": "Link",
	},
	"ToDo": {
		"allocated_to": "Link",
		"description": "Text Editor",
		"reference_type": "Link",
		"reference_name": "Dynamic Link",
		"priority": "Select",
		"date": "Date",
	},
}

# --- collections reports (issue 4b) -------------------------------------------------------------
# Fields read by revops_app/erp/collections_data.py, the collections number cards and charts.
_COLLECTIONS_REPORT_FIELDS: dict[str, dict[str, str]] = {
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
for _doctype, _fields in _COLLECTIONS_REPORT_FIELDS.items():
	ERP_FIELDS.setdefault(_doctype, {}).update(_fields)
# --- end collections reports --------------------------------------------------------------------

# --- Stripe pay links and webhooks (issue 3) ----------------------------------------------------
# Fields read or written by revops_app/erp/pay_links.py, stripe_settlement.py, api/pay.py, www/pay.py.
_STRIPE_FIELDS: dict[str, dict[str, str]] = {
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
for _doctype, _fields in _STRIPE_FIELDS.items():
	ERP_FIELDS.setdefault(_doctype, {}).update(_fields)
# --- end Stripe pay links and webhooks ----------------------------------------------------------
