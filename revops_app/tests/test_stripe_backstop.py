"""Real-bench tests: the missed-event backstop posts what the webhook never delivered, exactly once.

The stand-in holds the account's events (GET /v1/events); the backstop lists them since the checkpoint
with the stripe SDK and stores each unseen one like a webhook; the worker posts it. A webhook arriving
late for the same event is a duplicate.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import json
import time

import frappe

from revops_app.revenue_collections.settlement import backstop
from revops_app.revops.constants import LOG_DOCTYPE, SETTINGS_DOCTYPE
from revops_app.tests.stripe_bench import SECRET, StripeBenchCase
from revops_app.tests.stripe_standin import deliver, event, session_completed, sign


def unique(prefix: str) -> str:
	return f"{prefix}_rtest{frappe.generate_hash(length=14)}"


def set_checkpoint(value: int | None) -> None:
	frappe.db.set_single_value(SETTINGS_DOCTYPE, backstop.CHECKPOINT_FIELD, value or 0)
	frappe.db.commit()
	frappe.clear_document_cache(SETTINGS_DOCTYPE, SETTINGS_DOCTYPE)


def checkpoint() -> int:
	frappe.db.rollback()
	return frappe.db.get_single_value(SETTINGS_DOCTYPE, backstop.CHECKPOINT_FIELD)


class TestStripeBackstop(StripeBenchCase):
	def setUp(self) -> None:
		super().setUp()
		self.previous_checkpoint = checkpoint()
		self.standin.events.clear()
		self.standin.events_status = 200
		self.run_logs: list[str] = []

	def tearDown(self) -> None:
		frappe.db.rollback()
		if self.run_logs:
			frappe.db.delete(LOG_DOCTYPE, {"name": ["in", self.run_logs]})
		set_checkpoint(self.previous_checkpoint)
		super().tearDown()

	def run_backstop(self, now: int | None = None) -> frappe._dict:
		name = backstop.run(now=now)
		self.run_logs.append(name)
		frappe.db.rollback()
		return frappe.db.get_value(LOG_DOCTYPE, name, "*", as_dict=True)

	def missed_payment(self, rate: float):
		"""An invoice paid at Stripe whose checkout.session.completed webhook never arrived."""
		si = self.make_invoice(rate)
		link = self.link_of(si.name)
		pi, evt = unique("pi"), unique("evt")
		minor = round(rate * 100)
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=minor, fee=0)
		obj = session_completed(pi, si.name, link.name, minor)
		self.standin.events.append(
			json.loads(event(evt, "checkout.session.completed", obj, created=int(time.time()) - 300))
		)
		self.events.append(evt)
		return si, link, evt, obj

	def test_missed_events_posted_by_the_next_run_once_even_when_the_webhook_arrives_late(self):
		set_checkpoint(int(time.time()) - 3_600)
		first, _link, first_evt, first_obj = self.missed_payment(40)
		second, _link2, second_evt, _obj = self.missed_payment(60)
		self.standin.page_size = 1  # the run must follow the pages

		run = self.run_backstop()
		self.assertEqual(run.status, "Success", run.message)
		self.assertIn("fed 2 the webhook never delivered", run.message)
		self.assertIn(first_evt, run.message)
		self.process(first_evt, second_evt)
		for si, evt in ((first, first_evt), (second, second_evt)):
			log = self.log_of(evt)
			self.assertEqual(log.status, "Success", log.message)
			self.assertIn("received from the missed-event backstop", log.message)
			self.assertEqual(len(self.receipts(si.name)), 1)
		self.assertGreaterEqual(checkpoint(), int(time.time()) - 60)
		listed = [r for r in self.standin.requests if r["path"] == "/v1/events"]
		self.assertIn("payout.paid", [v for k, v in listed[0]["query"].items() if k.startswith("types[")])

		# the webhook finally arrives: a duplicate, nothing posted again
		payload = event(first_evt, "checkout.session.completed", first_obj)
		status, body = deliver(self.site, payload, sign(payload, SECRET))
		self.assertEqual((status, body.get("status")), (200, "duplicate"), body)
		self.assertEqual(len(self.receipts(first.name)), 1)

		# the next run finds nothing missing
		again = self.run_backstop()
		self.assertIn("none was missing", again.message)
		self.assertEqual(frappe.db.count(LOG_DOCTYPE, {"idempotency_key": first_evt}), 1)

	def test_failed_listing_leaves_the_checkpoint(self):
		start = int(time.time()) - 7_200
		set_checkpoint(start)
		self.standin.events_status = 400
		run = self.run_backstop()
		self.assertEqual(run.status, "Error")
		self.assertIn("checkpoint left at", run.message)
		self.assertEqual(checkpoint(), start)

	def test_checkpoint_past_stripes_30_days_is_reported(self):
		set_checkpoint(int(time.time()) - 40 * 86_400)
		run = self.run_backstop()
		self.assertEqual(run.status, "Success", run.message)
		self.assertIn("older than Stripe keeps events", run.message)
