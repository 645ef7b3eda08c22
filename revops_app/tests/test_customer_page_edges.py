"""Real-bench tests: an invoice on two pages (its own pay link and its customer page).

- At most one Checkout Session, on either side, can take money for an invoice: a press on one side
  expires the other side's open session covering the same invoice at Stripe (the local stand-in) before
  its own session is made, and answers "processing" (no new session) while that other session is paid.
- A session known expired (expired by a press, or Stripe's checkout.session.expired) is cleared from the
  row recording it: later presses send Stripe no request about it (counted at the stand-in). A paid
  session stays recorded: each press asks about it and answers "processing".
- A dispute of a customer page payment that paid several invoices flags every one of their pay links
  (what dunning reads to pause), and a won dispute clears them all; the money stays one Journal Entry
  per phase against the customer.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from urllib.parse import urlencode

import frappe

from revops_app.core.gateway.customer_checkout import invoices_from_metadata
from revops_app.tests.stripe_standin import dispute, wsgi_request
from revops_app.tests.test_customer_page import FORM, CustomerPageCase, unique

PAY_CHECKOUT = "/api/method/revops_app.api.pay.checkout"


class TestInvoiceOnTwoPages(CustomerPageCase):
	def press_link(self, invoice: str) -> tuple[int, dict]:
		status, headers, _body = wsgi_request(
			self.site,
			"POST",
			PAY_CHECKOUT,
			data=urlencode({"token": self.link_of(invoice).token}),
			headers=FORM,
		)
		return status, headers

	def last_session(self, invoice: str) -> str | None:
		frappe.db.rollback()  # the press committed in another thread: a fresh snapshot
		return self.link_of(invoice).last_checkout_session

	def calls(self) -> list[tuple[str, str]]:
		"""The session creates and expires sent to Stripe, in order: ("create", invoice or page) /
		("expire", session id)."""
		seen = []
		for r in self.standin.requests:
			if r["method"] != "POST":
				continue
			if r["path"] == "/v1/checkout/sessions":
				form = r["form"]
				seen.append(
					("create", form.get("metadata[sales_invoice]") or form.get("metadata[customer_page]"))
				)
			elif r["path"].endswith("/expire"):
				seen.append(("expire", r["path"].split("/")[-2]))
		return seen

	def test_pressing_an_invoice_link_expires_the_open_customer_page_session_first(self):
		a, b, _c = self.three_invoices()
		page = self.page()
		status, headers, _ = self.press(page.token, "selected", [a.name, b.name])
		self.assertEqual(status, 303)
		page_session = self.session_of(headers["Location"])
		self.assertEqual(invoices_from_metadata(self.standin.checkout_sessions[page_session]["metadata"]),
			(a.name, b.name))  # fmt: skip
		status, headers = self.press_link(a.name)
		self.assertEqual(status, 303)
		link_session = self.last_session(a.name)
		self.assertEqual(headers["Location"], self.standin.checkout_sessions[link_session]["url"])
		self.assertEqual(self.standin.checkout_sessions[page_session]["status"], "expired")
		self.assertEqual(self.calls(), [("create", page.name), ("expire", page_session), ("create", a.name)])
		self.assertEqual(self.standin.open_sessions(), [link_session])
		# an invoice the page's session did not cover leaves it alone
		self.standin.requests.clear()
		_status, headers, _ = self.press(page.token, "selected", [b.name])
		self.press_link(_c.name)
		self.assertEqual([call[0] for call in self.calls()], ["create", "create"])

	def test_pressing_the_customer_page_expires_the_open_invoice_link_sessions_first(self):
		a, b, _c = self.three_invoices()
		self.press_link(a.name)
		self.press_link(b.name)
		link_a = self.last_session(a.name)
		link_b = self.last_session(b.name)
		page = self.page()
		status, headers, _ = self.press(page.token, "selected", [a.name, b.name])
		self.assertEqual(status, 303)
		page_session = self.session_of(headers["Location"])
		expired = [sid for _name, sid in sorted([(a.name, link_a), (b.name, link_b)])]  # name order
		self.assertEqual(
			self.calls(),
			[("create", a.name), ("create", b.name), *(("expire", sid) for sid in expired),
				("create", page.name)],
		)  # fmt: skip
		self.assertEqual(self.standin.open_sessions(), [page_session])

	def test_a_paid_session_on_the_other_side_makes_no_new_one(self):
		a, b, _c = self.three_invoices()
		page = self.page()
		_status, headers, _ = self.press(page.token, "selected", [a.name, b.name])
		self.standin.complete_session(self.session_of(headers["Location"]))
		status, headers = self.press_link(a.name)
		self.assertEqual(status, 303)
		self.assertTrue(headers["Location"].endswith("?paid=processing"), headers["Location"])
		self.assertEqual([call for call in self.calls() if call[0] == "create"], [("create", page.name)])

	def test_a_payment_in_flight_on_an_invoice_link_keeps_the_page_from_a_session_covering_it(self):
		a, b, _c = self.three_invoices()
		self.press_link(a.name)
		self.standin.complete_session(self.last_session(a.name), paid=False)
		before = self.page().last_checkout_session
		status, headers, _ = self.press(self.page().token, "selected", [a.name, b.name])
		self.assertEqual(status, 303)
		self.assertTrue(headers["Location"].endswith("?paid=processing"), headers["Location"])
		self.assertEqual(self.calls(), [("create", a.name)])
		self.assertEqual(self.page().last_checkout_session, before)

	def looks(self) -> list[str]:
		"""The sessions Stripe was asked about (GET /v1/checkout/sessions/{id}), in order."""
		prefix = "/v1/checkout/sessions/"
		return [
			r["path"][len(prefix) :]
			for r in self.standin.requests
			if r["method"] == "GET" and r["path"].startswith(prefix)
		]

	def expire_at_stripe(self, session_id: str) -> None:
		"""The session times out at Stripe, which sends checkout.session.expired; the worker handles it."""
		self.standin.checkout_sessions[session_id].update(status="expired", url=None)
		event_id = unique("evt")
		self.post(event_id, "checkout.session.expired", dict(self.standin.checkout_sessions[session_id]))
		self.process(event_id)
		self.assertEqual(self.log_of(event_id).status, "Success", self.log_of(event_id).message)

	def test_a_session_known_expired_is_forgotten_and_stripe_is_not_asked_about_it_again(self):
		a, b, c = self.three_invoices()
		page = self.page()
		_status, headers, _ = self.press(page.token, "selected", [a.name, b.name])
		page_session = self.session_of(headers["Location"])
		# The link press expires the page's session at Stripe and clears it from the page row.
		self.press_link(a.name)
		link_session = self.last_session(a.name)
		self.assertEqual(self.calls(), [("create", page.name), ("expire", page_session), ("create", a.name)])
		self.assertIsNone(self.page().last_checkout_session)
		# Pressing the link again looks only at its own open session (reused), not at the page's.
		self.standin.requests.clear()
		_status, headers = self.press_link(a.name)
		self.assertEqual(headers["Location"], self.standin.checkout_sessions[link_session]["url"])
		self.assertEqual(self.looks(), [link_session])
		# The page's next press (for C, which the link's session does not cover) asks Stripe nothing first.
		self.standin.requests.clear()
		_status, headers, _ = self.press(page.token, "selected", [c.name])
		c_session = self.session_of(headers["Location"])
		self.assertEqual((self.looks(), self.calls()), ([], [("create", page.name)]))
		# Stripe's expiry webhooks: the page and the link forget their sessions; no later look at them.
		self.expire_at_stripe(c_session)
		self.expire_at_stripe(link_session)
		self.assertIsNone(self.page().last_checkout_session)
		self.assertIsNone(self.last_session(a.name))
		self.standin.requests.clear()
		self.press_link(a.name)
		_status, headers, _ = self.press(page.token, "selected", [c.name])
		self.assertEqual(self.looks(), [])
		self.assertEqual(self.calls(), [("create", a.name), ("create", page.name)])
		# A paid session stays recorded: each press asks about it and answers "processing".
		paid = self.session_of(headers["Location"])
		self.standin.complete_session(paid)
		self.standin.requests.clear()
		for _ in range(2):
			_status, headers, _ = self.press(page.token, "selected", [c.name])
			self.assertTrue(headers["Location"].endswith("?paid=processing"), headers["Location"])
		self.assertEqual(self.page().last_checkout_session, paid)
		self.assertEqual((self.looks(), self.calls()), ([paid, paid], []))


class TestDisputeOfSeveralInvoices(CustomerPageCase):
	def test_a_dispute_flags_every_invoice_the_payment_paid_and_won_clears_them_all(self):
		a, b, c = self.three_invoices()
		_status, headers, _ = self.press(self.page().token, "selected", [a.name, b.name])
		pi, events = self.pay(self.session_of(headers["Location"]), fee=432)
		self.process(events[0])
		dp = unique("du")
		opened = unique("evt")
		self.post(opened, "charge.dispute.created", dispute(pi, dp, 14550, "needs_response", fee=1500))
		self.process(opened)
		log = self.log_of(opened)
		self.assertEqual(log.status, "Success", log.message)
		for invoice in (a.name, b.name):
			link = self.link_of(invoice)
			self.assertEqual((link.disputed, link.dispute_id, link.dispute_status, link.link_state),
				(1, dp, "needs_response", "Disputed"), invoice)  # fmt: skip
		self.assertEqual(self.link_of(c.name).disputed, 0)  # not paid by that payment
		# one withdrawal, against the customer, as before
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp, "docstatus": 1}), 1)
		todos = frappe.get_all("ToDo", filters={"reference_type": "Sales Invoice",
			"description": ["like", f"%{dp}%"]}, fields=["reference_name", "description"])  # fmt: skip
		self.assertTrue(todos)
		self.assertEqual({t.reference_name for t in todos}, {a.name})  # one ToDo per manager, on A
		self.assertTrue(all(b.name in t.description for t in todos))
		won = unique("evt")
		self.post(won, "charge.dispute.closed", dispute(pi, dp, 14550, "won", fee=1500, reinstated=True))
		self.process(won)
		self.assertEqual(self.log_of(won).status, "Success", self.log_of(won).message)
		for invoice in (a.name, b.name):
			link = self.link_of(invoice)
			self.assertEqual((link.disputed, link.dispute_status), (0, "won"), invoice)
			self.assertNotEqual(link.link_state, "Disputed")
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp, "docstatus": 1}), 2)
		# a late `created` for the closed dispute reopens none of them
		late = unique("evt")
		self.post(late, "charge.dispute.created", dispute(pi, dp, 14550, "needs_response", fee=1500,
			reinstated=True))  # fmt: skip
		self.process(late)
		self.assertEqual({self.link_of(n).disputed for n in (a.name, b.name)}, {0})
