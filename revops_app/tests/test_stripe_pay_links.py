"""Real-bench tests: pay links on submit, the guest pay page at /pay/<token>, checkout, link status.

Requests go through frappe.app.application in another thread (real routing, guest session, website
renderer); the Checkout Session request goes to the local Stripe stand-in. Data is committed and
purged after each test (stripe_bench.StripeBenchCase).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from urllib.parse import urlencode

import frappe

from revops_app.core.gateway.paylinks import is_well_formed_token
from revops_app.tests.stripe_bench import COMPANY, CUSTOMER, ITEM, StripeBenchCase
from revops_app.tests.stripe_standin import wsgi_request

CHECKOUT = "/api/method/revops_app.api.pay.checkout"


class TestStripePayLinks(StripeBenchCase):
	def page(self, token: str, query: str = "") -> tuple[int, str]:
		status, _headers, body = wsgi_request(self.site, "GET", f"/pay/{token}{query}")
		return status, body

	def press_pay(self, token: str, **extra) -> tuple[int, dict]:
		status, headers, _body = wsgi_request(
			self.site,
			"POST",
			CHECKOUT,
			data=urlencode({"token": token, **extra}),
			headers={"Content-Type": "application/x-www-form-urlencoded"},
		)
		return status, headers

	def test_submit_creates_link_with_stable_url_on_the_invoice(self):
		si = self.make_invoice(125.50)
		link = self.link_of(si.name)
		self.assertTrue(is_well_formed_token(link.token) and len(link.token) >= 43)
		self.assertEqual(link.url, frappe.utils.get_url(f"/pay/{link.token}"))
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "revops_pay_url"), link.url)
		self.assertEqual((link.status, link.link_state, link.customer), ("Active", "Not Sent", CUSTOMER))
		field = frappe.get_meta("Sales Invoice").get_field("revops_pay_url")
		self.assertTrue(field.allow_on_submit and field.read_only)

	def test_guest_page_shows_invoice_and_counts_views(self):
		si = self.make_invoice(125.50)
		token = self.link_of(si.name).token
		status, body = self.page(token)
		self.assertEqual(status, 200)
		for text in (si.name, CUSTOMER, "USD 125.50", 'name="token"'):
			self.assertIn(text, body)
		self.assertNotIn("/assets/frappe/dist", body)  # no desk or website bundles
		self.page(token)
		frappe.db.rollback()
		link = self.link_of(si.name)
		self.assertEqual((link.view_count, link.link_state), (2, "Viewed"))
		self.assertIsNotNone(link.first_viewed_at)
		self.assertGreaterEqual(link.last_viewed_at, link.first_viewed_at)

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
		(request,) = [r for r in self.standin.requests if r["path"] == "/v1/checkout/sessions"]
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
		# a second press is a new attempt, hence a new key and a fresh session
		self.press_pay(link.token)
		keys = [
			r["headers"]["idempotency-key"]
			for r in self.standin.requests
			if r["path"] == "/v1/checkout/sessions"
		]
		self.assertEqual(keys[-1], f"revops-{si.name}-12550-USD-2")

	def test_pay_button_is_rate_limited_per_ip_and_token(self):
		from revops_app.constants import CHECKOUT_RATE_LIMIT

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
