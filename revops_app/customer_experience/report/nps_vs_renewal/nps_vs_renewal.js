// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.query_reports["NPS vs Renewal"] = {
	filters: [
		{
			fieldname: "window_days",
			label: __("Renewal Window (days)"),
			fieldtype: "Int",
			description: __("Blank = the churn window in RevOps CX Settings"),
		},
		{
			fieldname: "renewal_status",
			label: __("Renewal Status"),
			fieldtype: "Select",
			options: ["", "Renewal Due", "Lapsed", "Active", "No Contract"],
		},
	],
};
