"""Real-bench tests: Stripe dispute accounting (withdrawal + fee on creation, reinstatement when won).

Signed dispute events go through the webhook endpoint and the worker, as in test_stripe_webhooks.py.
Figures are worked out by hand: a 70.00 invoice paid by card with a 2.33 Stripe fee (clearing +67.67),
then a chargeback withdrawing 70.00 plus a 15.00 dispute fee (clearing -85.00, receivable +70.00,
fee account +15.00), and when won 70.00 reinstated (clearing +70.00, receivable -70.00).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from decimal import Decimal

import frappe

from revops_app.revops.constants import LOG_DOCTYPE
from revops_app.tests.stripe_bench import COMPANY, CUSTOMER, SECRET, StripeBenchCase, money
from revops_app.tests.stripe_standin import (
	deliver,
	dispute,
	event,
	intent_succeeded,
	session_completed,
	sign,
)
from revops_app.tests.utils import account_balance, gl_totals_by_account, outstanding_against

D = Decimal
ZERO = D("0.00")


def unique(prefix: str) -> str:
	return f"{prefix}_rtest{frappe.generate_hash(length=14)}"


class TestStripeDisputes(StripeBenchCase):
	def paid_invoice(self, rate: float = 70, paid_minor: int = 7000, fee: int = 233):
		si = self.make_invoice(rate)
		link = self.link_of(si.name)
		pi = unique("pi")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=paid_minor, fee=fee)
		evt = unique("evt")
		self.post(evt, "checkout.session.completed", session_completed(pi, si.name, link.name, paid_minor))
		self.process(evt)
		self.assertEqual(self.log_of(evt).status, "Success", self.log_of(evt).message)
		return si, pi

	def deliver_dispute(self, event_type: str, obj: dict) -> frappe._dict:
		evt = unique("evt")
		status, body = self.post(evt, event_type, obj)
		self.assertEqual((status, body.get("status")), (200, "queued"), body)
		self.process(evt)
		return self.log_of(evt)

	def journals(self, dispute_id: str) -> dict[str, str]:
		"""phase -> submitted Journal Entry name."""
		rows = frappe.get_all(
			"Journal Entry",
			filters={"revops_stripe_dispute": dispute_id, "docstatus": 1},
			fields=["name", "revops_dispute_posting"],
		)
		return {row.revops_dispute_posting.split(":")[-1]: row.name for row in rows}

	def gl_of(self, voucher: str) -> dict[str, tuple[Decimal, Decimal]]:
		totals = gl_totals_by_account("Journal Entry", voucher)
		return {account: (money(debit), money(credit)) for account, (debit, credit) in totals.items()}

	def balance(self, account: str) -> Decimal:
		"""Debit - credit of an account over the whole test company (every test starts from nothing)."""
		return money(account_balance(COMPANY, account))

	def test_created_posts_withdrawal_and_fee_once_and_lost_adds_nothing(self):
		si, pi = self.paid_invoice()
		dp = unique("du")
		created = dispute(pi, dp, 7000, "needs_response", fee=1500)
		log = self.deliver_dispute("charge.dispute.created", created)
		self.assertEqual(log.status, "Success", log.message)
		self.assertIn("withdrawal 70.00 USD, fee 15.00 USD", log.message)
		journals = self.journals(dp)
		self.assertEqual(set(journals), {"withdrawal"})
		m = self.masters
		self.assertEqual(
			self.gl_of(journals["withdrawal"]),
			{
				m["receivable"]: (D("70.00"), ZERO),
				m["fee"]: (D("15.00"), ZERO),
				m["clearing"]: (ZERO, D("85.00")),
			},
		)
		party = frappe.db.get_value(
			"GL Entry",
			{"voucher_no": journals["withdrawal"], "account": m["receivable"], "is_cancelled": 0},
			["party_type", "party"],
		)
		self.assertEqual(tuple(party), ("Customer", CUSTOMER))
		# the receipt put 67.67 in clearing, the withdrawal took 85.00 out: Stripe's balance is -17.33
		self.assertEqual(self.balance(m["clearing"]), D("-17.33"))
		self.assertEqual(self.balance(m["fee"]), D("17.33"))  # 2.33 card fee + 15.00 dispute fee
		# the invoice was paid and stays so; the customer owes the 70.00 again on their ledger
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Paid")
		self.assertEqual(self.balance(m["receivable"]), D("70.00"))
		link = self.link_of(si.name)
		self.assertEqual(
			(link.disputed, link.dispute_status, link.link_state), (1, "needs_response", "Disputed")
		)
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_name": si.name, "description": ["like", f"%{dp}:open%"]})
		)

		# the same delivery again is answered "duplicate" and stored once
		evt = log.idempotency_key
		payload = event(evt, "charge.dispute.created", created)
		status, body = deliver(self.site, payload, sign(payload, SECRET))
		self.assertEqual((status, body.get("status")), (200, "duplicate"), body)
		# the same facts under another event id (funds_withdrawn) post nothing more
		again = self.deliver_dispute("charge.dispute.funds_withdrawn", created)
		self.assertEqual(again.status, "Success", again.message)
		self.assertIn("already posted", again.message)
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp}), 1)

		# lost: the money is already out; nothing more is posted, finance gets the lost ToDo
		lost = self.deliver_dispute("charge.dispute.closed", dispute(pi, dp, 7000, "lost", fee=1500))
		self.assertEqual(lost.status, "Success", lost.message)
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp}), 1)
		self.assertEqual(
			frappe.db.count("Payment Entry", {"revops_payment_intent": pi, "payment_type": "Pay"}), 0
		)
		self.assertEqual(self.balance(m["clearing"]), D("-17.33"))
		link = self.link_of(si.name)
		self.assertEqual((link.disputed, link.dispute_status), (0, "lost"))
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_name": si.name, "description": ["like", f"%{dp}:lost%"]})
		)

	def test_won_reinstates_the_amount_against_the_withdrawal_and_the_fee_stays(self):
		si, pi = self.paid_invoice()
		dp = unique("du")
		self.deliver_dispute("charge.dispute.created", dispute(pi, dp, 7000, "under_review", fee=1500))
		won = self.deliver_dispute(
			"charge.dispute.closed", dispute(pi, dp, 7000, "won", fee=1500, reinstated=True)
		)
		self.assertEqual(won.status, "Success", won.message)
		journals = self.journals(dp)
		self.assertEqual(set(journals), {"withdrawal", "reinstatement"})
		m = self.masters
		self.assertEqual(
			self.gl_of(journals["reinstatement"]),
			{m["clearing"]: (D("70.00"), ZERO), m["receivable"]: (ZERO, D("70.00"))},
		)
		# the reinstatement's receivable credit is matched against the withdrawal's debit
		row = frappe.db.get_value(
			"Journal Entry Account",
			{"parent": journals["reinstatement"], "party_type": "Customer"},
			["reference_type", "reference_name"],
		)
		self.assertEqual(tuple(row), ("Journal Entry", journals["withdrawal"]))
		outstanding = outstanding_against(journals["withdrawal"])
		self.assertEqual(money(outstanding), ZERO)
		# net: clearing 67.67 - 85.00 + 70.00 = 52.67 (the payment less both fees); fees 2.33 + 15.00
		self.assertEqual(self.balance(m["clearing"]), D("52.67"))
		self.assertEqual(self.balance(m["fee"]), D("17.33"))
		self.assertEqual(self.balance(m["receivable"]), ZERO)
		link = self.link_of(si.name)
		self.assertEqual((link.disputed, link.dispute_status, link.link_state), (0, "won", "Paid"))

	def test_closed_before_created_converges_and_does_not_reopen(self):
		si, pi = self.paid_invoice()
		dp = unique("du")
		# won arrives first, with Stripe giving the dispute fee back as well
		won = self.deliver_dispute(
			"charge.dispute.closed",
			dispute(pi, dp, 7000, "won", fee=1500, reinstated=True, fee_returned=True),
		)
		self.assertEqual(won.status, "Success", won.message)
		journals = self.journals(dp)
		self.assertEqual(set(journals), {"withdrawal", "reinstatement"})
		m = self.masters
		self.assertEqual(
			self.gl_of(journals["reinstatement"]),
			{
				m["clearing"]: (D("85.00"), ZERO),
				m["receivable"]: (ZERO, D("70.00")),
				m["fee"]: (ZERO, D("15.00")),
			},
		)
		# then the late created event: nothing posted, the dispute stays closed, no "open" ToDo
		late = self.deliver_dispute(
			"charge.dispute.created", dispute(pi, dp, 7000, "needs_response", fee=1500)
		)
		self.assertEqual(late.status, "Success", late.message)
		self.assertIn("already won", late.message)
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp}), 2)
		link = self.link_of(si.name)
		self.assertEqual((link.disputed, link.dispute_status, link.link_state), (0, "won", "Paid"))
		self.assertFalse(
			frappe.db.exists("ToDo", {"reference_name": si.name, "description": ["like", f"%{dp}:open%"]})
		)
		# everything Stripe took came back: only the card fee remains
		self.assertEqual(self.balance(m["clearing"]), D("67.67"))
		self.assertEqual(self.balance(m["fee"]), D("2.33"))

	def test_event_without_balance_transactions_fetches_the_dispute(self):
		_si, pi = self.paid_invoice()
		dp = unique("du")
		self.standin.disputes[dp] = dispute(pi, dp, 7000, "needs_response", fee=1500)
		log = self.deliver_dispute(
			"charge.dispute.created", dispute(pi, dp, 7000, "needs_response", balance_transactions=False)
		)
		self.assertEqual(log.status, "Success", log.message)
		self.assertEqual(set(self.journals(dp)), {"withdrawal"})
		calls = [r for r in self.standin.requests if r["path"] == f"/v1/disputes/{dp}"]
		self.assertEqual(len(calls), 1)
		self.assertEqual(calls[0]["headers"]["authorization"], "Bearer sk_test_revops_bench_key")

	def test_dispute_before_its_payment_is_flagged_now_and_posted_after(self):
		si = self.make_invoice(70)
		link = self.link_of(si.name)
		pi = unique("pi")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=7000, fee=233)
		dp = unique("du")
		log = self.deliver_dispute(
			"charge.dispute.created", dispute(pi, dp, 7000, "needs_response", fee=1500)
		)
		self.assertEqual(log.status, "Error")
		self.assertIn("before its payment was posted", log.traceback)
		self.assertIsNotNone(log.next_retry_at)
		self.assertEqual(self.journals(dp), {})
		self.assertEqual(self.link_of(si.name).disputed, 1)  # the flag did not wait
		pay = unique("evt")
		self.post(pay, "payment_intent.succeeded", intent_succeeded(pi, si.name, link.name, 7000))
		self.process(pay)
		from revops_app.revops.jobs import sweep_stuck_logs

		frappe.db.set_value(
			LOG_DOCTYPE, log.name, "next_retry_at", frappe.utils.add_to_date(None, minutes=-1)
		)
		self.assertIn(log.name, sweep_stuck_logs())
		frappe.db.commit()
		self.process(log.idempotency_key)
		self.assertEqual(self.log_of(log.idempotency_key).status, "Success")
		self.assertEqual(set(self.journals(dp)), {"withdrawal"})
		self.assertEqual(self.balance(self.masters["clearing"]), D("-17.33"))

	def test_concurrent_dispute_events_post_each_phase_once(self):
		_si, pi = self.paid_invoice()
		dp = unique("du")
		first, second, third = unique("evt"), unique("evt"), unique("evt")
		self.post(first, "charge.dispute.created", dispute(pi, dp, 7000, "needs_response", fee=1500))
		self.post(second, "charge.dispute.funds_withdrawn", dispute(pi, dp, 7000, "needs_response", fee=1500))
		self.post(third, "charge.dispute.updated", dispute(pi, dp, 7000, "under_review", fee=1500))
		self.process(first, second, third)  # three workers at once: the invoice row lock serialises them
		self.assertEqual({self.log_of(e).status for e in (first, second, third)}, {"Success"})
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp}), 1)
		self.assertEqual(self.balance(self.masters["clearing"]), D("-17.33"))

	def test_the_database_refuses_a_second_entry_for_a_phase(self):
		_si, pi = self.paid_invoice()
		dp = unique("du")
		self.deliver_dispute("charge.dispute.created", dispute(pi, dp, 7000, "needs_response", fee=1500))
		withdrawal = frappe.get_doc("Journal Entry", self.journals(dp)["withdrawal"])
		copy = frappe.copy_doc(withdrawal)  # no_copy drops the key: set it as a racing worker would
		copy.revops_stripe_dispute = dp
		copy.revops_dispute_posting = f"{dp}:withdrawal"
		with self.assertRaises(frappe.UniqueValidationError):
			copy.insert(ignore_permissions=True)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": dp}), 1)

	def test_missing_fee_account_holds_the_money_but_not_the_flag(self):
		si, pi = self.paid_invoice()
		dp = unique("du")
		frappe.db.set_single_value("RevOps Settings", "stripe_fee_account", None)
		frappe.db.commit()
		try:
			log = self.deliver_dispute(
				"charge.dispute.created", dispute(pi, dp, 7000, "needs_response", fee=1500)
			)
		finally:
			frappe.db.set_single_value("RevOps Settings", "stripe_fee_account", self.masters["fee"])
			frappe.db.commit()
		self.assertEqual(log.status, "Error")
		self.assertIn("no Stripe Fee Account", log.message)
		self.assertIsNone(log.next_retry_at)  # a setting to fix, not something time heals
		self.assertEqual(self.journals(dp), {})
		self.assertEqual(self.link_of(si.name).disputed, 1)
		# fixed: Reprocess (what the button runs, then the enqueued job) posts it
		frappe.db.set_value(LOG_DOCTYPE, log.name, {"status": "Queued", "next_retry_at": None})
		frappe.db.commit()
		self.process(log.idempotency_key)
		self.assertEqual(self.log_of(log.idempotency_key).status, "Success")
		self.assertEqual(set(self.journals(dp)), {"withdrawal"})
