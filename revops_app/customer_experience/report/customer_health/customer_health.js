// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.query_reports["Customer Health"] = {
	filters: [
		{
			fieldname: "customer_group",
			label: __("Customer Group"),
			fieldtype: "Link",
			options: "Customer Group",
		},
		{ fieldname: "at_risk_only", label: __("Churn Risk Only"), fieldtype: "Check" },
		{ fieldname: "owing_only", label: __("Overdue Only"), fieldtype: "Check" },
	],
};
