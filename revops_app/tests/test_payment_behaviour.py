"""Real-bench tests: payment behaviour computed in the database, in the signals record and in churn risk; the
customer timeline and the Customer Health report over the same customer.

A fresh company and customer PAYER (T = today), with hand-worked figures:
	I1 posted T-300, paid T-280  ->  20 days  } older half of the 365-day window (paid before T-182)
	I2 posted T-250, paid T-240  ->  10 days  }
	I3 posted T-100, paid T-60   ->  40 days  } newer half
	I4 posted T-50,  paid T-10   ->  40 days  }  its pay link was disputed
	I5 posted T-40,  due T-20, open; promise to pay (dunning pause) until T-5 broken; its pay link's last
	   payment failed three days ago
Average 27.5 days, older 15, newer 40: trend +25. One failed payment, one broken promise, one dispute.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, getdate, now_datetime, today

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.stock.doctype.item.test_item import make_item

from revops_app.api import signals as signals_api
from revops_app.customer_experience import customer_state
from revops_app.customer_experience.constants import CF_CUSTOMER_CHURN_REASON, CX_RESPONSE_DOCTYPE
from revops_app.customer_experience.report.customer_health import customer_health
from revops_app.customer_experience.report.customer_timeline import customer_timeline
from revops_app.revenue_collections.constants import CUSTOMER_PAUSED_UNTIL_FIELD
from revops_app.revops.signals import payment_behaviour, records
from revops_app.tests.utils import (
	ensure_fiscal_years,
	make_test_company,
	settings_changed,
	submit_sales_invoice,
	use_company_accounts,
)


class TestPaymentBehaviour(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.T = getdate(today())
		years = sorted({add_days(cls.T, -400).year, add_days(cls.T, -200).year, cls.T.year})
		ensure_fiscal_years(date for year in years for date in (f"{year}-01-01", f"{year}-12-31"))
		cls.abbr = abbr = "PB" + frappe.generate_hash(length=4).upper()
		company = make_test_company(f"RevOps Payment Behaviour {abbr}", abbr)
		use_company_accounts(cls, company)
		cls.cash = company.default_cash_account or frappe.db.get_value(
			"Account", {"company": cls.company, "account_type": "Cash", "is_group": 0}, "name"
		)
		item_group = frappe.db.get_value("Item Group", {"is_group": 0}, "name")
		cls.item = make_item("RevOps Payment Service", {"is_stock_item": 0, "item_group": item_group}).name
		cls.customer = (
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": f"PAYER {abbr}",
					"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
					"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		cls.inv = {}
		for key, posted, paid in (("I1", 300, 280), ("I2", 250, 240), ("I3", 100, 60), ("I4", 50, 10)):
			cls.inv[key] = cls.invoice(posted, posted - 30)
			cls.pay(key, add_days(cls.T, -paid))
		cls.inv["I5"] = cls.invoice(40, 20)
		frappe.db.set_value("Customer", cls.customer, CUSTOMER_PAUSED_UNTIL_FIELD, add_days(cls.T, -5))
		cls.link("I4", disputed=1, dispute_id=f"dp_{abbr}", link_state="Disputed")
		cls.link(
			"I5", last_payment_failed_at=add_to_date(now_datetime(), days=-3), link_state="Payment Failed"
		)

	@classmethod
	def invoice(cls, posted_days_ago: int, due_days_ago: int) -> str:
		return submit_sales_invoice(
			cls,
			customer=cls.customer,
			item=cls.item,
			posting_date=add_days(cls.T, -posted_days_ago),
			due_date=add_days(cls.T, -due_days_ago),
			rate=1000,
		).name

	@classmethod
	def pay(cls, key: str, on) -> None:
		pe = get_payment_entry("Sales Invoice", cls.inv[key], bank_account=cls.cash)
		pe.posting_date = on
		pe.reference_no = f"pb-{key}"
		pe.reference_date = on
		pe.insert()
		pe.submit()

	@classmethod
	def link(cls, key: str, **values) -> None:
		doc = frappe.get_doc(
			{
				"doctype": "RevOps Payment Link",
				"sales_invoice": cls.inv[key],
				"customer": cls.customer,
				"company": cls.company,
				"status": "Active",
				"token": frappe.generate_hash(length=32),
				"url": f"https://pay.example.com/pay/{key}",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("RevOps Payment Link", doc.name, values)

	def setUp(self) -> None:
		frappe.db.savepoint("revops_payment_behaviour_test")

	def tearDown(self) -> None:
		frappe.db.rollback(save_point="revops_payment_behaviour_test")

	def test_behaviour_is_aggregated_in_the_database(self):
		self.assertEqual(frappe.db.get_value("Sales Invoice", self.inv["I4"], "outstanding_amount"), 0)
		behaviour = payment_behaviour.behaviour_for([self.customer], self.T)[self.customer]
		self.assertEqual(behaviour.paid_invoices, 4)
		self.assertEqual(behaviour.avg_days_to_pay, 27.5)
		self.assertEqual((behaviour.earlier_avg_days_to_pay, behaviour.recent_avg_days_to_pay), (15.0, 40.0))
		self.assertEqual(behaviour.days_to_pay_trend, 25.0)
		self.assertEqual(
			(behaviour.failed_payments, behaviour.broken_promises, behaviour.disputes), (1, 1, 1)
		)
		# a 100-day window keeps I3 (paid T-60, its older half) and I4 (T-10): 40 and 40 days, no trend
		short = payment_behaviour.behaviour_for([self.customer], self.T, window_days=100)[self.customer]
		self.assertEqual((short.paid_invoices, short.days_to_pay_trend), (2, 0.0))
		# 50 days: only I4, so no older half to compare with
		shorter = payment_behaviour.behaviour_for([self.customer], self.T, window_days=50)[self.customer]
		self.assertEqual((shorter.paid_invoices, shorter.days_to_pay_trend), (1, None))
		# the promise is only broken while an invoice due by then is unpaid
		self.pay("I5", self.T)
		paid_up = payment_behaviour.behaviour_for([self.customer], self.T)[self.customer]
		self.assertEqual((paid_up.broken_promises, paid_up.paid_invoices), (0, 5))

	def test_signals_record_carries_the_behaviour(self):
		(record,) = records.build_records([(self.customer, now_datetime())], self.T, "USD")
		self.assertEqual(record["avg_days_to_pay"], 27.5)
		self.assertEqual(record["days_to_pay_trend"], 25.0)
		self.assertEqual(
			(
				record["paid_invoice_count"],
				record["failed_payment_count"],
				record["broken_promise_count"],
				record["dispute_count"],
				record["payment_window_days"],
			),
			(4, 1, 1, 1, 365),
		)

	def test_falling_nps_with_worse_payment_is_churn_risk(self):
		with settings_changed(cx_enabled=0):
			for days_ago, score in ((30, 9), (20, 7), (10, 4)):
				frappe.get_doc(
					{
						"doctype": CX_RESPONSE_DOCTYPE,
						"metric": "NPS",
						"raw_score": score,
						"customer": self.customer,
						"source": "payment-behaviour-test",
						"external_id": f"{self.abbr}-{days_ago}",
						"submitted_at": add_to_date(now_datetime(), days=-days_ago),
					}
				).insert(ignore_permissions=True)
		# the open overdue invoice I5 is paid first, so only the payment behaviour can coincide
		self.pay("I5", self.T)
		customer_state.refresh_customers([self.customer])
		reason = frappe.db.get_value("Customer", self.customer, CF_CUSTOMER_CHURN_REASON)
		self.assertIn("NPS fell 9 -> 7 -> 4", reason or "")
		self.assertIn("paying 25 days slower", reason)
		self.assertIn("1 payment dispute(s)", reason)

	def test_timeline_orders_every_document_and_links_it(self):
		rows = customer_timeline.execute({"customer": self.customer, "limit": 100})[1]
		self.assertEqual([r["when"] for r in rows], sorted((r["when"] for r in rows), reverse=True))
		kinds = {r["kind"] for r in rows}
		self.assertLessEqual({"invoice", "payment", "promise", "dispute"}, kinds)
		invoices = [r for r in rows if r["kind"] == "invoice"]
		self.assertEqual({r["name"] for r in invoices}, set(self.inv.values()))
		self.assertEqual(len([r for r in rows if r["kind"] == "payment"]), 4)
		dispute = next(r for r in rows if r["kind"] == "dispute")
		self.assertIn(self.inv["I4"], dispute["summary"])
		for row in rows:  # /app/... on v15, /desk/... on v16: whatever the desk's own helper says
			self.assertEqual(row["url"], frappe.utils.get_url_to_form(row["doctype"], row["name"]))
		self.assertEqual(signals_api.customer_timeline(self.customer, 3), rows[:3])

	def test_customer_health_report_puts_receivables_payment_and_cx_side_by_side(self):
		columns, rows, _message, chart = customer_health.execute({"owing_only": 1})
		row = next(r for r in rows if r["customer"] == self.customer)
		self.assertEqual((row["open_amount"], row["overdue_amount"]), (1000.0, 1000.0))
		self.assertEqual(row["oldest_due_date"], add_days(self.T, -20).isoformat())
		self.assertEqual((row["avg_days_to_pay"], row["days_to_pay_trend"]), (27.5, 25.0))
		self.assertEqual((row["failed_payments"], row["broken_promises"], row["disputes"]), (1, 1, 1))
		self.assertEqual((row["open_recovery_issues"], row["churn_risk"]), (0, 0))
		self.assertIn("Overdue", [d["name"] for d in chart["data"]["datasets"]])
		self.assertIn("avg_days_to_pay", [c["fieldname"] for c in columns])
		self.pay("I5", self.T)
		rows = customer_health.execute({"owing_only": 1})[1]
		self.assertNotIn(self.customer, [r["customer"] for r in rows])

	def test_customer_health_shows_no_score_where_no_response_of_that_metric_came(self):
		rows = customer_health.execute({"owing_only": 1})[1]
		row = next(r for r in rows if r["customer"] == self.customer)
		self.assertEqual((row["latest_nps"], row["latest_csat"], row["latest_ces"]), (None, None, None))
		with settings_changed(cx_enabled=0):
			frappe.get_doc(
				{
					"doctype": CX_RESPONSE_DOCTYPE,
					"metric": "NPS",
					"raw_score": 0,
					"customer": self.customer,
					"source": "payment-behaviour-test",
					"external_id": f"{self.abbr}-health-0",
					"submitted_at": now_datetime(),
				}
			).insert(ignore_permissions=True)
		customer_state.refresh_customers([self.customer])
		rows = customer_health.execute({"owing_only": 1})[1]
		row = next(r for r in rows if r["customer"] == self.customer)
		# an NPS of 0 is a real answer (shown), CSAT and CES were never asked (blank)
		self.assertEqual((row["latest_nps"], row["latest_csat"], row["latest_ces"]), (0, None, None))
