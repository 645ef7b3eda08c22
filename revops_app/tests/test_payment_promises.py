"""Real-bench tests: promises to pay recorded, checked, resolved, and what dunning does with them.

Fixture: `promise_bench.PromiseBenchCase` (fresh company and policy, rolled back). T = today.
- record_promise writes the promise (amount = ERPNext's outstanding), a Comment and a ToDo on the Customer;
  every bad input is refused with a sentence and writes nothing.
- A promised invoice is skipped by dunning until and including the promised date (Dunning Preview says so),
  the collector's pause field stays its own; after the date the promise turns Broken and the policy's
  broken-promise step goes out once (its own reminder key), then the normal schedule continues.
- A promise whose invoices ERPNext shows paid (Payment Entry through get_payment_entry) turns Kept.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.utils import add_days

from revops_app.core.collections import dunning as engine
from revops_app.core.collections.dunning import promises as promise_rule
from revops_app.revenue_collections.constants import CUSTOMER_PAUSED_UNTIL_FIELD, PROMISE_DOCTYPE
from revops_app.revenue_collections.dunning import plan as dunning_plan
from revops_app.revenue_collections.dunning import run as dunning_run
from revops_app.revenue_collections.promise_resolution import resolve_promises
from revops_app.revenue_collections.promises import open_promise, promise_window, record_promise
from revops_app.revenue_collections.report.dunning_preview import dunning_preview
from revops_app.tests.promise_bench import BROKEN_STEP, PromiseBenchCase
from revops_app.tests.utils import outstanding_against


class TestPaymentPromises(PromiseBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.acme = cls.make_customer("ACME")
		cls.beta = cls.make_customer("BETA")
		cls.a1 = cls.make_invoice(cls.acme, add_days(cls.T, -3), 1000)
		cls.a2 = cls.make_invoice(cls.acme, add_days(cls.T, -3), 400)
		cls.b1 = cls.make_invoice(cls.beta, add_days(cls.T, -3), 300)

	def promise(self, invoices, days=3, customer=None, currency="USD", company=None) -> str:
		return record_promise(
			customer or self.acme,
			company or self.company,
			currency,
			list(invoices),
			add_days(self.T, days),
			source="Collector",
		)

	def written(self) -> tuple[int, int, int]:
		return (
			frappe.db.count(PROMISE_DOCTYPE, {"customer": ("in", [self.acme, self.beta])}),
			frappe.db.count(
				"Comment",
				{"reference_doctype": "Customer", "reference_name": self.acme, "comment_type": "Info"},
			),
			frappe.db.count("ToDo", {"reference_type": "Customer", "reference_name": self.acme}),
		)

	def test_record_promise_writes_promise_comment_and_todo(self):
		self.assertEqual(promise_window(self.acme), (add_days(self.T, 1), add_days(self.T, 10)))
		name = self.promise([self.a1, self.a2], days=4)
		doc = frappe.get_doc(PROMISE_DOCTYPE, name)
		self.assertEqual((doc.status, doc.source, doc.currency), ("Open", "Collector", "USD"))
		self.assertEqual(str(doc.promised_date), str(add_days(self.T, 4)))
		# What was promised is ERPNext's own outstanding, per invoice and in total.
		expected = outstanding_against(self.a1) + outstanding_against(self.a2)
		self.assertAlmostEqual(doc.amount, expected)
		self.assertEqual(
			{row.sales_invoice: row.outstanding_amount for row in doc.invoices}, {self.a1: 1000, self.a2: 400}
		)
		comment = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Customer", "reference_name": self.acme},
			pluck="content",
		)
		self.assertTrue(any(name in text and self.a1 in text for text in comment), comment)
		todo = frappe.get_doc("ToDo", doc.todo)
		self.assertEqual((todo.reference_type, todo.reference_name), ("Customer", self.acme))
		self.assertEqual((todo.allocated_to, str(todo.date)), (self.collector, str(doc.promised_date)))
		self.assertIn(name, todo.description)
		running = open_promise(self.acme, self.company)
		self.assertEqual((running["name"], running["invoices"]), (name, [self.a1, self.a2]))
		self.assertIsNone(open_promise(self.beta, self.company))
		# The collector finds the promises in the Customer's connections.
		dashboard = frappe.get_meta("Customer").get_dashboard_data()
		self.assertIn(PROMISE_DOCTYPE, [item for group in dashboard.transactions for item in group["items"]])

	def test_bad_promises_are_refused_with_a_sentence_and_write_nothing(self):
		before = self.written()
		cases = [
			(dict(invoices=[self.a1], days=0), "from"),  # today: not a promise
			(dict(invoices=[self.a1], days=11), "no later than"),
			(dict(invoices=[self.b1]), "was not found"),  # another customer's invoice
			(dict(invoices=["ACC-SINV-NOPE-0001"]), "was not found"),
			(dict(invoices=[]), "at least one"),
			(dict(invoices=[self.a1], currency="EUR"), "in USD, not EUR"),
			(dict(invoices=[self.a1, self.a1]), "twice"),
		]
		for kwargs, text in cases:
			with self.assertRaises(frappe.ValidationError, msg=str(kwargs)) as caught:
				self.promise(**kwargs)
			self.assertIn(text, str(caught.exception))
		self.promise([self.a1])
		with self.assertRaises(frappe.ValidationError) as caught:
			self.promise([self.a2, self.a1])
		self.assertIn(f"already promised for invoice {self.a1}", str(caught.exception))
		self.receive(self.a2, 400, "promise-paid")
		with self.assertRaises(frappe.ValidationError) as caught:
			self.promise([self.a2])
		self.assertIn("already paid", str(caught.exception))
		self.assertEqual(self.written(), (before[0] + 1, before[1] + 1, before[2] + 1))

	def test_policy_without_promises_offers_no_window_and_refuses(self):
		closed = self.make_policy(f"RevOps No Promises {self.abbr}", allow_customer_promises=0)
		customer = self.make_customer("CLOSED", policy=closed)
		invoice = self.make_invoice(customer, add_days(self.T, -3), 100)
		self.assertIsNone(promise_window(customer))
		with self.assertRaises(frappe.ValidationError) as caught:
			self.promise([invoice], customer=customer)
		self.assertIn("not available", str(caught.exception))

	def test_policy_validates_its_broken_promise_step(self):
		with self.assertRaises(frappe.ValidationError) as caught:
			self.make_policy(f"RevOps Bad Step {self.abbr}", broken_promise_step="No Such Step")
		self.assertIn("No Such Step", str(caught.exception))

	def decisions(self, on) -> dict[str, engine.Decision]:
		the_plan = dunning_plan.plan(on, company=self.company)
		return {d.invoice: d for d in the_plan.decisions}

	def test_promised_invoice_pauses_until_the_date_then_the_broken_step_goes_once(self):
		name = self.promise([self.a1], days=3)
		# T: A1 is promised (skipped, Preview says why); A2 of the same customer and B1 are reminded.
		decided = self.decisions(self.T)
		self.assertEqual((decided[self.a1].action, decided[self.a1].reason), ("skip", promise_rule.PROMISED))
		self.assertEqual(decided[self.a2].step.name, "Overdue 1")
		_columns, rows, _message = dunning_preview.execute(
			{"run_date": self.T, "company": self.company, "show_skipped": 1}
		)
		row = next(r for r in rows if r["sales_invoice"] == self.a1)
		self.assertEqual(row["reason"], promise_rule.PROMISED)
		self.assertIn(str(add_days(self.T, 3)), row["note"])
		counts = dunning_run.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual(counts[promise_rule.PROMISED], 1)
		self.assertEqual(
			{r["sales_invoice"] for r in self.reminders([self.a1, self.a2, self.b1])}, {self.a2, self.b1}
		)
		# On the promised date itself: still paused.
		self.assertEqual(self.decisions(add_days(self.T, 3))[self.a1].reason, promise_rule.PROMISED)

		# The day after: the run marks the promise Broken and sends the dedicated step, once.
		after = add_days(self.T, 4)
		dunning_run.run_dunning(on=after, commit=False, company=self.company)
		promise = frappe.get_doc(PROMISE_DOCTYPE, name)
		self.assertEqual((promise.status, str(promise.resolved_on)), ("Broken", str(after)))
		sent = [r for r in self.reminders([self.a1]) if r["step"] == BROKEN_STEP]
		self.assertEqual(len(sent), 1, self.reminders([self.a1]))
		self.assertEqual(
			sent[0]["reminder_key"], promise_rule.broken_key(self.a1, self.policy, BROKEN_STEP, name)
		)
		self.assertEqual(sent[0]["outcome"], "Sent")
		self.assertTrue(sent[0]["communication"])
		comments = frappe.get_all(
			"Comment", filters={"reference_doctype": "Customer", "reference_name": self.acme}, pluck="content"
		)
		self.assertTrue(any("broken" in text and name in text for text in comments), comments)
		# Again the same day and the next days: no second broken-promise reminder; the schedule goes on.
		again = dunning_run.run_dunning(on=after, commit=False, company=self.company)
		self.assertEqual(again["reminders_sent"], 0)
		self.assertEqual(self.decisions(add_days(self.T, 6))[self.a1].reason, engine.Skip.DONE)
		final = self.decisions(add_days(self.T, 18))[self.a1]
		self.assertEqual((final.action, final.step.name), ("send", "Final 20"))

	def test_collectors_pause_field_stays_its_own_reason(self):
		self.promise([self.a1], days=3)
		frappe.db.set_value("Customer", self.acme, CUSTOMER_PAUSED_UNTIL_FIELD, add_days(self.T, 2))
		decided = self.decisions(self.T)
		self.assertEqual(decided[self.a1].reason, engine.Skip.PAUSED)
		self.assertEqual(decided[self.a2].reason, engine.Skip.PAUSED)

	def test_paid_promise_is_kept_and_resolution_is_idempotent(self):
		name = self.promise([self.a1, self.a2], days=2)
		self.receive(self.a1, 1000, "promise-keep-1")
		self.assertEqual(resolve_promises(self.T), {})  # A2 still owed, date not passed: Open
		self.receive(self.a2, 400, "promise-keep-2")
		self.assertEqual(outstanding_against(self.a1) + outstanding_against(self.a2), 0)
		self.assertEqual(resolve_promises(add_days(self.T, 1)), {"Kept": 1})
		self.assertEqual(resolve_promises(add_days(self.T, 5)), {})
		doc = frappe.get_doc(PROMISE_DOCTYPE, name)
		self.assertEqual((doc.status, str(doc.resolved_on)), ("Kept", str(add_days(self.T, 1))))
		# A second promise may be made once the first is resolved.
		self.assertIsNone(open_promise(self.acme, self.company))

	def test_partly_paid_promise_breaks_after_its_date(self):
		name = self.promise([self.a1, self.a2], days=2)
		self.receive(self.a1, 1000, "promise-part")
		self.assertEqual(resolve_promises(add_days(self.T, 3)), {"Broken": 1})
		self.assertEqual(frappe.db.get_value(PROMISE_DOCTYPE, name, "status"), "Broken")
		# Broken step only for the invoice still owed.
		decided = self.decisions(add_days(self.T, 3))
		self.assertNotIn(self.a1, decided)  # paid: not even read
		self.assertEqual((decided[self.a2].action, decided[self.a2].step.name), ("send", BROKEN_STEP))

	def test_payment_behaviour_counts_broken_promises(self):
		from revops_app.revops.signals.payment_behaviour import behaviour_for

		first = self.promise([self.a1], days=1)
		beta = self.promise([self.b1], days=2, customer=self.beta)
		self.receive(self.b1, 300, "behaviour-b1")  # BETA pays: its promise is kept, never broken
		later = add_days(self.T, 4)
		# Not resolved yet: an Open promise past its date with the invoice unpaid already counts.
		behaviour = behaviour_for([self.acme, self.beta], later)
		self.assertEqual(behaviour[self.acme].broken_promises, 1)
		self.assertEqual(behaviour[self.beta].broken_promises if self.beta in behaviour else 0, 0)
		self.assertEqual(resolve_promises(later), {"Broken": 1, "Kept": 1})
		self.assertEqual(frappe.db.get_value(PROMISE_DOCTYPE, first, "status"), "Broken")
		self.assertEqual(frappe.db.get_value(PROMISE_DOCTYPE, beta, "status"), "Kept")
		self.assertEqual(behaviour_for([self.acme], add_days(self.T, 5))[self.acme].broken_promises, 1)
		# A second broken promise of the same customer counts again.
		self.promise([self.a2], days=1)
		self.assertEqual(behaviour_for([self.acme], add_days(self.T, 5))[self.acme].broken_promises, 2)
