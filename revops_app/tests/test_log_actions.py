"""Real-bench tests of who may reprocess RevOps Integration Logs, through Frappe's request path.

Requests go through frappe.app.application (werkzeug test client in a thread, as frappe's own
API tests do), so whitelisting, allow_guest, POST-only, token auth and DocPerms are the real ones.
The request runs in its own transaction, so the rows it must see are committed here and deleted
in tearDown.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from unittest.mock import patch

import frappe
from frappe.tests.test_api import make_request
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_test_client
from frappe.utils.background_jobs import get_job

from revops_app.revops import integration_log, jobs
from revops_app.revops.constants import INTEGRATION_STRIPE, LOG_DOCTYPE, ROLE_ACCOUNTS_USER, LogStatus

TEST_WORKER = "revops_app.tests.test_log_actions.noop_worker"
RETRY = "/api/method/revops_app.api.logs.retry"
BULK_RETRY = "/api/method/revops_app.api.logs.bulk_retry"


def noop_worker(log_name: str) -> None:
	"""Stands in for a feature's worker in RETRYABLE_WORKERS; no worker process runs it here."""


def make_api_user(email: str, roles: list[str]) -> str:
	"""A desk user with the given roles and a fresh API key; returns the Authorization header."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.user_type = "System User"
	user.set("roles", [])
	for role in roles:
		user.append("roles", {"role": role})
	user.api_key = frappe.generate_hash(length=15)
	secret = frappe.generate_hash(length=15)
	user.api_secret = secret
	user.save(ignore_permissions=True)
	return f"token {user.api_key}:{secret}"


class LogsTestCase(FrappeTestCase):
	"""TEST_WORKER registered as retryable for each test; the logs a test made (listed in `created`)
	and their queued jobs removed afterwards (the logs are committed: requests and jobs read them)."""

	def setUp(self):
		self.created: list[str] = []
		self.workers = patch.dict(jobs.RETRYABLE_WORKERS, {TEST_WORKER: "short"})
		self.workers.start()

	def tearDown(self):
		self.workers.stop()
		frappe.db.rollback()
		for name in self.created:
			job = get_job(f"revops::{name}")
			if job:
				job.delete()
			frappe.delete_doc(LOG_DOCTYPE, name, force=True, ignore_missing=True)
		frappe.db.commit()


class TestLogActions(LogsTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.client = get_test_client(use_cookies=False)
		cls.clerk = make_api_user("revops-clerk@example.com", [ROLE_ACCOUNTS_USER])
		cls.outsider = make_api_user("revops-outsider@example.com", ["Sales User"])
		frappe.db.commit()  # the request thread has its own connection

	def make_log(self, status: str) -> str:
		log = integration_log.create_log(INTEGRATION_STRIPE, TEST_WORKER, status=status, event_type="test")
		self.created.append(log.name)
		frappe.db.commit()
		return log.name

	def post(self, path: str, data: dict, authorization: str | None = None):
		headers = {"Authorization": authorization} if authorization else {}
		return make_request(
			target=self.client.post,
			args=(path,),
			kwargs={"json": data, "headers": headers},
			site=frappe.local.site,
		)

	def status(self, name: str) -> str:
		frappe.db.rollback()  # see the request's committed writes
		return frappe.db.get_value(LOG_DOCTYPE, name, "status")

	def test_accounts_user_reprocesses_an_error_log(self):
		name = self.make_log(LogStatus.ERROR)
		response = self.post(RETRY, {"log_name": name}, self.clerk)
		self.assertEqual(response.status_code, 200, response.text)
		self.assertEqual(self.status(name), LogStatus.QUEUED)
		job = get_job(f"revops::{name}")
		self.assertIsNotNone(job, "the retry did not reach the queue after the request committed")
		self.assertEqual(job.kwargs["method"], TEST_WORKER)
		self.assertEqual(job.kwargs["kwargs"], {"log_name": name})

	def test_accounts_user_reprocesses_but_cannot_edit(self):
		name = self.make_log(LogStatus.ERROR)
		response = make_request(
			target=self.client.put,
			args=(f"/api/resource/{LOG_DOCTYPE}/{name}",),
			kwargs={"json": {"status": LogStatus.SUCCESS}, "headers": {"Authorization": self.clerk}},
			site=frappe.local.site,
		)
		self.assertEqual(response.status_code, 403, response.text)
		self.assertEqual(self.status(name), LogStatus.ERROR)

	def test_guest_and_non_finance_users_are_refused(self):
		name = self.make_log(LogStatus.ERROR)
		for authorization in (None, self.outsider):
			response = self.post(RETRY, {"log_name": name}, authorization)
			self.assertEqual(response.status_code, 403, response.text)
			response = self.post(BULK_RETRY, {"log_names": [name]}, authorization)
			self.assertEqual(response.status_code, 403, response.text)
		self.assertEqual(self.status(name), LogStatus.ERROR)
		self.assertIsNone(get_job(f"revops::{name}"))

	def test_guest_cannot_read_logs_or_settings(self):
		for path in (f"/api/resource/{LOG_DOCTYPE}", "/api/resource/RevOps Settings/RevOps Settings"):
			response = make_request(target=self.client.get, args=(path,), site=frappe.local.site)
			self.assertEqual(response.status_code, 403, f"{path}: {response.text}")

	def test_retry_is_post_only(self):
		name = self.make_log(LogStatus.ERROR)
		response = make_request(
			target=self.client.get,
			args=(RETRY,),
			kwargs={"query_string": {"log_name": name}, "headers": {"Authorization": self.clerk}},
			site=frappe.local.site,
		)
		self.assertNotEqual(response.status_code, 200, response.text)
		self.assertEqual(self.status(name), LogStatus.ERROR)

	def test_bulk_retry_queues_what_it_can_and_names_the_rest(self):
		failed = self.make_log(LogStatus.ERROR)
		done = self.make_log(LogStatus.SUCCESS)
		response = self.post(BULK_RETRY, {"log_names": [failed, done]}, self.clerk)
		self.assertEqual(response.status_code, 200, response.text)
		self.assertEqual(response.json["message"], {"queued": [failed], "refused": [done]})
		self.assertEqual(self.status(failed), LogStatus.QUEUED)
		self.assertEqual(self.status(done), LogStatus.SUCCESS)


class TestSweepAndClearing(LogsTestCase):
	def make_log(self, status: str, method: str = TEST_WORKER, **values) -> str:
		log = integration_log.create_log(INTEGRATION_STRIPE, method, status=status, event_type="test")
		self.created.append(log.name)
		if values:
			# modified is set by hand to age a row; set_value would stamp it again.
			table = frappe.qb.DocType(LOG_DOCTYPE)
			query = frappe.qb.update(table).where(table.name == log.name)
			for field, value in values.items():
				query = query.set(table[field], value)
			query.run()
		return log.name

	def test_hourly_sweep_replays_only_due_logs_of_registered_workers(self):
		from frappe.utils import add_to_date, now_datetime

		now = now_datetime()
		due_error = self.make_log(LogStatus.ERROR, next_retry_at=add_to_date(now, minutes=-1))
		later_error = self.make_log(LogStatus.ERROR, next_retry_at=add_to_date(now, minutes=30))
		given_up = self.make_log(LogStatus.ERROR)  # no next_retry_at: out of automatic attempts
		stuck = self.make_log(LogStatus.QUEUED, modified=add_to_date(now, minutes=-30))
		fresh = self.make_log(LogStatus.QUEUED)
		unregistered = self.make_log(
			LogStatus.ERROR, method="frappe.client.delete", next_retry_at=add_to_date(now, minutes=-1)
		)
		done = self.make_log(LogStatus.SUCCESS, modified=add_to_date(now, minutes=-30))

		swept = jobs.sweep_stuck_logs()
		frappe.db.commit()  # the scheduler commits; jobs are enqueued after commit

		mine = set(self.created)
		self.assertEqual({n for n in swept if n in mine}, {due_error, stuck})
		self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, due_error, "status"), LogStatus.QUEUED)
		for name in (later_error, given_up, unregistered):
			self.assertEqual(frappe.db.get_value(LOG_DOCTYPE, name, "status"), LogStatus.ERROR)
		for name in (due_error, stuck):
			self.assertIsNotNone(get_job(f"revops::{name}"), name)
		for name in (later_error, given_up, fresh, unregistered, done):
			self.assertIsNone(get_job(f"revops::{name}"), name)

	def test_log_settings_adopts_the_log_with_its_retention(self):
		settings = frappe.get_doc("Log Settings")
		settings.set(
			"logs_to_clear", [row for row in settings.logs_to_clear if row.ref_doctype != LOG_DOCTYPE]
		)
		settings.add_default_logtypes()
		rows = [row for row in settings.logs_to_clear if row.ref_doctype == LOG_DOCTYPE]
		self.assertEqual([row.days for row in rows], [90])
