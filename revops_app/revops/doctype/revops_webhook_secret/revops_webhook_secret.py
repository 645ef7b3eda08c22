# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsWebhookSecret(Document):
	pass
