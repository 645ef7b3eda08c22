# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsPayoutTransaction(Document):
	"""One Stripe balance transaction a payout carries, with the ERPNext voucher that holds its money
	(rows written by revenue_collections/settlement/payouts.py on the payout's Internal Transfer)."""
