"""Real-bench tests: Stripe payouts -> one Internal Transfer clearing -> bank, matched by ERPNext's own Bank
Reconciliation Tool.

Signed payout events go through the WSGI app; the worker asks the local stand-in for the payout and the
balance transactions it carries (stripe SDK, paged). The bank statement line is an ERPNext Bank
Transaction matched by bank_reconciliation_tool.get_linked_payments / reconcile_vouchers.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import json
from datetime import datetime, timezone
from decimal import Decimal

import frappe

from revops_app.revenue_collections.constants import (
	CF_JE_STRIPE_BALANCE_TXN,
	CF_STRIPE_PAYOUT,
	PAYOUT_TRANSACTION_DOCTYPE,
)
from revops_app.revops.constants import SETTINGS_DOCTYPE
from revops_app.tests.stripe_bench import COMPANY, StripeBenchCase, money
from revops_app.tests.stripe_standin import charge_txn, other_txn, session_completed
from revops_app.tests.utils import gl_totals_by_account

D = Decimal
BANK_ACCOUNT_NAME = "RevOps Stripe Payout Bank"
BANK = "RevOps Test Bank"


def unique(prefix: str) -> str:
	return f"{prefix}_rtest{frappe.generate_hash(length=14)}"


def bank_gl_account(currency: str = "USD", name: str = BANK_ACCOUNT_NAME) -> str:
	existing = frappe.db.get_value("Account", {"account_name": name, "company": COMPANY}, "name")
	if existing:
		return existing
	parent = frappe.db.get_value(
		"Account", {"company": COMPANY, "is_group": 1, "account_type": "Bank"}, "name"
	)
	return (
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": name,
				"company": COMPANY,
				"parent_account": parent,
				"account_type": "Bank",
				"account_currency": currency,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def set_payout_bank(account: str) -> None:
	"""Committed and out of every process's settings cache (the worker reads the cached single)."""
	frappe.db.set_single_value(SETTINGS_DOCTYPE, "stripe_payout_bank_account", account)
	frappe.db.commit()
	frappe.clear_document_cache(SETTINGS_DOCTYPE, SETTINGS_DOCTYPE)


