"""Real-bench tests: the signals feed publishes each customer's first order and the first order after each
lead handoff, from real submitted Sales Orders and Sales Invoices (signals/first_orders.py).

Hand-checked data set (T = today; `created` is each document's creation moment, set to its date at noon
unless said otherwise; amounts are read from each document's own base_net_total):

	SO-A  Sales Order    dated T-90                      -> the customer's first order ever
	H1    handoff at T-30 12:00
	SO-X  Sales Order    dated T-28, then cancelled      -> never an order
	SO-D  Sales Order    dated T-40, created T-5          -> created after H1 but back-dated: not H1's outcome
	SO-C  Sales Order    dated T-25                      -> H1's first order (before SI-B by date)
	SI-B  Sales Invoice  dated T-20
	SI-R  a return against SI-B, dated T-19              -> never an order
	H2    handoff at T-1 12:00                           -> nothing after it yet: first_order None
	then  SO-E dated T, created now                      -> H2's first order; H1's stays SO-C
The record is read through both statement shapes (IN list: customer_records; name range: a full pass), and
a new Sales Order or a new handoff moves the customer in the incremental feed. FrappeTestCase rolls back.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from datetime import timedelta

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, get_datetime, getdate, now_datetime, nowdate

from erpnext.selling.doctype.sales_order.test_sales_order import make_sales_order
from erpnext.stock.doctype.item.test_item import make_item

from revops_app.revops.handoffs import record_handoff
from revops_app.revops.signals import feed
from revops_app.tests.utils import (
	ensure_fiscal_years,
	get_test_company,
	submit_sales_invoice,
	use_company_accounts,
)


def day(offset: int) -> str:
	return add_days(getdate(nowdate()), offset).isoformat()


def noon(offset: int) -> str:
	return f"{day(offset)} 12:00:00"


class TestSignalsOutcomes(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = get_test_company()
		cls.currency = frappe.get_cached_value("Company", cls.company, "default_currency")
		ensure_fiscal_years([day(o) for o in (-90, 0)], company=cls.company)
		use_company_accounts(cls, frappe.get_doc("Company", cls.company))
		cls.tag = frappe.generate_hash(length=5).upper()
		cls.item = make_item(f"RevOps Outcome SVC {cls.tag}", {"is_stock_item": 0}).name
		cls.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
		cls.territory = frappe.db.get_value("Territory", {"is_group": 0}, "name")

	def make_customer(self, label: str) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": f"Outcome {label} {self.tag}",
					"customer_type": "Company",
					"customer_group": self.customer_group,
					"territory": self.territory,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def order(self, customer: str, dated: str, rate: float, created: str | None = None, submit=True):
		so = make_sales_order(
			company=self.company,
			customer=customer,
			item_code=self.item,
			warehouse=self.warehouse,
			qty=1,
			rate=rate,
			currency=self.currency,
			transaction_date=dated,
			do_not_submit=not submit,
		)
		self.created_at(so, created or f"{dated} 12:00:00")
		return so

	def invoice(self, customer: str, dated: str, rate: float, created: str | None = None, **extra):
		si = submit_sales_invoice(
			self,
			customer=customer,
			item=self.item,
			posting_date=dated,
			due_date=add_days(dated, 30),
			rate=rate,
			currency=self.currency,
			fields={"set_posting_time": 1, "posting_date": dated},
			**extra,
		)
		self.created_at(si, created or f"{dated} 12:00:00")
		return si

	@staticmethod
	def created_at(doc, when: str) -> None:
		frappe.db.set_value(doc.doctype, doc.name, "creation", when, update_modified=False)

	def handoff(self, customer: str, key: str, at: str) -> None:
		answer = record_handoff(
			{
				"handoff_key": key,
				"customer": customer,
				"handed_off_at": at,
				"contact_id": key.split(":")[0],
				"contact_name": "Ann Lee",
			}
		)
		self.assertEqual(answer["status"], "created")

	@staticmethod
	def as_order(doc) -> dict:
		return {
			"doctype": doc.doctype,
			"name": doc.name,
			"date": getdate(doc.get("transaction_date") or doc.get("posting_date")).isoformat(),
			"amount": round(float(doc.base_net_total), 2),
		}

	def record(self, customer: str) -> dict:
		(record,) = feed.customer_records([customer])["records"]
		return record

	def full_pass_record(self, customer: str) -> dict:
		"""The record as a full pass by name serves it (the name-range form of every statement)."""
		before = frappe.db.sql_list(
			"SELECT name FROM `tabCustomer` WHERE name < %s ORDER BY name DESC LIMIT 1", customer
		)
		page = feed.full_signals_page(before[0] if before else "", 1, snapshot=get_datetime("2999-01-01"))
		(record,) = page["records"]
		self.assertEqual(record["customer"], customer)
		return record

	def test_first_order_and_first_order_after_each_handoff_are_exact(self):
		customer = self.make_customer("Gamma")
		so_a = self.order(customer, day(-90), 400)
		self.handoff(customer, f"9{self.tag}:1", noon(-30))
		so_x = self.order(customer, day(-28), 90)
		so_x.cancel()
		so_d = self.order(customer, day(-40), 120, created=noon(-5))
		so_c = self.order(customer, day(-25), 250)
		si_b = self.invoice(customer, day(-20), 700)
		self.invoice(customer, day(-19), 700, qty=-1, is_return=1, return_against=si_b.name)
		self.handoff(customer, f"9{self.tag}:2", noon(-1))

		expected_h1 = {
			"handoff_key": f"9{self.tag}:1",
			"handed_off_at": noon(-30),
			"first_order": self.as_order(so_c),
		}
		expected_h2 = {"handoff_key": f"9{self.tag}:2", "handed_off_at": noon(-1), "first_order": None}
		for read in (self.record, self.full_pass_record):
			record = read(customer)
			self.assertEqual(record["first_order"], self.as_order(so_a))
			self.assertEqual(record["handoff_orders"], [expected_h2, expected_h1])
		self.assertNotEqual(self.as_order(so_d)["name"], expected_h1["first_order"]["name"])

		so_e = self.order(customer, day(0), 60, created=str(now_datetime()))
		record = self.record(customer)
		self.assertEqual(
			record["handoff_orders"],
			[{**expected_h2, "first_order": self.as_order(so_e)}, expected_h1],
		)
		# the amounts are ERPNext's own: net of taxes, in company currency
		self.assertEqual(
			record["handoff_orders"][1]["first_order"]["amount"],
			frappe.db.get_value("Sales Order", so_c.name, "base_net_total"),
		)

	def test_a_customer_without_orders_or_handoffs(self):
		customer = self.make_customer("Bare")
		record = self.record(customer)
		self.assertIsNone(record["first_order"])
		self.assertEqual(record["handoff_orders"], [])

	def test_an_invoice_can_be_the_first_order(self):
		customer = self.make_customer("Invoiced")
		si = self.invoice(customer, day(-3), 310)
		self.assertEqual(self.record(customer)["first_order"], self.as_order(si))

	def changed_since(self, cursor, customer: str) -> list[dict]:
		"""Drain the incremental feed from `cursor`; the records of `customer` it served."""
		now = now_datetime() + timedelta(minutes=1)  # nothing saved by this test is held back
		after, name, served = cursor, "", []
		while True:
			page = feed.signals_page(after, name, 500, now=now)
			served += [r for r in page["records"] if r["customer"] == customer]
			if not page["has_more"]:
				return served
			after, name = get_datetime(page["next_cursor"]["modified"]), page["next_cursor"]["name"]

	def test_a_sales_order_or_a_handoff_moves_the_customer_in_the_feed(self):
		customer = self.make_customer("Mover")
		frappe.db.set_value("Customer", customer, "modified", "2020-01-01", update_modified=False)
		cursor = now_datetime() - timedelta(seconds=1)
		self.assertEqual(self.changed_since(cursor, customer), [])
		so = self.order(customer, day(-2), 80, created=str(now_datetime()))
		(moved,) = self.changed_since(cursor, customer)
		self.assertEqual(moved["first_order"], self.as_order(so))
		cursor = now_datetime() - timedelta(microseconds=1)
		self.handoff(customer, f"8{self.tag}:1", noon(-1))
		(moved,) = self.changed_since(cursor, customer)
		self.assertEqual([h["handoff_key"] for h in moved["handoff_orders"]], [f"8{self.tag}:1"])
