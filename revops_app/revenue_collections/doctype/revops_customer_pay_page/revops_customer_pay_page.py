# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document

from revops_app.core.gateway.customer_page import page_name


class RevOpsCustomerPayPage(Document):
	"""One per customer, company and currency: the stable /customer-pay/<token> URL listing every open
	invoice of that group, and what happened to it. Written only by revenue_collections.customer_pages
	(creation, views, checkout); named from the group so two concurrent creations make one row."""

	def autoname(self) -> None:
		self.name = page_name(self.customer, self.company, self.currency)
