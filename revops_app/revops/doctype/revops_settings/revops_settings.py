# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

from revops_app.constants import SETTINGS_DOCTYPE

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


def get_settings() -> "RevOpsSettings":
	return frappe.get_cached_doc(SETTINGS_DOCTYPE)


def is_enabled(feature: str | None = None) -> bool:
	"""True when the app is on and, if `feature` names a Check field (e.g. "stripe_enabled"), that too."""
	settings = get_settings()
	if not settings.enabled:
		return False
	return bool(settings.get(feature)) if feature else True


def get_webhook_secrets() -> list[str]:
	"""Every enabled signing secret, decrypted; rotation means more than one may be live."""
	settings = get_settings()
	secrets = []
	for row in settings.webhook_secrets:
		if row.enabled:
			secret = row.get_password("signing_secret", raise_exception=False)
			if secret:
				secrets.append(secret)
	return secrets


def get_stripe_secret_key() -> str | None:
	"""The Stripe secret key, decrypted for one call; never logged."""
	return get_settings().get_password("stripe_secret_key", raise_exception=False)


def get_stripe_api_base() -> str:
	"""Where Stripe API calls go: https://api.stripe.com unless a stand-in (stripe-mock) is configured."""
	from revops_app.constants import DEFAULT_STRIPE_API_BASE

	return (get_settings().get("stripe_api_base") or DEFAULT_STRIPE_API_BASE).rstrip("/")
