"""Real-bench tests: invoices with an ERPNext payment schedule are dunned per instalment due date.

ERPNext builds the schedule from a Payment Terms Template (two halves due 30 and 60 days after the invoice
date; the invoice is dated T-35, so instalment 1 is due T-5 and instalment 2 T+25, and ERPNext sets the
invoice's own due date to the last one). Fixture: `promise_bench.PromiseBenchCase` (rolled back).
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.utils import add_days, fmt_money, formatdate, getdate

from revops_app.core.collections.dunning import instalments as per_instalment
from revops_app.revenue_collections import instalments as page_instalments
from revops_app.revenue_collections.dunning import plan as dunning_plan
from revops_app.revenue_collections.dunning import run as dunning_run
from revops_app.revenue_collections.report.dunning_preview import dunning_preview
from revops_app.tests.promise_bench import PromiseBenchCase
from revops_app.tests.utils import outstanding_against


class TestDunningInstalments(PromiseBenchCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.customer = cls.make_customer("INST")
		cls.halves = cls.make_terms(f"RevOps Halves {cls.abbr}", [30, 60])
		cls.halves_allocated = cls.make_terms(f"RevOps Halves Alloc {cls.abbr}", [30, 60], allocate=True)

	def invoice(self, terms=None) -> str:
		return self.make_scheduled_invoice(self.customer, add_days(self.T, -35), 1000, terms or self.halves)

	def schedule(self, invoice: str) -> list[dict]:
		return frappe.get_all(
			"Payment Schedule",
			filters={"parent": invoice, "parenttype": "Sales Invoice"},
			fields=["idx", "due_date", "payment_amount", "outstanding", "paid_amount"],
			order_by="idx",
		)

	def decision(self, invoice: str, on):
		the_plan = dunning_plan.plan(on, company=self.company, invoices=[invoice])
		(decision,) = the_plan.decisions
		return decision, the_plan

	def test_each_instalment_has_its_own_steps_and_keys(self):
		inv = self.invoice()
		rows = self.schedule(inv)
		self.assertEqual([getdate(r.due_date) for r in rows], [add_days(self.T, -5), add_days(self.T, 25)])
		self.assertEqual(getdate(frappe.db.get_value("Sales Invoice", inv, "due_date")), add_days(self.T, 25))

		# T: instalment 1 is 5 days overdue (the invoice itself is not due for 25 days).
		decision, the_plan = self.decision(inv, self.T)
		self.assertEqual(
			(decision.action, decision.step.name, decision.days_overdue), ("send", "Overdue 1", 5)
		)
		self.assertEqual(decision.key, per_instalment.instalment_key(inv, self.policy, "Overdue 1", 1))
		self.assertEqual(the_plan.instalment_for(decision).index, 1)
		_columns, report_rows, _message = dunning_preview.execute(
			{"run_date": self.T, "company": self.company}
		)
		self.assertIn(f"instalment 1 due {add_days(self.T, -5)}", report_rows[0]["note"])
		dunning_run.run_dunning(on=self.T, commit=False, company=self.company)
		(row,) = self.reminders([inv])
		self.assertEqual((row["step"], row["instalment"]), ("Overdue 1", 1))
		self.assertEqual(getdate(row["instalment_due_date"]), add_days(self.T, -5))
		self.assertEqual(row["reminder_key"], decision.key)
		content = frappe.db.get_value("Communication", row["communication"], "content")
		# the instalment's own due date and amount, beside the invoice's outstanding (shipped template)
		line = f"instalment 1 due {formatdate(add_days(self.T, -5))}: {fmt_money(500, currency='USD')}"
		self.assertIn(line, content)
		again = dunning_run.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual(again["reminders_sent"], 0)

		# T+26: instalment 1 reaches Final 20 (earliest due first); instalment 2's own Overdue 1 the day after.
		dunning_run.run_dunning(on=add_days(self.T, 26), commit=False, company=self.company)
		dunning_run.run_dunning(on=add_days(self.T, 27), commit=False, company=self.company)
		logged = [(r["instalment"], r["step"]) for r in self.reminders([inv])]
		self.assertEqual(logged, [(1, "Overdue 1"), (1, "Final 20"), (2, "Overdue 1")])
		self.assertEqual(len({r["reminder_key"] for r in self.reminders([inv])}), 3)

	def test_a_paid_instalment_gets_no_reminders_and_the_page_shows_the_next(self):
		inv = self.invoice()
		due = page_instalments.due_now(inv, self.T)
		self.assertEqual((due["amount"], due["due_date"], due["overdue"]), (500, add_days(self.T, -5), True))
		self.assertEqual(due["instalments"], 2)
		# Paid without naming a payment term (template does not allocate by terms): ERPNext lowers only
		# the invoice's outstanding; the first instalment counts as paid.
		self.receive(inv, 500, "instalment-1")
		self.assertEqual(outstanding_against(inv), 500)
		decision, _ = self.decision(inv, self.T)
		self.assertEqual((decision.action, decision.reason), ("skip", "no step reached yet"))
		dunning_run.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual(self.reminders([inv]), [])
		due = page_instalments.due_now(inv, self.T)
		self.assertEqual((due["amount"], due["due_date"], due["upcoming"]), (500, add_days(self.T, 25), True))
		# The second instalment runs its own schedule from its own due date.
		decision, _ = self.decision(inv, add_days(self.T, 26))
		self.assertEqual((decision.step.name, decision.days_overdue), ("Overdue 1", 1))
		self.assertEqual(decision.key, per_instalment.instalment_key(inv, self.policy, "Overdue 1", 2))

	def test_payment_allocated_by_payment_terms_is_read_from_erpnexts_rows(self):
		inv = self.invoice(self.halves_allocated)
		self.receive(inv, 500, "instalment-alloc")
		rows = self.schedule(inv)
		self.assertEqual([r.outstanding for r in rows], [0, 500])  # ERPNext's own record
		schedule, currency = page_instalments.schedule_of(inv)
		self.assertEqual(currency, "USD")
		self.assertEqual([(i.index, i.outstanding) for i in schedule], [(1, 0), (2, 500)])
		self.assertEqual(sum(i.outstanding for i in schedule), outstanding_against(inv))
		decision, _ = self.decision(inv, self.T)
		self.assertEqual(decision.reason, "no step reached yet")

	def test_invoice_without_schedule_is_dunned_as_before(self):
		inv = self.make_invoice(self.customer, add_days(self.T, -5), 300)
		decision, the_plan = self.decision(inv, self.T)
		self.assertEqual(decision.step.name, "Overdue 1")
		self.assertIsNone(the_plan.instalment_for(decision))
		self.assertIsNone(page_instalments.due_now(inv, self.T))
		dunning_run.run_dunning(on=self.T, commit=False, company=self.company)
		(row,) = self.reminders([inv])
		self.assertEqual(row["instalment"], 0)
