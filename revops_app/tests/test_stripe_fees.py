"""Real-bench tests: Stripe fees outside a charge become Journal Entries, so the clearing account equals
Stripe's balance.

A payout carries a Radar fee, a fee Stripe gave back and its own payout fee; a fee no payout carries yet
is found by the hourly backstop. Each is one Journal Entry keyed by its balance transaction id (posted
once whatever replays), dated by the transaction's `created`; the daily balance check then finds Stripe's
balance (local stand-in, stripe SDK) equal to the clearing account, and ERPNext's own `get_balance_on`
agrees. Without a fee account the fee is held with the reason and posts on Reprocess.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import time
from datetime import datetime, timezone
from decimal import Decimal

import frappe
from frappe.utils import convert_utc_to_system_timezone

from revops_app.revenue_collections.constants import CF_JE_STRIPE_BALANCE_TXN, PAYOUT_TRANSACTION_DOCTYPE
from revops_app.revenue_collections.settlement import backstop, balance_check
from revops_app.revops.constants import LOG_DOCTYPE, SETTINGS_DOCTYPE
from revops_app.tests.stripe_bench import COMPANY, StripeBenchCase, money
from revops_app.tests.stripe_standin import charge_txn, other_txn, session_completed
from revops_app.tests.test_stripe_backstop import checkpoint, set_checkpoint
from revops_app.tests.test_stripe_payouts import bank_gl_account, set_payout_bank, unique
from revops_app.tests.utils import gl_totals_by_account

D = Decimal


def site_date(ts: int) -> str:
	return str(convert_utc_to_system_timezone(datetime.fromtimestamp(ts, tz=timezone.utc)).date())


class TestStripeFees(StripeBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.bank = bank_gl_account()
		set_payout_bank(cls.bank)

	def setUp(self) -> None:
		super().setUp()
		self.previous_checkpoint = checkpoint()
		self.standin.balance_transactions.clear()
		self.standin.balance.update(available=[], pending=[])
		self.logs: list[str] = []

	def tearDown(self) -> None:
		frappe.db.rollback()
		if self.logs:
			frappe.db.delete(LOG_DOCTYPE, {"name": ["in", self.logs]})
		entries = frappe.get_all("Payment Entry", filters={"company": COMPANY}, pluck="name")
		if entries:
			frappe.db.delete(PAYOUT_TRANSACTION_DOCTYPE, {"parent": ["in", entries]})
		set_checkpoint(self.previous_checkpoint)
		frappe.db.set_single_value(SETTINGS_DOCTYPE, "stripe_fee_account", self.masters["fee"])
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS_DOCTYPE, SETTINGS_DOCTYPE)
		super().tearDown()

	# --- helpers ----------------------------------------------------------------------------

	def paid_invoice(self, rate: float, fee: int) -> str:
		si = self.make_invoice(rate)
		link = self.link_of(si.name)
		pi = unique("pi")
		minor = round(rate * 100)
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=minor, fee=fee)
		evt = unique("evt")
		self.post(evt, "checkout.session.completed", session_completed(pi, si.name, link.name, minor))
		self.process(evt)
		self.assertEqual(len(self.receipts(si.name)), 1)
		return pi

	def payout_event(self, payout_id: str) -> frappe._dict:
		evt = unique("evt")
		status, body = self.post(evt, "payout.paid", dict(self.standin.payouts[payout_id]))
		self.assertEqual(status, 200, body)
		self.process(evt)
		return self.log_of(evt)

	def fee_entries(self) -> dict[str, frappe._dict]:
		rows = frappe.get_all(
			"Journal Entry",
			filters={"company": COMPANY, CF_JE_STRIPE_BALANCE_TXN: ["is", "set"]},
			fields=["name", "docstatus", "posting_date", "cheque_no", CF_JE_STRIPE_BALANCE_TXN],
		)
		return {row[CF_JE_STRIPE_BALANCE_TXN]: row for row in rows}

	def gl(self, je: str) -> dict[str, tuple[Decimal, Decimal]]:
		totals = gl_totals_by_account("Journal Entry", je)
		return {account: (money(debit), money(credit)) for account, (debit, credit) in totals.items()}

	def run_job(self, job) -> frappe._dict:
		name = job()
		self.logs.append(name)
		frappe.db.rollback()
		return frappe.db.get_value(LOG_DOCTYPE, name, "*", as_dict=True)

	# --- tests ------------------------------------------------------------------------------

	def test_fees_posted_once_and_the_clearing_account_equals_stripes_balance(self):
		from erpnext.accounts.utils import get_balance_on

		set_checkpoint(int(time.time()) - 3_600)
		pi = self.paid_invoice(100, fee=320)
		radar_at = int(time.time()) - 2 * 86_400
		radar = other_txn(
			unique("txn"), "stripe_fee", -150, category="fee", created=radar_at, description="Radar"
		)
		credit = other_txn(unique("txn"), "stripe_fee", 40, category="fee", description="Radar fee refund")
		payout_id = unique("po")
		self.standin.page_size = 2
		self.standin.add_payout(payout_id, [radar, credit, charge_txn(pi, 10000, 320)], fee=100)
		own = f"txn_{payout_id}"

		log = self.payout_event(payout_id)
		self.assertEqual(log.status, "Success", log.message)
		self.assertIn("3 Stripe fee entries posted", log.message)
		self.assertIn(f"payout fee of {payout_id} {own} 1.00 USD", log.message)
		fees = self.fee_entries()
		self.assertEqual(set(fees), {radar["id"], credit["id"], own})
		clearing, fee_account = self.masters["clearing"], self.masters["fee"]
		self.assertEqual(
			self.gl(fees[radar["id"]].name), {fee_account: (D("1.50"), D("0")), clearing: (D("0"), D("1.50"))}
		)
		self.assertEqual(  # Stripe gave 0.40 back: the reverse entry
			self.gl(fees[credit["id"]].name),
			{clearing: (D("0.40"), D("0")), fee_account: (D("0"), D("0.40"))},
		)
		self.assertEqual(
			self.gl(fees[own].name), {fee_account: (D("1.00"), D("0")), clearing: (D("0"), D("1.00"))}
		)
		# dated when Stripe took the fee (site time zone), referenced by the balance transaction
		self.assertEqual(str(fees[radar["id"]].posting_date), site_date(radar_at))
		self.assertEqual(fees[radar["id"]].cheque_no, radar["id"])
		(pe,) = frappe.get_all(
			"Payment Entry", filters={"reference_no": payout_id}, fields=["name", "paid_amount"]
		)
		self.assertEqual(money(pe.paid_amount), D("94.70"))  # 96.80 - 1.50 + 0.40 - its 1.00 fee
		self.assertNotIn("check:", log.message)  # the payout's fee is part of what it carries
		rows = {
			r.balance_transaction: r
			for r in frappe.get_all(PAYOUT_TRANSACTION_DOCTYPE, filters={"parent": pe.name}, fields=["*"])
		}
		self.assertEqual(rows[radar["id"]].voucher_no, fees[radar["id"]].name)
		self.assertEqual(rows[credit["id"]].voucher_no, fees[credit["id"]].name)

		# a fee no payout carries yet: the backstop finds it, posts it once
		loose = other_txn(unique("txn"), "stripe_fee", -200, category="fee", created=int(time.time()) - 300)
		self.standin.balance_transactions.insert(0, loose)
		run = self.run_job(backstop.run)
		self.assertEqual(run.status, "Success", run.message)
		self.assertIn(
			f"1 Stripe fee entry posted (Stripe fee not tied to a charge {loose['id']} 2.00 USD", run.message
		)
		again = self.run_job(backstop.run)
		self.assertIn("1 already posted", again.message)
		replay = self.payout_event(payout_id)  # another delivery for the payout: nothing more
		self.assertIn("already posted", replay.message)
		self.assertIn("3 already posted", replay.message)
		self.assertEqual(len(self.fee_entries()), 4)
		self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": payout_id}), 1)

		# a second payment is still in Stripe's balance; Stripe holds 48.25 - 2.00 pending
		self.paid_invoice(50, fee=175)
		self.standin.balance["pending"] = [{"amount": 4625, "currency": "usd"}]
		check = self.run_job(balance_check.run)
		self.assertEqual(check.status, "Success", check.message)
		self.assertIn(f"Stripe balance (46.25 USD) equals {clearing}", check.message)
		self.assertEqual(money(get_balance_on(clearing, company=COMPANY)), D("46.25"))  # ERPNext's own figure

	def test_fee_without_a_fee_account_is_held_then_posted_on_reprocess(self):
		pi = self.paid_invoice(100, fee=320)
		radar = other_txn(unique("txn"), "stripe_fee", -150, category="fee")
		payout_id = unique("po")
		self.standin.add_payout(payout_id, [radar, charge_txn(pi, 10000, 320)])
		frappe.db.set_single_value(SETTINGS_DOCTYPE, "stripe_fee_account", None)
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS_DOCTYPE, SETTINGS_DOCTYPE)

		log = self.payout_event(payout_id)
		self.assertEqual(log.status, "Error", log.message)
		self.assertIn("Internal Transfer", log.message)  # the transfer itself posted
		self.assertIn(
			f"1 held, not posted ({radar['id']}: RevOps Settings has no Stripe Fee Account)", log.message
		)
		self.assertEqual(self.fee_entries(), {})

		frappe.db.set_single_value(SETTINGS_DOCTYPE, "stripe_fee_account", self.masters["fee"])
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS_DOCTYPE, SETTINGS_DOCTYPE)
		self.process(log.idempotency_key)  # Reprocess: the same stored event
		log = self.log_of(log.idempotency_key)
		self.assertEqual(log.status, "Success", log.message)
		self.assertIn("already posted", log.message)
		self.assertEqual(set(self.fee_entries()), {radar["id"]})
		self.assertEqual(frappe.db.count("Payment Entry", {"reference_no": payout_id, "docstatus": 1}), 1)
