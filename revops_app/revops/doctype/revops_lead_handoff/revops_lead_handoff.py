# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsLeadHandoff(Document):
	"""Written by `revops_app.revops.handoffs.record_handoff` only (its checks are core.cx.lead_handoff)."""
