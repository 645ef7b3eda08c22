# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsDunningPolicyStep(Document):
	"""One step of a dunning policy: when (days from due date), if (conditions), what (template, escalation)."""
