# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsCXTeamMember(Document):
	"""One member of the service-recovery team (child of RevOps CX Settings)."""
