# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsPaymentLink(Document):
	"""One per Sales Invoice: the stable /pay/<token> URL and what happened to it.

	Written only by revops_app.erp (pay link creation, pay page views, webhook settlement);
	read by dunning rules and collections reports.
	"""
