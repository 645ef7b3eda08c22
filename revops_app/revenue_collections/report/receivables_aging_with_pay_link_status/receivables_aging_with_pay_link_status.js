// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.query_reports["Receivables Aging with Pay-Link Status"] = {
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
			fieldname: "report_date",
			label: __("As On Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{
			fieldname: "customer",
			label: __("Customer"),
			fieldtype: "Link",
			options: "Customer",
		},
		{
			fieldname: "pay_link_status",
			label: __("Pay Link"),
			fieldtype: "Select",
			options: ["", "Not Sent", "Never Viewed", "Viewed", "Payment Failed", "Disputed"],
		},
		{
			fieldname: "promised",
			label: __("Promise to Pay"),
			fieldtype: "Select",
			options: ["", "Promised", "Not Promised"],
		},
		{
			fieldname: "min_days_overdue",
			label: __("At Least Days Overdue"),
			fieldtype: "Int",
		},
		{
			fieldname: "range1",
			label: __("Ageing Range 1"),
			fieldtype: "Int",
			default: 30,
		},
		{
			fieldname: "range2",
			label: __("Ageing Range 2"),
			fieldtype: "Int",
			default: 60,
		},
		{
			fieldname: "range3",
			label: __("Ageing Range 3"),
			fieldtype: "Int",
			default: 90,
		},
	],
	formatter: function (value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "pay_link_status" && data) {
			const colour = {
				"Not Sent": "gray",
				"Never Viewed": "orange",
				Viewed: "blue",
				"Payment Failed": "red",
				Disputed: "red",
			}[data.pay_link_status];
			if (colour) value = `<span class="indicator-pill ${colour}">${value}</span>`;
		}
		return value;
	},
};
