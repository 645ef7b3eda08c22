# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

import frappe
from frappe.model.document import Document
from frappe.query_builder import Interval
from frappe.query_builder.functions import Now

from revops_app.revops.constants import LogStatus


class RevOpsIntegrationLog(Document):
	"""One row per inbound event or outbound call; the worker records its outcome here."""

	@staticmethod
	def clear_old_logs(days: int = 90) -> None:
		# Errors and queued entries are kept whatever their age: they still need someone's attention.
		table = frappe.qb.DocType("RevOps Integration Log")
		frappe.db.delete(
			table,
			filters=(
				(table.modified < (Now() - Interval(days=days)))
				& (table.status.isin([LogStatus.SUCCESS, LogStatus.SKIPPED, LogStatus.INVALID]))
			),
		)
