"""ERPNext fields the customer-experience feature reads or writes (merged into revops_app.revops.schema)."""

# Fields read or written by revops_app/customer_experience/rules.py, revops_app/api/cx.py and the Customer Experience
# reports (aliases in their SQL: iss = Issue, con = Contract, si = Sales Invoice, sii = Sales Invoice Item).
CX_FIELDS: dict[str, dict[str, str]] = {
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

FIELDS = (CX_FIELDS,)
