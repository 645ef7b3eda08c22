"""Real-bench tests: dunning that listens to customer experience (hold or soften during service recovery).

A fresh company and policy (all invoices at T-25, so the policy's "Final 20" step with an ERPNext Dunning
escalation is due):
	HELD    open service-recovery Issue (from an NPS 2 response)      -> nothing sent until the Issue closes
	SOFT    NPS 1 five days ago, its policy softens (gentle template)  -> sent gently, no ERPNext Dunning
	CALM    no CX history                                              -> Final 20 with its ERPNext Dunning
CX rules are switched off while the responses are stored, so the Issue is the one this test makes.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, getdate, now_datetime, today

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import dunning_cx
from revops_app.customer_experience.constants import CF_ISSUE_CX_RESPONSE, CX_RESPONSE_DOCTYPE
from revops_app.patches.v1_2 import dunning_cx_awareness_off_for_existing_policies as patch
from revops_app.revenue_collections.constants import (
	DUNNING_POLICY_DOCTYPE,
	DUNNING_REMINDER_DOCTYPE,
	DUNNING_TEMPLATE_BEFORE_DUE,
)
from revops_app.revenue_collections.dunning import preview as preview_api
from revops_app.revenue_collections.dunning import run as glue
from revops_app.revenue_collections.report.dunning_preview import dunning_preview
from revops_app.revenue_collections.report.receivables_aging_with_pay_link_status import (
	receivables_aging_with_pay_link_status as aging,
)
from revops_app.tests import test_dunning as base
from revops_app.tests.utils import (
	ensure_fiscal_years,
	make_dunning_customer,
	set_up_dunning_company,
	settings_changed,
)

GENTLE = DUNNING_TEMPLATE_BEFORE_DUE  # any template other than the steps' own shows the swap


class TestDunningCX(FrappeTestCase):
	make_policy = base.TestDunning.__dict__["make_policy"]
	make_customer = classmethod(make_dunning_customer)
	make_invoice = base.TestDunning.__dict__["make_invoice"]

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.flags.mute_emails = True
		cls.T = getdate(today())
		years = sorted({add_days(cls.T, -60).year, cls.T.year})
		ensure_fiscal_years(date for year in years for date in (f"{year}-01-01", f"{year}-12-31"))
		cls.abbr = abbr = "DX" + frappe.generate_hash(length=4).upper()
		set_up_dunning_company(cls, f"RevOps Dunning CX {abbr}", abbr, "RevOps Dunning Service")

		cls.policy = cls.make_policy(f"RevOps CX Hold {abbr}")  # CX awareness left at its default
		cls.soft_policy = cls.make_policy(
			f"RevOps CX Soften {abbr}", cx_action="Soften", cx_soft_template=GENTLE, cx_detractor_days=10
		)
		cls.cust = {key: cls.make_customer(key) for key in ("HELD", "SOFT", "CALM")}
		frappe.db.set_value("Customer", cls.cust["SOFT"], "revops_dunning_policy", cls.soft_policy)
		cls.inv = {key: cls.make_invoice(key, add_days(cls.T, -25), 1000) for key in cls.cust}
		with settings_changed(cx_enabled=0):
			held_response = cls.response("HELD", 2, now_datetime())
			cls.response("SOFT", 1, add_to_date(now_datetime(), days=-5))
		cls.issue = (
			frappe.get_doc(
				{
					"doctype": "Issue",
					"subject": f"Service recovery {abbr}",
					"customer": cls.cust["HELD"],
					CF_ISSUE_CX_RESPONSE: held_response,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	@classmethod
	def response(cls, key: str, score: int, at) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": CX_RESPONSE_DOCTYPE,
					"metric": "NPS",
					"raw_score": score,
					"customer": cls.cust[key],
					"source": "dunning-cx-test",
					"external_id": f"{cls.abbr}-{key}",
					"submitted_at": at,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def setUp(self) -> None:
		frappe.db.savepoint("revops_dunning_cx_test")

	def tearDown(self) -> None:
		frappe.db.rollback(save_point="revops_dunning_cx_test")

	def preview_rows(self) -> dict[str, dict]:
		_, rows, message = dunning_preview.execute(
			{"run_date": self.T, "company": self.company, "show_skipped": 1}
		)
		self.message = message
		return {row["customer"]: row for row in rows}

	def reminders(self) -> dict[str, dict]:
		rows = frappe.get_all(
			DUNNING_REMINDER_DOCTYPE,
			filters={"company": self.company},
			fields=["customer", "step", "outcome", "email_template", "escalation"],
		)
		return {row.customer: row for row in rows}

	def dunnings(self, key: str) -> int:
		return frappe.db.count("Dunning", {"customer": self.cust[key], "docstatus": 0})

	def test_new_policies_are_cx_aware_by_default(self):
		values = frappe.db.get_value(
			DUNNING_POLICY_DOCTYPE, self.policy, ["cx_aware", "cx_action", "cx_detractor_days"], as_dict=True
		)
		self.assertEqual((values.cx_aware, values.cx_action, values.cx_detractor_days), (1, "Hold", 30))

	def test_preview_and_aging_show_why_reminders_are_held_or_softened(self):
		rows = self.preview_rows()
		held, soft, calm = rows[self.cust["HELD"]], rows[self.cust["SOFT"]], rows[self.cust["CALM"]]
		self.assertEqual((held["action"], held["reason"]), ("Skip", dunning_cx.CX_HELD))
		self.assertIn(self.issue, held["cx_note"])
		self.assertIn("detractor response (score 2)", held["cx_note"])
		self.assertEqual((soft["action"], soft["reason"]), ("Send", dunning_cx.CX_SOFTENED))
		self.assertEqual(
			(soft["step"], soft["email_template"], soft["escalation"]), ("Final 20", GENTLE, "None")
		)
		self.assertIn("detractor response (score 1)", soft["cx_note"])
		self.assertEqual(
			(calm["action"], calm["escalation"], calm["cx_note"]), ("Send", "ERPNext Dunning", None)
		)
		self.assertIn("1 reminders held", self.message)

		messages = {entry["customer"]: entry for entry in preview_api.preview(str(self.T), self.company)}
		self.assertNotIn(self.cust["HELD"], messages)
		self.assertEqual(messages[self.cust["SOFT"]]["email_template"], GENTLE)

		_, aging_rows, *_ = aging.execute({"company": self.company, "report_date": self.T})
		hold = {row["customer"]: row["dunning_hold"] for row in aging_rows}
		self.assertTrue(hold[self.cust["HELD"]].startswith(dunning_cx.CX_HELD))
		self.assertIn(self.issue, hold[self.cust["HELD"]])
		self.assertTrue(hold[self.cust["SOFT"]].startswith(dunning_cx.CX_SOFTENED))
		self.assertIsNone(hold[self.cust["CALM"]])

	def test_run_holds_softens_and_resumes_when_the_issue_closes(self):
		counts = glue.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual(counts[dunning_cx.CX_HELD], 1)
		sent = self.reminders()
		self.assertNotIn(self.cust["HELD"], sent)
		self.assertEqual(
			(sent[self.cust["SOFT"]].email_template, sent[self.cust["SOFT"]].escalation), (GENTLE, "None")
		)
		self.assertEqual(self.dunnings("SOFT"), 0)  # no formal notice on top of service recovery
		self.assertEqual(self.dunnings("CALM"), 1)
		self.assertEqual(sent[self.cust["CALM"]].outcome, engine.Outcome.SENT)

		# the Issue is resolved, but the NPS 2 of today still counts for 30 days: still held
		frappe.db.set_value("Issue", self.issue, "status", "Closed")
		glue.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertNotIn(self.cust["HELD"], self.reminders())
		# with a window that no longer reaches the detractor answer, the reminder resumes at the latest step
		frappe.db.set_value(DUNNING_POLICY_DOCTYPE, self.policy, "cx_detractor_days", 0)
		frappe.db.set_value(
			CX_RESPONSE_DOCTYPE,
			{"customer": self.cust["HELD"]},
			"submitted_at",
			add_to_date(now_datetime(), days=-2),
		)
		glue.run_dunning(on=self.T, commit=False, company=self.company)
		resumed = self.reminders()[self.cust["HELD"]]
		self.assertEqual((resumed.step, resumed.outcome), ("Final 20", engine.Outcome.SENT))

	def test_switched_off_policy_sends_as_before_and_the_patch_leaves_existing_policies_off(self):
		frappe.db.set_value(DUNNING_POLICY_DOCTYPE, self.policy, "cx_aware", 0)
		held = self.preview_rows()[self.cust["HELD"]]
		self.assertEqual((held["action"], held["step"], held["cx_note"]), ("Send", "Final 20", None))
		frappe.db.set_value(DUNNING_POLICY_DOCTYPE, self.policy, "cx_aware", 1)
		patch.execute()
		self.assertEqual(frappe.db.count(DUNNING_POLICY_DOCTYPE, {"cx_aware": 1}), 0)
