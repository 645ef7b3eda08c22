"""Reprocess actions on RevOps Integration Log, for finance users in the desk."""

import json

import frappe
from frappe import _

from revops_app.constants import LOG_DOCTYPE
from revops_app.erp.integration_log import retry_log


@frappe.whitelist(methods=["POST"])
def retry(log_name: str) -> str:
	frappe.has_permission(LOG_DOCTYPE, "write", log_name, throw=True)
	retry_log(log_name)
	return _("Queued for reprocessing")


@frappe.whitelist(methods=["POST"])
def bulk_retry(log_names: str | list[str]) -> dict[str, list[str]]:
	names = json.loads(log_names) if isinstance(log_names, str) else log_names
	queued, refused = [], []
	for name in names:
		if not frappe.has_permission(LOG_DOCTYPE, "write", name):
			refused.append(name)
			continue
		try:
			retry_log(name)
			queued.append(name)
		except frappe.ValidationError:
			refused.append(name)
	return {"queued": queued, "refused": refused}
