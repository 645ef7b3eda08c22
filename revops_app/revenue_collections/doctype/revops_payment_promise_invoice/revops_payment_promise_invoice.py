# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsPaymentPromiseInvoice(Document):
	"""One invoice a payment promise covers, with its outstanding amount and due date when promised."""
