// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.query_reports["DSO Trend"] = {
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
			fieldname: "to_date",
			label: __("Up to Month Of"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{
			fieldname: "months",
			label: __("Months"),
			fieldtype: "Int",
			default: 12,
			reqd: 1,
		},
		{
			fieldname: "method",
			label: __("Method"),
			fieldtype: "Select",
			options: ["Standard", "Countback"],
			default: "Standard",
			reqd: 1,
		},
	],
	formatter: function (value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "dso" && data && data.exhausted) {
			// Countback ran out of history: the figure is a lower bound.
			value = "&ge; " + value;
		}
		return value;
	},
};
