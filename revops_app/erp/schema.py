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

# --- dunning (issue 4) --------------------------------------------------------------------------
# Fields read by the fact query and written by the escalations in revops_app/erp/dunning.py.
_DUNNING_FIELDS: dict[str, dict[str, str]] = {
	"Sales Invoice": {
		"name": "Data",
		"docstatus": "Int",
		"is_return": "Check",
		"language": "Data",
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
for _doctype, _fields in _DUNNING_FIELDS.items():
	ERP_FIELDS.setdefault(_doctype, {}).update(_fields)
# --- end dunning --------------------------------------------------------------------------------
