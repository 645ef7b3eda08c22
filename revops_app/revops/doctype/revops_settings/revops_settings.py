# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

WEBHOOK_ENDPOINT_PATH = "/api/method/revops_app.api.webhooks.stripe"


class RevOpsSettings(Document):
	"""Single holding every RevOps secret (Password fields) and posting account; validation only."""

	def validate(self) -> None:
		self.webhook_endpoint_url = frappe.utils.get_url(WEBHOOK_ENDPOINT_PATH)
		if self.stripe_api_base and not self.stripe_api_base.startswith(("https://", "http://")):
			frappe.throw(_("Stripe API Base URL must be an absolute http(s) URL"))
		if self.enabled and self.stripe_enabled:
			self._validate_stripe()

	def _validate_stripe(self) -> None:
		missing = [
			label
			for fieldname, label in (
				("company", _("Company")),
				("stripe_secret_key", _("Secret Key")),
				("stripe_clearing_account", _("Stripe Clearing / Bank Account")),
			)
			if not self.get(fieldname)
		]
		if not any(row.enabled for row in self.webhook_secrets):
			missing.append(_("at least one enabled Webhook Signing Secret"))
		if missing:
			frappe.throw(
				_("Stripe needs: {0}").format(", ".join(missing)), title=_("Incomplete Stripe setup")
			)

		for fieldname in ("stripe_clearing_account", "stripe_fee_account"):
			account = self.get(fieldname)
			if account and frappe.db.get_value("Account", account, "company") != self.company:
				frappe.throw(
					_("Account {0} does not belong to company {1}").format(frappe.bold(account), self.company)
				)
		if self.stripe_fee_account and frappe.db.get_value("Account", self.stripe_fee_account, "is_group"):
			frappe.throw(_("Stripe Fee Account cannot be a group account"))
