# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsDunningPolicyCustomerGroup(Document):
	"""A Customer Group whose customers follow the parent dunning policy."""
