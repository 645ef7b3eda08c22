"""Real-bench tests of RevOps Settings: secrets stay encrypted, incomplete Stripe setup is refused."""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.tests.utils import FrappeTestCase

from revops_app.revops.constants import SETTINGS_DOCTYPE
from revops_app.revops.settings import get_webhook_secrets
from revops_app.tests.utils import get_test_company


class TestRevOpsSettings(FrappeTestCase):
	def test_secrets_are_stored_encrypted_and_every_enabled_secret_is_returned(self):
		settings = frappe.get_single(SETTINGS_DOCTYPE)
		settings.webhook_secrets = []
		settings.append(
			"webhook_secrets", {"label": "primary", "signing_secret": "whsec_primary", "enabled": 1}
		)
		settings.append("webhook_secrets", {"label": "old", "signing_secret": "whsec_old", "enabled": 1})
		settings.append("webhook_secrets", {"label": "off", "signing_secret": "whsec_off", "enabled": 0})
		settings.enabled = 0
		settings.save(ignore_permissions=True)

		stored = frappe.db.get_all("RevOps Webhook Secret", fields=["signing_secret"], pluck="signing_secret")
		self.assertNotIn("whsec_primary", stored)
		self.assertEqual(sorted(get_webhook_secrets()), ["whsec_old", "whsec_primary"])

	def test_enabling_stripe_without_accounts_is_refused(self):
		settings = frappe.get_single(SETTINGS_DOCTYPE)
		settings.enabled = 1
		settings.stripe_enabled = 1
		settings.company = get_test_company()
		settings.stripe_clearing_account = None
		with self.assertRaises(frappe.ValidationError):
			settings.save(ignore_permissions=True)
