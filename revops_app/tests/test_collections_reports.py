"""Real-bench tests: the four collections reports return hand-checked totals on a small ledger.

A fresh company (random abbreviation, so reruns and other tests' data never leak in) gets five invoices,
three customer receipts and one Stripe payout, posted with ERPNext's own helpers
(`create_sales_invoice`, `get_payment_entry`). FrappeTestCase rolls everything back afterwards.

The data set (company currency, every amount hand-summed below):

	invoice  posted      due         total  paid                           pay link
	INV-E    2026-07-01  2026-07-31    600  300 Cash 2026-11-04             none
	INV-A    2026-09-10  2026-09-20   1000  1000 Wire Transfer 2026-10-05   none
	INV-B    2026-10-01  2026-10-31   2000  500 Stripe 2026-11-03           none
	INV-C    2026-10-15  2026-11-14   3000  -                              Viewed (2 views)
	INV-D    2026-11-02  2026-12-02   4000  -                              Sent, never viewed
	payout   2026-11-05  Stripe Clearing -> Bank, 400 (Internal Transfer)
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.stock.doctype.item.test_item import make_item

from revops_app.revenue_collections.report.collection_bottlenecks import collection_bottlenecks
from revops_app.revenue_collections.report.daily_cash_position import daily_cash_position
from revops_app.revenue_collections.report.dso_trend import dso_trend
from revops_app.revenue_collections.report.receivables_aging_with_pay_link_status import (
	receivables_aging_with_pay_link_status as aging,
)
from revops_app.tests.utils import (
	ensure_fiscal_years,
	make_test_company,
	settings_changed,
	submit_sales_invoice,
	use_company_accounts,
)

D = Decimal


def money(value) -> Decimal:
	return Decimal(str(value)).quantize(Decimal("0.01"))


class TestCollectionsReports(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		ensure_fiscal_years(["2026-07-01", "2026-12-31"])
		abbr = "RC" + frappe.generate_hash(length=4).upper()
		company = make_test_company(f"RevOps Collections {abbr}", abbr)
		use_company_accounts(cls, company)
		cls.abbr = abbr
		cls.bank = cls.make_account("RevOps Test Bank", "Bank")
		cls.clearing = cls.make_account("RevOps Stripe Clearing", "Bank")
		cls.cash = company.default_cash_account or cls.make_account("RevOps Test Cash", "Cash")
		for mode, kind in (("Wire Transfer", "Bank"), ("Cash", "Cash"), ("Stripe", "Bank")):
			if not frappe.db.exists("Mode of Payment", mode):
				frappe.get_doc({"doctype": "Mode of Payment", "mode_of_payment": mode, "type": kind}).insert()
		item_group = frappe.db.get_value("Item Group", {"is_group": 0}, "name")
		cls.item = make_item(
			"RevOps Collections Service", {"is_stock_item": 0, "item_group": item_group}
		).name
		customer_group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
		territory = frappe.db.get_value("Territory", {"is_group": 0}, "name")
		cls.customer = (
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": f"Collections Customer {abbr}",
					"customer_group": customer_group,
					"territory": territory,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

		cls.inv = {}
		for key, posted, due, total in (
			("E", "2026-07-01", "2026-07-31", 600),
			("A", "2026-09-10", "2026-09-20", 1000),
			("B", "2026-10-01", "2026-10-31", 2000),
			("C", "2026-10-15", "2026-11-14", 3000),
			("D", "2026-11-02", "2026-12-02", 4000),
		):
			cls.inv[key] = cls.make_invoice(posted, due, total)
		cls.receive("A", 1000, "2026-10-05", "Wire Transfer", cls.bank)
		cls.receive("B", 500, "2026-11-03", "Stripe", cls.clearing)
		cls.receive("E", 300, "2026-11-04", "Cash", cls.cash)
		cls.payout(400, "2026-11-05")
		cls.link("C", link_state="Viewed", sent_at="2026-10-16 09:00:00", view_count=2)
		cls.link("D", link_state="Sent", sent_at="2026-11-02 09:00:00", view_count=0)

	@classmethod
	def make_account(cls, name: str, account_type: str) -> str:
		parent = frappe.db.get_value(
			"Account", {"company": cls.company, "is_group": 1, "account_type": "Bank"}, "name"
		) or frappe.db.get_value(
			"Account", {"company": cls.company, "is_group": 1, "root_type": "Asset"}, "name"
		)
		return (
			frappe.get_doc(
				{
					"doctype": "Account",
					"account_name": name,
					"company": cls.company,
					"parent_account": parent,
					"account_type": account_type,
					"root_type": "Asset",
					"report_type": "Balance Sheet",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	@classmethod
	def make_invoice(cls, posted: str, due: str, total: int) -> str:
		si = submit_sales_invoice(
			cls, customer=cls.customer, item=cls.item, posting_date=posted, due_date=due, rate=total
		)
		assert si.grand_total == total, f"unexpected taxes or rounding: {si.grand_total}"
		return si.name

	@classmethod
	def receive(cls, key: str, amount: int, posted: str, mode: str, account: str) -> str:
		pe = get_payment_entry("Sales Invoice", cls.inv[key], party_amount=amount, bank_account=account)
		pe.posting_date = posted
		pe.reference_date = posted
		pe.reference_no = f"{key}-{posted}"
		pe.mode_of_payment = mode
		pe.paid_to = account
		pe.insert()
		pe.submit()
		return pe.name

	@classmethod
	def payout(cls, amount: int, posted: str) -> str:
		pe = frappe.get_doc(
			{
				"doctype": "Payment Entry",
				"payment_type": "Internal Transfer",
				"company": cls.company,
				"posting_date": posted,
				"paid_from": cls.clearing,
				"paid_to": cls.bank,
				"paid_amount": amount,
				"received_amount": amount,
				"source_exchange_rate": 1,
				"target_exchange_rate": 1,
				"reference_no": f"po_{posted}",
				"reference_date": posted,
			}
		)
		pe.insert()
		pe.submit()
		return pe.name

	@classmethod
	def link(cls, key: str, **values) -> None:
		name = frappe.db.get_value("RevOps Payment Link", {"sales_invoice": cls.inv[key]}, "name")
		if not name:
			name = (
				frappe.get_doc(
					{
						"doctype": "RevOps Payment Link",
						"sales_invoice": cls.inv[key],
						"customer": cls.customer,
						"company": cls.company,
						"token": frappe.generate_hash(length=32),
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
		frappe.db.set_value("RevOps Payment Link", name, values)

	# --- the reports ----------------------------------------------------------------------------

	def test_daily_cash_position(self):
		filters = {"company": self.company, "from_date": "2026-11-01", "to_date": "2026-11-05"}
		with settings_changed(company=self.company, stripe_clearing_account=self.clearing):
			_, rows, message, chart, summary = daily_cash_position.execute(filters)
		by_day = {str(row["day"]): row for row in rows}
		self.assertEqual(len(rows), 5)
		# Cash accounts = where receipts landed: bank (wire), clearing (Stripe), cash. Before 1 Nov only the
		# 1,000 wire of 5 Oct → opening 1,000.
		self.assertEqual(money(rows[0]["opening"]), D("1000.00"))
		# 3 Nov: Stripe 500 → 1,500; 4 Nov: cash 300 → 1,800; 5 Nov: payout moves 400 clearing → bank,
		# both in scope, so other movements 0 and closing stays 1,800.
		self.assertEqual(money(by_day["2026-11-03"]["mode_stripe"]), D("500.00"))
		self.assertEqual(money(by_day["2026-11-04"]["mode_cash"]), D("300.00"))
		self.assertEqual(money(by_day["2026-11-05"]["other_movements"]), D("0.00"))
		self.assertEqual(money(rows[-1]["closing"]), D("1800.00"))
		# Stripe: in 500 on 3 Nov, out 400 on 5 Nov → pending 500 then 100.
		self.assertEqual(money(by_day["2026-11-03"]["stripe_pending"]), D("500.00"))
		self.assertEqual(money(by_day["2026-11-05"]["stripe_paid_out"]), D("400.00"))
		self.assertEqual(money(by_day["2026-11-05"]["stripe_pending"]), D("100.00"))
		totals = {item["label"]: money(item["value"]) for item in summary}
		self.assertEqual(totals["Received"], D("800.00"))
		self.assertEqual(len(chart["data"]["labels"]), 5)
		self.assertIn(self.clearing, message)

		# One mode: only the clearing account is in scope: opening 0, +500, -400 payout → 100.
		filters["mode_of_payment"] = "Stripe"
		with settings_changed(stripe_clearing_account=None):
			_, rows, message, _, _ = daily_cash_position.execute(filters)
		self.assertEqual(money(rows[0]["opening"]), D("0.00"))
		self.assertEqual(money(rows[-1]["closing"]), D("100.00"))
		self.assertEqual(money(rows[-1]["other_movements"]), D("-400.00"))
		self.assertIn("not derivable", message)

	def test_dso_trend_standard_and_countback(self):
		filters = {"company": self.company, "to_date": "2026-11-30", "months": 3, "method": "Standard"}
		_, rows, message, chart, _ = dso_trend.execute(filters)
		# Receivables at month end: Jul +600 → Sep 600 + 1,000 = 1,600; Oct + 2,000 + 3,000 - 1,000 = 5,600;
		# Nov + 4,000 - 500 - 300 = 8,800. Credit sales Sep 1,000, Oct 5,000, Nov 4,000.
		self.assertEqual([r["month"] for r in rows], ["2026-09", "2026-10", "2026-11"])
		self.assertEqual([money(r["receivables"]) for r in rows], [D("1600"), D("5600"), D("8800")])
		self.assertEqual([money(r["credit_sales"]) for r in rows], [D("1000"), D("5000"), D("4000")])
		# Standard: 1,600/1,000*30 = 48.00; 5,600/5,000*31 = 34.72; 8,800/4,000*30 = 66.00
		self.assertEqual([r["dso"] for r in rows], [D("48.00"), D("34.72"), D("66.00")])
		self.assertIn("Standard DSO", message)
		self.assertEqual(chart["type"], "line")

		filters["method"] = "Countback"
		_, rows, message, _, _ = dso_trend.execute(filters)
		# Sep: 1,600 - Sep 1,000 (30 d) = 600; Aug no sales (31 d); Jul 600/600*31 = 31 → 92.00
		# Oct: 5,600 - Oct 5,000 (31 d) = 600; 600/1,000 of Sep's 30 d = 18 → 49.00
		# Nov: 8,800 - Nov 4,000 (30 d) = 4,800; 4,800/5,000 of Oct's 31 d = 29.76 → 59.76
		self.assertEqual([r["dso"] for r in rows], [D("92.00"), D("49.00"), D("59.76")])
		self.assertFalse(any(r["exhausted"] for r in rows))

	def test_receivables_aging_with_pay_link_status(self):
		filters = {"company": self.company, "report_date": "2026-11-30"}
		_, rows, _, chart, summary = aging.execute(filters)
		by_invoice = {row["invoice"]: row for row in rows}
		# INV-A is paid: 4 open invoices.
		self.assertEqual(set(by_invoice), {self.inv[k] for k in "BCDE"})
		b, c, d, e = (by_invoice[self.inv[k]] for k in "BCDE")
		# Days past due on 30 Nov: B 30 (0-30), C 16 (0-30), D -2 (Not Due), E 122 (90+)
		self.assertEqual((b["days_overdue"], b["bucket"]), (30, "0-30"))
		self.assertEqual((c["days_overdue"], c["bucket"]), (16, "0-30"))
		self.assertEqual((d["days_overdue"], d["bucket"]), (-2, "Not Due"))
		self.assertEqual((e["days_overdue"], e["bucket"]), (122, "90+"))
		self.assertEqual(
			[b["pay_link_status"], c["pay_link_status"], d["pay_link_status"], e["pay_link_status"]],
			["Not Sent", "Viewed", "Never Viewed", "Not Sent"],
		)
		self.assertEqual(
			[money(r["outstanding"]) for r in (b, c, d, e)], [D("1500"), D("3000"), D("4000"), D("300")]
		)
		totals = {item["label"]: item["value"] for item in summary}
		# 1,500 + 3,000 + 4,000 + 300 = 8,800 (= the ledger's receivables at 30 Nov in the DSO test)
		self.assertEqual(money(totals["Total Outstanding"]), D("8800"))
		self.assertEqual(money(totals["0-30"]), D("4500"))
		self.assertEqual(money(totals["Not Due"]), D("4000"))
		self.assertEqual(chart["data"]["labels"], ["Not Due", "0-30", "31-60", "61-90", "90+"])

		# The number card's filter: at least 91 days overdue → only INV-E, 300.
		_, rows, _, _, _ = aging.execute({**filters, "min_days_overdue": 91})
		self.assertEqual([r["invoice"] for r in rows], [self.inv["E"]])
		_, rows, _, _, _ = aging.execute({**filters, "pay_link_status": "Viewed"})
		self.assertEqual([r["invoice"] for r in rows], [self.inv["C"]])

	def test_aging_totals_equal_erpnext_accounts_receivable_per_customer_and_bucket(self):
		"""A credit note (a return with its own balance), an unallocated payment and a Journal Entry charging
		the customer (as the app's dispute withdrawals do) are in ERPNext's Accounts Receivable: the aging
		must show them and agree per customer and bucket, today and on a past date."""
		from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as ar
		from erpnext.accounts.report.accounts_receivable_summary.accounts_receivable_summary import (
			execute as ar_summary,
		)

		frappe.db.savepoint("revops_aging_vs_erpnext")  # the class's fixtures live in this transaction
		try:
			submit_sales_invoice(
				self,
				customer=self.customer,
				item=self.item,
				posting_date="2026-11-20",
				due_date="2026-11-20",
				rate=200,
				qty=-1,
				fields={"is_return": 1, "return_against": self.inv["C"], "update_outstanding_for_self": 1},
			)
			advance = frappe.get_doc(
				{
					"doctype": "Payment Entry",
					"payment_type": "Receive",
					"company": self.company,
					"party_type": "Customer",
					"party": self.customer,
					"posting_date": "2026-11-21",
					"paid_to": self.bank,
					"paid_amount": 100,
					"received_amount": 100,
					"reference_no": "unallocated",
					"reference_date": "2026-11-21",
				}
			)
			advance.insert()
			advance.submit()
			receivable = frappe.db.get_value("Sales Invoice", self.inv["C"], "debit_to")
			je = frappe.get_doc(
				{
					"doctype": "Journal Entry",
					"company": self.company,
					"posting_date": "2026-11-22",
					"accounts": [
						{
							"account": receivable,
							"party_type": "Customer",
							"party": self.customer,
							"debit_in_account_currency": 50,
						},
						{"account": self.clearing, "credit_in_account_currency": 50},
					],
				}
			)
			je.insert()
			je.submit()
			for report_date in ("2026-11-30", "2026-11-04"):
				ours = aging.execute({"company": self.company, "report_date": report_date})
				theirs = ar(
					{
						"company": self.company,
						"report_date": report_date,
						"ageing_based_on": "Due Date",
						"calculate_ageing_with": "Report Date",
						"range": "30, 60, 90",
						"party_type": "Customer",
					}
				)
				expected: dict = {}
				for row in theirs[1]:
					if not isinstance(row, dict) or not row.get("voucher_no"):
						continue
					ranges = [money(row.get(f"range{i}") or 0) for i in (1, 2, 3, 4)]
					for label, value in zip(
						("Not Due", "0-30", "31-60", "61-90", "90+"),
						[money(row["outstanding"]) - sum(ranges), *ranges],
						strict=True,
					):
						key = (row["party"], label)
						expected[key] = expected.get(key, D(0)) + value
				got: dict = {}
				for row in ours[1]:
					key = (row["customer"], row["bucket"])
					got[key] = got.get(key, D(0)) + money(row["outstanding"])
				self.assertEqual(
					{k: v for k, v in got.items() if v}, {k: v for k, v in expected.items() if v}, report_date
				)
				summary = ar_summary(
					{
						"company": self.company,
						"report_date": report_date,
						"ageing_based_on": "Due Date",
						"calculate_ageing_with": "Report Date",
						"range": "30, 60, 90",
						"party_type": "Customer",
					}
				)
				per_party = {
					r["party"]: money(r["outstanding"])
					for r in summary[1]
					if isinstance(r, dict) and r.get("party")
				}
				ours_total = {item["label"]: money(item["value"]) for item in ours[4]}["Total Outstanding"]
				self.assertEqual(ours_total, sum(per_party.values(), D(0)), report_date)
			kinds = {
				row["kind"]
				for row in aging.execute({"company": self.company, "report_date": "2026-11-30"})[1]
			}
			self.assertTrue(
				{"Invoice", "Credit Note", "Unallocated Payment", "Journal Entry"} <= kinds, kinds
			)
			# on 4 Nov the 3 Nov Stripe payment of B counts, the 20 Nov credit note does not yet
			past = {
				r["voucher_no"]: money(r["outstanding"])
				for r in aging.execute({"company": self.company, "report_date": "2026-11-04"})[1]
			}
			self.assertEqual(past[self.inv["B"]], D("1500"))
			self.assertNotIn(advance.name, past)
		finally:
			frappe.db.rollback(save_point="revops_aging_vs_erpnext")

	def test_collection_bottlenecks(self):
		filters = {"company": self.company, "from_date": "2026-07-01", "to_date": "2026-11-30"}
		_, rows, _, chart, summary = collection_bottlenecks.execute(filters)
		# Furthest stage: A paid (3), B and E no link (0), C viewed (2), D sent (1)
		# Invoiced 5; Link Sent A, C, D = 3; Link Viewed A, C = 2; Paid A = 1
		self.assertEqual(chart["data"]["labels"], ["Invoiced", "Link Sent", "Link Viewed", "Paid"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [5, 3, 2, 1])
		# what the links recorded themselves: C and D were sent, only C was viewed (A's payment counts in
		# the furthest-stage funnel as sent and viewed, not here)
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual((values["Links Sent (by the link)"], values["Links Viewed (by the link)"]), (2, 1))
		stuck = [(row["stage"], row["invoice"]) for row in rows]
		# Stuck at Invoiced: B (1,500 outstanding) before E (300); at Link Sent: D; at Link Viewed: C
		self.assertEqual(
			stuck,
			[
				("Invoiced", self.inv["B"]),
				("Invoiced", self.inv["E"]),
				("Link Sent", self.inv["D"]),
				("Link Viewed", self.inv["C"]),
			],
		)
		# Outstanding stuck: 1,500 + 300 + 4,000 + 3,000 = 8,800
		self.assertEqual(money(summary[-1]["value"]), D("8800"))

	def test_reports_run_through_the_desk_endpoint(self):
		from frappe.desk.query_report import run

		result = run(
			"Receivables Aging with Pay-Link Status",
			filters={"company": self.company, "report_date": "2026-11-30"},
		)
		self.assertEqual(len(result["result"]), 4)
		self.assertTrue(result["chart"] and result["report_summary"])
		self.assertEqual(getdate(result["result"][0]["due_date"]), getdate("2026-07-31"))

	def test_workspace_shows_everything_to_an_accounts_user(self):
		import json

		from frappe.desk.desktop import get_desktop_page

		email = f"collections-{self.abbr.lower()}@revops.example"
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Collector", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		user.add_roles("Accounts User")
		frappe.set_user(email)
		try:
			page = get_desktop_page(json.dumps({"name": "Collections", "title": "Collections", "public": 1}))
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(len(page["number_cards"]["items"]), 6)
		self.assertEqual(len(page["charts"]["items"]), 5)
		reports = {
			link["link_to"]
			for card in page["cards"]["items"]
			for link in card["links"]
			if link["link_type"] == "Report"
		}
		self.assertEqual(
			reports,
			{
				"Daily Cash Position",
				"DSO Trend",
				"Receivables Aging with Pay-Link Status",
				"Collection Bottlenecks",
				"Stripe Reconciliation",
				"Dunning Preview",
			},
		)

	def test_aging_shows_the_latest_reminder_when_the_dunning_log_exists(self):
		from revops_app.revenue_collections import reports_data as collections_data

		column = collections_data.reminder_invoice_column()
		if not column:
			self.skipTest("the dunning reminder log (RevOps Dunning Reminder) is not installed on this site")
		# Two reminders for INV-B: step 1 on 1 Nov, step 2 on 8 Nov → the report shows step 2.
		for step, sent_at in (("Step 1", "2026-11-01 08:00:00"), ("Step 2", "2026-11-08 08:00:00")):
			frappe.db.sql(
				f"""INSERT INTO `tabRevOps Dunning Reminder`
				(name, {column}, step, sent_at, outcome, creation, modified)
				VALUES (%(name)s, %(invoice)s, %(step)s, %(sent_at)s, 'Sent', %(sent_at)s, %(sent_at)s)""",
				{
					"name": frappe.generate_hash(length=12),
					"invoice": self.inv["B"],
					"step": step,
					"sent_at": sent_at,
				},
			)
		columns, rows, _, _, _ = aging.execute({"company": self.company, "report_date": "2026-11-30"})
		self.assertIn("last_reminder_step", {c["fieldname"] for c in columns})
		by_invoice = {row["invoice"]: row for row in rows}
		self.assertEqual(by_invoice[self.inv["B"]]["last_reminder_step"], "Step 2")
		self.assertEqual(by_invoice[self.inv["B"]]["last_reminder_outcome"], "Sent")
		self.assertIsNone(by_invoice[self.inv["C"]]["last_reminder_step"])
