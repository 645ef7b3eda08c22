"""Custom fields the customer-experience feature adds to Customer and Issue (installed by
revops_app.revops.custom_fields)."""

# Names come from customer_experience/constants.py (CF_*); the values are written by customer_state.py (Customer)
# and recovery.py / escalation.py (Issue).
CX_CUSTOM_FIELDS: dict[str, list[dict]] = {
	"Customer": [
		{"fieldname": "revops_cx_tab", "fieldtype": "Tab Break", "label": "Customer Experience", "insert_after": "portal_users"},
		{"fieldname": "revops_cx_segment", "fieldtype": "Data", "label": "CX Segment", "read_only": 1, "in_standard_filter": 1, "insert_after": "revops_cx_tab"},
		{"fieldname": "revops_latest_nps", "fieldtype": "Float", "label": "Latest NPS (0-10)", "read_only": 1, "insert_after": "revops_cx_segment"},
		{"fieldname": "revops_latest_csat", "fieldtype": "Float", "precision": "1", "label": "Latest CSAT (0-100)", "read_only": 1, "insert_after": "revops_latest_nps"},
		{"fieldname": "revops_latest_ces", "fieldtype": "Float", "precision": "1", "label": "Latest CES (0-100, 100 = easiest)", "read_only": 1, "insert_after": "revops_latest_csat"},
		{"fieldname": "revops_cx_column", "fieldtype": "Column Break", "insert_after": "revops_latest_ces"},
		{"fieldname": "revops_churn_risk", "fieldtype": "Check", "label": "Churn Risk", "read_only": 1, "in_standard_filter": 1, "insert_after": "revops_cx_column"},
		{"fieldname": "revops_churn_risk_reason", "fieldtype": "Small Text", "label": "Churn Risk Reason", "read_only": 1, "insert_after": "revops_churn_risk"},
		{"fieldname": "revops_churn_flagged_on", "fieldtype": "Datetime", "label": "Churn Risk Flagged On", "read_only": 1, "insert_after": "revops_churn_risk_reason"},
		{"fieldname": "revops_cx_updated_on", "fieldtype": "Datetime", "label": "CX Updated On", "read_only": 1, "search_index": 1, "insert_after": "revops_churn_flagged_on"},
		{"fieldname": "revops_cx_timeline_section", "fieldtype": "Section Break", "label": "Sentiment Timeline", "insert_after": "revops_cx_updated_on"},
		{"fieldname": "revops_cx_timeline", "fieldtype": "Small Text", "label": "Recent Survey Responses", "read_only": 1, "description": "Newest first; every response and escalation is also a comment in the timeline below.", "insert_after": "revops_cx_timeline_section"},
		# rendered in the browser by public/js/customer_timeline.js from api.signals.customer_timeline (no stored value)
		{"fieldname": "revops_timeline_tab", "fieldtype": "Tab Break", "label": "Customer Timeline", "insert_after": "revops_cx_timeline"},
		{"fieldname": "revops_customer_timeline", "fieldtype": "HTML", "label": "Customer Timeline", "insert_after": "revops_timeline_tab"},
	],
	"Issue": [
		{"fieldname": "revops_cx_survey_response", "fieldtype": "Link", "label": "CX Survey Response", "options": "CX Survey Response", "read_only": 1, "unique": 1, "no_copy": 1, "insert_after": "customer"},
		{"fieldname": "revops_cx_escalation_level", "fieldtype": "Int", "label": "CX Escalation Level", "read_only": 1, "no_copy": 1, "default": "0", "insert_after": "revops_cx_survey_response",
		 "description": "1 = first response overdue, 2 = resolution overdue; each level escalates once."},
	],
}  # fmt: skip

FIELDS = (CX_CUSTOM_FIELDS,)
