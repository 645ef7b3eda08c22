"""Every ERPNext/Frappe field the glue reads or writes: the registry of each feature's declarations.

`tests/test_schema_fidelity.py` checks each entry against the ERPNext v15 and v16 reference schemas, so a typo
or a field that one version lacks fails CI instead of a customer's site. A feature declares the fields it
touches in its own `schema.py`; this module merges them. Values are the v15 fieldtype.
"""

from revops_app.customer_experience import schema as customer_experience
from revops_app.customer_experience.schema import CX_UNREFERENCED_FIELDS
from revops_app.revenue_collections import schema as revenue_collections
from revops_app.revenue_collections.schema import PERIOD_LOCK_FIELDS, V16_TYPE_CHANGES, VERSIONED_FIELDS
from revops_app.revops.signals import schema as signals
from revops_app.revops.signals.schema import SIGNALS_FRAPPE_CORE_FIELDS

# Fields every feature touches (posting through ERPNext, ToDos, the customer and company records).
SHARED_FIELDS: dict[str, dict[str, str]] = {
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


def merged(*groups: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
	fields: dict[str, dict[str, str]] = {}
	for group in groups:
		for doctype, declared in group.items():
			fields.setdefault(doctype, {}).update(declared)
	return fields


ERP_FIELDS = merged(SHARED_FIELDS, *revenue_collections.FIELDS, *customer_experience.FIELDS, *signals.FIELDS)
