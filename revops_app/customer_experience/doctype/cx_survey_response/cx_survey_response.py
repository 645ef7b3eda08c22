# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

from revops_app.customer_experience.constants import CXStatus
from revops_app.customer_experience.intake import match_respondent, score_response
from revops_app.customer_experience.rules import on_response_saved


class CXSurveyResponse(Document):
	"""One survey answer. Validation scores it and fills `dedupe_key`; the unique index on that key
	is what keeps a redelivered response from landing twice. On save the glue
	(revops_app.customer_experience.rules.on_response_saved) applies the CX rules once the response has a Customer
	(at insert, or later when a reviewer matches an Unmatched one)."""

	def before_insert(self) -> None:
		match_respondent(self)

	def validate(self) -> None:
		try:
			score_response(self)
		except ValueError as error:
			frappe.throw(str(error), title=_("Invalid survey response"))
		if self.status != CXStatus.ERROR:
			self.status = CXStatus.PROCESSED if self.customer else CXStatus.UNMATCHED

	def on_update(self) -> None:
		on_response_saved(self)