class TestStripePayouts(StripeBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.bank = bank_gl_account()
		cls.eur_bank = bank_gl_account("EUR", "RevOps Stripe Payout Bank EUR")
		set_payout_bank(cls.bank)

	def setUp(self) -> None:
		super().setUp()
		self.standin.balance_transactions.clear()
		self.standin.balance.update(available=[], pending=[])
		self.balance_logs: list[str] = []

	def tearDown(self) -> None:
		frappe.db.rollback()
		if self.balance_logs:
			frappe.db.delete("RevOps Integration Log", {"name": ["in", self.balance_logs]})
		entries = frappe.get_all("Payment Entry", filters={"company": COMPANY}, pluck="name")
		if entries:
			frappe.db.delete(PAYOUT_TRANSACTION_DOCTYPE, {"parent": ["in", entries]})
		transactions = frappe.get_all("Bank Transaction", filters={"company": COMPANY}, pluck="name")
		if transactions:
			frappe.db.delete("Bank Transaction Payments", {"parent": ["in", transactions]})
			frappe.db.delete("Bank Transaction", {"name": ["in", transactions]})
		set_payout_bank(self.bank)
		super().tearDown()

	# --- helpers ----------------------------------------------------------------------------

	def paid_invoice(self, rate: float, fee: int):
		si = self.make_invoice(rate)
		link = self.link_of(si.name)
		pi = unique("pi")
		minor = round(rate * 100)
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=minor, fee=fee)
		evt = unique("evt")
		self.post(evt, "checkout.session.completed", session_completed(pi, si.name, link.name, minor))
		self.process(evt)
		(receipt,) = self.receipts(si.name)
		return si, pi, receipt

	def payout_event(self, payout_id: str, event_type: str = "payout.paid") -> str:
		evt = unique("evt")
		status, body = self.post(evt, event_type, dict(self.standin.payouts[payout_id]))
		self.assertEqual(status, 200, body)
		self.process(evt)
		return evt

	def payout_entries(self, payout_id: str) -> list[frappe._dict]:
		return frappe.get_all(
			"Payment Entry", filters={CF_STRIPE_PAYOUT: payout_id}, fields=["*"], order_by="creation"
		)

	def make_payout(self, arrival: int | None = None, extra: list[dict] | None = None):
		"""A payout of a 100.00 receipt (fee 3.20) and a 1.50 Radar fee (plus `extra` transactions)."""
		_si, pi, receipt = self.paid_invoice(100, fee=320)
		payout_id = unique("po")
		fee_txn = other_txn(unique("txn"), "stripe_fee", -150, category="fee", description="Radar")
		self.standin.page_size = 1  # the worker must follow Stripe's pages
		txns = [*(extra or []), fee_txn, charge_txn(pi, 10000, 320)]
		self.standin.add_payout(payout_id, txns, arrival=arrival)
		return payout_id, pi, receipt, fee_txn

	def fee_entry(self, txn_id: str) -> frappe._dict | None:
		return frappe.db.get_value(
			"Journal Entry",
			{CF_JE_STRIPE_BALANCE_TXN: txn_id},
			["name", "docstatus", "posting_date"],
			as_dict=True,
		)

	def adjustment(self) -> dict:
		return other_txn(unique("txn"), "adjustment", -200, category="other_adjustment", source=None)

	# --- tests ------------------------------------------------------------------------------

	def test_paid_payout_posts_one_internal_transfer_listing_its_transactions(self):
		arrival = int(datetime(2026, 11, 20, tzinfo=timezone.utc).timestamp())
		payout_id, _pi, receipt, fee_txn = self.make_payout(arrival)
		evt = self.payout_event(payout_id)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Success", log.message)
		self.assertIn("3 balance transactions, 3 with their ERPNext voucher, 0 without", log.message)
		fee_je = self.fee_entry(fee_txn["id"])
		self.assertIn(
			f"1 Stripe fee entry posted (Stripe fee not tied to a charge (Radar) {fee_txn['id']} 1.50 USD "
			f"as {fee_je.name})",
			log.message,
		)
		self.assertEqual(fee_je.docstatus, 1)
		fee_gl = gl_totals_by_account("Journal Entry", fee_je.name)
		self.assertEqual(
			{a: (money(d), money(c)) for a, (d, c) in fee_gl.items()},
			{self.masters["fee"]: (D("1.50"), D("0.00")), self.masters["clearing"]: (D("0.00"), D("1.50"))},
		)
		(pe,) = self.payout_entries(payout_id)
		self.assertEqual((pe.payment_type, pe.docstatus), ("Internal Transfer", 1))
		self.assertEqual((pe.paid_from, pe.paid_to), (self.masters["clearing"], self.bank))
		self.assertEqual(money(pe.paid_amount), D("95.30"))  # 96.80 net of the charge - 1.50 Stripe fee
		self.assertEqual(str(pe.posting_date), "2026-11-20")  # the arrival date (UTC calendar date)
		self.assertEqual((pe.reference_no, str(pe.reference_date)), (payout_id, "2026-11-20"))
		gl = self.gl(pe.name)
		self.assertEqual(gl[self.bank], (D("95.30"), D("0.00")))
		self.assertEqual(gl[self.masters["clearing"]], (D("0.00"), D("95.30")))
		rows = {
			r.transaction_type: r
			for r in frappe.get_all(PAYOUT_TRANSACTION_DOCTYPE, filters={"parent": pe.name}, fields=["*"])
		}
		self.assertEqual(
			(rows["charge"].voucher_type, rows["charge"].voucher_no), ("Payment Entry", receipt.name)
		)
		self.assertEqual(money(rows["charge"].fee), D("3.20"))
		self.assertEqual(
			(rows["stripe_fee"].voucher_type, rows["stripe_fee"].voucher_no, rows["stripe_fee"].note),
			("Journal Entry", fee_je.name, None),
		)
		self.assertEqual((rows["payout"].voucher_no, rows["payout"].note), (pe.name, None))
		# the listing was asked for by payout, expanded, and paged
		listed = [
			r
			for r in self.standin.requests
			if r["path"] == "/v1/balance_transactions" and r["query"].get("payout") == payout_id
		]
		self.assertEqual(len(listed), 3)
		self.assertEqual(listed[0]["query"]["payout"], payout_id)
		self.assertEqual(listed[0]["query"]["expand[0]"], "data.source")

	def balance_check(self) -> frappe._dict:
		from revops_app.revenue_collections.settlement import balance_check

		name = balance_check.run()
		self.balance_logs.append(name)
		frappe.db.rollback()
		return frappe.db.get_value("RevOps Integration Log", name, "*", as_dict=True)

	def test_balance_check_flags_the_difference_with_the_transactions_that_explain_it(self):
		adjustment = self.adjustment()
		payout_id, *_ = self.make_payout(extra=[adjustment])
		evt = self.payout_event(payout_id)
		# the adjustment is skipped, and the payout's log says why
		self.assertIn(
			f"adjustment {adjustment['id']}: a Stripe adjustment (other_adjustment), not a dispute: skipped",
			self.log_of(evt).message,
		)
		# Stripe's balance is empty (all paid out); the clearing account keeps the 2.00 nobody posted
		log = self.balance_check()
		self.assertEqual(log.status, "Error", log.message)
		self.assertIn("USD: Stripe 0.00", log.message)
		self.assertIn("difference -2.00", log.message)
		self.assertIn(f"adjustment {adjustment['id']} net -2.00", log.message)
		self.assertIn("unexplained 0.00", log.message)
		# once finance posts the adjustment (here: Stripe shows the same 2.00 still pending), they agree
		self.standin.balance["pending"] = [{"amount": 200, "currency": "usd"}]
		log = self.balance_check()
		self.assertEqual(log.status, "Success", log.message)

	def test_stripe_reconciliation_report_lists_payouts_vouchers_and_what_is_unmatched(self):
		from revops_app.revenue_collections.report.stripe_reconciliation.stripe_reconciliation import execute

		adjustment = self.adjustment()
		payout_id, _pi, receipt, fee_txn = self.make_payout(extra=[adjustment])
		self.payout_event(payout_id)
		_si, _pi2, waiting = self.paid_invoice(50, fee=175)  # paid, in no payout yet
		(pe,) = self.payout_entries(payout_id)
		filters = {"company": COMPANY, "from_date": "2026-01-01", "to_date": str(pe.posting_date)}
		_columns, rows, _message, _chart, summary = execute(dict(filters, group_by="Payout"))
		head = next(r for r in rows if r.get("row_id") == payout_id)
		self.assertEqual(
			(head["voucher_no"], money(head["net"]), head["status"]), (pe.name, D("93.30"), "Posted")
		)
		children = {r["balance_transaction"]: r for r in rows if r.get("parent_row") == payout_id}
		self.assertEqual(children[f"txn_{_pi[3:]}"]["voucher_no"], receipt.name)
		fee_je = self.fee_entry(fee_txn["id"])
		self.assertEqual(
			(children[fee_txn["id"]]["status"], children[fee_txn["id"]]["voucher_no"]),
			("Matched", fee_je.name),
		)
		self.assertEqual(children[adjustment["id"]]["status"], "Unmatched")
		self.assertIn("not a dispute: skipped", children[adjustment["id"]]["note"])
		pending = [r for r in rows if r.get("parent_row") == "not-paid-out"]
		self.assertEqual([r["voucher_no"] for r in pending], [waiting.name])
		values = {s["label"]: s["value"] for s in summary}
		self.assertEqual(money(values["Stripe Fees"]), D("4.70"))  # the charge's 3.20 and the Radar 1.50
		self.assertEqual(values["Unmatched Stripe Transactions"], 1)
		self.assertEqual(
			money(values[f"Clearing Account at {pe.posting_date}"]), D("2.00") + money(waiting.paid_amount)
		)
		from revops_app.revenue_collections.report.daily_cash_position import daily_cash_position

		day = str(pe.posting_date)
		_c, cash_rows, *_ = daily_cash_position.execute(
			{"company": COMPANY, "from_date": day, "to_date": day}
		)
		self.assertEqual(money(cash_rows[0]["stripe_paid_out"]), D("93.30"))  # the payout, not all credits
		_columns, by_day, *_ = execute(dict(filters, group_by="Day"))
		self.assertEqual(
			sum(1 for r in by_day if r.get("parent_row") and r["parent_row"] != "not-paid-out"), 4
		)

	def test_payout_posts_once_whatever_the_deliveries(self):
		payout_id, *_ = self.make_payout()
		first = self.payout_event(payout_id)
		self.assertEqual(self.log_of(first).status, "Success", self.log_of(first).message)
		# a second delivery of the same event is refused at intake; another event id for the payout
		# (payout.updated-style resend or the backstop) finds the posted entry
		self.payout_event(payout_id)
		self.assertEqual(len(self.payout_entries(payout_id)), 1)
		self.assertEqual(self.log_of(first).status, "Success")

	def test_failed_payout_cancels_the_transfer(self):
		payout_id, *_ = self.make_payout()
		self.payout_event(payout_id)
		self.standin.payouts[payout_id].update(status="failed", failure_code="account_closed")
		evt = self.payout_event(payout_id, "payout.failed")
		log = self.log_of(evt)
		self.assertEqual(log.status, "Success", log.message)
		self.assertIn("account_closed", log.message)
		(pe,) = self.payout_entries(payout_id)
		self.assertEqual(pe.docstatus, 2)
		# a late payout.paid for the failed payout posts nothing
		late = self.payout_event(payout_id)
		self.assertIn("already cancelled", self.log_of(late).message)
		self.assertEqual(len(self.payout_entries(payout_id)), 1)

	def test_payout_in_another_currency_than_the_bank_is_held(self):
		payout_id, *_ = self.make_payout()
		set_payout_bank(self.eur_bank)
		evt = self.payout_event(payout_id)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Error")
		self.assertIn("is in USD but the bank account is in EUR", log.message)
		self.assertEqual(self.payout_entries(payout_id), [])

	def test_bank_statement_line_matches_the_transfer_in_erpnext_reconciliation_tool(self):
		from erpnext.accounts.doctype.bank_reconciliation_tool.bank_reconciliation_tool import (
			get_linked_payments,
			reconcile_vouchers,
		)

		payout_id, *_ = self.make_payout()
		self.payout_event(payout_id)
		(pe,) = self.payout_entries(payout_id)
		if not frappe.db.exists("Bank", BANK):
			frappe.get_doc({"doctype": "Bank", "bank_name": BANK}).insert(ignore_permissions=True)
		bank_account = frappe.db.get_value("Bank Account", {"account": self.bank}, "name") or (
			frappe.get_doc(
				{
					"doctype": "Bank Account",
					"account_name": "Stripe payouts",
					"bank": BANK,
					"account": self.bank,
					"company": COMPANY,
					"is_company_account": 1,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		line = frappe.get_doc(
			{
				"doctype": "Bank Transaction",
				"date": pe.posting_date,
				"bank_account": bank_account,
				"company": COMPANY,
				"deposit": 95.30,
				"currency": "USD",
				"reference_number": payout_id,
				"description": f"STRIPE PAYOUT {payout_id}",
			}
		).insert(ignore_permissions=True)
		line.submit()
		frappe.db.commit()
		matches = get_linked_payments(
			line.name, ["payment_entry", "exact_match"], pe.posting_date, pe.posting_date
		)
		self.assertEqual([m["name"] for m in matches], [pe.name])
		self.assertEqual(matches[0]["rank"], 3)  # reference number + amount + the base rank
		reconcile_vouchers(
			line.name,
			json.dumps([{"payment_doctype": "Payment Entry", "payment_name": pe.name, "amount": 95.30}]),
		)
		frappe.db.commit()
		line.reload()
		self.assertEqual((line.status, money(line.unallocated_amount)), ("Reconciled", D("0.00")))
		self.assertEqual(
			[(p.payment_document, p.payment_entry, money(p.allocated_amount)) for p in line.payment_entries],
			[("Payment Entry", pe.name, D("95.30"))],
		)
		# once the bank holds it, a failed payout is held for finance, not cancelled
		self.standin.payouts[payout_id].update(status="failed")
		evt = self.payout_event(payout_id, "payout.failed")
		log = self.log_of(evt)
		self.assertEqual(log.status, "Error")
		self.assertIn("Bank Reconciliation Tool", log.message)
		self.assertEqual(frappe.db.get_value("Payment Entry", pe.name, "docstatus"), 1)
