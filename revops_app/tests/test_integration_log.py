"""Real-bench tests of the shared integration log: idempotency key, run_job_and_commit outcomes, retry guard.

run_job_and_commit owns the worker's transaction (it commits), exactly as in production, so these tests
commit the log rows they create and delete them afterwards.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.tests.utils import FrappeTestCase

from revops_app.revops import integration_log, jobs
from revops_app.revops.constants import INTEGRATION_STRIPE, LOG_DOCTYPE, LogStatus


class TestIntegrationLog(FrappeTestCase):
	def setUp(self):
		self.created: list[str] = []

	def tearDown(self):
		frappe.db.rollback()
		for name in self.created:
			frappe.delete_doc(LOG_DOCTYPE, name, force=True, ignore_missing=True)
		frappe.db.commit()

	def make_log(self, **kwargs):
		kwargs.setdefault("event_type", "test")
		log = integration_log.create_log(INTEGRATION_STRIPE, **kwargs)
		self.created.append(log.name)
		frappe.db.commit()  # the webhook request commits before the worker runs
		return log

	def test_idempotency_key_is_unique_in_the_database(self):
		key = f"test:{frappe.generate_hash(length=12)}"
		self.make_log(idempotency_key=key)
		with self.assertRaises(frappe.UniqueValidationError):
			integration_log.create_log(INTEGRATION_STRIPE, idempotency_key=key, event_type="x")

	def test_run_logged_records_failure_with_traceback_and_backoff(self):
		log = self.make_log()

		def handler(_log):
			frappe.db.set_value(LOG_DOCTYPE, _log.name, "message", "half-done work")
			raise RuntimeError("gateway timeout")

		jobs.run_job_and_commit(log.name, handler)
		log.reload()
		self.assertEqual(log.status, LogStatus.ERROR)
		self.assertIn("gateway timeout", log.traceback)
		self.assertNotEqual(log.message, "half-done work")  # the handler's writes were rolled back
		self.assertEqual(log.attempts, 1)
		self.assertIsNotNone(log.next_retry_at)

	def test_run_logged_success_and_skip(self):
		log = self.make_log()
		jobs.run_job_and_commit(log.name, lambda _log: None)
		self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, log.name, "status"), LogStatus.SUCCESS)

		skipped = self.make_log(event_type="unknown")
		jobs.run_job_and_commit(skipped.name, lambda _log: (LogStatus.SKIPPED, "not handled"))
		self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, skipped.name, "status"), LogStatus.SKIPPED)

	def test_finished_log_is_not_run_again(self):
		log = self.make_log(status=LogStatus.SUCCESS)
		calls = []
		jobs.run_job_and_commit(log.name, lambda _log: calls.append(1))
		self.assertEqual(calls, [])

	def test_retry_refuses_unregistered_method(self):
		log = self.make_log(method="frappe.client.delete", status=LogStatus.ERROR)
		with self.assertRaises(frappe.ValidationError):
			jobs.retry_log(log.name)

	def test_retry_refuses_finished_log(self):
		log = self.make_log(status=LogStatus.SUCCESS)
		with self.assertRaises(frappe.ValidationError):
			jobs.retry_log(log.name)

	def test_clear_old_logs_keeps_errors(self):
		from revops_app.revops.doctype.revops_integration_log.revops_integration_log import (
			RevOpsIntegrationLog,
		)

		ok = self.make_log(status=LogStatus.SUCCESS)
		bad = self.make_log(status=LogStatus.ERROR)
		frappe.db.sql(
			"update `tabRevOps Integration Log` set modified = %s where name in (%s, %s)",
			("2000-01-01 00:00:00", ok.name, bad.name),
		)
		RevOpsIntegrationLog.clear_old_logs(days=30)
		self.assertFalse(frappe.db.exists(LOG_DOCTYPE, ok.name))
		self.assertTrue(frappe.db.exists(LOG_DOCTYPE, bad.name))
