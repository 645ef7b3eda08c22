"""Survey responses left in Error by the old hourly CX retry job get an integration log row, so the one hourly
sweep (revops.jobs.sweep_stuck_logs) replays them now that the separate job is gone."""

import frappe

from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE, CXStatus
from revops_app.customer_experience.rules import record_rules_failure


def execute() -> None:
	for row in frappe.get_all(
		CX_RESPONSE_DOCTYPE, filters={"status": CXStatus.ERROR}, fields=["name", "remarks"], limit=0
	):
		record_rules_failure(row.name, row.remarks or "CX rules failed before the upgrade", traceback="")
