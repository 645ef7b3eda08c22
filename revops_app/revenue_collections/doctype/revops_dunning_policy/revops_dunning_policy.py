# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

from frappe.model.document import Document


class RevOpsDunningPolicy(Document):
	"""Ordered reminder steps for overdue invoices; attached per Customer, per Customer Group or as default.

	Validation only: the rules live in revops_app.core.collections.dunning, the translation and the
	one-default / one-policy-per-group checks in revops_app.revenue_collections.dunning.policies.
	"""

	def validate(self) -> None:
		from revops_app.revenue_collections.dunning.policies import validate_policy

		validate_policy(self)

	def on_update(self) -> None:
		from revops_app.revenue_collections.dunning.policies import keep_single_default

		keep_single_default(self)
