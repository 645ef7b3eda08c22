"""Real-bench tests: the promise form on the invoice pay page and its guest endpoint.

Requests go through frappe.app.application in another thread (stripe_standin.wsgi_request): real routing,
guest session, Frappe's own argument handling. Data is committed (the other thread must see it) and purged
after each test (stripe_bench.StripeBenchCase, plus the promises, comments and ToDos made here).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import json
from urllib.parse import urlencode

import frappe
from frappe.utils import add_days, formatdate, getdate, today

from revops_app.revenue_collections.constants import (
	CUSTOMER_DUNNING_POLICY_FIELD,
	DUNNING_POLICY_DOCTYPE,
	DUNNING_TEMPLATE_OVERDUE,
	PROMISE_DOCTYPE,
	PROMISE_INVOICE_DOCTYPE,
)
from revops_app.tests.stripe_bench import CUSTOMER, StripeBenchCase
from revops_app.tests.stripe_standin import wsgi_request

PROMISE = "/api/method/revops_app.api.pay.promise"


class TestPayPagePromises(StripeBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.policy_name = "RevOps Pay Page Promises"
		if not frappe.db.exists(DUNNING_POLICY_DOCTYPE, cls.policy_name):
			frappe.get_doc(
				{
					"doctype": DUNNING_POLICY_DOCTYPE,
					"policy_name": cls.policy_name,
					"enabled": 1,
					"allow_customer_promises": 1,
					"max_promise_days": 7,
					"steps": [
						{
							"step_name": "Overdue 1",
							"offset_days": 1,
							"if_overdue": 1,
							"channel": "Email",
							"email_template": DUNNING_TEMPLATE_OVERDUE,
						}
					],
				}
			).insert(ignore_permissions=True)
		cls.previous_policy = frappe.db.get_value("Customer", CUSTOMER, CUSTOMER_DUNNING_POLICY_FIELD)
		frappe.db.set_value("Customer", CUSTOMER, CUSTOMER_DUNNING_POLICY_FIELD, cls.policy_name)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls) -> None:
		frappe.db.rollback()
		frappe.db.set_value("Customer", CUSTOMER, CUSTOMER_DUNNING_POLICY_FIELD, cls.previous_policy)
		frappe.db.commit()
		super().tearDownClass()

	def tearDown(self) -> None:
		frappe.db.rollback()
		promises = frappe.get_all(PROMISE_DOCTYPE, filters={"customer": CUSTOMER}, pluck="name")
		if promises:
			frappe.db.delete(PROMISE_INVOICE_DOCTYPE, {"parent": ("in", promises)})
			frappe.db.delete(PROMISE_DOCTYPE, {"name": ("in", promises)})
			frappe.db.delete("Version", {"ref_doctype": PROMISE_DOCTYPE, "docname": ("in", promises)})
		frappe.db.delete("ToDo", {"reference_type": "Customer", "reference_name": CUSTOMER})
		frappe.db.delete("Comment", {"reference_doctype": "Customer", "reference_name": CUSTOMER})
		frappe.db.commit()
		super().tearDown()

	def page(self, token: str, query: str = "") -> tuple[int, str]:
		status, _headers, body = wsgi_request(self.site, "GET", f"/pay/{token}{query}")
		return status, body

	def post(self, form: dict) -> tuple[int, dict, str]:
		status, headers, body = wsgi_request(
			self.site,
			"POST",
			PROMISE,
			data=urlencode(form),
			headers={"Content-Type": "application/x-www-form-urlencoded"},
		)
		return status, headers, body

	def written(self) -> tuple[int, int, int]:
		frappe.db.rollback()
		return (
			frappe.db.count(PROMISE_DOCTYPE, {"customer": CUSTOMER}),
			frappe.db.count("ToDo", {"reference_type": "Customer", "reference_name": CUSTOMER}),
			frappe.db.count(
				"Comment",
				{"reference_doctype": "Customer", "reference_name": CUSTOMER, "comment_type": "Info"},
			),
		)

	def test_page_offers_the_window_and_a_promise_pauses_and_is_shown(self):
		si = self.make_invoice(125.50)
		token = self.link_of(si.name).token
		T = getdate(today())
		status, body = self.page(token)
		self.assertEqual(status, 200)
		self.assertIn(f'action="{PROMISE}"', body)
		self.assertIn(f'min="{add_days(T, 1)}"', body)
		self.assertIn(f'max="{add_days(T, 7)}"', body)

		status, headers, _body = self.post({"token": token, "promised_date": str(add_days(T, 5))})
		self.assertEqual(status, 303, _body)
		self.assertTrue(headers["Location"].endswith(f"/pay/{token}?promised=1"), headers)
		frappe.db.rollback()
		(name,) = frappe.get_all(PROMISE_DOCTYPE, filters={"customer": CUSTOMER}, pluck="name")
		doc = frappe.get_doc(PROMISE_DOCTYPE, name)
		self.assertEqual((doc.status, doc.source, doc.company), ("Open", "Invoice Page", si.company))
		self.assertEqual(str(doc.promised_date), str(add_days(T, 5)))
		self.assertAlmostEqual(
			doc.amount, frappe.db.get_value("Sales Invoice", si.name, "outstanding_amount")
		)
		self.assertEqual([row.sales_invoice for row in doc.invoices], [si.name])
		self.assertEqual(frappe.db.get_value("ToDo", doc.todo, "reference_name"), CUSTOMER)
		self.assertEqual(self.written(), (1, 1, 1))

		status, body = self.page(token, "?promised=1")
		self.assertEqual(status, 200)
		self.assertIn("You promised to pay USD 125.50", body)
		self.assertIn("paused our reminders", body)
		self.assertNotIn('name="promised_date"', body)
		# The promise is now in force: a second one for the same invoice is refused.
		status, _headers, body = self.post({"token": token, "promised_date": str(add_days(T, 6))})
		self.assertEqual(status, 400)
		self.assertIn("already promised", json.loads(body)["message"])
		self.assertEqual(self.written(), (1, 1, 1))

	def test_bad_input_answers_4xx_with_a_plain_message_and_writes_nothing(self):
		si = self.make_invoice(40)
		token = self.link_of(si.name).token
		T = getdate(today())
		cases = [
			({"promised_date": str(add_days(T, 2))}, 400, "missing_argument"),  # no token
			({"token": "A" * 43, "promised_date": str(add_days(T, 2))}, 404, "not_found"),
			({"token": token}, 400, "missing_argument"),
			({"token": token, "promised_date": "next week"}, 400, "invalid_date"),
			({"token": token, "promised_date": "2026-02-30"}, 400, "invalid_date"),
			({"token": token, "promised_date": str(T)}, 400, "promise_refused"),
			({"token": token, "promised_date": str(add_days(T, 8))}, 400, "promise_refused"),
		]
		for form, status, error in cases:
			got, _headers, body = self.post(form)
			self.assertEqual(got, status, (form, body))
			answer = json.loads(body)
			self.assertEqual(answer["error"], error, answer)
			self.assertTrue(answer["message"] and "Traceback" not in answer["message"], answer)
		self.assertEqual(self.written(), (0, 0, 0))
		# Paid in full: nothing left to promise.
		frappe.db.set_value("Sales Invoice", si.name, {"outstanding_amount": 0, "status": "Paid"})
		frappe.db.commit()
		got, _headers, body = self.post({"token": token, "promised_date": str(add_days(T, 2))})
		self.assertEqual((got, json.loads(body)["error"]), (409, "not_open"))
		self.assertEqual(self.written(), (0, 0, 0))

	def test_page_shows_the_instalment_due_now_beside_the_total(self):
		template = "RevOps Pay Page Halves"
		terms = []
		for number, days in ((1, 30), (2, 60)):
			term = f"{template} {number}"
			if not frappe.db.exists("Payment Term", term):
				frappe.get_doc(
					{
						"doctype": "Payment Term",
						"payment_term_name": term,
						"invoice_portion": 50,
						"due_date_based_on": "Day(s) after invoice date",
						"credit_days": days,
					}
				).insert(ignore_permissions=True)
			terms.append(
				{"payment_term": term, "invoice_portion": 50, "due_date_based_on": "Day(s) after invoice date",
					"credit_days": days}
			)  # fmt: skip
		if not frappe.db.exists("Payment Terms Template", template):
			frappe.get_doc(
				{"doctype": "Payment Terms Template", "template_name": template, "terms": terms}
			).insert(ignore_permissions=True)
		T = getdate(today())
		si = self.make_invoice(125.50, submit=False, commit=False, posting_date=str(add_days(T, -35)))
		si.payment_terms_template = template
		si.set("payment_schedule", [])
		si.due_date = None
		si.save(ignore_permissions=True)
		si.submit()
		frappe.db.commit()
		token = self.link_of(si.name).token
		status, body = self.page(token)
		self.assertEqual(status, 200)
		self.assertIn("USD 125.50", body)  # the whole invoice
		self.assertIn(f"Due now: <strong>USD 62.75</strong> by {formatdate(add_days(T, -5))}", body)

	def test_no_form_when_the_policy_offers_no_promises(self):
		frappe.db.set_value(DUNNING_POLICY_DOCTYPE, self.policy_name, "allow_customer_promises", 0)
		frappe.db.commit()
		try:
			si = self.make_invoice(40)
			token = self.link_of(si.name).token
			status, body = self.page(token)
			self.assertEqual(status, 200)
			self.assertNotIn('name="promised_date"', body)
			got, _headers, body = self.post({"token": token, "promised_date": str(add_days(today(), 2))})
			self.assertEqual((got, json.loads(body)["error"]), (400, "promise_refused"))
			self.assertIn("not available", json.loads(body)["message"])
			self.assertEqual(self.written(), (0, 0, 0))
		finally:
			frappe.db.set_value(DUNNING_POLICY_DOCTYPE, self.policy_name, "allow_customer_promises", 1)
			frappe.db.commit()
