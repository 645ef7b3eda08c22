// Copyright (c) 2026, revops_app contributors
// License: MIT. See LICENSE

frappe.ui.form.on("RevOps Integration Log", {
	refresh(frm) {
		// Finance roles may reprocess (revops_app.api.logs checks the same roles on the server).
		const can_reprocess = frappe.user.has_role(["Accounts Manager", "Accounts User", "System Manager"]);
		if (can_reprocess && ["Error", "Queued"].includes(frm.doc.status) && frm.doc.method) {
			frm.add_custom_button(__("Reprocess"), () => {
				frappe
					.call("revops_app.api.logs.retry", { log_name: frm.doc.name })
					.then(() => frm.reload_doc());
			});
		}
	},
});
