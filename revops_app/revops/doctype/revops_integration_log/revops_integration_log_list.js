// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.listview_settings["RevOps Integration Log"] = {
	get_indicator(doc) {
		const colours = { Queued: "blue", Success: "green", Error: "red", Invalid: "orange", Skipped: "gray" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		if (!frappe.user.has_role(["Accounts Manager", "Accounts User", "System Manager"])) return;
		listview.page.add_action_item(__("Reprocess"), () => {
			const names = listview.get_checked_items(true);
			frappe
				.call("revops_app.api.logs.bulk_retry", { log_names: names })
				.then(() => listview.refresh());
		});
	},
};
