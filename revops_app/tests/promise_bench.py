"""Shared set-up for the promise and instalment real-bench tests (test_payment_promises.py,
test_dunning_instalments.py): a fresh company (random abbreviation) with its own dunning policy, customers,
and invoices made through ERPNext's own APIs; the tests roll back (FrappeTestCase + a savepoint per test).

Policy "RevOps Promise <abbr>" (promises allowed up to 10 days ahead; broken-promise step "Promise Broken"):
	Overdue 1        +1   Overdue
	Promise Broken   +5   Last Payment Failed        (only ever sent for a broken promise in these tests)
	Final 20         +20  Overdue
"""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.accounts.doctype.sales_invoice.test_sales_invoice import create_sales_invoice

from revops_app.revenue_collections.constants import (
	DUNNING_POLICY_DOCTYPE,
	DUNNING_REMINDER_DOCTYPE,
	DUNNING_TEMPLATE_OVERDUE,
)
from revops_app.tests.utils import (
	ensure_fiscal_years,
	make_dunning_customer,
	set_up_dunning_company,
	submit_sales_invoice,
)

BROKEN_STEP = "Promise Broken"


class PromiseBenchCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.flags.mute_emails = True
		cls.T = getdate(today())
		years = sorted({add_days(cls.T, -90).year, cls.T.year, add_days(cls.T, 90).year})
		ensure_fiscal_years(day for year in years for day in (f"{year}-01-01", f"{year}-12-31"))
		cls.abbr = abbr = "PR" + frappe.generate_hash(length=4).upper()
		set_up_dunning_company(cls, f"RevOps Promise {abbr}", abbr, "RevOps Promise Service")
		cls.collector = "Administrator"
		cls.policy = cls.make_policy(f"RevOps Promise {abbr}")

	def setUp(self) -> None:
		frappe.db.savepoint("revops_promise_test")

	def tearDown(self) -> None:
		frappe.db.rollback(save_point="revops_promise_test")
		frappe.set_user("Administrator")

	@classmethod
	def make_policy(cls, name: str, **extra) -> str:
		steps = [
			{"step_name": "Overdue 1", "offset_days": 1, "if_overdue": 1},
			{"step_name": BROKEN_STEP, "offset_days": 5, "if_payment_failed": 1},
			{"step_name": "Final 20", "offset_days": 20, "if_overdue": 1},
		]
		for step in steps:
			step.update(email_template=DUNNING_TEMPLATE_OVERDUE, channel="Email")
		values = {
			"doctype": DUNNING_POLICY_DOCTYPE,
			"policy_name": name,
			"enabled": 1,
			"max_attempts": 3,
			"collector": cls.collector,
			"allow_customer_promises": 1,
			"max_promise_days": 10,
			"broken_promise_step": BROKEN_STEP,
			"steps": steps,
		}
		values.update(extra)
		return frappe.get_doc(values).insert(ignore_permissions=True).name

	make_customer = classmethod(make_dunning_customer)

	@classmethod
	def make_invoice(cls, customer: str, due, total: float, **extra) -> str:
		return submit_sales_invoice(
			cls,
			customer=customer,
			item=cls.item,
			posting_date=add_days(due, -30),
			due_date=due,
			rate=total,
			**extra,
		).name

	@classmethod
	def make_terms(cls, name: str, days: list[int], *, allocate: bool = False) -> str:
		"""An ERPNext Payment Terms Template with equal instalments due `days` after the invoice date."""
		portion = round(100 / len(days), 6)
		terms = []
		for number, credit_days in enumerate(days, start=1):
			term = f"{name} {number}"
			if not frappe.db.exists("Payment Term", term):
				frappe.get_doc(
					{
						"doctype": "Payment Term",
						"payment_term_name": term,
						"invoice_portion": portion,
						"due_date_based_on": "Day(s) after invoice date",
						"credit_days": credit_days,
					}
				).insert(ignore_permissions=True)
			terms.append(
				{
					"payment_term": term,
					"invoice_portion": portion,
					"due_date_based_on": "Day(s) after invoice date",
					"credit_days": credit_days,
				}
			)
		return (
			frappe.get_doc(
				{
					"doctype": "Payment Terms Template",
					"template_name": name,
					"allocate_payment_based_on_payment_terms": 1 if allocate else 0,
					"terms": terms,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	@classmethod
	def make_scheduled_invoice(cls, customer: str, posting_date, total: float, terms: str) -> str:
		"""A submitted invoice whose Payment Schedule ERPNext builds from the Payment Terms Template."""
		si = create_sales_invoice(
			company=cls.company,
			customer=customer,
			debit_to=cls.receivable,
			currency="USD",
			posting_date=posting_date,
			item=cls.item,
			item_name=cls.item,
			qty=1,
			rate=total,
			income_account=cls.income,
			expense_account=cls.expense,
			cost_center=cls.cost_center,
			parent_cost_center=cls.cost_center,
			warehouse=cls.warehouse,
			do_not_save=1,
		)
		si.taxes_and_charges = None
		si.set("taxes", [])
		si.payment_terms_template = terms
		si.set("payment_schedule", [])
		si.due_date = None
		si.insert()
		si.submit()
		return si.name

	@classmethod
	def receive(cls, invoice: str, amount: float, reference: str) -> str:
		"""A submitted Payment Entry from ERPNext's own get_payment_entry. For a template that allocates by
		payment terms ERPNext proposes one reference per term at its full outstanding: the amount received
		is allocated to the terms in their order, as a clerk would."""
		pe = get_payment_entry("Sales Invoice", invoice, party_amount=amount, bank_account=cls.cash)
		if any(ref.get("payment_term") for ref in pe.references):
			left, kept = amount, []
			for ref in pe.references:
				if left <= 0:
					break
				ref.allocated_amount = min(ref.allocated_amount, left)
				left -= ref.allocated_amount
				kept.append(ref)
			pe.set("references", kept)
			pe.set_amounts()
		pe.reference_no = reference
		pe.reference_date = cls.T
		pe.insert()
		pe.submit()
		return pe.name

	def reminders(self, invoices) -> list[dict]:
		return frappe.get_all(
			DUNNING_REMINDER_DOCTYPE,
			filters={"sales_invoice": ("in", list(invoices))},
			fields=["sales_invoice", "step", "outcome", "reminder_key", "instalment", "instalment_due_date",
				"communication", "outstanding_amount"],
			order_by="creation",
		)  # fmt: skip
