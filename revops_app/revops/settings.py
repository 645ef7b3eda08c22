"""Read RevOps Settings: the switches, the Stripe secrets (decrypted per call, never logged) and the API base.

Plain accessors over the cached single, so glue and endpoints never import the DocType controller.
"""

import frappe

from revops_app.revenue_collections.constants import DEFAULT_STRIPE_API_BASE
from revops_app.revops.constants import SETTINGS_DOCTYPE


def get_settings():
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
	return (get_settings().get("stripe_api_base") or DEFAULT_STRIPE_API_BASE).rstrip("/")
