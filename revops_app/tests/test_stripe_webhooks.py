"""Real-bench tests: signed Stripe webhooks through Frappe's WSGI app -> log -> worker -> ledger.

Every delivery is a real HTTP request handled by frappe.app.application in its own thread (see
stripe_standin.deliver); the worker's Stripe API calls go to a local stand-in server through the
"Stripe API Base URL" setting. Data is committed (other connections must see it) and purged after
each test (stripe_bench.StripeBenchCase).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import threading
import time
from decimal import Decimal
from unittest.mock import PropertyMock, patch

import rq

import frappe
from frappe.installer import update_site_config

from revops_app.revops.constants import LOG_DOCTYPE
from revops_app.tests.stripe_bench import COMPANY, ITEM, SECRET, StripeBenchCase, money
from revops_app.tests.stripe_standin import (
	charge_refunded,
	deliver,
	dispute,
	event,
	intent_succeeded,
	session_completed,
	sign,
)

D = Decimal


def unique(prefix: str) -> str:
	return f"{prefix}_rtest{frappe.generate_hash(length=14)}"


class TestStripeWebhooks(StripeBenchCase):
	def paid_invoice(self, rate: float, paid_minor: int, fee: int = 0):
		si = self.make_invoice(rate)
		link = self.link_of(si.name)
		pi = unique("pi")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=paid_minor, fee=fee)
		evt = unique("evt")
		status, body = self.post(
			evt, "checkout.session.completed", session_completed(pi, si.name, link.name, paid_minor)
		)
		self.assertEqual((status, body.get("status")), (200, "queued"), body)
		self.process(evt)
		return si, link, pi, evt

	def test_a_full_job_queue_keeps_the_event_and_it_posts_later(self):
		"""When the job queue refuses the worker (v15 and v16 QueueOverloaded; v16 raises it as a Guest's
		PermissionError), the delivery is still stored and answered 200, and the event posts when processed."""
		si = self.make_invoice(40)
		link = self.link_of(si.name)
		pi, evt = unique("pi"), unique("evt")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=4000, fee=146)
		update_site_config("max_queued_jobs", 10)  # v15 checks the queue only when a limit is configured
		try:
			with patch.object(rq.Queue, "count", new_callable=PropertyMock, return_value=10**6):
				status, body = self.post(
					evt, "checkout.session.completed", session_completed(pi, si.name, link.name, 4000)
				)
		finally:
			update_site_config("max_queued_jobs", "None")
		self.assertEqual((status, body.get("status")), (200, "queued"), body)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Queued")
		self.assertIn("the job queue refused the worker", log.message)
		self.process(evt)  # what the hourly sweep's replay runs
		self.assertEqual(self.log_of(evt).status, "Success")
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Paid")

	def test_signed_payment_posts_payment_entry_with_fee_and_gl(self):
		si, link, pi, evt = self.paid_invoice(125.50, 12550, fee=394)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Success", log.message)
		self.assertEqual((log.reference_doctype, log.reference_name), ("Sales Invoice", si.name))
		(pe,) = self.receipts(si.name)
		self.assertEqual((pe.reference_no, pe.revops_payment_intent), (pi, pi))
		self.assertEqual(pe.paid_to, self.masters["clearing"])
		self.assertEqual(money(pe.paid_amount), D("121.56"))  # net of the 3.94 fee
		self.assertEqual(money(pe.unallocated_amount), D("0.00"))
		self.assertIn(f"Stripe payment {pi}", pe.remarks)
		(deduction,) = frappe.get_all(
			"Payment Entry Deduction",
			filters={"parent": pe.name},
			fields=["account", "amount", "cost_center"],
		)
		self.assertEqual((deduction.account, money(deduction.amount)), (self.masters["fee"], D("3.94")))
		self.assertEqual(deduction.cost_center, self.masters["cost_center"])
		gl = self.gl(pe.name)
		self.assertEqual(gl[self.masters["clearing"]], (D("121.56"), D("0.00")))
		self.assertEqual(gl[self.masters["fee"]], (D("3.94"), D("0.00")))
		self.assertEqual(gl[self.masters["receivable"]], (D("0.00"), D("125.50")))
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Paid")
		link = self.link_of(si.name)
		self.assertEqual((link.status, link.link_state, link.last_payment_intent), ("Paid", "Paid", pi))
		# the worker asked the stand-in for the fee, with our key and the expansion
		calls = [r for r in self.standin.requests if r["path"] == f"/v1/payment_intents/{pi}"]
		self.assertTrue(calls)
		self.assertEqual(calls[0]["headers"]["authorization"], "Bearer sk_test_revops_bench_key")
		self.assertEqual(calls[0]["query"], {"expand[0]": "latest_charge.balance_transaction"})

	def test_twenty_concurrent_deliveries_make_one_log_and_one_payment_entry(self):
		si = self.make_invoice(80)
		link = self.link_of(si.name)
		pi, evt = unique("pi"), unique("evt")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=8000, fee=262)
		payload, header = self.signed(
			evt, "payment_intent.succeeded", intent_succeeded(pi, si.name, link.name, 8000)
		)
		results: list = []
		barrier = threading.Barrier(20)

		def one():
			barrier.wait()
			results.append(deliver(self.site, payload, header))

		threads = [threading.Thread(target=one) for _ in range(20)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		self.assertEqual(len(results), 20)
		self.assertEqual({status for status, _ in results}, {200}, results)
		self.assertEqual(sorted(body["status"] for _, body in results).count("queued"), 1, results)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count(LOG_DOCTYPE, {"idempotency_key": evt}), 1)
		self.process(evt, evt)  # two workers on the same log at once
		self.assertEqual(len(self.receipts(si.name)), 1)
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Paid")

	def test_session_completed_and_intent_succeeded_post_once(self):
		si = self.make_invoice(60)
		link = self.link_of(si.name)
		pi = unique("pi")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=6000, fee=204)
		first, second = unique("evt"), unique("evt")
		self.post(first, "checkout.session.completed", session_completed(pi, si.name, link.name, 6000))
		self.post(second, "payment_intent.succeeded", intent_succeeded(pi, si.name, link.name, 6000))
		self.process(first, second)  # concurrently: the row lock serialises them
		self.assertEqual(len(self.receipts(si.name)), 1)
		messages = sorted(self.log_of(e).message for e in (first, second))
		self.assertTrue(any("already settled" in m for m in messages), messages)
		self.assertEqual({self.log_of(e).status for e in (first, second)}, {"Success"})

	def test_partial_payment_leaves_invoice_partly_paid(self):
		si, _link, _pi, _evt = self.paid_invoice(200, 5000, fee=175)
		(pe,) = self.receipts(si.name)
		self.assertIn("partial", pe.revops_settlement_flags)
		self.assertEqual(
			money(frappe.db.get_value("Sales Invoice", si.name, "outstanding_amount")), D("150.00")
		)
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Partly Paid")
		self.assertEqual(self.link_of(si.name).status, "Active")

	def test_overpayment_is_unallocated_flagged_and_assigned(self):
		si, _link, _pi, _evt = self.paid_invoice(100, 15000, fee=0)
		(pe,) = self.receipts(si.name)
		self.assertEqual(money(pe.unallocated_amount), D("50.00"))
		self.assertIn("overpayment", pe.revops_settlement_flags)
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Paid")
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_name": si.name, "description": ["like", "%overpayment%"]})
		)

	def test_refund_posts_reversing_entry_once(self):
		si, link, pi, _evt = self.paid_invoice(90, 9000, fee=291)
		(receipt,) = self.receipts(si.name)
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=9000, fee=291, refunded=3000)
		refund_event = unique("evt")
		self.post(refund_event, "charge.refunded", charge_refunded(pi, 9000, 3000, "re_rtest1"))
		self.process(refund_event)
		self.assertEqual(self.log_of(refund_event).status, "Success", self.log_of(refund_event).message)
		refunds = frappe.get_all(
			"Payment Entry",
			filters={"revops_refund_of": receipt.name, "docstatus": 1},
			fields=[
				"name",
				"payment_type",
				"paid_from",
				"paid_to",
				"paid_amount",
				"party",
				"unallocated_amount",
			],
		)
		self.assertEqual(len(refunds), 1)
		refund = refunds[0]
		self.assertEqual((refund.payment_type, refund.paid_from), ("Pay", self.masters["clearing"]))
		self.assertEqual(
			(refund.paid_to, money(refund.paid_amount)), (self.masters["receivable"], D("30.00"))
		)
		gl = self.gl(refund.name)
		self.assertEqual(gl[self.masters["clearing"]], (D("0.00"), D("30.00")))
		self.assertEqual(gl[self.masters["receivable"]], (D("30.00"), D("0.00")))
		# the same cumulative refund again (another event id) posts nothing more
		again = unique("evt")
		self.post(again, "charge.refunded", charge_refunded(pi, 9000, 3000, "re_rtest1"))
		self.process(again)
		self.assertEqual(
			frappe.db.count("Payment Entry", {"revops_refund_of": receipt.name, "docstatus": 1}), 1
		)

	def test_refund_before_payment_is_retried_then_posted(self):
		si = self.make_invoice(40)
		link = self.link_of(si.name)
		pi = unique("pi")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=4000, fee=146, refunded=4000)
		refund_event = unique("evt")
		self.post(refund_event, "charge.refunded", charge_refunded(pi, 4000, 4000, "re_rtest2"))
		self.process(refund_event)
		log = self.log_of(refund_event)
		self.assertEqual(log.status, "Error")
		self.assertIn("before its payment was posted", log.traceback)
		self.assertIsNotNone(log.next_retry_at)
		self.assertEqual(frappe.db.count("Payment Entry", {"revops_payment_intent": pi}), 0)
		# the payment arrives, then the sweep's retry replays the refund
		pay_event = unique("evt")
		self.post(pay_event, "payment_intent.succeeded", intent_succeeded(pi, si.name, link.name, 4000))
		self.process(pay_event)
		# the hourly sweep picks it up once its backoff has elapsed
		from revops_app.revops.jobs import sweep_stuck_logs

		frappe.db.set_value(
			LOG_DOCTYPE, log.name, "next_retry_at", frappe.utils.add_to_date(None, minutes=-1)
		)
		self.assertIn(log.name, sweep_stuck_logs())
		frappe.db.commit()
		self.assertEqual(self.log_of(refund_event).status, "Queued")
		self.process(refund_event)  # what the enqueued job runs
		self.assertEqual(self.log_of(refund_event).status, "Success", self.log_of(refund_event).message)
		self.assertEqual(
			frappe.db.count(
				"Payment Entry", {"revops_payment_intent": pi, "payment_type": "Pay", "docstatus": 1}
			),
			1,
		)

	def test_inquiry_won_clears_flag_and_moves_no_money(self):
		# Chargeback accounting (withdrawal, fee, reinstatement) is in test_stripe_disputes.py.
		si, link, pi, _evt = self.paid_invoice(30, 3000)
		for status, kind in (("warning_needs_response", "created"), ("won", "closed")):
			e = unique("evt")
			self.post(e, f"charge.dispute.{kind}", dispute(pi, "du_rtest2", 3000, status))
			self.process(e)
		link = self.link_of(si.name)
		self.assertEqual((link.disputed, link.dispute_status, link.link_state), (0, "won", "Paid"))
		self.assertEqual(
			frappe.db.count("Payment Entry", {"revops_payment_intent": pi, "payment_type": "Pay"}), 0
		)
		self.assertEqual(frappe.db.count("Journal Entry", {"revops_stripe_dispute": "du_rtest2"}), 0)

	def test_currency_mismatch_is_held_with_nothing_posted(self):
		si = self.make_invoice(50)
		link = self.link_of(si.name)
		pi, e = unique("pi"), unique("evt")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=5000, currency="eur")
		self.post(e, "checkout.session.completed", session_completed(pi, si.name, link.name, 5000, "eur"))
		self.process(e)
		log = self.log_of(e)
		self.assertEqual(log.status, "Error")
		self.assertIn("EUR", log.message)
		self.assertIn("nothing posted", log.message)
		self.assertEqual(self.receipts(si.name), [])

	def test_failure_then_expiry_updates_link_state(self):
		si = self.make_invoice(20)
		link = self.link_of(si.name)
		pi = unique("pi")
		failed = intent_succeeded(pi, si.name, link.name, 2000)
		failed.update(
			status="requires_payment_method",
			amount_received=0,
			last_payment_error={"message": "Card declined"},
		)
		e1, e2 = unique("evt"), unique("evt")
		self.post(e1, "payment_intent.payment_failed", failed)
		self.process(e1)
		link = self.link_of(si.name)
		self.assertEqual((link.link_state, link.last_failure_message), ("Payment Failed", "Card declined"))
		self.assertIsNotNone(link.last_payment_failed_at)
		expired = session_completed(pi, si.name, link.name, 2000)
		expired.update(status="expired", payment_status="unpaid")
		self.post(e2, "checkout.session.expired", expired)
		self.process(e2)
		self.assertEqual(self.link_of(si.name).link_state, "Payment Failed")
		self.assertEqual(self.log_of(e2).status, "Success")

	def test_stripe_refusing_the_lookup_is_an_error_without_retry(self):
		si = self.make_invoice(11)
		link = self.link_of(si.name)
		pi, e = unique("pi"), unique("evt")  # the stand-in does not know this PaymentIntent: 404
		self.post(e, "checkout.session.completed", session_completed(pi, si.name, link.name, 1100))
		self.process(e)
		log = self.log_of(e)
		self.assertEqual(log.status, "Error")
		self.assertIn("No such payment_intent", log.message)
		self.assertIsNone(log.next_retry_at)
		self.assertNotIn("sk_test_revops_bench_key", log.message or "")
		self.assertEqual(self.receipts(si.name), [])

	def test_expired_then_delayed_payment_ends_paid(self):
		# An old session expires, a new one completes with a delayed method (unpaid), then succeeds.
		si = self.make_invoice(55)
		link = self.link_of(si.name)
		pi = unique("pi")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=5500, fee=190)
		expired = session_completed(unique("pi"), si.name, link.name, 5500)
		expired.update(status="expired", payment_status="unpaid", payment_intent=None)
		pending = session_completed(pi, si.name, link.name, 5500)
		pending.update(payment_status="unpaid")
		steps = [
			("checkout.session.expired", expired),
			("checkout.session.completed", pending),
			("checkout.session.async_payment_succeeded", session_completed(pi, si.name, link.name, 5500)),
		]
		ids = []
		for event_type, obj in steps:
			ids.append(unique("evt"))
			self.post(ids[-1], event_type, obj)
			self.process(ids[-1])
			if event_type == "checkout.session.completed":
				self.assertEqual(self.receipts(si.name), [])  # processing: nothing posted yet
		self.assertEqual([self.log_of(e).status for e in ids], ["Success"] * 3)
		self.assertEqual(len(self.receipts(si.name)), 1)
		link = self.link_of(si.name)
		self.assertEqual((link.status, link.link_state, link.last_payment_intent), ("Paid", "Paid", pi))
		# and a late expiry of that old session changes nothing
		late = unique("evt")
		self.post(late, "checkout.session.expired", expired)
		self.process(late)
		self.assertEqual(self.link_of(si.name).link_state, "Paid")

	def test_unknown_event_type_is_skipped(self):
		e = unique("evt")
		status, body = self.post(e, "customer.created", {"id": "cus_x", "object": "customer"})
		self.assertEqual(status, 200, body)
		self.process(e)
		self.assertEqual(self.log_of(e).status, "Skipped")

	def test_bad_signatures_answer_400_and_store_nothing(self):
		e = unique("evt")
		payload = event(e, "payment_intent.succeeded", intent_succeeded(unique("pi"), "X", "Y", 100))
		cases = {
			"tampered": (payload.replace(b'"amount":100', b'"amount":999'), sign(payload, SECRET)),
			"wrong secret": (payload, sign(payload, "whsec_not_ours")),
			"stale": (payload, sign(payload, SECRET, timestamp=int(time.time()) - 1000)),
			"missing": (payload, None),
			"malformed": (payload, "t=abc,v1=zz"),
		}
		reasons = {}
		for label, (body, header) in cases.items():
			status, reply = deliver(self.site, body, header)
			self.assertEqual(status, 400, (label, reply))
			reasons[label] = reply["error"]
		self.assertEqual(
			reasons,
			{
				"tampered": "bad_signature",
				"wrong secret": "bad_signature",
				"stale": "stale_timestamp",
				"missing": "missing_signature",
				"malformed": "malformed_header",
			},
		)
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists(LOG_DOCTYPE, {"idempotency_key": e}))


class TestStripeMultiCurrency(StripeBenchCase):
	"""A EUR invoice of a USD company: posted when the receivable is in EUR, held when it is in USD."""

	CUSTOMER = "RevOps Stripe EUR Customer"

	def eur_receivable(self) -> str:
		name = frappe.db.get_value(
			"Account", {"account_name": "RevOps Debtors EUR", "company": COMPANY}, "name"
		)
		if name:
			return name
		parent = frappe.db.get_value("Account", self.masters["receivable"], "parent_account")
		return (
			frappe.get_doc(
				{
					"doctype": "Account",
					"account_name": "RevOps Debtors EUR",
					"company": COMPANY,
					"parent_account": parent,
					"account_type": "Receivable",
					"account_currency": "EUR",
					"root_type": "Asset",
					"report_type": "Balance Sheet",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def eur_invoice(self, debit_to: str, customer: str):
		if not frappe.db.exists("Customer", customer):
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": customer,
					"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
					"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
				}
			).insert(ignore_permissions=True)
		si = frappe.get_doc(
			{
				"doctype": "Sales Invoice",
				"company": COMPANY,
				"customer": customer,
				"currency": "EUR",
				"conversion_rate": 1.1,
				"debit_to": debit_to,
				"due_date": frappe.utils.add_days(frappe.utils.nowdate(), 30),
				"items": [
					{
						"item_code": ITEM,
						"qty": 1,
						"rate": 100,
						"income_account": self.masters["income"],
						"cost_center": self.masters["cost_center"],
					}
				],
			}
		)
		si.insert(ignore_permissions=True)
		si.submit()
		frappe.db.commit()
		return si

	def test_eur_receivable_posts_with_the_invoice_rate(self):
		si = self.eur_invoice(self.eur_receivable(), self.CUSTOMER)
		link = self.link_of(si.name)
		pi, e = unique("pi"), unique("evt")
		self.standin.add_intent(
			pi, invoice=si.name, pay_link=link.name, amount=10000, currency="eur", fee=320
		)
		self.post(e, "checkout.session.completed", session_completed(pi, si.name, link.name, 10000, "eur"))
		self.process(e)
		self.assertEqual(self.log_of(e).status, "Success", self.log_of(e).message)
		(pe,) = self.receipts(si.name)
		self.assertEqual((pe.paid_from_account_currency, pe.paid_to_account_currency), ("EUR", "USD"))
		self.assertEqual((money(pe.paid_amount), money(pe.received_amount)), (D("96.80"), D("106.48")))
		self.assertEqual(money(pe.source_exchange_rate), D("1.10"))
		deduction = frappe.db.get_value("Payment Entry Deduction", {"parent": pe.name}, "amount")
		self.assertEqual(money(deduction), D("3.52"))  # 3.20 EUR at 1.1, in company currency
		gl = self.gl(pe.name)
		self.assertEqual(gl[self.masters["clearing"]], (D("106.48"), D("0.00")))
		self.assertEqual(gl[self.eur_receivable()], (D("0.00"), D("110.00")))
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Paid")

	def test_eur_invoice_on_usd_receivable_is_held_and_not_payable_online(self):
		# ERPNext allows it only with this Accounts Settings switch.
		key = "allow_multi_currency_invoices_against_single_party_account"
		previous = frappe.db.get_single_value("Accounts Settings", key)
		frappe.db.set_single_value("Accounts Settings", key, 1)
		try:
			si = self.eur_invoice(self.masters["receivable"], "RevOps Stripe EUR on USD Customer")
		finally:
			frappe.db.set_single_value("Accounts Settings", key, previous)
			frappe.db.commit()
		link = self.link_of(si.name)
		pi, e = unique("pi"), unique("evt")
		self.standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=10000, currency="eur")
		self.post(e, "checkout.session.completed", session_completed(pi, si.name, link.name, 10000, "eur"))
		self.process(e)
		log = self.log_of(e)
		self.assertEqual(log.status, "Error")
		self.assertIn("receivable account", log.message)
		self.assertEqual(self.receipts(si.name), [])
		from revops_app.tests.stripe_standin import wsgi_request

		status, _headers, body = wsgi_request(self.site, "GET", f"/pay/{link.token}")
		self.assertEqual(status, 200)
		self.assertIn("cannot be paid online", body)
		# No Pay button (the customer may still promise a date: that form posts elsewhere).
		self.assertNotIn("revops_app.api.pay.checkout", body)
