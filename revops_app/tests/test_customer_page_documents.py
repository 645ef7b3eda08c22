"""Real-bench tests: the seller on both pages (company name, Letter Head logo, contact), the invoice PDF on
both pages and the statement PDF (Frappe's and ERPNext's own rendering, guest through the token only), and the
promise to pay from the customer page (revenue_collections.promises.record_promise).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import contextlib
import os
import shutil
import threading
from urllib.parse import urlencode

import frappe
from frappe.installer import update_site_config
from frappe.utils import add_days, nowdate

from revops_app import compat
from revops_app.revenue_collections.constants import PROMISE_DOCTYPE
from revops_app.tests.stripe_bench import COMPANY, CUSTOMER
from revops_app.tests.stripe_standin import wsgi_request
from revops_app.tests.test_customer_page import OTHER, CustomerPageCase

# A 1x1 PNG.
PNG = bytes.fromhex(
	"89504e470d0a1a0a0000000d4948445200000001000000010806000000"
	"1f15c4890000000d49444154789c6360f8cf000000020001e221bc330000000049454e44ae426082"
)
PDF_METHODS = "/api/method/revops_app.api."


class TestCustomerPageDocuments(CustomerPageCase):
	def setUp(self) -> None:
		super().setUp()
		self.previous_company = frappe.db.get_value(
			"Company", COMPANY, ["email", "phone_no", "default_letter_head"], as_dict=True
		)

	def tearDown(self) -> None:
		frappe.db.rollback()
		frappe.db.set_value("Company", COMPANY, dict(self.previous_company))
		frappe.db.delete("Comment", {"reference_doctype": "Customer", "reference_name": CUSTOMER})
		frappe.db.delete("ToDo", {"reference_type": "Customer", "reference_name": CUSTOMER})
		frappe.db.commit()
		super().tearDown()  # the invoices that name the letter head go first
		# Frappe's own deletion: a Letter Head clears the global default it became (the site's first one)
		for head in frappe.get_all(
			"Letter Head", filters={"letter_head_name": ["like", "RevOps Test Head%"]}
		):
			frappe.delete_doc("Letter Head", head.name, force=True, ignore_permissions=True)
		for file in frappe.get_all("File", filters={"file_name": ["like", "revops-test-logo%"]}):
			frappe.delete_doc("File", file.name, force=True, ignore_permissions=True)
		frappe.db.commit()

	def letter_head(self) -> str:
		"""A private logo file in an Image Letter Head, the company's default one, and a contact email."""
		logo = frappe.get_doc(
			{"doctype": "File", "file_name": "revops-test-logo.png", "is_private": 1, "content": PNG}
		).insert(ignore_permissions=True)
		head = frappe.get_doc(
			{
				"doctype": "Letter Head",
				"letter_head_name": f"RevOps Test Head {frappe.generate_hash(length=6)}",
				"source": "Image",
				"image": logo.file_url,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value(
			"Company",
			COMPANY,
			{
				"email": "accounts@stripe-test.example",
				"phone_no": "+1 555 0199",
				"default_letter_head": head.name,
			},
		)
		frappe.db.commit()
		return logo.file_url

	def get(self, path: str) -> tuple[int, dict, bytes]:
		status, headers, body = wsgi_request(self.site, "GET", path)
		return status, headers, body

	def test_both_pages_show_the_seller_with_its_letter_head_logo_and_contact(self):
		private_url = self.letter_head()
		si = self.make_invoice(55)
		for path in (f"/pay/{self.link_of(si.name).token}", f"/customer-pay/{self.page().token}"):
			status, _headers, body = self.get(path)
			self.assertEqual(status, 200, path)
			self.assertIn(f"<strong>{COMPANY}</strong>", body)
			self.assertIn('src="data:image/png;base64,', body)  # the private file, inlined for the guest
			self.assertNotIn(private_url, body)
			self.assertIn('href="mailto:accounts@stripe-test.example"', body)
			self.assertIn("+1 555 0199", body)
		# the invoice page leads to the customer's page of every open invoice
		self.assertIn(f'href="{self.page().url}"', self.get(f"/pay/{self.link_of(si.name).token}")[2])

	def require_pdf_renderer(self) -> None:
		if not shutil.which("wkhtmltopdf") and not compat.chrome_pdf_available():
			self.skipTest("neither wkhtmltopdf nor Frappe's Chrome PDF generator can run on this bench")

	@contextlib.contextmanager
	def site_reachable(self):
		"""The site at a URL the PDF renderer can reach, as in production (its print view links the site's
		print CSS by absolute URL): a real local server for /assets, and host_name pointing at it."""
		from werkzeug.middleware.shared_data import SharedDataMiddleware
		from werkzeug.serving import make_server

		import frappe.app

		assets = os.path.join(frappe.local.sites_path, "assets")
		server = make_server(
			"127.0.0.1", 0, SharedDataMiddleware(frappe.app.application, {"/assets": assets})
		)
		threading.Thread(target=server.serve_forever, daemon=True).start()
		previous = frappe.conf.get("host_name")
		update_site_config("host_name", f"http://127.0.0.1:{server.server_port}")
		try:
			yield
		finally:
			update_site_config("host_name", previous or "None")
			server.shutdown()

	def test_invoice_pdf_on_both_pages_and_only_through_the_token(self):
		self.require_pdf_renderer()
		si = self.make_invoice(55)
		foreign = self.make_invoice(66, customer=OTHER)
		link_token, page_token = self.link_of(si.name).token, self.page().token
		# the pages link to them
		self.assertIn("revops_app.api.documents.invoice_pdf?token=", self.get(f"/pay/{link_token}")[2])
		self.assertIn("revops_app.api.customer_pay.invoice_pdf?", self.get(f"/customer-pay/{page_token}")[2])
		for path in (
			f"{PDF_METHODS}documents.invoice_pdf?" + urlencode({"token": link_token}),
			f"{PDF_METHODS}customer_pay.invoice_pdf?" + urlencode({"token": page_token, "invoice": si.name}),
		):
			with self.site_reachable():
				status, headers, body = wsgi_request(self.site, "GET", path, as_bytes=True)
			self.assertEqual(status, 200, (path, body[:2000]))
			self.assertEqual(headers["Content-Type"], "application/pdf")
			self.assertTrue(body.startswith(b"%PDF"), path)
			self.assertIn(si.name, headers["Content-Disposition"])
		# another customer's invoice through this page, or an unknown token: the same 404
		for path in (
			f"{PDF_METHODS}customer_pay.invoice_pdf?"
			+ urlencode({"token": page_token, "invoice": foreign.name}),
			f"{PDF_METHODS}customer_pay.invoice_pdf?" + urlencode({"token": "A" * 43, "invoice": si.name}),
			f"{PDF_METHODS}documents.invoice_pdf?" + urlencode({"token": "A" * 43}),
		):
			self.assertEqual(wsgi_request(self.site, "GET", path)[0], 404, path)

	def test_a_pdf_that_cannot_be_made_answers_503_in_plain_words(self):
		si = self.make_invoice(55)
		link_token = self.link_of(si.name).token
		# a real rendering failure: the Sales Invoice's default print format is a template that raises
		broken = frappe.get_doc(
			{
				"doctype": "Print Format",
				"name": "RevOps Test Broken Format",
				"doc_type": "Sales Invoice",
				"module": "Accounts",
				"standard": "No",
				"custom_format": 1,
				"print_format_type": "Jinja",
				"html": "{{ doc.revops_no_such_field.missing }}{{ 1 / 0 }}",
			}
		).insert(ignore_permissions=True)
		frappe.make_property_setter(  # returns nothing: found again by its filters to be removed
			{
				"doctype": "Sales Invoice",
				"doctype_or_field": "DocType",
				"property": "default_print_format",
				"value": broken.name,
			}
		)
		frappe.db.commit()
		try:
			path = f"{PDF_METHODS}documents.invoice_pdf?" + urlencode({"token": link_token})
			status, _headers, body = wsgi_request(self.site, "GET", path)
		finally:
			for setter in frappe.get_all(
				"Property Setter", filters={"doc_type": "Sales Invoice", "value": broken.name}, pluck="name"
			):
				frappe.delete_doc("Property Setter", setter, force=True, ignore_permissions=True)
			frappe.delete_doc("Print Format", broken.name, force=True, ignore_permissions=True)
			frappe.db.commit()
			frappe.clear_cache(doctype="Sales Invoice")
		self.assertEqual(status, 503, body[:2000])
		self.assertEqual(frappe.parse_json(body)["error"], "pdf_unavailable")
		self.assertNotIn("Traceback", body)

	def test_statement_pdf_is_erpnexts_accounts_receivable_statement(self):
		self.require_pdf_renderer()
		self.make_invoice(55)
		self.make_invoice(45, posting_date=add_days(nowdate(), -40))
		token = self.page().token
		self.assertIn("Download your statement (PDF)", self.get(f"/customer-pay/{token}")[2])
		path = f"{PDF_METHODS}customer_pay.statement_pdf?" + urlencode({"token": token})
		with self.site_reachable():
			status, headers, body = wsgi_request(self.site, "GET", path, as_bytes=True)
		self.assertEqual(status, 200, body[:2000])
		self.assertEqual(headers["Content-Type"], "application/pdf")
		self.assertTrue(body.startswith(b"%PDF"))
		# the same statement ERPNext renders (its HTML names the customer and both open invoices)
		from erpnext.accounts.doctype.process_statement_of_accounts.process_statement_of_accounts import (
			get_statement_dict,
		)

		doc = frappe.new_doc("Process Statement Of Accounts")
		doc.update({"company": COMPANY, "report": "Accounts Receivable", "posting_date": nowdate()})
		doc.append("customers", {"customer": CUSTOMER})
		(rows, _ageing) = get_statement_dict(doc, get_statement_dict=True)[CUSTOMER]
		self.assertEqual(sum(row.get("outstanding") or 0 for row in rows if row.get("voucher_no")), 100)

	def test_a_promise_from_the_customer_page(self):
		si = self.make_invoice(55)
		token = self.page().token
		body = self.get(f"/customer-pay/{token}")[2]
		self.assertIn("Promise a date", body)
		self.assertIn("revops_app.api.customer_pay.promise", body)
		url = "/api/method/revops_app.api.customer_pay.promise"
		form = {"Content-Type": "application/x-www-form-urlencoded"}
		status, _h, answer = wsgi_request(
			self.site,
			"POST",
			url,
			data=urlencode({"token": token, "promised_date": add_days(nowdate(), 60)}),
			headers=form,
		)
		self.assertEqual(status, 400, answer)
		self.assertIn("promise_refused", answer)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists(PROMISE_DOCTYPE, {"customer": CUSTOMER, "company": COMPANY}))
		status, headers, _ = wsgi_request(
			self.site,
			"POST",
			url,
			data=urlencode({"token": token, "promised_date": add_days(nowdate(), 5)}),
			headers=form,
		)
		self.assertEqual(status, 303)
		self.assertTrue(headers["Location"].endswith(f"/customer-pay/{token}?promised=1"))
		frappe.db.rollback()
		(promise,) = frappe.get_all(
			PROMISE_DOCTYPE,
			filters={"customer": CUSTOMER, "company": COMPANY},
			fields=["name", "source", "status"],
		)
		self.assertEqual((promise.source, promise.status), ("Customer Page", "Open"))
		rows = frappe.get_all(
			"RevOps Payment Promise Invoice", filters={"parent": promise.name}, pluck="sales_invoice"
		)
		self.assertEqual(rows, [si.name])
		self.assertIn("You promised to pay", self.get(f"/customer-pay/{token}?promised=1")[2])
