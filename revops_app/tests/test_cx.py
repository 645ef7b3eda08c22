"""Real-bench tests of CX survey outcomes: ingest, service recovery under an SLA, promoter path,
unmatched responses, churn risk, escalation, and the endpoint over the real WSGI app.

Two classes: `TestCXRules` works inside the test transaction (rolled back at the end);
`TestCXConcurrencyAndHTTP` needs committed data, because its deliveries run on other connections
(threads with their own frappe.init / connect, and frappe.app.application through a werkzeug test
Client); it deletes what it created in tearDownClass.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import contextlib
import json
import threading
from datetime import timedelta
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime, nowdate

from erpnext.accounts.doctype.sales_invoice.test_sales_invoice import create_sales_invoice
from erpnext.stock.doctype.item.test_item import make_item

from revops_app.api import cx as api
from revops_app.core.cx.rules import ServiceRecovery
from revops_app.customer_experience import customer_state as cx_customer_state
from revops_app.customer_experience import escalation as cx_escalation
from revops_app.customer_experience import install as cx_install
from revops_app.customer_experience import rules as cx_rules
from revops_app.customer_experience.constants import (
	CF_CUSTOMER_CHURN_RISK,
	CF_ISSUE_CX_ESCALATION_LEVEL,
	CF_ISSUE_CX_RESPONSE,
	CX_DEFAULT_SLA,
	CX_RESPONSE_DOCTYPE,
	CX_RULES_WORKER,
	CX_SETTINGS_DOCTYPE,
	ROLE_CX_INTEGRATION,
	CXStatus,
	rules_failure_key,
)
from revops_app.customer_experience.cx_settings import cx_settings, priority_ladder
from revops_app.customer_experience.recovery import raise_recovery_issue
from revops_app.customer_experience.schema import CX_FIELDS, CX_UNREFERENCED_FIELDS
from revops_app.revops import jobs
from revops_app.revops.constants import INTEGRATION_CX, LOG_DOCTYPE, LogStatus
from revops_app.tests.utils import get_test_company, settings_changed


@contextlib.contextmanager
def cx_settings_changed(**values):
	settings = frappe.get_single(CX_SETTINGS_DOCTYPE)
	previous = settings.as_dict()
	settings.update(values)
	settings.save(ignore_permissions=True)
	try:
		yield
	finally:
		settings = frappe.get_single(CX_SETTINGS_DOCTYPE)
		settings.update({k: previous.get(k) for k in values if k != "team"})
		if "team" in values:
			settings.set("team", [{"user": row.user} for row in previous.get("team") or []])
		settings.save(ignore_permissions=True)


def make_user(email: str, roles: tuple[str, ...]) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		)
		user.insert(ignore_permissions=True)
		user.add_roles(*roles)
	return email


def ensure_outgoing_email_account() -> str | None:
	"""frappe.sendmail needs a default outgoing Email Account (SMTP is not contacted in tests).
	Returns the name when this call created one."""
	if frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		return None
	return (
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "RevOps CX Test Outgoing",
				"email_id": "cx-outgoing@revops.example",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"enable_incoming": 0,
				"smtp_server": "127.0.0.1",
				"no_smtp_authentication": 1,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_customer(tag: str, email: str | None = None) -> tuple[str, str | None]:
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": f"CX {tag} {frappe.generate_hash(length=6)}",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
		}
	).insert(ignore_permissions=True)
	contact = None
	if email:
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": tag,
				"email_ids": [{"email_id": email, "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer.name}],
			}
		).insert(ignore_permissions=True)
		contact = contact.name
	return customer.name, contact


def email_text(raw: str) -> str:
	"""The decoded text/html bodies of a queued email (Email Queue stores the MIME message)."""
	import email

	parts = email.message_from_string(raw or "").walk()
	return "".join(
		part.get_payload(decode=True).decode("utf-8", "replace")
		for part in parts
		if part.get_content_type() in ("text/html", "text/plain") and part.get_payload(decode=True)
	)


def item(source: str, external_id: str, **kwargs) -> dict:
	values = {
		"source": source,
		"external_id": external_id,
		"metric": "NPS",
		"score": 3,
		"comment": "Support never called back",
		"submitted_at": "2026-11-02T09:30:00Z",
		"raw_payload": {"id": external_id},
	}
	values.update(kwargs)
	return values


class TestCXRules(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cx_install.install_cx()
		ensure_outgoing_email_account()
		cls.agent = make_user("cx.agent@revops.example", ("Support Team",))
		cls.manager = make_user("cx.manager@revops.example", ("Support Team",))
		cls.source = "test-" + frappe.generate_hash(length=6)

	def setUp(self) -> None:
		# Muted: mail is still queued (Email Queue rows, which the tests read) but never sent. Unmuted,
		# frappe.enqueue(now=in_test) would send the assignment notification inline, and sending
		# commits (EmailQueue.update_status(commit=True)), ending the test transaction.
		muted = frappe.flags.mute_emails
		frappe.flags.mute_emails = True
		self.addCleanup(setattr, frappe.flags, "mute_emails", muted)
		stack = contextlib.ExitStack()
		stack.enter_context(settings_changed(enabled=1, cx_enabled=1))
		stack.enter_context(
			cx_settings_changed(
				team=[{"user": self.agent}],
				escalation_manager=self.manager,
				review_site="G2",
				review_link="https://g2.example/review/acme",
				referral_link="https://acme.example/refer",
			)
		)
		self.addCleanup(stack.close)

	def ingest(self, *items) -> list[dict]:
		return api.ingest_responses(list(items))["results"]

	def test_declared_fields_exist_on_the_site(self):
		errors = []
		for doctype, fields in {**CX_FIELDS, **CX_UNREFERENCED_FIELDS}.items():
			meta = frappe.get_meta(doctype)
			for fieldname, fieldtype in fields.items():
				field = meta.get_field(fieldname)
				if not field or field.fieldtype != fieldtype:
					errors.append(
						f"{doctype}.{fieldname}: {field.fieldtype if field else 'missing'} != {fieldtype}"
					)
		self.assertEqual(errors, [])

	def test_detractor_creates_exactly_one_issue_with_sla_deadlines(self):
		email = f"det-{frappe.generate_hash(length=6)}@client.example"
		customer, contact = make_customer("Detractor", email)
		first = self.ingest(item(self.source, "det-1", respondent_email=email.upper()))[0]
		self.assertEqual(first["status"], "created", first)
		response = frappe.get_doc(CX_RESPONSE_DOCTYPE, first["name"])
		self.assertEqual(
			(response.customer, response.contact), (customer, contact)
		)  # email -> Contact -> Customer
		self.assertEqual((response.category, response.normalised_score), ("detractor", 30.0))
		self.assertTrue(response.service_recovery_issue, response.remarks)

		issue = frappe.get_doc("Issue", response.service_recovery_issue)
		self.assertEqual(issue.customer, customer)
		self.assertEqual(issue.priority, "Medium")
		self.assertEqual(
			issue.service_level_agreement,
			frappe.db.get_value("Service Level Agreement", {"service_level": CX_DEFAULT_SLA}),
		)
		self.assertIsNotNone(issue.response_by)
		self.assertIsNotNone(issue.sla_resolution_by)
		# 24/7 SLA: Medium = 24 h to respond, 120 h to resolve, from the Issue's creation
		start = get_datetime(issue.service_level_agreement_creation or issue.creation)
		self.assertAlmostEqual(
			(get_datetime(issue.response_by) - start).total_seconds(), 24 * 3600, delta=120
		)
		self.assertAlmostEqual(
			(get_datetime(issue.sla_resolution_by) - start).total_seconds(), 120 * 3600, delta=120
		)
		self.assertIn("Support never called back", issue.description)
		self.assertEqual(
			frappe.get_all(
				"ToDo",
				filters={"reference_type": "Issue", "reference_name": issue.name},
				pluck="allocated_to",
			),
			[self.agent],
		)

		again = self.ingest(item(self.source, "det-1", respondent_email=email, score=0))[0]
		self.assertEqual((again["status"], again["name"]), ("duplicate", first["name"]))
		self.assertEqual(frappe.db.count(CX_RESPONSE_DOCTYPE, {"dedupe_key": f"{self.source}:det-1"}), 1)
		self.assertEqual(frappe.db.count("Issue", {CF_ISSUE_CX_RESPONSE: first["name"]}), 1)

		# running the rules again (the retry path) finds the Issue instead of raising a second one
		raise_recovery_issue(response, ServiceRecovery("High", "again"), cx_settings())
		self.assertEqual(frappe.db.count("Issue", {CF_ISSUE_CX_RESPONSE: first["name"]}), 1)
		# and the database refuses a second Issue for the same response outright
		with self.assertRaises(frappe.UniqueValidationError):
			frappe.get_doc(
				{"doctype": "Issue", "subject": "dup", CF_ISSUE_CX_RESPONSE: first["name"]}
			).insert(ignore_permissions=True)

	def test_severe_score_gets_high_priority_and_csat_on_its_scale(self):
		customer, _ = make_customer("Severe")
		results = self.ingest(
			item(self.source, "sev-1", customer=customer, score=1),
			item(self.source, "csat-1", customer=customer, metric="CSAT", score=2, scale_min=1, scale_max=5),
			item(self.source, "csat-2", customer=customer, metric="CSAT", score=4, scale_min=1, scale_max=5),
		)
		self.assertEqual([r["status"] for r in results], ["created"] * 3)
		severe = frappe.db.get_value(CX_RESPONSE_DOCTYPE, results[0]["name"], "service_recovery_issue")
		self.assertEqual(frappe.db.get_value("Issue", severe, "priority"), "High")
		low_csat = frappe.db.get_value(CX_RESPONSE_DOCTYPE, results[1]["name"], "service_recovery_issue")
		self.assertEqual(frappe.db.get_value("Issue", low_csat, "priority"), "Medium")
		self.assertFalse(
			frappe.db.get_value(CX_RESPONSE_DOCTYPE, results[2]["name"], "service_recovery_issue")
		)

	def test_bad_items_are_errors_and_lose_nothing_else(self):
		customer, _ = make_customer("Batch")
		results = self.ingest(
			item(self.source, "ok-1", customer=customer, score=8),
			item(self.source, "bad-1", customer=customer, score=11),
			"not an object",
			item(self.source, "ok-2", customer=customer, score=7),
		)
		self.assertEqual([r["status"] for r in results], ["created", "error", "error", "created"])
		self.assertIn("outside its scale 0-10", results[1]["message"])
		self.assertFalse(frappe.db.exists(CX_RESPONSE_DOCTYPE, {"dedupe_key": f"{self.source}:bad-1"}))
		with self.assertRaises(frappe.ValidationError):
			api.ingest_responses([item(self.source, f"many-{i}") for i in range(201)])

	def make_overdue_invoice(self, customer: str) -> str:
		company = get_test_company()
		values = frappe.get_cached_value(
			"Company",
			company,
			[
				"default_receivable_account",
				"default_income_account",
				"default_expense_account",
				"cost_center",
			],
			as_dict=True,
		)
		product = make_item("RevOps CX Service", {"is_stock_item": 0}).name
		invoice = create_sales_invoice(
			company=company,
			customer=customer,
			debit_to=values.default_receivable_account,
			income_account=values.default_income_account,
			expense_account=values.default_expense_account,
			warehouse=frappe.db.get_value("Warehouse", {"company": company, "is_group": 0}),
			cost_center=values.cost_center,
			currency=frappe.get_cached_value("Company", company, "default_currency"),
			item=product,
			qty=1,
			rate=100,
			do_not_submit=True,
		)
		invoice.posting_date = add_days(nowdate(), -40)
		invoice.set_posting_time = 1
		invoice.payment_schedule = []
		invoice.due_date = add_days(nowdate(), -10)
		invoice.submit()
		return invoice.name

	def promoter(self, tag: str, overdue: bool) -> tuple[str, dict]:
		email = f"{tag}-{frappe.generate_hash(length=6)}@client.example"
		customer, _ = make_customer(tag, email)
		if overdue:
			self.make_overdue_invoice(customer)
		result = self.ingest(item(self.source, f"{tag}-1", respondent_email=email, score=10))[0]
		self.assertEqual(result["status"], "created", result)
		return customer, result

	def review_emails(self, response: str) -> list[dict]:
		return frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": CX_RESPONSE_DOCTYPE, "reference_name": response},
			fields=["name", "message"],
		)

	def test_promoter_with_overdue_invoice_gets_no_review_request(self):
		customer, result = self.promoter("overdue", overdue=True)
		self.assertEqual(self.review_emails(result["name"]), [])
		action = frappe.db.get_value(CX_RESPONSE_DOCTYPE, result["name"], "promoter_action")
		self.assertEqual(action, "review request held: 1 overdue invoice(s)")
		self.assertIn("Promoter", frappe.db.get_value("Customer", customer, "_user_tags"))

	def test_promoter_in_good_standing_gets_the_email_and_the_tag(self):
		customer, result = self.promoter("clean", overdue=False)
		emails = self.review_emails(result["name"])
		self.assertEqual(len(emails), 1)
		body = email_text(emails[0].message)
		self.assertIn("https://g2.example/review/acme", body)
		self.assertIn("https://acme.example/refer", body)
		self.assertEqual(
			frappe.db.get_value(CX_RESPONSE_DOCTYPE, result["name"], "promoter_action"),
			"review and referral request sent",
		)
		self.assertIn("Promoter", frappe.db.get_value("Customer", customer, "_user_tags").split(","))
		self.assertTrue(frappe.db.exists("Tag Link", {"document_name": customer, "tag": "Promoter"}))
		self.assertEqual(frappe.db.get_value("Customer", customer, "revops_cx_segment"), "Promoter")

	def test_open_high_priority_issue_holds_the_review_request(self):
		email = f"held-{frappe.generate_hash(length=6)}@client.example"
		customer, _ = make_customer("held", email)
		frappe.get_doc(
			{"doctype": "Issue", "subject": "outage", "customer": customer, "priority": "High"}
		).insert(ignore_permissions=True)
		result = self.ingest(item(self.source, "held-1", respondent_email=email, score=9))[0]
		self.assertEqual(self.review_emails(result["name"]), [])
		self.assertIn(
			"high-priority", frappe.db.get_value(CX_RESPONSE_DOCTYPE, result["name"], "promoter_action")
		)

	def test_unmatched_is_kept_for_review_then_processed_when_matched(self):
		result = self.ingest(item(self.source, "nobody-1", respondent_email="nobody@unknown.example"))[0]
		self.assertEqual(result["status"], "unmatched")
		response = frappe.get_doc(CX_RESPONSE_DOCTYPE, result["name"])
		self.assertEqual(response.status, CXStatus.UNMATCHED)
		self.assertFalse(response.service_recovery_issue)
		self.assertFalse(response.rules_applied_on)
		self.assertIn("No Customer matched", response.remarks)

		unknown_id = self.ingest(item(self.source, "ghost-1", customer="No Such Customer"))[0]
		self.assertEqual(unknown_id["status"], "unmatched")
		self.assertIn("Unknown customer id", unknown_id["message"])

		customer, _ = make_customer("Reviewed")
		response.customer = customer
		response.save(ignore_permissions=True)
		response.reload()
		self.assertEqual(response.status, CXStatus.PROCESSED)
		self.assertTrue(response.service_recovery_issue, response.remarks)

	def test_rules_off_stores_without_acting(self):
		customer, _ = make_customer("Off")
		with settings_changed(cx_enabled=0):
			result = self.ingest(item(self.source, "off-1", customer=customer))[0]
		self.assertEqual(result["status"], "created")
		self.assertFalse(frappe.db.get_value(CX_RESPONSE_DOCTYPE, result["name"], "service_recovery_issue"))

	def test_master_switch_off_stores_without_acting(self):
		# RevOps Settings' Enabled is the master switch: off, no Issue even with CX rules on.
		customer, _ = make_customer("Master Off")
		with settings_changed(enabled=0):
			result = self.ingest(item(self.source, "master-off-1", customer=customer))[0]
		self.assertEqual(result["status"], "created")
		self.assertFalse(frappe.db.get_value(CX_RESPONSE_DOCTYPE, result["name"], "service_recovery_issue"))

	def test_churn_risk_on_falling_nps_near_contract_end(self):
		customer, _ = make_customer("Churn")
		frappe.get_doc(
			{
				"doctype": "Contract",
				"party_type": "Customer",
				"party_name": customer,
				"start_date": add_days(nowdate(), -300),
				"end_date": add_days(nowdate(), 30),
				"contract_terms": "Annual subscription",
			}
		).insert(ignore_permissions=True)
		scores = [("c1", 9, "2026-09-01T10:00:00Z"), ("c2", 8, "2026-10-01T10:00:00Z")]
		for external_id, score, when in scores:
			self.ingest(item(self.source, external_id, customer=customer, score=score, submitted_at=when))
		self.assertFalse(
			frappe.db.get_value("Customer", customer, CF_CUSTOMER_CHURN_RISK)
		)  # 9 -> 8 is two, not three
		self.ingest(item(self.source, "c3", customer=customer, score=7, submitted_at="2026-11-01T10:00:00Z"))
		values = frappe.db.get_value(
			"Customer",
			customer,
			[
				CF_CUSTOMER_CHURN_RISK,
				"revops_churn_risk_reason",
				"revops_churn_flagged_on",
				"revops_cx_segment",
				"revops_latest_nps",
				"revops_cx_timeline",
			],
			as_dict=True,
		)
		self.assertEqual(values[CF_CUSTOMER_CHURN_RISK], 1)
		end = getdate(add_days(nowdate(), 30)).isoformat()
		self.assertEqual(
			values.revops_churn_risk_reason, f"NPS fell 9 -> 8 -> 7; contract ends {end} (30 days)"
		)
		self.assertIsNotNone(values.revops_churn_flagged_on)
		self.assertEqual((values.revops_cx_segment, values.revops_latest_nps), ("At Risk", 7))
		self.assertTrue(values.revops_cx_timeline.startswith("2026-11-01 · NPS 7/0-10 (passive)"))

		from revops_app.customer_experience.report.customers_at_churn_risk import customers_at_churn_risk

		_columns, rows = customers_at_churn_risk.execute({})
		row = next(r for r in rows if r["customer"] == customer)
		self.assertEqual((row["days_to_contract_end"], row["latest_nps"]), (30, 7))

		# the flag clears when the trend turns (daily job path)
		self.ingest(item(self.source, "c4", customer=customer, score=10, submitted_at="2026-11-20T10:00:00Z"))
		self.assertEqual(frappe.db.get_value("Customer", customer, CF_CUSTOMER_CHURN_RISK), 0)
		cx_customer_state.refresh_customers([customer])
		self.assertEqual(frappe.db.get_value("Customer", customer, "revops_cx_segment"), "Promoter")

	def test_escalation_fires_once_per_level(self):
		customer, _ = make_customer("Escalate")
		result = self.ingest(item(self.source, "esc-1", customer=customer, score=4))[0]
		issue_name = frappe.db.get_value(CX_RESPONSE_DOCTYPE, result["name"], "service_recovery_issue")
		issue = frappe.get_doc("Issue", issue_name)
		self.assertEqual(issue.priority, "Medium")
		after_response = get_datetime(issue.response_by) + timedelta(minutes=5)

		self.assertEqual(
			cx_escalation.escalate_issue(
				issue_name, after_response, priority_ladder(cx_settings()), cx_settings()
			),
			1,
		)
		self.assertEqual(
			frappe.db.get_value("Issue", issue_name, ["priority", CF_ISSUE_CX_ESCALATION_LEVEL]), ("High", 1)
		)
		todo = {"reference_type": "Issue", "reference_name": issue_name, "allocated_to": self.manager}
		self.assertEqual(frappe.db.count("ToDo", todo), 1)
		self.assertTrue(
			frappe.db.exists("Email Queue", {"reference_doctype": "Issue", "reference_name": issue_name})
		)
		cx_escalation.escalate_slipped_issues(
			now=after_response
		)  # the hourly job again: level 1 is done for this Issue
		self.assertEqual(frappe.db.get_value("Issue", issue_name, "priority"), "High")
		self.assertEqual(frappe.db.count("ToDo", todo), 1)

		after_resolution = get_datetime(issue.sla_resolution_by) + timedelta(minutes=5)
		self.assertGreaterEqual(cx_escalation.escalate_slipped_issues(now=after_resolution), 1)
		self.assertEqual(
			frappe.db.get_value("Issue", issue_name, ["priority", CF_ISSUE_CX_ESCALATION_LEVEL]),
			("Urgent", 2),
		)
		self.assertEqual(frappe.db.count("ToDo", todo), 2)
		cx_escalation.escalate_slipped_issues(now=after_resolution + timedelta(hours=3))
		self.assertEqual(frappe.db.count("ToDo", todo), 2)
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": "Customer",
					"reference_name": customer,
					"content": ("like", "%Escalated to level 2%"),
				},
			)
		)

	def broken_template(self) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Email Template",
					"name": "CX Broken " + frappe.generate_hash(length=4),
					"subject": "Thanks",
					"use_html": 1,
					"response_html": "{{ review_link.missing_method() }}",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def rules_log(self, response: str):
		return frappe.get_doc(LOG_DOCTYPE, {"idempotency_key": rules_failure_key(response)})

	def test_failed_rules_keep_the_response_and_the_hourly_sweep_replays_them(self):
		email = f"retry-{frappe.generate_hash(length=6)}@client.example"
		customer, _ = make_customer("Retry", email)
		with cx_settings_changed(thank_you_template=self.broken_template()):
			result = self.ingest(item(self.source, "retry-1", respondent_email=email, score=10))[0]
			self.assertEqual(result["status"], "created")
			self.assertIn("retried hourly", result["message"])
			response = frappe.get_doc(CX_RESPONSE_DOCTYPE, result["name"])
			self.assertEqual(response.status, CXStatus.ERROR)
			self.assertIn("missing_method", response.remarks)
			self.assertFalse(response.rules_applied_on)
			# the failed attempt left nothing half-done: no tag, no email
			self.assertNotIn("Promoter", frappe.db.get_value("Customer", customer, "_user_tags") or "")
			# recorded once in the app's integration log, replayable by the hourly sweep after a backoff
			log = self.rules_log(response.name)
			self.assertEqual(
				(log.integration, log.method, log.status), (INTEGRATION_CX, CX_RULES_WORKER, LogStatus.ERROR)
			)
			self.assertEqual(
				(log.reference_doctype, log.reference_name), (CX_RESPONSE_DOCTYPE, response.name)
			)
			self.assertIn("missing_method", log.traceback)
			self.assertGreater(get_datetime(log.next_retry_at), now_datetime())
			self.assertEqual(jobs.RETRYABLE_WORKERS[CX_RULES_WORKER], "long")
			self.assertFalse(frappe.db.exists("Error Log", {"reference_name": response.name}))
			# saved again while still broken: the same log row (one open failure per response)
			response.save(ignore_permissions=True)
			self.assertEqual(frappe.db.count(LOG_DOCTYPE, {"reference_name": response.name}), 1)
			self.assertEqual(
				frappe.db.get_value(CX_RESPONSE_DOCTYPE, response.name, "status"), CXStatus.ERROR
			)
			# a replay while still broken raises (run_job_and_commit rolls it back and records the Error)
			frappe.db.savepoint("cx_replay_test")
			with self.assertRaises(Exception):
				cx_rules.replay_rules(self.rules_log(response.name))
			frappe.db.rollback(save_point="cx_replay_test")
		# fixed, and the backoff elapsed: the hourly sweep queues the CX worker on the long queue ...
		frappe.db.set_value(LOG_DOCTYPE, log.name, "next_retry_at", add_to_date(now_datetime(), minutes=-1))
		with patch.object(jobs, "enqueue_log") as enqueue:
			self.assertIn(log.name, jobs.sweep_stuck_logs(limit=100_000))
		enqueue.assert_any_call(log.name, CX_RULES_WORKER)
		self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, log.name, "status"), LogStatus.QUEUED)
		# ... and the worker replays the rules through run_job_and_commit (its commit held for the test)
		with patch.object(frappe.db, "commit"):
			cx_rules.reapply_rules(log.name)
		response.reload()
		self.assertEqual(response.status, CXStatus.PROCESSED)
		self.assertTrue(response.rules_applied_on)
		self.assertEqual(len(self.review_emails(response.name)), 1)
		log.reload()
		self.assertEqual((log.status, log.next_retry_at, log.attempts), (LogStatus.SUCCESS, None, 1))
		# a second replay of the same row does nothing twice
		self.assertEqual(cx_rules.replay_rules(log)[0], LogStatus.SUCCESS)
		self.assertEqual(len(self.review_emails(response.name)), 1)

	def test_failed_rules_applied_by_a_later_save_close_their_log(self):
		email = f"resave-{frappe.generate_hash(length=6)}@client.example"
		make_customer("Resave", email)
		with cx_settings_changed(thank_you_template=self.broken_template()):
			name = self.ingest(item(self.source, "resave-1", respondent_email=email, score=10))[0]["name"]
		self.assertEqual(self.rules_log(name).status, LogStatus.ERROR)
		response = frappe.get_doc(CX_RESPONSE_DOCTYPE, name)
		response.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value(CX_RESPONSE_DOCTYPE, name, "status"), CXStatus.PROCESSED)
		self.assertEqual(self.rules_log(name).status, LogStatus.SUCCESS)

	def test_daily_refresh_and_customer_connections(self):
		customer, _ = make_customer("Daily")
		self.ingest(item(self.source, "daily-1", customer=customer, score=5))
		frappe.db.set_value("Customer", customer, {"revops_cx_segment": None, "revops_latest_nps": 0})
		cx_customer_state.refresh_all_customers(commit=False)
		self.assertEqual(
			frappe.db.get_value("Customer", customer, ["revops_cx_segment", "revops_latest_nps"]),
			("Detractor", 5),
		)
		dashboard = frappe.get_meta("Customer").get_dashboard_data()
		self.assertIn(CX_RESPONSE_DOCTYPE, [i for group in dashboard.transactions for i in group["items"]])

	def test_customer_cx_state_pages_by_change_time(self):
		customer, _ = make_customer("State")
		self.ingest(
			item(self.source, "st-1", customer=customer, metric="CSAT", score=5, scale_min=1, scale_max=5)
		)
		state = api.customer_cx_state(limit=1000)
		row = next(r for r in state["customers"] if r["customer"] == customer)
		self.assertEqual(
			(row["latest_nps"], row["latest_csat"], row["cx_segment"]), (None, 100.0, "Satisfied")
		)
		self.assertFalse(row["churn_risk"])
		later = api.customer_cx_state(modified_after=state["next_modified_after"])
		self.assertNotIn(customer, [r["customer"] for r in later["customers"]])

	def test_customer_cx_state_refuses_a_user_limited_to_some_customers(self):
		customer, _ = make_customer("Limited")
		user = make_user("cx-limited@support.example", ("Support Team",))
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": "Customer", "for_value": customer}
		).insert(ignore_permissions=True)
		frappe.set_user(user)
		try:
			with self.assertRaises(frappe.PermissionError):
				api.customer_cx_state(limit=10)
		finally:
			frappe.set_user("Administrator")

	def test_reports_run(self):
		from revops_app.customer_experience.report.csat_breakdown import csat_breakdown
		from revops_app.customer_experience.report.nps_vs_renewal import nps_vs_renewal
		from revops_app.customer_experience.report.revenue_by_nps_segment import revenue_by_nps_segment

		customer, _ = make_customer("Reports")
		self.make_overdue_invoice(customer)
		self.ingest(item(self.source, "rep-1", customer=customer, score=10))
		_c, rows, _m, _chart, summary = nps_vs_renewal.execute({})
		self.assertEqual(next(r for r in rows if r["customer"] == customer)["renewal_status"], "No Contract")
		self.assertEqual(len(summary), 4)
		_c, segments, _m, _chart = revenue_by_nps_segment.execute({"company": get_test_company()})
		promoter = next(r for r in segments if r["segment"] == "Promoter")
		self.assertGreaterEqual(promoter["revenue"], 100)
		for group_by in ("Agent", "Item Group", "Product Line"):
			csat_breakdown.execute({"group_by": group_by})


class TestCXConcurrencyAndHTTP(FrappeTestCase):
	"""Deliveries on other connections: everything here is committed and removed in tearDownClass."""

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cx_install.install_cx()
		cls.email_account = ensure_outgoing_email_account()
		cls.source = "conc-" + frappe.generate_hash(length=6)
		cls.email = f"{cls.source}@client.example"
		cls.customer, cls.contact = make_customer("Concurrent", cls.email)
		cls.api_user = make_user(f"{cls.source}@integration.example", (ROLE_CX_INTEGRATION,))
		cls.plain_user = make_user(f"{cls.source}-plain@integration.example", ("Sales User",))
		cls.keys = {}
		for user in (cls.api_user, cls.plain_user):
			doc = frappe.get_doc("User", user)
			doc.api_key = frappe.generate_hash(length=15)
			secret = frappe.generate_hash(length=15)
			doc.api_secret = secret
			doc.save(ignore_permissions=True)
			cls.keys[user] = f"{doc.api_key}:{secret}"
		cls.previous_switches = {
			field: frappe.db.get_single_value("RevOps Settings", field) for field in ("enabled", "cx_enabled")
		}
		frappe.db.set_single_value("RevOps Settings", {"enabled": 1, "cx_enabled": 1})
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls) -> None:
		frappe.db.rollback()
		responses = frappe.get_all(CX_RESPONSE_DOCTYPE, filters={"source": cls.source}, pluck="name")
		issues = frappe.get_all(
			"Issue", filters={CF_ISSUE_CX_RESPONSE: ("in", responses or [""])}, pluck="name"
		)
		for doctype, filters in (
			("ToDo", {"reference_type": "Issue", "reference_name": ("in", issues or [""])}),
			("Comment", {"reference_name": ("in", [cls.customer, *issues])}),
			("Tag Link", {"document_type": "Customer", "document_name": cls.customer}),
			("Email Queue", {"reference_name": ("in", responses or [""])}),
			(
				LOG_DOCTYPE,
				{"reference_doctype": CX_RESPONSE_DOCTYPE, "reference_name": ("in", responses or [""])},
			),
			("Issue", {"name": ("in", issues or [""])}),
			(CX_RESPONSE_DOCTYPE, {"source": cls.source}),
			("Contact", {"name": cls.contact}),
			("Customer", {"name": cls.customer}),
		):
			frappe.db.delete(doctype, filters)
		for user in (cls.api_user, cls.plain_user):
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)
		if cls.email_account:
			frappe.delete_doc("Email Account", cls.email_account, force=True, ignore_permissions=True)
		frappe.db.set_single_value(
			"RevOps Settings", {field: value or 0 for field, value in cls.previous_switches.items()}
		)
		frappe.db.commit()
		super().tearDownClass()

	def in_threads(self, count: int, work) -> list:
		"""Run `work()` in `count` threads at once, each with its own site connection; commit each."""
		site, sites_path = frappe.local.site, frappe.local.sites_path
		barrier = threading.Barrier(count)
		results: list = [None] * count

		def run(index: int) -> None:
			frappe.init(site=site, sites_path=sites_path, force=True)
			frappe.connect()
			frappe.set_user("Administrator")
			try:
				barrier.wait(timeout=30)
				results[index] = work()
				frappe.db.commit()
			except Exception as error:
				results[index] = error
				frappe.db.rollback()
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		return results

	def test_concurrent_deliveries_store_one_response_and_one_issue(self):
		delivery = [item(self.source, "race-1", respondent_email=self.email, score=2)]
		outcomes = self.in_threads(4, lambda: api.ingest_responses(delivery)["results"][0])
		errors = [o for o in outcomes if isinstance(o, Exception)]
		self.assertEqual(errors, [])
		statuses = sorted(o["status"] for o in outcomes)
		self.assertEqual(statuses, ["created", "duplicate", "duplicate", "duplicate"])
		self.assertEqual(len({o["name"] for o in outcomes}), 1)
		frappe.db.rollback()  # see the other connections' commits
		name = outcomes[0]["name"]
		self.assertEqual(frappe.db.count(CX_RESPONSE_DOCTYPE, {"dedupe_key": f"{self.source}:race-1"}), 1)
		self.assertEqual(frappe.db.count("Issue", {CF_ISSUE_CX_RESPONSE: name}), 1)
		issue = frappe.db.get_value(CX_RESPONSE_DOCTYPE, name, "service_recovery_issue")
		self.assertIsNotNone(frappe.db.get_value("Issue", issue, "response_by"))

	def post(self, path: str, user: str | None, body: dict | None = None, method: str = "POST"):
		"""One request through frappe.app.application, in a thread (the app calls frappe.destroy)."""
		from werkzeug.test import Client

		import frappe.app

		frappe.app._sites_path = frappe.local.sites_path
		headers = {"X-Frappe-Site-Name": frappe.local.site, "Accept": "application/json"}
		if user:
			headers["Authorization"] = f"token {self.keys[user]}"
		out = {}

		def run():
			client = Client(frappe.app.application)
			response = client.open(path, method=method, json=body, headers=headers)
			out["status"], out["json"] = response.status_code, response.get_json(silent=True)

		thread = threading.Thread(target=run)
		thread.start()
		thread.join(timeout=120)
		return out["status"], out["json"]

	def test_ingest_endpoint_over_wsgi_with_token_auth(self):
		path = "/api/method/revops_app.api.cx.ingest_responses"
		body = {
			"responses": [
				item(self.source, "http-1", respondent_email=self.email, score=9),
				item(
					self.source,
					"http-2",
					respondent_email="stranger@nowhere.example",
					metric="CES",
					score=2,
					scale_min=1,
					scale_max=7,
				),
				item(self.source, "http-3", score="ten"),
			]
		}
		status, payload = self.post(path, self.api_user, body)
		self.assertEqual(status, 200, payload)
		results = payload["message"]["results"]
		self.assertEqual([r["status"] for r in results], ["created", "unmatched", "error"])
		self.assertEqual([r["external_id"] for r in results], ["http-1", "http-2", "http-3"])

		status, payload = self.post(path, self.api_user, body)
		self.assertEqual(
			[r["status"] for r in payload["message"]["results"]], ["duplicate", "duplicate", "error"]
		)

		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count(CX_RESPONSE_DOCTYPE, {"source": self.source, "external_id": ("like", "http-%")}),
			2,
		)
		self.assertEqual(frappe.db.get_value(CX_RESPONSE_DOCTYPE, results[0]["name"], "owner"), self.api_user)

		self.assertEqual(self.post(path, None, body)[0], 403)  # guest
		self.assertEqual(self.post(path, self.plain_user, body)[0], 403)  # no CX integration role
		state_status, state = self.post(
			"/api/method/revops_app.api.cx.customer_cx_state?limit=1000", self.api_user, method="GET"
		)
		self.assertEqual(state_status, 200, state)
		row = next(r for r in state["message"]["customers"] if r["customer"] == self.customer)
		self.assertEqual(row["latest_nps"], 9)
		self.assertEqual(json.loads(json.dumps(row))["cx_segment"], row["cx_segment"])
