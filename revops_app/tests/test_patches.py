"""Real-bench tests of the data patches: stored module paths follow the code, dropped settings leave nothing."""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from revops_app.customer_experience.constants import (
	CX_RESPONSE_DOCTYPE,
	CX_RULES_WORKER,
	CXStatus,
	rules_failure_key,
)
from revops_app.patches.v1_1 import (
	cx_failures_into_integration_log,
	drop_unused_settings_fields,
	rewrite_moved_dotted_paths,
)
from revops_app.revenue_collections.constants import STRIPE_WORKER
from revops_app.revops import integration_log, jobs
from revops_app.revops.constants import INTEGRATION_DUNNING, INTEGRATION_STRIPE, LOG_DOCTYPE, LogStatus
from revops_app.tests.utils import settings_changed

OLD_STRIPE_WORKER = "revops_app.erp.stripe_settlement.process_event"
OLD_ESCALATION_WORKER = "revops_app.erp.dunning_escalation.retry_escalation"


class TestRewriteMovedDottedPaths(FrappeTestCase):
	def test_a_log_written_with_the_old_path_is_replayed_after_the_upgrade(self):
		stripe = integration_log.create_log(INTEGRATION_STRIPE, OLD_STRIPE_WORKER, status=LogStatus.ERROR)
		escalation = integration_log.create_log(
			INTEGRATION_DUNNING, OLD_ESCALATION_WORKER, status=LogStatus.QUEUED
		)
		# before the patch the old path is refused: it is not a registered worker any more
		self.assertRaises(frappe.ValidationError, jobs.enqueue_log, stripe.name, OLD_STRIPE_WORKER)

		rewrite_moved_dotted_paths.execute()

		method = frappe.db.get_value(LOG_DOCTYPE, stripe.name, "method")
		self.assertEqual(method, STRIPE_WORKER)
		self.assertEqual(
			frappe.db.get_value(LOG_DOCTYPE, escalation.name, "method"),
			"revops_app.revenue_collections.dunning.escalation.retry_escalation",
		)
		# every rewritten worker path resolves to real code and is one the sweep may replay
		for new in rewrite_moved_dotted_paths.MOVED_PATHS.values():
			self.assertTrue(callable(frappe.get_attr(new)), new)
		self.assertIn(method, jobs.RETRYABLE_WORKERS)
		jobs.retry_log(stripe.name)  # Reprocess: back to Queued and enqueued under the new path
		self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, stripe.name, "status"), LogStatus.QUEUED)

	def test_a_scheduled_job_keeps_its_history_under_the_new_path(self):
		new = "revops_app.revenue_collections.dunning.run.daily"
		current = frappe.db.get_value(
			"Scheduled Job Type", {"method": new}, ["name", "last_execution"], as_dict=True
		)
		self.assertTrue(current, "migrate syncs the hooks' scheduler events")
		# as a site upgraded from the old layout has it: the job type under the old path
		frappe.db.set_value("Scheduled Job Type", current.name, "method", "revops_app.erp.dunning.daily")

		rewrite_moved_dotted_paths.execute()

		self.assertEqual(frappe.db.get_value("Scheduled Job Type", current.name, "method"), new)


class TestDropUnusedSettingsFields(FrappeTestCase):
	def test_the_dropped_token_and_key_leave_nothing_stored(self):
		settings = "RevOps Settings"
		frappe.db.sql(
			"INSERT INTO `tabSingles` (doctype, field, value) VALUES (%s, 'stripe_publishable_key', 'pk_test_x')",
			settings,
		)
		set_encrypted_password(settings, settings, "pat-na1-secret", "hubspot_access_token")

		drop_unused_settings_fields.execute()

		self.assertFalse(
			frappe.db.sql(
				"SELECT field FROM `tabSingles` WHERE doctype = %s AND field IN %s",
				(settings, drop_unused_settings_fields.DROPPED),
			)
		)
		self.assertIsNone(
			get_decrypted_password(settings, settings, "hubspot_access_token", raise_exception=False)
		)
		self.assertFalse(frappe.get_meta(settings).has_field("hubspot_access_token"))


