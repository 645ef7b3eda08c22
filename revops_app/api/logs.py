"""Reprocess actions on RevOps Integration Log, for finance users in the desk.

Reprocessing is an action, not an edit: every finance role (Accounts Manager, Accounts User,
System Manager) may reprocess a log it can read, while editing a log's fields stays with the
DocPerm write right (Accounts Manager, System Manager). Guests never reach these endpoints.
"""

import frappe
from frappe import _

from revops_app.api.arguments import json_list, required
from revops_app.revops.constants import FINANCE_ROLES, LOG_DOCTYPE
from revops_app.revops.jobs import retry_log


def _check_finance_role() -> None:
	# Not frappe.only_for: it lets every caller through while frappe.flags.in_test is set.
	if set(FINANCE_ROLES).isdisjoint(frappe.get_roles()):
		raise frappe.PermissionError(_("Only finance users can reprocess RevOps Integration Logs"))


@frappe.whitelist(methods=["POST"])
def retry(log_name: str | None = None) -> str:
	_check_finance_role()
	required("log_name", log_name)
	frappe.has_permission(LOG_DOCTYPE, "read", log_name, throw=True)
	retry_log(log_name)
	return _("Queued for reprocessing")


@frappe.whitelist(methods=["POST"])
def bulk_retry(log_names: str | list | None = None) -> dict[str, list[str]]:
	_check_finance_role()
	names = json_list("log_names", log_names, "log names")
	if not all(isinstance(name, str) and name for name in names):
		frappe.throw(_("log_names must be a JSON list of log names"), frappe.ValidationError)
	queued, refused = [], []
	for name in names:
		if not frappe.has_permission(LOG_DOCTYPE, "read", name):
			refused.append(name)
			continue
		try:
			retry_log(name)
			queued.append(name)
		except frappe.ValidationError:
			refused.append(name)
	return {"queued": queued, "refused": refused}
