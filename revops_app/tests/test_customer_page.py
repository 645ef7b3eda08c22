"""Real-bench tests: the customer page (/customer-pay/<token>), its one Checkout Session for several invoices,
settlement into one Payment Entry (oldest due first, the fee split) exactly once, a chosen amount, and the
money checked against ERPNext's own figures (outstanding, Payment Ledger, GL).

Requests go through frappe.app.application in another thread (stripe_standin.wsgi_request); Stripe is the
local stand-in; data is committed and purged after each test (stripe_bench.StripeBenchCase).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from decimal import Decimal
from urllib.parse import urlencode

import frappe
from frappe.utils import add_days, nowdate

from revops_app.core.gateway.customer_checkout import invoices_from_metadata
from revops_app.core.gateway.customer_page import page_name
from revops_app.core.gateway.paylinks import is_well_formed_token
from revops_app.revenue_collections.checkout_limit import reset_checkout_slots
from revops_app.revenue_collections.constants import (
	CUSTOMER_DUNNING_POLICY_FIELD,
	CUSTOMER_PAGE_DOCTYPE,
	DUNNING_POLICY_DOCTYPE,
)
from revops_app.tests.stripe_bench import COMPANY, CUSTOMER, StripeBenchCase, money
from revops_app.tests.stripe_standin import charge_refunded, dispute, intent_succeeded, wsgi_request
from revops_app.tests.utils import ensure_fiscal_years, gl_totals_by_account, outstanding_against

D = Decimal
CHECKOUT = "/api/method/revops_app.api.customer_pay.checkout"
OTHER = "RevOps Stripe Other Customer"
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def unique(prefix: str) -> str:
	return f"{prefix}_rtest{frappe.generate_hash(length=14)}"


class CustomerPageCase(StripeBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		ensure_fiscal_years([add_days(nowdate(), -60), nowdate()], COMPANY)
		if not frappe.db.exists("Customer", OTHER):
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": OTHER,
					"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
					"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
				}
			).insert(ignore_permissions=True)
		name = "RevOps Customer Page Test Policy"
		if not frappe.db.exists(DUNNING_POLICY_DOCTYPE, name):
			frappe.get_doc(
				{
					"doctype": DUNNING_POLICY_DOCTYPE,
					"policy_name": name,
					"enabled": 1,
					"max_attempts": 3,
					"steps": [
						{
							"step_name": "Overdue 1",
							"offset_days": 1,
							"if_overdue": 1,
							"channel": "Email",
							"email_template": "RevOps Dunning: Payment Overdue",
						}
					],
				}
			).insert(ignore_permissions=True)
		cls.policy = name
		cls.previous_policy = frappe.db.get_value("Customer", CUSTOMER, CUSTOMER_DUNNING_POLICY_FIELD)
		frappe.db.set_value("Customer", CUSTOMER, CUSTOMER_DUNNING_POLICY_FIELD, name)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls) -> None:
		frappe.db.rollback()
		frappe.db.set_value("Customer", CUSTOMER, CUSTOMER_DUNNING_POLICY_FIELD, cls.previous_policy)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self) -> None:
		super().setUp()
		# the stand-in lives for the class: each test sees only its own sessions and requests
		self.standin.checkout_sessions.clear()
		self.standin.requests.clear()

	def tearDown(self) -> None:
		frappe.db.rollback()
		for page in frappe.get_all(CUSTOMER_PAGE_DOCTYPE, filters={"company": COMPANY}, pluck="name"):
			reset_checkout_slots(f"{CUSTOMER_PAGE_DOCTYPE}:{page}")
		super().tearDown()

	# --- helpers -------------------------------------------------------------------------------

	def policy_allows(self, **values) -> None:
		frappe.db.set_value(DUNNING_POLICY_DOCTYPE, self.policy, values)
		frappe.db.commit()
		self.addCleanup(self._reset_policy)

	def _reset_policy(self) -> None:
		frappe.db.rollback()
		frappe.db.set_value(
			DUNNING_POLICY_DOCTYPE, self.policy, {"allow_customer_amount": 0, "minimum_customer_amount": 0}
		)
		frappe.db.commit()

	def three_invoices(self):
		"""Due 10 days ago, in 10 days and in 30 days (posted 40, 20 and 0 days ago); amounts differ."""
		return [
			self.make_invoice(rate, posting_date=add_days(nowdate(), -days))
			for rate, days in ((100, 40), (45.50, 20), (30, 0))
		]

	def page(self, customer: str = CUSTOMER) -> frappe._dict:
		frappe.db.rollback()
		return frappe.db.get_value(
			CUSTOMER_PAGE_DOCTYPE, page_name(customer, COMPANY, "USD"), "*", as_dict=True
		)

	def get(self, token: str) -> tuple[int, str]:
		status, _headers, body = wsgi_request(self.site, "GET", f"/customer-pay/{token}")
		return status, body

	def press(self, token: str, mode: str, invoices=(), amount=None, headers=None) -> tuple[int, dict, str]:
		fields = [("token", token), ("mode", mode)] + [("invoice", name) for name in invoices]
		if amount is not None:
			fields.append(("amount", amount))
		return wsgi_request(
			self.site, "POST", CHECKOUT, data=urlencode(fields), headers={**FORM, **(headers or {})}
		)

	def pay(self, session_id: str, *, fee: int, amount: int | None = None) -> tuple[str, list[str]]:
		"""The customer pays in the session: the PaymentIntent with the session's metadata, and both events."""
		session = self.standin.checkout_sessions[session_id]
		amount = session["amount_total"] if amount is None else amount
		pi = unique("pi")
		metadata = {k: v for k, v in session["metadata"].items() if v}
		self.standin.add_intent(pi, invoice=None, pay_link=None, amount=amount, fee=fee, metadata=metadata)
		completed = {
			"id": session_id,
			"object": "checkout.session",
			"mode": "payment",
			"status": "complete",
			"payment_status": "paid",
			"amount_total": amount,
			"currency": "usd",
			"payment_intent": pi,
			"client_reference_id": metadata["customer_page"],
			"metadata": metadata,
		}
		succeeded = {
			"id": pi,
			"object": "payment_intent",
			"amount": amount,
			"amount_received": amount,
			"currency": "usd",
			"status": "succeeded",
			"latest_charge": "ch_" + pi[3:],
			"metadata": metadata,
		}
		events = [unique("evt"), unique("evt")]
		for event_id, (event_type, obj) in zip(
			events,
			(("checkout.session.completed", completed), ("payment_intent.succeeded", succeeded)),
			strict=True,
		):
			status, body = self.post(event_id, event_type, obj)
			self.assertEqual((status, body.get("status")), (200, "queued"), body)
		return pi, events

	def session_of(self, location: str) -> str:
		(session_id,) = [sid for sid, s in self.standin.checkout_sessions.items() if s["url"] == location]
		return session_id

	def receipt(self, pi: str) -> frappe._dict:
		(pe,) = frappe.get_all("Payment Entry", filters={"reference_no": pi, "docstatus": 1}, fields=["*"])
		return pe

	def references(self, pe: str) -> list[tuple[str, Decimal]]:
		rows = frappe.get_all(
			"Payment Entry Reference",
			filters={"parent": pe, "parenttype": "Payment Entry"},
			fields=["reference_name", "allocated_amount"],
			order_by="idx",
		)
		return [(row.reference_name, money(row.allocated_amount)) for row in rows]

	def gl_against(self, pe: str, invoice: str) -> Decimal:
		"""What the Payment Entry's GL rows credit against the invoice (ERPNext's own ledger)."""
		rows = frappe.get_all(
			"GL Entry",
			filters={"voucher_no": pe, "against_voucher": invoice, "is_cancelled": 0},
			fields=["credit", "debit"],
		)
		return money(sum(row.credit - row.debit for row in rows))


