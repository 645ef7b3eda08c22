"""Real-bench tests: a committed score-moving change pushes its customer to the sidecar, signed; a rolled-back
one pushes nothing; `customer_records` serves the pushed customers' records.

The sidecar's receiver is stood in by a local HTTP server that checks the HMAC the way the sidecar does
(sidecar/push/receiver.py). The transaction's commit is played by running `frappe.db.after_commit` (what
`frappe.db.commit()` runs) so FrappeTestCase can still roll the documents back.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from erpnext.stock.doctype.item.test_item import make_item

from revops_app.api import signals as signals_api
from revops_app.revops.signals import push
from revops_app.tests.utils import (
	ensure_fiscal_years,
	get_test_company,
	settings_changed,
	submit_sales_invoice,
	use_company_accounts,
)

SECRET = "bench-push-secret"


class _Receiver:
	"""The sidecar's push route: verifies X-RevOps-Signature over "<timestamp>." + body, answers 202."""

	def __init__(self):
		self.received: list[dict] = []
		self.bad_signatures = 0
		receiver = self

		class Handler(BaseHTTPRequestHandler):
			def log_message(self, *_args) -> None:
				pass

			def do_POST(self) -> None:
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				stamp = self.headers.get("X-RevOps-Timestamp", "")
				expected = (
					"sha256="
					+ hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
				)
				if not hmac.compare_digest(expected, self.headers.get("X-RevOps-Signature", "")):
					receiver.bad_signatures += 1
					self.send_response(401)
				else:
					receiver.received.append(json.loads(body))
					self.send_response(202)
				self.send_header("Content-Length", "0")
				self.end_headers()

		self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
		self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/push/erp-changes"

	def close(self) -> None:
		self.httpd.shutdown()
		self.httpd.server_close()


class TestSignalsPush(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = get_test_company()
		ensure_fiscal_years([nowdate()], company=cls.company)
		use_company_accounts(cls, frappe.get_doc("Company", cls.company))
		tag = frappe.generate_hash(length=5).upper()
		cls.item = make_item(f"RevOps Push {tag}", {"is_stock_item": 0}).name
		cls.customer_name = (
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": f"Push Customer {tag}",
					"customer_type": "Company",
					"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
					"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def setUp(self) -> None:
		self.receiver = _Receiver()
		frappe.local.flags.pop(push._PENDING, None)
		frappe.db.after_commit.reset()

	def tearDown(self) -> None:
		self.receiver.close()
		frappe.local.flags.pop(push._PENDING, None)

	def _invoice(self):
		return submit_sales_invoice(
			self,
			customer=self.customer_name,
			item=self.item,
			posting_date=nowdate(),
			due_date=add_days(nowdate(), 30),
			rate=250,
			currency=frappe.get_cached_value("Company", self.company, "default_currency"),
		)

	def test_a_committed_invoice_pushes_its_customer_once_signed(self):
		with settings_changed(enabled=1, sidecar_push_url=self.receiver.url, sidecar_push_secret=SECRET):
			frappe.db.after_commit.reset()
			self._invoice()
			self._invoice()
			self.assertEqual(self.receiver.received, [], "nothing is pushed before the commit")
			frappe.db.after_commit.run()  # the commit
		self.assertEqual(self.receiver.bad_signatures, 0)
		self.assertEqual(len(self.receiver.received), 1, "one push per transaction")
		pushed = self.receiver.received[0]
		self.assertEqual(pushed["customers"], [self.customer_name])
		self.assertEqual(pushed["event"], "sales_invoice_on_submit")
		self.assertIsInstance(pushed["committed_at"], float)

	def test_a_rolled_back_change_pushes_nothing(self):
		with settings_changed(enabled=1, sidecar_push_url=self.receiver.url, sidecar_push_secret=SECRET):
			frappe.db.after_commit.reset()
			self._invoice()
			frappe.db.after_rollback.run()  # what frappe.db.rollback() runs; it also drops after_commit
			frappe.db.after_commit.reset()
			self._invoice()
			frappe.db.after_commit.run()
		self.assertEqual([p["customers"] for p in self.receiver.received], [[self.customer_name]])

	def test_no_url_means_no_push(self):
		with settings_changed(enabled=1, sidecar_push_url="", sidecar_push_secret=SECRET):
			frappe.db.after_commit.reset()
			self._invoice()
			frappe.db.after_commit.run()
		self.assertEqual(self.receiver.received, [])

	def test_customer_records_serves_the_pushed_customers(self):
		self._invoice()
		out = signals_api.customer_records(json.dumps([self.customer_name, "No Such Customer RevOps"]))
		self.assertEqual([r["customer"] for r in out["records"]], [self.customer_name])
		open_invoices = frappe.db.count(
			"Sales Invoice", {"customer": self.customer_name, "docstatus": 1, "outstanding_amount": [">", 0]}
		)
		self.assertGreaterEqual(open_invoices, 1)  # the other tests' invoices are rolled back with the class
		self.assertEqual(out["records"][0]["open_invoice_count"], open_invoices)
		self.assertEqual(out["deleted"], ["No Such Customer RevOps"])
		with self.assertRaises(frappe.ValidationError):
			signals_api.customer_records("not json")
