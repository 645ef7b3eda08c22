// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.query_reports["Revenue by NPS Segment"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
			reqd: 1,
		},
		{
			fieldname: "from_date",
			label: __("Invoices From"),
			fieldtype: "Date",
		},
		{
			fieldname: "to_date",
			label: __("Invoices To"),
			fieldtype: "Date",
		},
	],
};
