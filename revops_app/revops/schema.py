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
# Fields read by revops_app/revenue_collections/reports_data.py, the collections number cards and charts.
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
# Fields read or written by revops_app/revenue_collections/pay_links.py, stripe_settlement.py, api/pay.py, www/pay.py.
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

# --- customer experience (issue 6) ---------------------------------------------------------------
# Fields read or written by revops_app/customer_experience/rules.py, revops_app/api/cx.py and the Customer Experience
# reports (aliases in their SQL: iss = Issue, con = Contract, si = Sales Invoice, sii = Sales Invoice Item).
_CX_FIELDS: dict[str, dict[str, str]] = {
	"Issue": {
		"subject": "Data",
		"customer": "Link",
		"raised_by": "Data",
		"status": "Select",
		"priority": "Link",
		"issue_type": "Link",
		"description": "Text Editor",
		"service_level_agreement": "Link",
		"response_by": "Datetime",
		"sla_resolution_by": "Datetime",
		"agreement_status": "Select",
		"first_responded_on": "Datetime",
		"contact": "Link",
		"opening_date": "Date",
	},
	"Service Level Agreement": {
		"document_type": "Link",
		"service_level": "Data",
		"enabled": "Check",
		"default_service_level_agreement": "Check",
		"default_priority": "Link",
		"apply_sla_for_resolution": "Check",
		"holiday_list": "Link",
		"priorities": "Table",
		"sla_fulfilled_on": "Table",
		"pause_sla_on": "Table",
		"support_and_resolution": "Table",
	},
	"Contract": {
		"party_type": "Select",
		"party_name": "Dynamic Link",
		"status": "Select",
		"start_date": "Date",
		"end_date": "Date",
	},
	"Contact": {
		"email_id": "Data",
		"email_ids": "Table",
		"links": "Table",
	},
	"Customer": {
		"disabled": "Check",
	},
	"Sales Invoice": {
		"items": "Table",
	},
	"Sales Invoice Item": {
		"item_code": "Link",
		"item_group": "Link",
		"brand": "Data",
		"sales_order": "Link",
		"delivery_note": "Link",
		"base_net_amount": "Currency",
	},
	"Sales Order": {"customer": "Link"},
	"Delivery Note": {"customer": "Link"},
	"Project": {"customer": "Link"},
	"Email Template": {
		"subject": "Data",
		"use_html": "Check",
		"response_html": "Code",
		"response": "Text Editor",
	},
	"ToDo": {
		"status": "Select",
	},
	"User": {
		"enabled": "Check",
		"email": "Data",
	},
}
for _doctype, _fields in _CX_FIELDS.items():
	ERP_FIELDS.setdefault(_doctype, {}).update(_fields)

# Child tables and settings the reference pack has no schema for. CI cannot check these; the
# real-bench test revops_app/tests/test_cx.py checks each against frappe.get_meta on the site.
CX_UNREFERENCED_FIELDS: dict[str, dict[str, str]] = {
	"Service Level Priority": {
		"priority": "Link",
		"default_priority": "Check",
		"response_time": "Duration",
		"resolution_time": "Duration",
	},
	"Service Day": {"workday": "Select", "start_time": "Time", "end_time": "Time"},
	"SLA Fulfilled On Status": {"status": "Select"},
	"Holiday List": {"holiday_list_name": "Data", "from_date": "Date", "to_date": "Date"},
	"Support Settings": {"track_service_level_agreement": "Check"},
	"Contact Email": {"email_id": "Data", "is_primary": "Check"},
	"Dynamic Link": {"link_doctype": "Link", "link_name": "Dynamic Link"},
	"Sales Order Item": {"item_group": "Link", "brand": "Link"},
	"Delivery Note Item": {"item_group": "Link", "brand": "Link"},
}
# --- end customer experience ---------------------------------------------------------------------

