"""Rewrite module paths stored in the database after the one-folder-per-feature move (revops_app/erp/ is gone).

A RevOps Integration Log row keeps the dotted path of the worker that replays it (`method`), and a Scheduled
Job Type keeps the path of its scheduler event. Rows written before the upgrade name the old modules; rewritten
here, a queued or failed event is replayed by the sweep and by "Reprocess" after the upgrade exactly as before
it, and each scheduled job keeps its history and last run (Frappe would otherwise delete the old job type and
create a new one that has never run).
"""

import frappe

# old dotted path -> new dotted path, for every path the app ever stored
MOVED_PATHS: dict[str, str] = {
	# workers named by integration log rows
	"revops_app.erp.stripe_settlement.process_event": "revops_app.revenue_collections.settlement.worker.process_event",
	"revops_app.erp.dunning_escalation.retry_escalation": "revops_app.revenue_collections.dunning.escalation.retry_escalation",
	# scheduler events (Scheduled Job Type.method)
	"revops_app.erp.integration_log.sweep_stuck_logs": "revops_app.revops.jobs.sweep_stuck_logs",
	"revops_app.erp.cx_escalation.escalate_slipped_issues": "revops_app.customer_experience.escalation.escalate_slipped_issues",
	"revops_app.erp.cx_customer_state.refresh_all_customers": "revops_app.customer_experience.customer_state.refresh_all_customers",
	"revops_app.erp.dunning.daily": "revops_app.revenue_collections.dunning.run.daily",
}

# DocType -> field holding a dotted path
PATH_FIELDS = (("RevOps Integration Log", "method"), ("Scheduled Job Type", "method"))


def execute() -> None:
	for doctype, fieldname in PATH_FIELDS:
		table = frappe.qb.DocType(doctype)
		for old, new in MOVED_PATHS.items():
			if doctype == "Scheduled Job Type" and frappe.db.exists(doctype, {fieldname: new}):
				continue  # the new job type exists already (a migrate ran before): Frappe drops the old one
			frappe.qb.update(table).set(table[fieldname], new).where(table[fieldname] == old).run()
