# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

from revops_app.core.collections.dunning.decisions import Outcome


class RevOpsDunningReminder(Document):
	"""One dunning step for one invoice: written by revops_app.revenue_collections.dunning.send, unique by reminder_key.

	From the desk the only change allowed is Failed -> Skipped (stop retrying a step); everything else is
	the run's record of what went out.
	"""

	def validate(self) -> None:
		if self.is_new():
			return
		before = self.get_doc_before_save()
		if not before:
			return
		changed = [
			field.fieldname
			for field in self.meta.fields
			if field.fieldname != "outcome" and self.get(field.fieldname) != before.get(field.fieldname)
		]
		if changed:
			frappe.throw(
				_("A dunning reminder is a record of what was sent; only its outcome can be changed.")
			)
		if self.outcome != before.outcome and not (
			before.outcome == Outcome.FAILED and self.outcome == Outcome.SKIPPED
		):
			frappe.throw(_("Only a Failed reminder can be set to Skipped (to stop retrying it)."))
