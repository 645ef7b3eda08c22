"""Real-bench tests: pay links on submit, the guest pay page at /pay/<token>, checkout, link status.

Requests go through frappe.app.application in another thread (real routing, guest session, website
renderer); the Checkout Session request goes to the local Stripe stand-in. Data is committed and
purged after each test (stripe_bench.StripeBenchCase).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import threading
import time
from urllib.parse import urlencode

import frappe

from revops_app.core.gateway.paylinks import is_well_formed_token
from revops_app.tests.stripe_bench import COMPANY, CUSTOMER, ITEM, StripeBenchCase
from revops_app.tests.stripe_standin import wsgi_request

CHECKOUT = "/api/method/revops_app.api.pay.checkout"
VIEW = "/api/method/revops_app.api.pay.view"
BROWSER = (
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	"Version/17.5 Mobile/15E148 Safari/604.1"
)


class TestStripePayLinks(StripeBenchCase):
	def page(self, token: str, query: str = "") -> tuple[int, str]:
		status, _headers, body = wsgi_request(self.site, "GET", f"/pay/{token}{query}")
		return status, body

	def press_pay(self, token: str, headers: dict | None = None, **extra) -> tuple[int, dict]:
		status, answer, _body = wsgi_request(
			self.site,
			"POST",
			CHECKOUT,
			data=urlencode({"token": token, **extra}),
			headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
		)
		return status, answer

	def test_submit_creates_link_with_stable_url_on_the_invoice(self):
		si = self.make_invoice(125.50)
		link = self.link_of(si.name)
		self.assertTrue(is_well_formed_token(link.token) and len(link.token) >= 43)
		self.assertEqual(link.url, frappe.utils.get_url(f"/pay/{link.token}"))
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "revops_pay_url"), link.url)
		self.assertEqual((link.status, link.link_state, link.customer), ("Active", "Not Sent", CUSTOMER))
		field = frappe.get_meta("Sales Invoice").get_field("revops_pay_url")
		self.assertTrue(field.allow_on_submit and field.read_only)

	def beacon(self, token: str, agent: str | None = BROWSER, method: str = "POST") -> int:
		headers = {"Content-Type": "application/x-www-form-urlencoded"}
		if agent:
			headers["User-Agent"] = agent
		status, _headers, _body = wsgi_request(
			self.site, method, VIEW, data=urlencode({"token": token}), headers=headers
		)
		return status

	def test_guest_page_shows_invoice_and_its_view_beacon(self):
		si = self.make_invoice(125.50)
		token = self.link_of(si.name).token
		status, body = self.page(token)
		self.assertEqual(status, 200)
		for text in (
			si.name,
			CUSTOMER,
			"USD 125.50",
			'name="token"',
			f'data-token="{token}"',
			VIEW,
			"<script>",
		):
			self.assertIn(text, body)
		self.assertNotIn("/assets/frappe/dist", body)  # no desk or website bundles

	def test_scanners_loading_the_page_are_not_views_the_browser_beacon_is(self):
		si = self.make_invoice(125.50)
		token = self.link_of(si.name).token
		# What a mail security scanner does: fetch (GET, HEAD) with a browser-like or a scanner agent.
		for agent in (BROWSER, "Mimecast URL Protect", None):
			headers = {"User-Agent": agent} if agent else {}
			for method in ("GET", "HEAD"):
				status, _h, _b = wsgi_request(self.site, method, f"/pay/{token}", headers=headers)
				self.assertEqual(status, 200, method)
		self.assertEqual(self.beacon(token, agent="Mozilla/5.0 (compatible; bingbot/2.0)"), 204)
		self.assertEqual(self.beacon(token, agent=None), 204)
		frappe.db.rollback()
		link = self.link_of(si.name)
		self.assertEqual((link.view_count or 0, link.link_state), (0, "Not Sent"))
		self.assertIsNone(link.first_viewed_at)
		# The page's script in a real browser: two page views.
		self.assertEqual(self.beacon(token), 204)
		self.assertEqual(self.beacon(token), 204)
		frappe.db.rollback()
		link = self.link_of(si.name)
		self.assertEqual((link.view_count, link.link_state), (2, "Viewed"))
		self.assertIsNotNone(link.first_viewed_at)
		self.assertGreaterEqual(link.last_viewed_at, link.first_viewed_at)
		# The beacon is POST only, and an unknown token is a 404.
		self.assertNotEqual(self.beacon(token, method="GET"), 204)
		self.assertEqual(self.beacon("A" * 43), 404)
		frappe.db.rollback()
		self.assertEqual(self.link_of(si.name).view_count, 2)

	def test_pressing_pay_in_a_browser_is_a_view(self):
		si = self.make_invoice(20)
		token = self.link_of(si.name).token
		self.assertEqual(self.press_pay(token, headers={"User-Agent": BROWSER})[0], 303)
		frappe.db.rollback()
		link = self.link_of(si.name)
		self.assertEqual((link.view_count, link.link_state), (1, "Viewed"))

	def test_unknown_token_is_a_404_that_reveals_nothing(self):
		si = self.make_invoice(10)
		for token in ("A" * 43, "short", self.link_of(si.name).token[:-1] + "_"):
			status, body = self.page(token)
			self.assertEqual(status, 404, token)
			self.assertNotIn(si.name, body)
			self.assertNotIn(CUSTOMER, body)
		status, _ = self.press_pay("A" * 43)
		self.assertEqual(status, 404)

	def test_pay_creates_a_session_for_the_server_amount_and_redirects(self):
		si = self.make_invoice(125.50)
		link = self.link_of(si.name)
		status, headers = self.press_pay(link.token, amount="1", currency="JPY")  # ignored
		self.assertEqual(status, 303)
		self.assertTrue(headers["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_standin_"))
		(request,) = self.creates(si.name)
		form = request["form"]
		self.assertEqual(form["line_items[0][price_data][unit_amount]"], "12550")
		self.assertEqual(form["line_items[0][price_data][currency]"], "usd")
		self.assertEqual(form["mode"], "payment")
		self.assertEqual((form["metadata[sales_invoice]"], form["metadata[pay_link]"]), (si.name, link.name))
		self.assertEqual(form["payment_intent_data[metadata][sales_invoice]"], si.name)
		self.assertEqual(request["headers"]["idempotency-key"], f"revops-{si.name}-12550-USD-1")
		self.assertTrue(form["success_url"].endswith(f"/pay/{link.token}?paid=success"))
		frappe.db.rollback()
		link = self.link_of(si.name)
		self.assertEqual(link.checkout_attempts, 1)
		self.assertTrue(link.last_checkout_session.startswith("cs_test_standin_"))
		# a second press finds that session open for the same amount and sends the customer back to it
		first = headers["Location"]
		status, headers = self.press_pay(link.token)
		self.assertEqual((status, headers["Location"]), (303, first))
		self.assertEqual(len(self.creates(si.name)), 1)
		self.assertEqual(self.open_for(si.name), [link.last_checkout_session])

	# --- one open Checkout Session per link (issue 3c) ---------------------------------------------

	def creates(self, invoice: str) -> list[dict]:
		return [
			r
			for r in self.standin.requests
			if r["path"] == "/v1/checkout/sessions" and r["form"].get("metadata[sales_invoice]") == invoice
		]

	def open_for(self, invoice: str) -> list[str]:
		return [
			sid
			for sid in self.standin.open_sessions()
			if self.standin.checkout_sessions[sid]["metadata"]["sales_invoice"] == invoice
		]

	def expires(self, invoice: str) -> list[str]:
		"""Ids of this invoice's sessions that an expire request was sent for."""
		ids = [r["path"].split("/")[4] for r in self.standin.requests if r["path"].endswith("/expire")]
		return [
			sid for sid in ids if self.standin.checkout_sessions[sid]["metadata"]["sales_invoice"] == invoice
		]

	def session_of(self, invoice: str) -> str:
		frappe.db.rollback()
		return self.link_of(invoice).last_checkout_session

	def test_press_twice_leaves_one_open_session(self):
		si = self.make_invoice(40)
		token = self.link_of(si.name).token
		locations = {self.press_pay(token)[1]["Location"] for _ in range(3)}
		self.assertEqual(len(locations), 1)
		self.assertEqual(len(self.creates(si.name)), 1)
		self.assertEqual(self.open_for(si.name), [self.session_of(si.name)])
		self.assertEqual(self.expires(si.name), [])

	def test_concurrent_presses_make_one_session(self):
		# The UPDATE of checkout_attempts locks the link row: the presses queue behind the first,
		# which commits its session; the others find it open and reuse it.
		si = self.make_invoice(55)
		token = self.link_of(si.name).token
		results: list[tuple[int, dict]] = []
		threads = [threading.Thread(target=lambda: results.append(self.press_pay(token))) for _ in range(5)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		self.assertEqual([status for status, _ in results], [303] * 5)
		self.assertEqual(len({headers["Location"] for _, headers in results}), 1)
		self.assertEqual(len(self.creates(si.name)), 1)
		self.assertEqual(self.open_for(si.name), [self.session_of(si.name)])

	def test_session_near_expiry_is_expired_before_a_new_one(self):
		si = self.make_invoice(40)
		token = self.link_of(si.name).token
		self.press_pay(token)
		old = self.session_of(si.name)
		self.standin.checkout_sessions[old]["expires_at"] = int(time.time()) + 120
		status, headers = self.press_pay(token)
		new = self.session_of(si.name)
		self.assertEqual(status, 303)
		self.assertNotEqual(new, old)
		self.assertTrue(headers["Location"].endswith(new))
		(expire,) = [r for r in self.standin.requests if r["path"] == f"/v1/checkout/sessions/{old}/expire"]
		self.assertEqual(expire["headers"]["idempotency-key"], f"revops-expire-{old}")
		self.assertEqual(self.standin.checkout_sessions[old]["status"], "expired")
		self.assertEqual(self.open_for(si.name), [new])

	def test_changed_outstanding_expires_the_old_session(self):
		from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

		si = self.make_invoice(100)
		token = self.link_of(si.name).token
		self.press_pay(token)
		old = self.session_of(si.name)
		pe = get_payment_entry(
			"Sales Invoice", si.name, party_amount=30, bank_account=self.masters["clearing"]
		)
		pe.reference_no, pe.reference_date = "manual-3c", frappe.utils.nowdate()
		pe.insert(ignore_permissions=True)
		pe.submit()
		frappe.db.commit()
		self.assertEqual(self.press_pay(token)[0], 303)
		new = self.session_of(si.name)
		self.assertNotEqual(new, old)
		self.assertEqual(self.standin.checkout_sessions[old]["status"], "expired")
		self.assertEqual(self.open_for(si.name), [new])
		self.assertEqual(self.standin.checkout_sessions[new]["amount_total"], 7000)

	def test_paid_session_shows_processing_and_creates_nothing(self):
		si = self.make_invoice(40)
		token = self.link_of(si.name).token
		self.press_pay(token)
		old = self.session_of(si.name)
		self.standin.complete_session(old)
		status, headers = self.press_pay(token)
		self.assertEqual(status, 303)
		self.assertTrue(headers["Location"].endswith(f"/pay/{token}?paid=processing"))
		self.assertEqual(len(self.creates(si.name)), 1)
		self.assertEqual(self.session_of(si.name), old)
		page_status, body = self.page(token, "?paid=processing")
		self.assertEqual(page_status, 200)
		self.assertIn("being processed", body)
		self.assertNotIn("<form", body)

	def test_expire_refused_because_it_just_completed_creates_nothing(self):
		si = self.make_invoice(40)
		token = self.link_of(si.name).token
		self.press_pay(token)
		old = self.session_of(si.name)
		self.standin.checkout_sessions[old]["expires_at"] = int(time.time()) + 120
		self.standin.complete_on_expire.add(old)
		_status, headers = self.press_pay(token)
		self.assertTrue(headers["Location"].endswith("?paid=processing"), headers["Location"])
		self.assertEqual(len(self.creates(si.name)), 1)
		self.assertEqual(self.standin.checkout_sessions[old]["status"], "complete")
		self.assertEqual(self.open_for(si.name), [])

	def test_pay_button_is_rate_limited_per_ip_and_token(self):
		from revops_app.revenue_collections.constants import CHECKOUT_RATE_LIMIT

		si = self.make_invoice(12)
		token = self.link_of(si.name).token
		frappe.db.set_value("RevOps Settings", None, "stripe_enabled", 0)  # presses bounce back, no Stripe
		frappe.db.commit()
		frappe.clear_document_cache("RevOps Settings", "RevOps Settings")
		try:
			statuses = [self.press_pay(token)[0] for _ in range(CHECKOUT_RATE_LIMIT + 1)]
		finally:
			frappe.db.set_value("RevOps Settings", None, "stripe_enabled", 1)
			frappe.db.commit()
			frappe.clear_document_cache("RevOps Settings", "RevOps Settings")
		self.assertEqual(statuses[:-1], [303] * CHECKOUT_RATE_LIMIT)
		self.assertEqual(statuses[-1], 429)

	def test_cancel_and_credit_note_close_the_link(self):
		cancelled = self.make_invoice(15)
		cancelled.reload()
		cancelled.cancel()
		frappe.db.commit()
		self.assertEqual(self.link_of(cancelled.name).status, "Cancelled")
		status, body = self.page(self.link_of(cancelled.name).token)
		self.assertEqual(status, 200)
		self.assertIn("was cancelled", body)
		self.assertNotIn("<form", body)

		from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

		credited = self.make_invoice(25)
		note = make_sales_return(credited.name)
		note.insert(ignore_permissions=True)
		note.submit()
		frappe.db.commit()
		# ERPNext 15.90 may keep the original's outstanding (credit note "Update Outstanding for Self")
		# until reconciliation; the link follows what the customer owes: nothing.
		self.assertEqual(self.link_of(credited.name).status, "Credit Noted")
		self.assertIsNone(self.link_of(note.name))  # a credit note gets no pay link
		status, body = self.page(self.link_of(credited.name).token)
		self.assertIn("credit note", body)
		self.assertEqual(self.press_pay(self.link_of(credited.name).token)[0], 303)
		self.assertFalse([r for r in self.standin.requests if r["path"] == "/v1/checkout/sessions"])

	def test_manual_full_payment_marks_link_paid(self):
		from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

		si = self.make_invoice(33)
		pe = get_payment_entry("Sales Invoice", si.name, bank_account=self.masters["clearing"])
		pe.reference_no, pe.reference_date = "manual-1", frappe.utils.nowdate()
		pe.insert(ignore_permissions=True)
		pe.submit()
		frappe.db.commit()
		link = self.link_of(si.name)
		self.assertEqual((link.status, link.link_state), ("Paid", "Paid"))
		_status, body = self.page(link.token)
		self.assertIn("is paid", body)
		pe.reload()
		pe.cancel()
		frappe.db.commit()
		self.assertEqual(self.link_of(si.name).status, "Active")

	def test_delivery_note_auto_invoice_gets_a_link(self):
		settings = frappe.get_single("RevOps Settings")
		settings.auto_invoice_from_delivery_note = 1
		settings.save(ignore_permissions=True)
		try:
			dn = frappe.get_doc(
				{
					"doctype": "Delivery Note",
					"company": COMPANY,
					"customer": CUSTOMER,
					"currency": "USD",
					"conversion_rate": 1,
					"items": [
						{
							"item_code": ITEM,
							"qty": 2,
							"rate": 45,
							"warehouse": self.masters["warehouse"],
							"cost_center": self.masters["cost_center"],
						}
					],
				}
			)
			dn.insert(ignore_permissions=True)
			dn.submit()
			frappe.db.commit()
			invoice = frappe.db.get_value(
				"Sales Invoice Item", {"delivery_note": dn.name, "docstatus": 1}, "parent"
			)
			self.assertTrue(invoice, "no submitted invoice made from the Delivery Note")
			self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "grand_total"), 90)
			self.assertTrue(self.link_of(invoice))
			self.assertTrue(frappe.db.get_value("Sales Invoice", invoice, "revops_pay_url"))
		finally:
			settings = frappe.get_single("RevOps Settings")
			settings.auto_invoice_from_delivery_note = 0
			settings.save(ignore_permissions=True)
			frappe.db.commit()
