"""Real-bench tests: settlements of different invoices run side by side and still post exactly as ERPNext
names and books them.

Six invoices paid at once are settled by six workers at the same moment (each its own thread and
database connection): every one posts, none deadlocks or waits for the hourly sweep, the receipts carry
consecutive names of ERPNext's Payment Entry series (taken on a second connection, settlement/naming.py),
and ERPNext's own figures (outstanding, GL) agree. The worker's READ COMMITTED session is restored after
each job; a Document Naming Rule for Payment Entry leaves the naming to Frappe.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.utils import nowdate

from revops_app.revenue_collections.settlement.isolation import read_committed
from revops_app.revenue_collections.settlement.naming import name_by_series_now
from revops_app.tests.stripe_bench import StripeBenchCase, money
from revops_app.tests.stripe_standin import session_completed
from revops_app.tests.test_stripe_payouts import unique


def series_current(key: str) -> int:
	frappe.db.rollback()  # tabSeries has no creation column (v16's get_value orders by it)
	found = frappe.db.sql("select `current` from `tabSeries` where `name`=%s", (key,))
	return found[0][0] if found else 0


class TestStripeConcurrency(StripeBenchCase):
	def paid_at_stripe(self, rate: float) -> tuple[str, str]:
		si = self.make_invoice(rate)
		link = self.link_of(si.name)
		pi, evt = unique("pi"), unique("evt")
		minor = round(rate * 100)
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=minor, fee=290)
		status, body = self.post(
			evt, "checkout.session.completed", session_completed(pi, si.name, link.name, minor)
		)
		self.assertEqual(status, 200, body)
		return si.name, evt

	def test_six_invoices_settled_at_once_all_post_with_consecutive_series_names(self):
		paid = [self.paid_at_stripe(100 + n) for n in range(6)]
		series = frappe.get_meta("Payment Entry").get_field("naming_series").options.split("\n")[0]
		key = series.replace(".YYYY.", nowdate()[:4]).rstrip(".")
		before = series_current(key)

		self.process(*[evt for _si, evt in paid])  # six workers at the same moment

		names = []
		for invoice, evt in paid:
			log = self.log_of(evt)
			self.assertEqual(log.status, "Success", log.message)
			(receipt,) = self.receipts(invoice)
			names.append(receipt.name)
			self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "status"), "Paid")
			gl = self.gl(receipt.name)
			self.assertEqual(gl[self.masters["fee"]][0], money(2.90))
			self.assertEqual(sum(d for d, _c in gl.values()), sum(c for _d, c in gl.values()))
		after = series_current(key)
		self.assertEqual(after - before, 6)
		self.assertEqual(sorted(names), [f"{key}{n:05d}" for n in range(before + 1, after + 1)])

	def test_name_is_the_one_frappe_gives_and_a_naming_rule_keeps_frappes_way(self):
		pe = frappe.new_doc("Payment Entry")
		pe.company = self.masters["company"]
		key = pe.naming_series.replace(".YYYY.", nowdate()[:4]).rstrip(".")
		before = series_current(key)
		name = name_by_series_now(pe)
		self.assertEqual(name, f"{key}{before + 1:05d}")
		self.assertTrue(pe.flags.name_set)
		self.assertEqual(series_current(key), before + 1)  # committed on its own connection at once

		rule = frappe.get_doc(
			{
				"doctype": "Document Naming Rule",
				"document_type": "Payment Entry",
				"prefix": "RV-",
				"prefix_digits": 4,
			}
		).insert(ignore_permissions=True)
		try:
			other = frappe.new_doc("Payment Entry")
			self.assertIsNone(name_by_series_now(other))
			self.assertFalse(other.flags.name_set)
		finally:
			rule.delete(ignore_permissions=True)
			frappe.db.commit()

	def test_read_committed_only_inside_the_job(self):
		def level() -> str:
			return frappe.db.sql("select @@session.tx_isolation")[0][0]

		outside = level()
		with read_committed():
			self.assertEqual(level(), "READ-COMMITTED")
		self.assertEqual(level(), outside)