class TestCustomerPage(CustomerPageCase):
	def test_one_stable_page_per_customer_lists_only_its_open_invoices(self):
		a, b, c = self.three_invoices()
		foreign = self.make_invoice(77, customer=OTHER)
		page = self.page()
		self.assertTrue(is_well_formed_token(page.token) and len(page.token) >= 43)
		self.assertEqual(page.url, frappe.utils.get_url(f"/customer-pay/{page.token}"))
		self.assertEqual(
			frappe.db.count(CUSTOMER_PAGE_DOCTYPE, {"customer": CUSTOMER, "company": COMPANY}), 1
		)

		status, body = self.get(page.token)
		self.assertEqual(status, 200)
		for text in (a.name, b.name, c.name, "USD 100.00", "USD 45.50", "USD 30.00", "USD 175.50", CUSTOMER):
			self.assertIn(text, body)
		self.assertLess(body.index(a.name), body.index(b.name))
		self.assertLess(body.index(b.name), body.index(c.name))
		self.assertIn("10 days overdue", body)
		self.assertNotIn(foreign.name, body)
		self.assertNotIn("USD 77.00", body)
		self.assertNotIn("/assets/frappe/dist", body)
		# the other customer's own page shows only its invoice
		other = self.page(OTHER)
		status, body = self.get(other.token)
		self.assertIn(foreign.name, body)
		self.assertNotIn(a.name, body)
		# unknown tokens: one 404 whatever the reason
		for token in ("A" * 43, "short", page.token[:-1] + ("B" if page.token[-1] != "B" else "C")):
			self.assertEqual(self.get(token)[0], 404)

	def test_pay_selected_is_one_session_naming_the_invoices_and_reused_for_the_same_choice(self):
		a, _b, c = self.three_invoices()
		token = self.page().token
		status, headers, _body = self.press(token, "selected", [c.name, a.name])
		self.assertEqual(status, 303)
		session_id = self.session_of(headers["Location"])
		session = self.standin.checkout_sessions[session_id]
		self.assertEqual(session["amount_total"], 13000)
		self.assertEqual(invoices_from_metadata(session["metadata"]), (a.name, c.name))
		self.assertEqual(session["metadata"]["customer_page"], self.page().name)
		(create,) = [r for r in self.standin.requests if r["path"] == "/v1/checkout/sessions"]
		self.assertEqual(create["form"]["line_items[0][price_data][unit_amount]"], "10000")
		self.assertEqual(create["form"]["line_items[1][price_data][unit_amount]"], "3000")
		self.assertTrue(
			create["headers"]["idempotency-key"].startswith(f"revops-cp-{self.page().name}-13000-USD-")
		)
		# the same choice again: the same open session (one live session per page)
		status, headers, _ = self.press(token, "selected", [a.name, c.name])
		self.assertEqual((status, self.session_of(headers["Location"])), (303, session_id))
		# another choice: the previous session is expired first, then a new one
		status, headers, _ = self.press(token, "all")
		self.assertEqual(self.standin.checkout_sessions[session_id]["status"], "expired")
		self.assertEqual(self.standin.open_sessions(), [self.session_of(headers["Location"])])
		self.assertEqual(
			self.standin.checkout_sessions[self.session_of(headers["Location"])]["amount_total"], 17550
		)
		self.assertEqual(self.page().checkout_attempts, 3)

	def test_bad_choices_are_refused_and_write_nothing(self):
		a, _b, _c = self.three_invoices()
		foreign = self.make_invoice(10)  # the same customer's, then cancelled: no longer open
		foreign.cancel()
		frappe.db.commit()
		token = self.page().token
		for mode, invoices, amount in (
			("selected", [], None),
			("selected", [a.name, foreign.name], None),
			("selected", ["ACC-SINV-OTHER-00001"], None),
			("amount", [], "50"),  # the policy does not allow a chosen amount
			("steal", [], None),
		):
			status, _headers, body = self.press(token, mode, invoices, amount)
			self.assertEqual(status, 400, (mode, invoices, body))
			self.assertIn("invalid_choice", body)
		# a browser's own form post goes back to the page, which asks to choose again
		status, headers, _ = self.press(token, "selected", [], headers={"Accept": "text/html,*/*"})
		self.assertEqual(status, 303)
		self.assertTrue(headers["Location"].endswith(f"/customer-pay/{token}?paid=invalid"))
		self.assertIn("could not be paid", self.get(token + "?paid=invalid")[1])
		self.assertEqual(self.page().checkout_attempts or 0, 0)
		self.assertEqual(self.standin.open_sessions(), [])
		self.assertEqual(self.press("A" * 43, "all")[0], 404)

	def test_pay_all_posts_one_entry_oldest_due_first_with_the_fee_split_and_erpnext_agrees(self):
		a, b, c = self.three_invoices()
		token = self.page().token
		_status, headers, _ = self.press(token, "all")
		pi, events = self.pay(self.session_of(headers["Location"]), fee=539)
		self.process(*events)  # both events at once, in two workers
		for event_id in events:
			self.assertEqual(self.log_of(event_id).status, "Success", self.log_of(event_id).message)
		pe = self.receipt(pi)
		self.assertEqual(
			self.references(pe.name), [(a.name, D("100.00")), (b.name, D("45.50")), (c.name, D("30.00"))]
		)
		self.assertEqual((money(pe.paid_amount), money(pe.unallocated_amount)), (D("170.11"), D("0.00")))
		deductions = frappe.get_all(
			"Payment Entry Deduction",
			filters={"parent": pe.name},
			fields=["amount", "description"],
			order_by="idx",
		)
		self.assertEqual([money(d.amount) for d in deductions], [D("3.07"), D("1.40"), D("0.92")])
		for row, invoice in zip(deductions, (a, b, c), strict=True):
			self.assertIn(invoice.name, row.description)
		gl = self.gl(pe.name)
		self.assertEqual(gl[self.masters["clearing"]], (D("170.11"), D("0.00")))
		self.assertEqual(gl[self.masters["fee"]], (D("5.39"), D("0.00")))
		self.assertEqual(gl[self.masters["receivable"]], (D("0.00"), D("175.50")))
		for invoice, allocated in ((a, "100.00"), (b, "45.50"), (c, "30.00")):
			self.assertEqual(self.gl_against(pe.name, invoice.name), D(allocated))
			self.assertEqual(
				money(frappe.db.get_value("Sales Invoice", invoice.name, "outstanding_amount")), 0
			)
			self.assertEqual(money(outstanding_against(invoice.name)), 0)
			self.assertEqual(frappe.db.get_value("Sales Invoice", invoice.name, "status"), "Paid")
			self.assertEqual(self.link_of(invoice.name).status, "Paid")
		self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": pi, "docstatus": 1}), 1)
		self.assertEqual(self.page().last_payment_intent, pi)
		# the second of the two events, run while the first held the locks, found its entry
		messages = sorted(self.log_of(event_id).message for event_id in events)
		self.assertEqual(sum("already settled" in m for m in messages), 1, messages)
		self.assertIn("Nothing to pay", self.get(token)[1])

	def test_a_chosen_amount_is_a_partial_allocation_oldest_due_first(self):
		self.policy_allows(allow_customer_amount=1, minimum_customer_amount=25)
		a, b, c = self.three_invoices()
		token = self.page().token
		self.assertIn('name="amount"', self.get(token)[1])
		status, _headers, body = self.press(token, "amount", amount="10")
		self.assertEqual(status, 400)
		self.assertIn("USD 25.00", body)
		status, headers, _ = self.press(token, "amount", amount="120.00")
		self.assertEqual(status, 303)
		session_id = self.session_of(headers["Location"])
		self.assertEqual(self.standin.checkout_sessions[session_id]["amount_total"], 12000)
		pi, events = self.pay(session_id, fee=378)
		self.process(events[0])
		pe = self.receipt(pi)
		self.assertEqual(self.references(pe.name), [(a.name, D("100.00")), (b.name, D("20.00"))])
		self.assertIn("partial", pe.revops_settlement_flags)
		outstanding = {
			si.name: money(frappe.db.get_value("Sales Invoice", si.name, "outstanding_amount"))
			for si in (a, b, c)
		}
		self.assertEqual(outstanding, {a.name: D("0.00"), b.name: D("25.50"), c.name: D("30.00")})
		for si in (a, b, c):
			self.assertEqual(money(outstanding_against(si.name)), outstanding[si.name])
		gl = self.gl(pe.name)
		self.assertEqual(gl[self.masters["receivable"]], (D("0.00"), D("120.00")))
		self.assertEqual(gl[self.masters["fee"]], (D("3.78"), D("0.00")))
		self.assertEqual(gl[self.masters["clearing"]], (D("116.22"), D("0.00")))
		self.assertEqual(frappe.db.get_value("Sales Invoice", b.name, "status"), "Partly Paid")

	def test_an_invoice_paid_meanwhile_leaves_its_share_unallocated_for_finance(self):
		a, b, _c = self.three_invoices()
		token = self.page().token
		_status, headers, _ = self.press(token, "selected", [a.name, b.name])
		session_id = self.session_of(headers["Location"])
		# the customer also paid invoice a through its own pay link before this payment was posted
		link = self.link_of(a.name)
		own_pi, own_evt = unique("pi"), unique("evt")
		self.standin.add_intent(own_pi, invoice=a.name, pay_link=link.name, amount=10000, fee=320)
		self.post(own_evt, "payment_intent.succeeded", intent_succeeded(own_pi, a.name, link.name, 10000))
		self.process(own_evt)
		pi, events = self.pay(session_id, fee=432)
		self.process(events[1])
		pe = self.receipt(pi)
		self.assertEqual(self.references(pe.name), [(b.name, D("45.50"))])
		self.assertEqual(money(pe.unallocated_amount), D("100.00"))
		self.assertIn("overpayment", pe.revops_settlement_flags)
		# the ToDo sits on the first invoice the entry settles
		todos = frappe.get_all(
			"ToDo",
			filters={"reference_name": ["in", [a.name, b.name]]},
			fields=["reference_name", "description"],
		)
		self.assertTrue(any(t.reference_name == b.name and pe.name in t.description for t in todos), todos)
		self.assertEqual(money(frappe.db.get_value("Sales Invoice", b.name, "outstanding_amount")), 0)

	def test_a_payment_naming_another_customers_invoice_posts_nothing_to_it(self):
		mine = self.make_invoice(40)
		foreign = self.make_invoice(60, customer=OTHER)
		page = self.page()
		pi, evt = unique("pi"), unique("evt")
		metadata = {"customer_page": page.name, "customer": CUSTOMER, "invoices": foreign.name}
		self.standin.add_intent(pi, invoice=None, pay_link=None, amount=6000, fee=204, metadata=metadata)
		obj = {"id": pi, "object": "payment_intent", "amount": 6000, "amount_received": 6000, "currency": "usd",
			"status": "succeeded", "latest_charge": "ch_" + pi[3:], "metadata": metadata}  # fmt: skip
		self.post(evt, "payment_intent.succeeded", obj)
		self.process(evt)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Error")
		self.assertIn("not an invoice of this page's customer", log.message)
		self.assertFalse(frappe.db.exists("Payment Entry", {"reference_no": pi}))
		self.assertEqual(
			money(frappe.db.get_value("Sales Invoice", foreign.name, "outstanding_amount")), D("60.00")
		)
		self.assertEqual(
			money(frappe.db.get_value("Sales Invoice", mine.name, "outstanding_amount")), D("40.00")
		)

	def test_views_come_from_the_page_script_only(self):
		self.make_invoice(20)
		token = self.page().token
		view = "/api/method/revops_app.api.customer_pay.view"
		wsgi_request(self.site, "GET", f"/customer-pay/{token}", headers={"User-Agent": BROWSER})
		self.assertEqual(self.page().view_count or 0, 0)
		for agent in (BROWSER, "Mimecast URL Protect"):
			status, _h, _b = wsgi_request(
				self.site,
				"POST",
				view,
				data=urlencode({"token": token}),
				headers={**FORM, "User-Agent": agent},
			)
			self.assertEqual(status, 204)
		self.assertEqual(self.page().view_count, 1)

	def test_a_refund_of_a_customer_page_payment_reverses_its_one_receipt(self):
		a, b, _c = self.three_invoices()
		_status, headers, _ = self.press(self.page().token, "selected", [a.name, b.name])
		session_id = self.session_of(headers["Location"])
		pi, events = self.pay(session_id, fee=432)
		self.process(events[0])
		receipt = self.receipt(pi)
		intent = self.standin.intents[pi]
		intent["latest_charge"]["amount_refunded"] = 5000
		refund_event = unique("evt")
		self.post(refund_event, "charge.refunded", charge_refunded(pi, 14550, 5000, unique("re")))
		self.process(refund_event)
		self.assertEqual(self.log_of(refund_event).status, "Success", self.log_of(refund_event).message)
		(refund,) = frappe.get_all(
			"Payment Entry",
			filters={"revops_refund_of": receipt.name, "docstatus": 1},
			fields=["name", "payment_type", "paid_from", "paid_to", "paid_amount", "party"],
		)
		self.assertEqual(
			(refund.payment_type, refund.party, money(refund.paid_amount)), ("Pay", CUSTOMER, D("50.00"))
		)
		self.assertEqual(
			(refund.paid_from, refund.paid_to), (self.masters["clearing"], self.masters["receivable"])
		)
		gl = self.gl(refund.name)
		self.assertEqual(gl[self.masters["clearing"]], (D("0.00"), D("50.00")))
		self.assertEqual(gl[self.masters["receivable"]], (D("50.00"), D("0.00")))
		# a replayed refund event posts nothing more (Stripe's cumulative total is already posted)
		again = unique("evt")
		self.post(again, "charge.refunded", charge_refunded(pi, 14550, 5000, unique("re")))
		self.process(again)
		self.assertEqual(
			frappe.db.count("Payment Entry", {"revops_refund_of": receipt.name, "docstatus": 1}), 1
		)

	def test_a_chargeback_of_a_customer_page_payment_withdraws_it_once(self):
		a, b, _c = self.three_invoices()
		_status, headers, _ = self.press(self.page().token, "selected", [a.name, b.name])
		pi, events = self.pay(self.session_of(headers["Location"]), fee=432)
		self.process(events[0])
		dp = unique("du")
		evt = unique("evt")
		self.post(evt, "charge.dispute.created", dispute(pi, dp, 14550, "needs_response", fee=1500))
		self.process(evt)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Success", log.message)
		(journal,) = frappe.get_all(
			"Journal Entry", filters={"revops_stripe_dispute": dp, "docstatus": 1}, pluck="name"
		)
		totals = gl_totals_by_account("Journal Entry", journal)
		gl = {account: (money(debit), money(credit)) for account, (debit, credit) in totals.items()}
		m = self.masters
		self.assertEqual(
			gl,
			{m["receivable"]: (D("145.50"), D("0.00")), m["fee"]: (D("15.00"), D("0.00")),
				m["clearing"]: (D("0.00"), D("160.50"))},
		)  # fmt: skip
		# the link of the first invoice the receipt settled carries the flag (dunning pauses there)
		self.assertEqual(self.link_of(a.name).disputed, 1)
		again = unique("evt")
		self.post(again, "charge.dispute.created", dispute(pi, dp, 14550, "needs_response", fee=1500))
		self.process(again)
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp, "docstatus": 1}), 1)
