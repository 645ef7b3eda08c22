// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.query_reports["Customer Timeline"] = {
	filters: [
		{
			fieldname: "customer",
			label: __("Customer"),
			fieldtype: "Link",
			options: "Customer",
			reqd: 1,
		},
		{ fieldname: "limit", label: __("Rows"), fieldtype: "Int", default: 100 },
	],
};
