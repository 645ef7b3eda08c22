# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsPaymentPromise(Document):
	"""A customer's promise to pay some invoices by a date; dunning pauses those invoices until then.

	Validation only: the rules live in revops_app.core.collections.promises, the glue (recording from the
	pay pages, the daily Kept / Broken step) in revops_app.revenue_collections.promises.
	"""

	def validate(self) -> None:
		from revops_app.revenue_collections.promises import validate_promise_doc

		validate_promise_doc(self)
