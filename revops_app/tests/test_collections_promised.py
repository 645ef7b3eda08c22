"""Real-bench tests: promised invoices in Receivables Aging with Pay-Link Status and Collection Bottlenecks.

Set-up (PromiseBenchCase: a fresh company, a policy allowing promises up to 10 days ahead; T = today):
ACME has three invoices made with ERPNext's own API: A1 1,000 due T-20, A2 500 due T-3, A3 700 due T+5.
Each test records a promise through `record_promise` (the same path the pay pages use) and rolls back.

- Aging: A2 promised by T+4 shows Promised By T+4, the others none; the summary's promised total is 500;
  the Promise to Pay filter keeps / drops it; totals per customer and bucket still equal ERPNext's Accounts
  Receivable; on a report date after the promised date the invoice is no longer promised.
- Funnel: A2 is listed at Promised (not stuck), the four stage counts and the chart are unchanged, the
  summary counts 1 promised with 500 outstanding; once ERPNext shows A2 paid it is Paid, not Promised.
- As of a past day: A2 promised (made T-6), paid by a Payment Entry posted T-2 and resolved Kept that day.
  The aging dated T-4 still shows it promised (it was Open then); dated T-7 (before the promise) it does
  not; today's aging and funnel do not list it as promised.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from decimal import Decimal

import frappe
from frappe.utils import add_days, getdate

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as accounts_receivable

from revops_app.revenue_collections.constants import PROMISE_DOCTYPE
from revops_app.revenue_collections.promise_resolution import resolve_promises
from revops_app.revenue_collections.promises import record_promise
from revops_app.revenue_collections.report.collection_bottlenecks import collection_bottlenecks
from revops_app.revenue_collections.report.receivables_aging_with_pay_link_status import (
	receivables_aging_with_pay_link_status as aging,
)
from revops_app.tests.promise_bench import PromiseBenchCase

BUCKETS = ("Not Due", "0-30", "31-60", "61-90", "90+")


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


class TestCollectionsPromised(PromiseBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.currency = frappe.get_cached_value("Company", cls.company, "default_currency")
		cls.acme = cls.make_customer("ACME")
		cls.a1 = cls.make_invoice(cls.acme, add_days(cls.T, -20), 1000)
		cls.a2 = cls.make_invoice(cls.acme, add_days(cls.T, -3), 500)
		cls.a3 = cls.make_invoice(cls.acme, add_days(cls.T, 5), 700)

	def promise(self, invoices: list[str], days: int) -> str:
		return record_promise(
			self.acme, self.company, self.currency, invoices, add_days(self.T, days), source="Collector"
		)

	def aging(self, report_date=None, **filters) -> tuple[dict, dict]:
		result = aging.execute({"company": self.company, "report_date": report_date or self.T, **filters})
		rows = {row["voucher_no"]: row for row in result[1]}
		summary = {item["label"]: item["value"] for item in result[4]}
		return rows, summary

	def funnel(self, **filters) -> tuple:
		window = {"from_date": add_days(self.T, -90), "to_date": self.T}
		return collection_bottlenecks.execute({"company": self.company, **window, **filters})

	def test_aging_shows_the_promised_date_and_total_and_still_equals_erpnext(self):
		self.promise([self.a2], days=4)
		rows, summary = self.aging()
		self.assertEqual(set(rows), {self.a1, self.a2, self.a3})
		self.assertEqual(getdate(rows[self.a2]["promised_until"]), getdate(add_days(self.T, 4)))
		self.assertIsNone(rows[self.a1]["promised_until"])
		self.assertIsNone(rows[self.a3]["promised_until"])
		# promised total: A2's 500; the other figures are untouched: 1,000 + 500 + 700 = 2,200
		self.assertEqual(money(summary["Promised to Pay (1 invoices)"]), Decimal("500.00"))
		self.assertEqual(money(summary["Total Outstanding"]), Decimal("2200.00"))
		self.assertEqual(self.per_bucket(), self.erpnext_per_bucket())

		promised_only, _ = self.aging(promised="Promised")
		self.assertEqual(set(promised_only), {self.a2})
		others, summary = self.aging(promised="Not Promised")
		self.assertEqual(set(others), {self.a1, self.a3})
		self.assertEqual(money(summary["Promised to Pay (0 invoices)"]), Decimal("0.00"))
		with self.assertRaises(frappe.ValidationError):
			self.aging(promised="Maybe")

		# Seen from a report date after the promised date, the promise no longer runs.
		later, summary = self.aging(report_date=add_days(self.T, 5))
		self.assertIsNone(later[self.a2]["promised_until"])
		self.assertEqual(money(summary["Promised to Pay (0 invoices)"]), Decimal("0.00"))

	def per_bucket(self) -> dict:
		got: dict = {}
		for row in aging.execute({"company": self.company, "report_date": self.T})[1]:
			key = (row["customer"], row["bucket"])
			got[key] = got.get(key, Decimal(0)) + money(row["outstanding"])
		return {key: value for key, value in got.items() if value}

	def erpnext_per_bucket(self) -> dict:
		theirs = accounts_receivable(
			{
				"company": self.company,
				"report_date": self.T,
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
			ranges = [money(row.get(f"range{i}")) for i in (1, 2, 3, 4)]
			values = [money(row["outstanding"]) - sum(ranges), *ranges]
			for label, value in zip(BUCKETS, values, strict=True):
				key = (row["party"], label)
				expected[key] = expected.get(key, Decimal(0)) + value
		return {key: value for key, value in expected.items() if value}

	def test_funnel_lists_the_promised_invoice_at_promised(self):
		_, plain_rows, _, plain_chart, _ = self.funnel()
		self.assertNotIn("Promised", {row["stage"] for row in plain_rows})
		self.promise([self.a2], days=4)
		_, rows, _, chart, summary = self.funnel()
		by_invoice = {row["invoice"]: row for row in rows}
		self.assertEqual(by_invoice[self.a2]["stage"], "Promised")
		self.assertEqual(getdate(by_invoice[self.a2]["promised_until"]), getdate(add_days(self.T, 4)))
		self.assertNotEqual(by_invoice[self.a1]["stage"], "Promised")
		self.assertIsNone(by_invoice[self.a1]["promised_until"])
		# The chain and its chart are what they were without the promise.
		self.assertEqual(chart, plain_chart)
		self.assertEqual(chart["data"]["labels"], ["Invoiced", "Link Sent", "Link Viewed", "Paid"])
		self.assertEqual(chart["data"]["datasets"][0]["values"][0], 3)
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual(values["Promised"], 1)
		self.assertEqual(money(values["Outstanding Promised"]), Decimal("500.00"))
		# stuck: A1 1,000 + A3 700 (A2 is promised)
		self.assertEqual(summary[-1]["label"], "Outstanding Stuck")
		self.assertEqual(money(summary[-1]["value"]), Decimal("1700.00"))

		_, only, _, _, _ = self.funnel(stage="Promised")
		self.assertEqual([row["invoice"] for row in only], [self.a2])
		with self.assertRaises(frappe.ValidationError):
			self.funnel(stage="Somewhere")

		# Paid in full through ERPNext: Paid in the funnel, no longer listed as promised.
		self.receive(self.a2, 500, "promised-paid")
		_, rows, _, chart, summary = self.funnel()
		self.assertNotIn(self.a2, {row["invoice"] for row in rows})
		self.assertEqual(chart["data"]["datasets"][0]["values"][3], 1)
		values = {item["label"]: item["value"] for item in summary}
		self.assertEqual(values["Promised"], 0)

	def test_a_promise_kept_since_still_shows_on_a_report_dated_before(self):
		name = self.promise([self.a2], days=4)
		made, paid = add_days(self.T, -6), add_days(self.T, -2)
		# The promise was made six days ago (a test cannot wait: its creation is moved back).
		frappe.db.sql(
			f"UPDATE `tab{PROMISE_DOCTYPE}` SET creation = %s WHERE name = %s", (f"{made} 10:00:00", name)
		)
		pe = get_payment_entry("Sales Invoice", self.a2, party_amount=500, bank_account=self.cash)
		pe.posting_date = pe.reference_date = paid
		pe.reference_no = "kept-promise"
		pe.insert()
		pe.submit()
		self.assertEqual(resolve_promises(paid), {"Kept": 1})
		self.assertEqual(
			frappe.db.get_value(PROMISE_DOCTYPE, name, ["status", "resolved_on"]), ("Kept", getdate(paid))
		)

		# Dated T-4: A2 is still owed (ERPNext's own rows) and was under the Open promise that day.
		before, summary = self.aging(report_date=add_days(self.T, -4))
		self.assertEqual(money(before[self.a2]["outstanding"]), Decimal("500.00"))
		self.assertEqual(getdate(before[self.a2]["promised_until"]), getdate(add_days(self.T, 4)))
		self.assertEqual(money(summary["Promised to Pay (1 invoices)"]), Decimal("500.00"))
		# Dated T-7, before the promise was made: owed, not promised.
		earlier, summary = self.aging(report_date=add_days(self.T, -7))
		self.assertIsNone(earlier[self.a2]["promised_until"])
		self.assertEqual(money(summary["Promised to Pay (0 invoices)"]), Decimal("0.00"))
		# Today: paid, gone from the aging, nothing promised; the funnel has it Paid, not Promised.
		now, summary = self.aging()
		self.assertNotIn(self.a2, now)
		self.assertEqual(money(summary["Promised to Pay (0 invoices)"]), Decimal("0.00"))
		_, rows, _, _, funnel_summary = self.funnel()
		self.assertNotIn(self.a2, {row["invoice"] for row in rows if row["stage"] == "Promised"})
		self.assertEqual({item["label"]: item["value"] for item in funnel_summary}["Promised"], 0)
