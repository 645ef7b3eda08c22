"""Real-bench tests: the sidecar reports lead handoffs (api/handoffs.py) and the customer timeline shows them.

Requests go through frappe.app.application in another thread (stripe_standin.wsgi_request): Frappe's own token
auth, whitelisting, argument type checks and permission checks. Checked: the integration user records a
handoff once (a retry answers "duplicate" and writes nothing), bad input and a key reused for another customer
answer 417 and write nothing, a guest and a user without the integration role get 403; the timeline rows
(in order among the customer's invoices) link to the record and to the HubSpot task, and the timeline endpoint
answers users who may read the Customer and refuses the others.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import json
from urllib.parse import urlencode

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, get_url_to_form, getdate, nowdate

from erpnext.stock.doctype.item.test_item import make_item

from revops_app.customer_experience.constants import ROLE_CX_INTEGRATION
from revops_app.customer_experience.customer_timeline import timeline_rows
from revops_app.customer_experience.report.customer_timeline import (
	customer_timeline as customer_timeline_report,
)
from revops_app.revops.handoffs import HANDOFF_DOCTYPE, record_handoff
from revops_app.tests.stripe_standin import wsgi_request
from revops_app.tests.test_log_actions import make_api_user
from revops_app.tests.utils import (
	ensure_fiscal_years,
	get_test_company,
	submit_sales_invoice,
	use_company_accounts,
)

RECORD = "/api/method/revops_app.api.handoffs.record_handoff"
TIMELINE = "/api/method/revops_app.api.signals.customer_timeline"
TASK_URL = "https://app.hubspot.com/contacts/4242/record/0-1/501/view/1?taskId=900"


def day(offset: int) -> str:
	return add_days(getdate(nowdate()), offset).isoformat()


def reason(body: dict) -> str:
	messages = json.loads(body.get("_server_messages") or "[]")
	return "; ".join(json.loads(m)["message"] for m in messages)


class TestLeadHandoffs(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.site = frappe.local.site
		cls.tag = frappe.generate_hash(length=6).upper()
		group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
		territory = frappe.db.get_value("Territory", {"is_group": 0}, "name")
		cls.customers = [
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": f"Handoff {label} {cls.tag}",
					"customer_group": group,
					"territory": territory,
				}
			)
			.insert(ignore_permissions=True)
			.name
			for label in ("Acme", "Other")
		]
		cls.integration = make_api_user(
			f"revops-handoff-{cls.tag.lower()}@example.com", [ROLE_CX_INTEGRATION]
		)
		cls.reader = make_api_user(f"revops-handoff-reader-{cls.tag.lower()}@example.com", ["Sales User"])
		# a desk role with no permission on Customer (v16 has no Blogger role to borrow)
		cls.no_access_role = f"RevOps No Access {cls.tag}"
		frappe.get_doc({"doctype": "Role", "role_name": cls.no_access_role, "desk_access": 1}).insert(
			ignore_permissions=True
		)
		cls.stranger = make_api_user(
			f"revops-handoff-none-{cls.tag.lower()}@example.com", [cls.no_access_role]
		)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls) -> None:
		frappe.db.rollback()
		frappe.db.delete(HANDOFF_DOCTYPE, {"customer": ("in", cls.customers)})
		for name in cls.customers:
			frappe.delete_doc("Customer", name, force=True, ignore_permissions=True)
		for email in frappe.get_all(
			"User", filters={"name": ("like", f"revops-handoff%{cls.tag.lower()}@%")}
		):
			frappe.delete_doc("User", email.name, force=True, ignore_permissions=True)
		frappe.delete_doc("Role", cls.no_access_role, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def post(self, form: dict, authorization: str | None) -> tuple[int, dict]:
		headers = {"Content-Type": "application/x-www-form-urlencoded"}
		if authorization:
			headers["Authorization"] = authorization
		status, _h, body = wsgi_request(self.site, "POST", RECORD, data=urlencode(form), headers=headers)
		return status, json.loads(body)

	def get_timeline(self, customer: str, authorization: str) -> tuple[int, dict]:
		query = urlencode({"customer": customer, "limit": 20})
		status, _h, body = wsgi_request(
			self.site, "GET", f"{TIMELINE}?{query}", headers={"Authorization": authorization}
		)
		return status, json.loads(body)

	def stored(self, key: str) -> list[dict]:
		frappe.db.rollback()  # see what the request threads committed
		return frappe.get_all(HANDOFF_DOCTYPE, filters={"handoff_key": key}, fields=["*"])

	def form(self, key: str, **values) -> dict:
		return {
			"handoff_key": key,
			"customer": self.customers[0],
			"handed_off_at": "2026-11-30T09:15:00Z",
			"contact_id": "501",
			"contact_name": "Ann Lee",
			"contact_url": "https://app.hubspot.com/contacts/4242/record/0-1/501",
			"task_id": "900",
			"task_url": TASK_URL,
			"owner": "bdr@example.com",
			"team": "EMEA",
			"subject": "SQL: Ann Lee (Acme) scored 82",
			"score": "82",
			**values,
		}

	def test_the_integration_user_records_a_handoff_once(self):
		key = f"501{self.tag}:1"
		status, body = self.post(self.form(key), self.integration)
		self.assertEqual(status, 200, body)
		self.assertEqual(body["message"], {"name": key, "status": "created", "customer": self.customers[0]})
		(row,) = self.stored(key)
		self.assertEqual(
			(row.customer, row.contact_id, row.task_url, row.owner_name, row.score),
			(self.customers[0], "501", TASK_URL, "bdr@example.com", 82.0),
		)
		# a retried delivery (the sidecar did not see the first answer) changes nothing
		status, body = self.post(self.form(key, subject="changed"), self.integration)
		self.assertEqual((status, body["message"]["status"]), (200, "duplicate"))
		(again,) = self.stored(key)
		self.assertEqual((again.subject, again.modified), (row.subject, row.modified))
		# the same key for another customer is another crossing's key: refused, nothing written
		status, body = self.post(self.form(key, customer=self.customers[1]), self.integration)
		self.assertEqual(status, 417)
		self.assertIn(f"was recorded for customer {self.customers[0]}", reason(body))
		self.assertEqual(len(self.stored(key)), 1)

	def test_bad_input_and_strangers_write_nothing(self):
		cases = [
			(self.form(f"502{self.tag}:1", handed_off_at="soon"), self.integration, 417, "not ISO 8601"),
			(
				self.form(f"503{self.tag}:1", customer="No Such Customer"),
				self.integration,
				417,
				"does not exist",
			),
			(self.form(f"504 {self.tag}:1"), self.integration, 417, "may hold only letters"),
			(self.form(f"505{self.tag}:1", task_url="javascript:x"), self.integration, 417, "http(s) URL"),
			(self.form(f"506{self.tag}:1"), None, 403, ""),
			(self.form(f"507{self.tag}:1"), self.reader, 403, ""),
		]
		for form, auth, status, message in cases:
			got, body = self.post(form, auth)
			self.assertEqual(got, status, (form["handoff_key"], body))
			self.assertIn(message, reason(body))
			self.assertEqual(self.stored(form["handoff_key"]), [])

	def test_timeline_endpoint_serves_readers_of_the_customer_only(self):
		key = f"508{self.tag}:1"
		self.assertEqual(self.post(self.form(key, customer=self.customers[1]), self.integration)[0], 200)
		status, body = self.get_timeline(self.customers[1], self.reader)
		self.assertEqual(status, 200, body)
		(row,) = [r for r in body["message"] if r["name"] == key]
		self.assertEqual(
			(row["kind"], row["doctype"], row["external_url"]), ("lead handoff", HANDOFF_DOCTYPE, TASK_URL)
		)
		# the desk address of the record (/app on v15, /desk on v16; the host is the request's)
		self.assertTrue(row["url"].endswith(get_url_to_form(HANDOFF_DOCTYPE, key).split("/", 3)[-1]))
		status, _body = self.get_timeline(self.customers[1], self.stranger)
		self.assertEqual(status, 403)


class TestHandoffTimelineRows(FrappeTestCase):
	"""In one transaction (rolled back): handoff rows take their place among the customer's invoices."""

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = get_test_company()
		cls.currency = frappe.get_cached_value("Company", cls.company, "default_currency")
		ensure_fiscal_years([day(-10), day(0)], company=cls.company)
		use_company_accounts(cls, frappe.get_doc("Company", cls.company))
		cls.tag = frappe.generate_hash(length=5).upper()
		cls.item = make_item(f"RevOps Timeline SVC {cls.tag}", {"is_stock_item": 0}).name

	def test_rows_are_ordered_and_link_to_hubspot(self):
		customer = (
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": f"Timeline {self.tag}",
					"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
					"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		older = submit_sales_invoice(
			self, customer=customer, item=self.item, posting_date=day(-10), due_date=day(20), rate=100,
			currency=self.currency, fields={"set_posting_time": 1, "posting_date": day(-10)},
		)  # fmt: skip
		newer = submit_sales_invoice(
			self, customer=customer, item=self.item, posting_date=day(0), due_date=day(30), rate=50,
			currency=self.currency, fields={"set_posting_time": 1, "posting_date": day(0)},
		)  # fmt: skip
		record_handoff(
			{"handoff_key": f"77{self.tag}:1", "customer": customer, "handed_off_at": f"{day(-5)} 10:00:00",
			 "contact_id": "77", "contact_url": "https://app.hubspot.com/contacts/1/record/0-1/77"}
		)  # fmt: skip
		rows = timeline_rows(customer)
		self.assertEqual(
			[(r["kind"], r["name"]) for r in rows],
			[("invoice", newer.name), ("lead handoff", f"77{self.tag}:1"), ("invoice", older.name)],
		)
		handoff = rows[1]
		self.assertEqual(handoff["when"], f"{day(-5)} 10:00:00")
		# no task link: the row links to the HubSpot contact
		self.assertEqual(handoff["external_url"], "https://app.hubspot.com/contacts/1/record/0-1/77")
		self.assertEqual(handoff["summary"], "lead HubSpot contact 77 handed off (no owner)")
		self.assertEqual(rows[0]["external_url"], "")
		# the Customer Timeline report: the same rows, the HubSpot link in its own column
		columns, report_rows = customer_timeline_report.execute({"customer": customer})
		self.assertIn("external_url", [c["fieldname"] for c in columns])
		self.assertEqual(report_rows, rows)
