"""ERPNext fields the signals feed reads (merged into revops_app.revops.schema)."""

# Fields read by revops_app/revops/signals/feed.py (the customer_signals endpoint for the sidecar).
SIGNALS_FEED_FIELDS: dict[str, dict[str, str]] = {
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
		"account_manager": "Link",
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
		"base_net_total": "Currency",
		"outstanding_amount": "Currency",
		"party_account_currency": "Link",
		"conversion_rate": "Float",
	},
	# outcomes for learning (signals/first_orders.py): the first order, and the first after each handoff
	"Sales Order": {
		"modified": "Datetime",
		"customer": "Link",
		"company": "Link",
		"docstatus": "Int",
		"transaction_date": "Date",
		"base_net_total": "Currency",
	},
	"Company": {"default_currency": "Link"},
	"Payment Entry": {
		"modified": "Datetime",
		"party_type": "Link",
		"party": "Dynamic Link",
		"docstatus": "Int",
		"posting_date": "Date",
	},
	# payment behaviour (signals/payment_behaviour.py): days to pay from the payments against each invoice
	"Payment Entry Reference": {
		"parent": "Data",
		"parenttype": "Data",
		"reference_doctype": "Link",
		"reference_name": "Dynamic Link",
	},
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

FIELDS = (SIGNALS_FEED_FIELDS,)
