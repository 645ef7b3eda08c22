"""Real-bench tests: the daily dunning run against real submitted invoices.

A fresh company (random abbreviation) with its own policy, so other data on the site never joins in; the
run is limited to that company. Dates are relative to today (T) because ERPNext's own create_dunning picks
overdue payment-schedule rows against the real current date. FrappeTestCase rolls everything back.

Policy "RevOps Test <abbr>" (hand-ordered):
	Overdue 1    +1   Overdue
	Unseen 7     +7   Overdue + Pay Link Never Viewed
	Viewed 7     +7   Overdue + Pay Link Viewed But Unpaid
	Partial 10   +10  Overdue + Partially Paid
	Final 20     +20  Overdue                       escalation: ERPNext Dunning

Invoices (due date, state) -> expected step on T (latest reached step that applies, nothing logged yet):
	ACME    A1  T-3   open                 -> Overdue 1  } one consolidated email
	ACME    A2  T-2   open                 -> Overdue 1  }
	ACME    A3  T-8   never viewed         -> Unseen 7
	ACME    A4  T-8   link viewed          -> Viewed 7
	GLOBEX  G1  T-12  40 % paid            -> Partial 10
	GLOBEX  G2  T-25  open                 -> Final 20 + draft ERPNext Dunning
	GLOBEX  G3  T-5   paid in full         -> nothing (paid)
	GLOBEX  G4  T-5   pay link disputed    -> nothing (disputed)
	PAUSED  P1  T-5   promise to pay T+3   -> nothing (paused)
	OPTOUT  O1  T-5   customer opted out   -> nothing (opted out)
	GLOBEX  X1  T-5   cancelled            -> nothing (not open)
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, today

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

from revops_app.core.collections import dunning as engine
from revops_app.core.gateway.customer_page import page_name
from revops_app.revenue_collections.constants import (
	CUSTOMER_OPT_OUT_FIELD,
	CUSTOMER_PAGE_DOCTYPE,
	CUSTOMER_PAUSED_UNTIL_FIELD,
	DEFAULT_DUNNING_POLICY,
	DUNNING_POLICY_DOCTYPE,
	DUNNING_REMINDER_DOCTYPE,
	DUNNING_TEMPLATE_FINAL,
	DUNNING_TEMPLATE_OVERDUE,
)
from revops_app.revenue_collections.dunning import escalation
from revops_app.revenue_collections.dunning import plan as dunning_plan
from revops_app.revenue_collections.dunning import policies as dunning_policies
from revops_app.revenue_collections.dunning import preview as preview_api
from revops_app.revenue_collections.dunning import run as glue
from revops_app.revenue_collections.dunning import send as dunning_send
from revops_app.revenue_collections.report.dunning_preview import dunning_preview
from revops_app.revenue_collections.report.receivables_aging_with_pay_link_status import (
	receivables_aging_with_pay_link_status as aging,
)
from revops_app.revops.constants import LOG_DOCTYPE
from revops_app.tests.utils import (
	ensure_fiscal_years,
	make_dunning_customer,
	set_up_dunning_company,
	submit_sales_invoice,
)


class TestDunning(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		# Muted: Frappe queues emails but never connects to SMTP (FrappeTestCase restores the flags).
		frappe.flags.mute_emails = True
		cls.T = getdate(today())
		years = sorted({add_days(cls.T, -60).year, cls.T.year, add_days(cls.T, 30).year})
		ensure_fiscal_years(date for year in years for date in (f"{year}-01-01", f"{year}-12-31"))
		abbr = "DN" + frappe.generate_hash(length=4).upper()
		cls.abbr = abbr
		set_up_dunning_company(cls, f"RevOps Dunning {abbr}", abbr, "RevOps Dunning Service")

		cls.policy = cls.make_policy(f"RevOps Test {abbr}")
		cls.cust = {key: cls.make_customer(key) for key in ("ACME", "GLOBEX", "PAUSED", "OPTOUT")}
		frappe.db.set_value("Customer", cls.cust["PAUSED"], CUSTOMER_PAUSED_UNTIL_FIELD, add_days(cls.T, 3))
		frappe.db.set_value("Customer", cls.cust["OPTOUT"], CUSTOMER_OPT_OUT_FIELD, 1)

		cls.inv = {}
		for key, customer, days_ago in (
			("A1", "ACME", 3),
			("A2", "ACME", 2),
			("A3", "ACME", 8),
			("A4", "ACME", 8),
			("G1", "GLOBEX", 12),
			("G2", "GLOBEX", 25),
			("G3", "GLOBEX", 5),
			("G4", "GLOBEX", 5),
			("P1", "PAUSED", 5),
			("O1", "OPTOUT", 5),
			("X1", "GLOBEX", 5),
		):
			cls.inv[key] = cls.make_invoice(customer, add_days(cls.T, -days_ago), 1000)
		for key in ("A1", "A2", "A3", "G1", "G2"):
			cls.link(key, link_state="Sent", view_count=0)
		cls.link("A4", link_state="Viewed", view_count=2, first_viewed_at=frappe.utils.now_datetime())
		cls.link("G4", link_state="Disputed", disputed=1)
		cls.receive("G1", 400)
		cls.receive("G3", 1000)
		frappe.get_doc("Sales Invoice", cls.inv["X1"]).cancel()

	def setUp(self) -> None:
		# FrappeTestCase rolls back only after the whole class: isolate each test's runs and reminders.
		frappe.db.savepoint("revops_dunning_test")

	def tearDown(self) -> None:
		frappe.db.rollback(save_point="revops_dunning_test")
		frappe.set_user("Administrator")

	# --- factories --------------------------------------------------------------------------------

	@classmethod
	def make_policy(cls, name: str, **extra) -> str:
		steps = [
			{"step_name": "Overdue 1", "offset_days": 1, "if_overdue": 1},
			{"step_name": "Unseen 7", "offset_days": 7, "if_overdue": 1, "if_never_viewed": 1},
			{"step_name": "Viewed 7", "offset_days": 7, "if_overdue": 1, "if_viewed_unpaid": 1},
			{"step_name": "Partial 10", "offset_days": 10, "if_overdue": 1, "if_partially_paid": 1},
			{
				"step_name": "Final 20",
				"offset_days": 20,
				"if_overdue": 1,
				"escalation": "ERPNext Dunning",
				"email_template": DUNNING_TEMPLATE_FINAL,
			},
		]
		for step in steps:
			step.setdefault("email_template", DUNNING_TEMPLATE_OVERDUE)
			step.setdefault("channel", "Email")
		return (
			frappe.get_doc(
				{
					"doctype": DUNNING_POLICY_DOCTYPE,
					"policy_name": name,
					"enabled": 1,
					"max_attempts": 3,
					"steps": steps,
					**extra,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	make_customer = classmethod(make_dunning_customer)

	@classmethod
	def make_invoice(cls, customer_key: str, due, total: int) -> str:
		return submit_sales_invoice(
			cls,
			customer=cls.cust[customer_key],
			item=cls.item,
			posting_date=add_days(due, -30),
			due_date=due,
			rate=total,
		).name

	@classmethod
	def receive(cls, key: str, amount: int) -> str:
		pe = get_payment_entry("Sales Invoice", cls.inv[key], party_amount=amount, bank_account=cls.cash)
		pe.reference_no = f"dunning-{key}"
		pe.reference_date = cls.T
		pe.insert()
		pe.submit()
		return pe.name

	@classmethod
	def link(cls, key: str, **values) -> None:
		invoice = cls.inv[key]
		doc = frappe.get_doc(
			{
				"doctype": "RevOps Payment Link",
				"sales_invoice": invoice,
				"customer": frappe.db.get_value("Sales Invoice", invoice, "customer"),
				"company": cls.company,
				"status": "Active",
				"token": frappe.generate_hash(length=32),
				"url": f"https://pay.example.com/pay/{key}",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("RevOps Payment Link", doc.name, values)

	def reminders(self) -> list[dict]:
		return frappe.get_all(
			DUNNING_REMINDER_DOCTYPE,
			filters={"company": self.company},
			fields=["sales_invoice", "step", "outcome", "communication", "reminder_key", "attempts",
				"escalation_doctype", "escalation_reference", "message"],
		)  # fmt: skip

	def emails_for(self, invoices) -> list[dict]:
		return frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Sales Invoice", "reference_name": ("in", list(invoices))},
			fields=["name", "reference_name", "communication"],
		)

	EXPECTED = {
		"A1": "Overdue 1",
		"A2": "Overdue 1",
		"A3": "Unseen 7",
		"A4": "Viewed 7",
		"G1": "Partial 10",
		"G2": "Final 20",
	}

	# --- tests ------------------------------------------------------------------------------------

	def test_preview_run_and_second_run(self):
		preview = preview_api.preview(str(self.T), company=self.company)
		by_step = {(p["customer"], p["step"]): sorted(p["invoices"]) for p in preview}
		inv, cust = self.inv, self.cust
		self.assertEqual(
			by_step,
			{
				(cust["ACME"], "Overdue 1"): sorted([inv["A1"], inv["A2"]]),
				(cust["ACME"], "Unseen 7"): [inv["A3"]],
				(cust["ACME"], "Viewed 7"): [inv["A4"]],
				(cust["GLOBEX"], "Partial 10"): [inv["G1"]],
				(cust["GLOBEX"], "Final 20"): [inv["G2"]],
			},
		)
		final = next(p for p in preview if p["step"] == "Final 20")
		# Passed over by catch-up: the steps that applied on the way (Viewed 7 and Partial 10 never did).
		self.assertEqual(final["superseded"], ["Overdue 1", "Unseen 7"])
		self.assertIn(inv["G2"], final["subject"])
		preview_keys = sorted(k for p in preview for k in p["keys"])

		counts = glue.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual((counts["messages_sent"], counts["reminders_sent"]), (5, 6), self.reminders())
		self.assertEqual(counts["messages_failed"], 0)
		for reason in (engine.Skip.PAUSED, engine.Skip.OPTED_OUT, engine.Skip.DISPUTED):
			self.assertEqual(counts[reason], 1, reason)

		rows = self.reminders()
		# The run logged exactly what the preview showed, keyed the same way.
		self.assertEqual(sorted(r["reminder_key"] for r in rows), preview_keys)
		self.assertEqual(
			{r["sales_invoice"]: r["step"] for r in rows}, {inv[k]: s for k, s in self.EXPECTED.items()}
		)
		self.assertTrue(all(r["outcome"] == "Sent" and r["communication"] for r in rows))
		# One email (Communication + Email Queue) per customer and step: A1 and A2 share one.
		by_invoice = {r["sales_invoice"]: r for r in rows}
		self.assertEqual(by_invoice[inv["A1"]]["communication"], by_invoice[inv["A2"]]["communication"])
		self.assertEqual(len({r["communication"] for r in rows}), 5)
		queued = self.emails_for(by_invoice)
		self.assertEqual(len(queued), 5)
		self.assertEqual({q["communication"] for q in queued}, {r["communication"] for r in rows})
		communication = frappe.get_doc("Communication", by_invoice[inv["A1"]]["communication"])
		self.assertEqual(communication.reference_doctype, "Sales Invoice")
		self.assertIn(f"acme-{self.abbr.lower()}@example.com", communication.recipients)
		# Both invoices and their pay links are in the consolidated body; the second one is on the timeline.
		self.assertIn(inv["A1"], communication.content)
		self.assertIn(inv["A2"], communication.content)
		self.assertIn("https://pay.example.com/pay/A1", communication.content)
		linked = {(row.link_doctype, row.link_name) for row in communication.timeline_links}
		self.assertIn(("Sales Invoice", sorted([inv["A1"], inv["A2"]])[1]), linked)
		# Nothing for paid, disputed, paused, opted-out or cancelled invoices.
		for key in ("G3", "G4", "P1", "O1", "X1"):
			self.assertNotIn(inv[key], by_invoice, key)

		# Escalation: a draft ERPNext Dunning for G2 through ERPNext's mapper.
		g2 = by_invoice[inv["G2"]]
		self.assertEqual(g2["escalation_doctype"], "Dunning", g2["message"])
		dunning = frappe.get_doc("Dunning", g2["escalation_reference"])
		self.assertEqual(
			(dunning.customer, dunning.company, dunning.docstatus), (self.cust["GLOBEX"], self.company, 0)
		)
		self.assertEqual([row.sales_invoice for row in dunning.overdue_payments], [inv["G2"]])

		# Second run the same day: nothing more is logged, emailed or escalated.
		emails_before = len(self.emails_for(by_invoice))
		dunnings_before = frappe.db.count("Dunning", {"company": self.company})
		again = glue.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual((again["messages_sent"], again["reminders_sent"]), (0, 0))
		self.assertEqual(again[engine.Skip.DONE], 6, again)
		self.assertEqual(len(self.reminders()), 6)
		self.assertEqual(len(self.emails_for(by_invoice)), emails_before)
		self.assertEqual(frappe.db.count("Dunning", {"company": self.company}), dunnings_before)
		self.assertEqual(preview_api.preview(str(self.T), company=self.company), [])

		# The aging report now shows the last reminder step per invoice.
		_, aging_rows, _, _, _ = aging.execute({"company": self.company, "report_date": self.T})
		last = {row["invoice"]: row.get("last_reminder_step") for row in aging_rows}
		self.assertEqual(last[inv["A3"]], "Unseen 7")
		self.assertEqual(last[inv["G2"]], "Final 20")
		self.assertIsNone(last[inv["P1"]])

	def test_a_reminder_marks_the_pay_links_it_carries_as_sent(self):
		inv = self.inv
		for key in ("A1", "A2", "A3"):  # as ensure_pay_link creates them: Not Sent, never sent
			frappe.db.set_value(
				"RevOps Payment Link",
				{"sales_invoice": inv[key]},
				{"link_state": "Not Sent", "sent_at": None},
			)

		glue.run_dunning(on=self.T, commit=False, company=self.company)

		def link(key):
			return frappe.db.get_value(
				"RevOps Payment Link", {"sales_invoice": inv[key]}, ["link_state", "sent_at"], as_dict=True
			)

		for key in ("A1", "A2", "A3"):
			self.assertEqual(link(key).link_state, "Sent", key)
			self.assertIsNotNone(link(key).sent_at, key)
		self.assertEqual(link("A4").link_state, "Viewed")  # a later state is kept
		self.assertIsNotNone(link("A4").sent_at)
		self.assertEqual(link("G4").link_state, "Disputed")  # no reminder, nothing changes
		self.assertIsNone(link("G4").sent_at)
		# The aging report now sees the emailed, unopened links as sent but never viewed.
		_, aging_rows, _, _, _ = aging.execute({"company": self.company, "report_date": self.T})
		status = {row["invoice"]: row["pay_link_status"] for row in aging_rows}
		self.assertEqual([status[inv[k]] for k in ("A1", "A2", "A3")], ["Never Viewed"] * 3)

	def test_the_consolidated_email_carries_the_customer_page_link(self):
		# Stripe pay links on for this company (the customer page is made only then)
		with patch("revops_app.revenue_collections.dunning.render.pay_links_active", return_value=True):
			glue.run_dunning(on=self.T, commit=False, company=self.company)
		acme = self.cust["ACME"]
		page = frappe.db.get_value(
			CUSTOMER_PAGE_DOCTYPE, page_name(acme, self.company, "USD"), ["url", "sent_at"], as_dict=True
		)
		self.assertTrue(page and page.url.startswith(frappe.utils.get_url("/customer-pay/")) and page.sent_at)
		invoices = [self.inv[key] for key in ("A1", "A2", "A3", "A4")]
		messages = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Sales Invoice", "reference_name": ["in", invoices]},
			fields=["content"],
		)
		self.assertEqual(len(messages), 3)  # Overdue 1 (A1, A2), Unseen 7 (A3), Viewed 7 (A4)
		for message in messages:
			self.assertEqual(message.content.count(page.url), 1)
		both = next(m.content for m in messages if "pay/A1" in m.content)
		self.assertIn("https://pay.example.com/pay/A2", both)  # the per-invoice rows are kept
		# GLOBEX's messages carry GLOBEX's page, never ACME's
		globex = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Sales Invoice", "reference_name": self.inv["G2"]},
			pluck="content",
		)
		self.assertTrue(globex and page.url not in globex[0])
		self.assertIn(
			frappe.db.get_value(
				CUSTOMER_PAGE_DOCTYPE, page_name(self.cust["GLOBEX"], self.company, "USD"), "url"
			),
			globex[0],
		)

	def test_next_step_follows_a_week_later_and_pause_ends(self):
		glue.run_dunning(on=self.T, commit=False, company=self.company)
		later = add_days(self.T, 6)
		preview = {
			(p["customer"], p["step"]): sorted(p["invoices"])
			for p in preview_api.preview(str(later), self.company)
		}
		inv, cust = self.inv, self.cust
		# T+6: A1 is 9 days overdue, A2 8 → Unseen 7 for both (never viewed); A3/A4 already at their 7-day
		# step and 14 days < 20; P1 (paused until T+3, no pay link = never viewed) is 11 days overdue →
		# Unseen 7 only (catch-up: Overdue 1 is passed over, not sent as well).
		self.assertEqual(preview[(cust["ACME"], "Unseen 7")], sorted([inv["A1"], inv["A2"]]))
		self.assertEqual(preview[(cust["PAUSED"], "Unseen 7")], [inv["P1"]])
		self.assertNotIn((cust["PAUSED"], "Overdue 1"), preview)
		self.assertNotIn(cust["OPTOUT"], {customer for customer, _ in preview})

	def test_failed_send_is_logged_and_retried_next_run(self):
		frappe.db.set_value("Customer", self.cust["GLOBEX"], "email_id", None)
		counts = glue.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual(counts["messages_failed"], 2)  # GLOBEX: Partial 10 and Final 20
		rows = {r["sales_invoice"]: r for r in self.reminders()}
		g1 = rows[self.inv["G1"]]
		self.assertEqual((g1["outcome"], g1["attempts"], g1["communication"]), ("Failed", 1, None))
		self.assertIn("no email address", g1["message"])
		# No Dunning for a final notice that did not go out.
		self.assertFalse(rows[self.inv["G2"]]["escalation_reference"])
		self.assertTrue(
			frappe.db.exists(
				LOG_DOCTYPE,
				{
					"integration": "Dunning",
					"status": "Error",
					"reference_name": ("in", [self.inv["G1"], self.inv["G2"]]),
				},
			)
		)
		# The customer gets an address; the next run retries the same rows (same key) and sends.
		frappe.db.set_value("Customer", self.cust["GLOBEX"], "email_id", "globex-fixed@example.com")
		counts = glue.run_dunning(on=add_days(self.T, 1), commit=False, company=self.company)
		self.assertEqual(counts["messages_sent"], 2)
		rows = {r["sales_invoice"]: r for r in self.reminders()}
		g1 = rows[self.inv["G1"]]
		self.assertEqual((g1["outcome"], g1["attempts"]), ("Sent", 2))
		self.assertTrue(g1["communication"])
		self.assertEqual(rows[self.inv["G2"]]["escalation_doctype"], "Dunning")

	def test_a_racing_run_that_logged_first_wins(self):
		the_plan = dunning_plan.plan(self.T, company=self.company)
		message = next(m for m in the_plan.messages if m.step.name == "Overdue 1")
		a1 = next(d for d in message.decisions if d.invoice == self.inv["A1"])
		# Another worker committed A1's reminder between our plan and our insert.
		frappe.get_doc(
			{
				"doctype": DUNNING_REMINDER_DOCTYPE,
				"reminder_key": a1.key,
				"sales_invoice": a1.invoice,
				"customer": a1.customer,
				"company": self.company,
				"policy": a1.policy,
				"step": "Overdue 1",
				"outcome": "Sent",
				"sent_at": frappe.utils.now_datetime(),
			}
		).insert(ignore_permissions=True)
		outcome, sent = dunning_send.send_message(message, the_plan)
		self.assertEqual((outcome, sent.invoices), (engine.Outcome.SENT, (self.inv["A2"],)))
		rows = [r for r in self.reminders() if r["step"] == "Overdue 1"]
		self.assertEqual(len(rows), 2)  # one each for A1 (the other worker's) and A2 (ours), never two for A1
		ours = next(r for r in rows if r["sales_invoice"] == self.inv["A2"])
		communication = frappe.get_doc("Communication", ours["communication"])
		self.assertNotIn(self.inv["A1"], communication.content)
		with self.assertRaises((frappe.UniqueValidationError, frappe.DuplicateEntryError)):
			frappe.get_doc(
				{
					"doctype": DUNNING_REMINDER_DOCTYPE,
					"reminder_key": a1.key,
					"sales_invoice": a1.invoice,
					"outcome": "Sent",
				}
			).insert(ignore_permissions=True)

	def test_a_concurrent_insert_of_the_same_key_waits_and_cannot_pass(self):
		"""Two workers, two database connections: while this transaction holds a step's reminder_key, the
		other connection's insert of the same key blocks on the unique index (and would fail with a
		duplicate once this one commits); a different key goes straight in."""
		if frappe.conf.db_type not in (None, "mariadb"):
			self.skipTest("the second connection below speaks MariaDB")
		import pymysql

		key = engine.reminder_key(self.inv["A1"], self.policy, "Overdue 1")
		frappe.get_doc(
			{
				"doctype": DUNNING_REMINDER_DOCTYPE,
				"reminder_key": key,
				"sales_invoice": self.inv["A1"],
				"outcome": "Sent",
			}
		).insert(ignore_permissions=True)
		other = pymysql.connect(
			host=frappe.conf.db_host or "127.0.0.1",
			port=int(frappe.conf.db_port or 3306),
			user=frappe.conf.db_user or frappe.conf.db_name,
			password=frappe.conf.db_password,
			database=frappe.conf.db_name,
		)
		insert = (
			f"INSERT INTO `tab{DUNNING_REMINDER_DOCTYPE}` (name, reminder_key, sales_invoice, outcome)"
			" VALUES (%s, %s, %s, 'Sent')"
		)
		try:
			with other.cursor() as cursor:
				cursor.execute("SET SESSION innodb_lock_wait_timeout = 2")
				with self.assertRaises(pymysql.err.OperationalError) as caught:
					cursor.execute(insert, (frappe.generate_hash(length=12), key, self.inv["A1"]))
				self.assertEqual(caught.exception.args[0], 1205)  # lock wait timeout: blocked by our row
				other.rollback()
				cursor.execute("SET SESSION innodb_lock_wait_timeout = 2")
				fresh = engine.reminder_key(self.inv["A2"], self.policy, "Overdue 1")
				cursor.execute(insert, (frappe.generate_hash(length=12), fresh, self.inv["A2"]))
				self.assertEqual(cursor.rowcount, 1)
		finally:
			other.rollback()
			other.close()

	def test_todo_and_issue_escalations(self):
		collector = frappe.get_doc(
			{"doctype": "User", "email": f"collector-{self.abbr.lower()}@example.com", "first_name": "Collector",
			 "send_welcome_email": 0}
		).insert(ignore_permissions=True)  # fmt: skip
		todo_policy = frappe.get_doc(
			{
				"doctype": DUNNING_POLICY_DOCTYPE,
				"policy_name": f"ToDo {self.abbr}",
				"collector": collector.name,
				"steps": [
					{
						"step_name": "Call them",
						"offset_days": 1,
						"if_overdue": 1,
						"escalation": "ToDo",
						"email_template": DUNNING_TEMPLATE_OVERDUE,
					}
				],
			}
		).insert(ignore_permissions=True)
		issue_policy = frappe.get_doc(
			{
				"doctype": DUNNING_POLICY_DOCTYPE,
				"policy_name": f"Issue {self.abbr}",
				"steps": [
					{
						"step_name": "Open a case",
						"offset_days": 1,
						"if_overdue": 1,
						"escalation": "Issue",
						"email_template": DUNNING_TEMPLATE_OVERDUE,
					}
				],
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Customer", self.cust["ACME"], "revops_dunning_policy", todo_policy.name)
		frappe.db.set_value("Customer", self.cust["GLOBEX"], "revops_dunning_policy", issue_policy.name)
		counts = glue.run_dunning(on=self.T, commit=False, company=self.company)
		# ACME: A1-A4 at "Call them" → one email, one ToDo; GLOBEX: G1, G2 → one email, one Issue.
		self.assertEqual((counts["messages_sent"], counts["reminders_sent"]), (2, 6), self.reminders())
		rows = {r["sales_invoice"]: r for r in self.reminders()}
		todo = {rows[self.inv[k]]["escalation_reference"] for k in ("A1", "A2", "A3", "A4")}
		self.assertEqual(len(todo), 1)
		todo = frappe.get_doc("ToDo", todo.pop())
		self.assertEqual((todo.allocated_to, todo.reference_type), (collector.name, "Sales Invoice"))
		self.assertIn(self.inv["A4"], todo.description)
		issue = {rows[self.inv[k]]["escalation_reference"] for k in ("G1", "G2")}
		self.assertEqual(len(issue), 1)
		issue = frappe.get_doc("Issue", issue.pop())
		self.assertEqual(issue.customer, self.cust["GLOBEX"])
		self.assertIn(self.inv["G2"], issue.description)
		self.assertEqual(rows[self.inv["G1"]]["escalation_doctype"], "Issue")

	def test_failed_escalation_keeps_the_email_and_is_replayed_from_the_log(self):
		from revops_app.revops.jobs import RETRYABLE_WORKERS

		# Break the Final 20 step's Dunning Type behind the form's back: the Dunning cannot be made.
		row = frappe.db.get_value(
			"RevOps Dunning Policy Step", {"parent": self.policy, "step_name": "Final 20"}, "name"
		)
		frappe.db.set_value("RevOps Dunning Policy Step", row, "dunning_type", "No Such Dunning Type")
		counts = glue.run_dunning(on=self.T, commit=False, company=self.company)
		self.assertEqual(counts["messages_sent"], 5)  # the email went out regardless
		g2 = next(r for r in self.reminders() if r["sales_invoice"] == self.inv["G2"])
		self.assertEqual(g2["outcome"], "Sent")
		self.assertFalse(g2["escalation_reference"])
		self.assertIn("ERPNext Dunning failed", g2["message"])
		log = frappe.get_last_doc(LOG_DOCTYPE, filters={"method": escalation.ESCALATION_WORKER})
		self.assertEqual((log.status, log.reference_name), ("Error", self.inv["G2"]))
		self.assertTrue(log.next_retry_at and log.traceback)
		self.assertIn(escalation.ESCALATION_WORKER, RETRYABLE_WORKERS)  # the hourly sweep may replay it

		# Fixed; the replay handler (what retry_escalation runs inside run_job_and_commit) makes the Dunning once.
		frappe.db.set_value("RevOps Dunning Policy Step", row, "dunning_type", None)
		self.assertIsNone(escalation._replay_escalation(log))
		g2 = next(r for r in self.reminders() if r["sales_invoice"] == self.inv["G2"])
		self.assertEqual(g2["escalation_doctype"], "Dunning")
		self.assertEqual(frappe.db.count("Dunning", {"customer": self.cust["GLOBEX"], "docstatus": 0}), 1)
		status, _ = escalation._replay_escalation(log)  # a second replay finds nothing left to do
		self.assertEqual(status, "Skipped")
		self.assertEqual(frappe.db.count("Dunning", {"customer": self.cust["GLOBEX"], "docstatus": 0}), 1)

	def test_preview_report_matches_the_preview_method(self):
		_, rows, message = dunning_preview.execute({"run_date": self.T, "company": self.company})
		self.assertEqual(
			{r["sales_invoice"]: r["step"] for r in rows}, {self.inv[k]: s for k, s in self.EXPECTED.items()}
		)
		self.assertIn("6 reminders in 5 emails", message)
		from frappe.desk.query_report import run

		desk = run("Dunning Preview", filters={"run_date": str(self.T), "company": self.company})
		self.assertEqual(len(desk["result"]), 6)
		_, rows, _ = dunning_preview.execute({"run_date": self.T, "company": self.company, "show_skipped": 1})
		reasons = {r["sales_invoice"]: r["reason"] for r in rows if r["action"] == "Skip"}
		self.assertEqual(reasons[self.inv["P1"]], engine.Skip.PAUSED)
		self.assertEqual(reasons[self.inv["O1"]], engine.Skip.OPTED_OUT)
		self.assertEqual(reasons[self.inv["G4"]], engine.Skip.DISPUTED)

	def test_permissions(self):
		email = f"dunning-user-{self.abbr.lower()}@example.com"
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Dunning", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		user.add_roles("Accounts User")
		frappe.set_user(email)
		try:
			self.assertTrue(frappe.has_permission(DUNNING_POLICY_DOCTYPE, "read"))
			self.assertFalse(frappe.has_permission(DUNNING_POLICY_DOCTYPE, "write"))
			self.assertFalse(frappe.has_permission(DUNNING_REMINDER_DOCTYPE, "write"))
			# Accounts User may preview
			self.assertTrue(preview_api.preview(str(self.T), company=self.company))
			customer = frappe.get_doc("Customer", self.cust["ACME"])
			customer.set(CUSTOMER_OPT_OUT_FIELD, 1)
			with self.assertRaises(frappe.PermissionError):
				dunning_policies.guard_customer_dunning_fields(customer)
		finally:
			frappe.set_user("Administrator")
		frappe.set_user("Guest")
		try:
			with self.assertRaises(frappe.PermissionError):
				preview_api.preview(str(self.T))
		finally:
			frappe.set_user("Administrator")

	def test_policy_validation_and_attachment(self):
		# A customer group can follow only one enabled policy.
		first = self.make_policy(
			f"Group A {self.abbr}", customer_groups=[{"customer_group": self.customer_group}]
		)
		with self.assertRaises(frappe.ValidationError):
			self.make_policy(
				f"Group B {self.abbr}", customer_groups=[{"customer_group": self.customer_group}]
			)
		# The group's policy applies to a customer without its own; the customer's own wins otherwise.
		policies = dunning_policies.load_policies()
		self.assertEqual(policies.policy_for(None, self.customer_group), first)
		self.assertEqual(policies.policy_for(self.policy, self.customer_group), self.policy)
		# Invalid steps are refused with the engine's message.
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": DUNNING_POLICY_DOCTYPE,
					"policy_name": f"Broken {self.abbr}",
					"steps": [
						{"step_name": "Twice", "offset_days": 1, "email_template": DUNNING_TEMPLATE_OVERDUE},
						{"step_name": "Twice", "offset_days": 2, "email_template": DUNNING_TEMPLATE_OVERDUE},
					],
				}
			).insert(ignore_permissions=True)

	def test_shipped_defaults_exist_and_are_idempotent(self):
		from revops_app.revenue_collections.dunning.install import install_dunning_defaults

		self.assertTrue(frappe.db.exists(DUNNING_POLICY_DOCTYPE, DEFAULT_DUNNING_POLICY))
		self.assertTrue(frappe.db.exists("Email Template", DUNNING_TEMPLATE_OVERDUE))
		before = frappe.db.count(DUNNING_POLICY_DOCTYPE), frappe.db.count("Email Template")
		install_dunning_defaults()
		self.assertEqual((frappe.db.count(DUNNING_POLICY_DOCTYPE), frappe.db.count("Email Template")), before)
		self.assertEqual(frappe.db.count(DUNNING_POLICY_DOCTYPE, {"is_default": 1}), 1)

	def test_daily_job_is_gated_by_settings(self):
		from revops_app.tests.utils import settings_changed

		with settings_changed(dunning_enabled=0):
			glue.daily()
		self.assertEqual(self.reminders(), [])
