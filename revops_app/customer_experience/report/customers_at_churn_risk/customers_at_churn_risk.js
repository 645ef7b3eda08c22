// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.query_reports["Customers at Churn Risk"] = {
	filters: [
		{
			fieldname: "customer_group",
			label: __("Customer Group"),
			fieldtype: "Link",
			options: "Customer Group",
		},
	],
};
