"""Real-bench test: the webhook refuses an event whose mode (livemode) differs from the site's Stripe key.

A test-mode event on a live site can never be posted (its PaymentIntent does not exist for the live key),
but payment_failed / session.expired events would still move the pay link's state and so the dunning
conditions. The endpoint takes the expected mode from the Secret Key (sk_live_ / sk_test_).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe

from revops_app.revops.constants import LOG_DOCTYPE, SETTINGS_DOCTYPE
from revops_app.tests.stripe_bench import API_KEY, StripeBenchCase


def set_secret_key(key: str) -> None:
	settings = frappe.get_single(SETTINGS_DOCTYPE)
	settings.stripe_secret_key = key
	settings.save(ignore_permissions=True)
	frappe.db.commit()  # the delivery runs on its own connection


class TestWebhookLivemode(StripeBenchCase):
	def expire(self, event_id: str) -> tuple[int, dict]:
		invoice = self.make_invoice(100).name
		link = self.link_of(invoice)
		session = {
			"id": f"cs_test_{event_id}",
			"object": "checkout.session",
			"mode": "payment",
			"status": "expired",
			"payment_status": "unpaid",
			"metadata": {"sales_invoice": invoice, "pay_link": link.name},
		}
		return self.post(event_id, "checkout.session.expired", session)

	def test_test_mode_event_is_refused_on_a_live_key(self):
		set_secret_key("sk_live_revops_bench_key")
		try:
			status, body = self.expire("evt_revops_livemode_mismatch")
		finally:
			set_secret_key(API_KEY)
		self.assertEqual((status, body.get("error")), (400, "livemode_mismatch"), body)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists(LOG_DOCTYPE, {"idempotency_key": "evt_revops_livemode_mismatch"}))

	def test_test_mode_event_is_accepted_on_a_test_key(self):
		status, body = self.expire("evt_revops_livemode_match")
		self.assertEqual((status, body.get("status")), (200, "queued"), body)