class TestCxFailuresIntoIntegrationLog(FrappeTestCase):
	def test_a_response_left_in_error_by_the_old_job_is_swept_after_the_upgrade(self):
		# as the old code left it: status Error, a remark, and no integration log row
		doc = frappe.get_doc(
			{
				"doctype": CX_RESPONSE_DOCTYPE,
				"source": "patch-test",
				"external_id": frappe.generate_hash(length=10),
				"metric": "NPS",
				"raw_score": 9,
			}
		)
		doc.flags.ignore_permissions = True
		with settings_changed(cx_enabled=0):  # nothing applies the rules on insert
			doc.insert()
		frappe.db.set_value(
			CX_RESPONSE_DOCTYPE, doc.name, {"status": CXStatus.ERROR, "remarks": "old failure"}
		)
		self.assertFalse(frappe.db.exists(LOG_DOCTYPE, {"idempotency_key": rules_failure_key(doc.name)}))

		cx_failures_into_integration_log.execute()

		log = frappe.get_doc(LOG_DOCTYPE, {"idempotency_key": rules_failure_key(doc.name)})
		self.assertEqual(
			(log.method, log.status, log.reference_name), (CX_RULES_WORKER, LogStatus.ERROR, doc.name)
		)
		self.assertIn(log.method, jobs.RETRYABLE_WORKERS)
		self.assertTrue(log.next_retry_at)  # the hourly sweep picks it up after its backoff


class TestPromisesAndInstalmentsInShippedDunning(FrappeTestCase):
	def test_unedited_templates_gain_the_instalment_line_and_the_shipped_policy_its_broken_step(self):
		from revops_app.patches.v1_3 import promises_and_instalments_in_shipped_dunning as patch
		from revops_app.revenue_collections.constants import (
			DEFAULT_DUNNING_POLICY,
			DUNNING_POLICY_DOCTYPE,
			DUNNING_TEMPLATE_FINAL,
			DUNNING_TEMPLATE_OVERDUE,
		)
		from revops_app.revenue_collections.dunning.install import (
			DEFAULT_BROKEN_PROMISE_STEP,
			EMAIL_TEMPLATES,
			INSTALMENT_LINE,
			install_dunning_defaults,
			template_body,
		)

		install_dunning_defaults()
		old = template_body(EMAIL_TEMPLATES[DUNNING_TEMPLATE_OVERDUE][1]).replace(INSTALMENT_LINE, "")
		edited = "<p>Our own words</p>" + old
		frappe.db.set_value("Email Template", DUNNING_TEMPLATE_OVERDUE, "response_html", old)
		frappe.db.set_value("Email Template", DUNNING_TEMPLATE_FINAL, "response_html", edited)
		shipped = frappe.db.exists(DUNNING_POLICY_DOCTYPE, DEFAULT_DUNNING_POLICY)
		steps = frappe.get_all(
			"RevOps Dunning Policy Step", filters={"parent": DEFAULT_DUNNING_POLICY}, pluck="step_name"
		)
		if shipped:
			frappe.db.set_value(DUNNING_POLICY_DOCTYPE, DEFAULT_DUNNING_POLICY, "broken_promise_step", None)
		patch.execute()
		patch.execute()  # twice: nothing more changes
		self.assertIn(
			INSTALMENT_LINE, frappe.db.get_value("Email Template", DUNNING_TEMPLATE_OVERDUE, "response_html")
		)
		self.assertEqual(
			frappe.db.get_value("Email Template", DUNNING_TEMPLATE_FINAL, "response_html"), edited
		)
		if shipped and DEFAULT_BROKEN_PROMISE_STEP in steps:
			self.assertEqual(
				frappe.db.get_value(DUNNING_POLICY_DOCTYPE, DEFAULT_DUNNING_POLICY, "broken_promise_step"),
				DEFAULT_BROKEN_PROMISE_STEP,
			)
		frappe.db.rollback()
