"""Real-bench tests of the shared integration log: idempotency key, run_logged outcomes, retry guard."""

from revops_app.tests.utils import require_frappe

require_frappe()

import frappe
from frappe.tests.utils import FrappeTestCase

from revops_app.constants import INTEGRATION_STRIPE, LOG_DOCTYPE, LogStatus
from revops_app.erp import integration_log


class TestIntegrationLog(FrappeTestCase):
	def test_idempotency_key_is_unique_in_the_database(self):
		integration_log.create_log(INTEGRATION_STRIPE, idempotency_key="test:dup-1", event_type="x")
		with self.assertRaises(frappe.DuplicateEntryError):
			integration_log.create_log(INTEGRATION_STRIPE, idempotency_key="test:dup-1", event_type="x")

	def test_run_logged_records_failure_with_traceback_and_backoff(self):
		log = integration_log.create_log(INTEGRATION_STRIPE, event_type="boom")

		def handler(_log):
			raise RuntimeError("gateway timeout")

		integration_log.run_logged(log.name, handler)
		log.reload()
		self.assertEqual(log.status, LogStatus.ERROR)
		self.assertIn("gateway timeout", log.traceback)
		self.assertEqual(log.attempts, 1)
		self.assertIsNotNone(log.next_retry_at)

	def test_run_logged_success_and_skip(self):
		log = integration_log.create_log(INTEGRATION_STRIPE, event_type="ok")
		integration_log.run_logged(log.name, lambda _log: None)
		self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, log.name, "status"), LogStatus.SUCCESS)

		skipped = integration_log.create_log(INTEGRATION_STRIPE, event_type="unknown")
		integration_log.run_logged(skipped.name, lambda _log: (LogStatus.SKIPPED, "not handled"))
		self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, skipped.name, "status"), LogStatus.SKIPPED)

	def test_retry_refuses_unregistered_method(self):
		log = integration_log.create_log(
			INTEGRATION_STRIPE, method="frappe.client.delete", status=LogStatus.ERROR
		)
		with self.assertRaises(frappe.ValidationError):
			integration_log.retry_log(log.name)

	def test_retry_refuses_finished_log(self):
		log = integration_log.create_log(INTEGRATION_STRIPE, status=LogStatus.SUCCESS)
		with self.assertRaises(frappe.ValidationError):
			integration_log.retry_log(log.name)

	def test_clear_old_logs_keeps_errors(self):
		from revops_app.revops.doctype.revops_integration_log.revops_integration_log import (
			RevOpsIntegrationLog,
		)

		ok = integration_log.create_log(INTEGRATION_STRIPE, status=LogStatus.SUCCESS)
		bad = integration_log.create_log(INTEGRATION_STRIPE, status=LogStatus.ERROR)
		frappe.db.sql(
			"update `tabRevOps Integration Log` set modified = %s where name in (%s, %s)",
			("2000-01-01 00:00:00", ok.name, bad.name),
		)
		RevOpsIntegrationLog.clear_old_logs(days=30)
		self.assertFalse(frappe.db.exists(LOG_DOCTYPE, ok.name))
		self.assertTrue(frappe.db.exists(LOG_DOCTYPE, bad.name))