# --- sidecar signals feed (issue 5) --------------------------------------------------------------
# Fields read by revops_app/revops/signals/feed.py (the customer_signals endpoint for the sidecar).
_SIGNALS_FEED_FIELDS: dict[str, dict[str, str]] = {
	"Customer": {
		"name": "Data",
		"modified": "Datetime",
		"customer_name": "Data",
		"disabled": "Check",
		"customer_group": "Link",
		"territory": "Link",
		"industry": "Link",
		"website": "Data",
		"email_id": "Read Only",
	},
	"Sales Invoice": {
		"modified": "Datetime",
		"customer": "Link",
		"company": "Link",
		"docstatus": "Int",
		"is_return": "Check",
		"posting_date": "Date",
		"due_date": "Date",
		"base_grand_total": "Currency",
		"outstanding_amount": "Currency",
		"party_account_currency": "Link",
		"conversion_rate": "Float",
	},
	"Company": {"default_currency": "Link"},
	"Payment Entry": {"modified": "Datetime", "party_type": "Link", "party": "Dynamic Link"},
	"Contract": {
		"modified": "Datetime",
		"docstatus": "Int",
		"party_type": "Select",
		"party_name": "Dynamic Link",
		"is_signed": "Check",
		"start_date": "Date",
		"end_date": "Date",
	},
	"Quotation": {
		"modified": "Datetime",
		"docstatus": "Int",
		"quotation_to": "Link",
		"party_name": "Dynamic Link",
		"transaction_date": "Date",
	},
	"Quotation Item": {"parent": "Data", "parenttype": "Data", "item_group": "Link"},
	"Opportunity": {
		"modified": "Datetime",
		"opportunity_from": "Link",
		"party_name": "Dynamic Link",
		"status": "Select",
	},
	"Issue": {"modified": "Datetime", "customer": "Link", "status": "Select", "opening_date": "Date"},
	"Contact": {"name": "Data", "modified": "Datetime", "email_id": "Data"},
}
for _doctype, _fields in _SIGNALS_FEED_FIELDS.items():
	ERP_FIELDS.setdefault(_doctype, {}).update(_fields)

# Frappe core DocTypes the feed reads that the v15 reference pack does not carry; the real-bench test
# revops_app/tests/test_signals.py checks them against the installed meta instead.
SIGNALS_FRAPPE_CORE_FIELDS: dict[str, dict[str, str]] = {
	"Dynamic Link": {
		"parent": "Data",
		"parenttype": "Data",
		"link_doctype": "Link",
		"link_name": "Dynamic Link",
	},
	"Deleted Document": {
		"modified": "Datetime",
		"deleted_name": "Data",
		"deleted_doctype": "Data",
		"restored": "Check",
	},
}
# --- end sidecar signals feed -------------------------------------------------------------------

# --- dunning (issue 4) --------------------------------------------------------------------------
# Fields read by the fact query and written by the escalations in revops_app/revenue_collections/dunning/run.py.
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

# --- Stripe dispute accounting (issue 3b) --------------------------------------------------------
# Fields read or written by revops_app/revenue_collections/settlement/worker.py for dispute Journal Entries.
_DISPUTE_FIELDS: dict[str, dict[str, str]] = {
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
for _doctype, _fields in _DISPUTE_FIELDS.items():
	ERP_FIELDS.setdefault(_doctype, {}).update(_fields)
# --- end Stripe dispute accounting ---------------------------------------------------------------

# --- Stripe posting dates (issue 3d) -------------------------------------------------------------
# Read by stripe_settlement.frozen_upto / closed_periods to move an entry past ERPNext's own refusals
# (general_ledger.check_freezing_date, accounting_period.validate_accounting_period_on_doc_save).
# These DocTypes are not in shared/reference yet, so they are kept out of ERP_FIELDS (whose CI check
# needs a reference schema); checked against the installed v15 meta by the bench test
# test_stripe_posting_dates.TestStripePostingDates.test_period_lock_fields_exist.
PERIOD_LOCK_FIELDS: dict[str, dict[str, str]] = {
	"Accounts Settings": {"acc_frozen_upto": "Date", "frozen_accounts_modifier": "Link"},
	"Accounting Period": {
		"start_date": "Date",
		"end_date": "Date",
		"company": "Link",
		"closed_documents": "Table",
	},
	"Closed Document": {"document_type": "Link", "closed": "Check"},
	"Period Closing Voucher": {"company": "Link", "period_end_date": "Date"},
}
ERP_FIELDS.setdefault("Payment Entry", {}).setdefault("posting_date", "Date")
ERP_FIELDS.setdefault("Payment Entry", {}).setdefault("reference_date", "Date")
# --- end Stripe posting dates ---------------------------------------------------------------------
