"""Run, retry and sweep the workers behind RevOps Integration Log rows. This module commits.

`run_job_and_commit` owns a worker's transaction: it commits the worker's writes with the log's outcome, or
rolls them back and commits the failure (Error, traceback, backoff) so it stays visible and replayable.
Replays go only to workers registered in RETRYABLE_WORKERS, never to a dotted path read from the database.
Workers are registered here, not at import time of their module: the web process and the sweep must know
them without importing every feature.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import frappe
from frappe.model.document import Document
from frappe.utils import now_datetime

from revops_app.compat import job_queue_refusals
from revops_app.revenue_collections.constants import STRIPE_WORKER
from revops_app.revops.constants import LOG_DOCTYPE, QUEUE_WEBHOOKS, LogStatus
from revops_app.revops.integration_log import MAX_AUTOMATIC_ATTEMPTS, finish_log, next_retry_time

# Workers that take `log_name` and may be replayed from the log: dotted path -> queue.
# Add each feature's worker here; nothing outside this map is ever enqueued from stored data.
RETRYABLE_WORKERS: dict[str, str] = {
	STRIPE_WORKER: QUEUE_WEBHOOKS,  # issue 3: Stripe webhook events
	"revops_app.revenue_collections.dunning.escalation.retry_escalation": "long",  # dunning (issue 4): failed escalations
	"revops_app.customer_experience.rules.reapply_rules": "long",  # CX (issue 9): failed survey-response rules
}


def run_job_and_commit(log_name: str, handler: Callable[[Document], tuple[str, str | None] | None]) -> None:
	"""Run `handler(log)` for a queued log inside its own transaction.

	The handler returns (status, message) or None for Success. An exception rolls back the
	handler's writes, then the log is marked Error with the traceback and a backoff time for the
	hourly sweep, and committed, so the failure stays visible and replayable.
	"""
	log = frappe.get_doc(LOG_DOCTYPE, log_name)
	if log.status not in LogStatus.RETRYABLE:
		return
	attempts = (log.attempts or 0) + 1
	frappe.db.set_value(LOG_DOCTYPE, log_name, "attempts", attempts, update_modified=False)
	try:
		outcome = handler(log) or (LogStatus.SUCCESS, None)
	except Exception:
		frappe.db.rollback()
		frappe.db.set_value(
			LOG_DOCTYPE,
			log_name,
			{
				"status": LogStatus.ERROR,
				"attempts": attempts,
				"traceback": frappe.get_traceback(),
				"message": "Processing failed; it will be retried automatically or can be reprocessed.",
				"next_retry_at": next_retry_time(attempts) if attempts < MAX_AUTOMATIC_ATTEMPTS else None,
			},
		)
		frappe.db.commit()  # nosemgrep: the failure record must survive the rolled-back work
		return
	status, message = outcome
	finish_log(log_name, status, message=message)
	frappe.db.commit()  # nosemgrep: a worker ends its own transaction


def enqueue_log(log_name: str, method: str) -> None:
	queue = RETRYABLE_WORKERS.get(method)
	if queue is None:
		frappe.throw(frappe._("{0} is not a retryable RevOps worker").format(method))
	frappe.enqueue(
		method,
		queue=queue,
		log_name=log_name,
		enqueue_after_commit=True,
		job_id=f"revops::{log_name}",
		deduplicate=True,
	)


def enqueue_or_leave_queued(log_name: str, method: str) -> bool:
	"""Queue the worker, or, when the job queue refuses it (overloaded, redis down), leave the log Queued
	with the reason: it is stored, so nothing is lost, and the hourly sweep queues it once the queue takes
	jobs again. Returns whether the job was queued."""
	try:
		enqueue_log(log_name, method)
	except job_queue_refusals() as refusal:
		frappe.clear_messages()
		reason = frappe.utils.strip_html(str(refusal)) or type(refusal).__name__
		message = f"Stored, but the job queue refused the worker ({reason}); the hourly sweep will queue it."
		frappe.db.set_value(LOG_DOCTYPE, log_name, "message", message[:1000], update_modified=False)
		return False
	return True


def retry_log(log_name: str) -> None:
	log = frappe.get_doc(LOG_DOCTYPE, log_name)
	if log.status not in LogStatus.RETRYABLE:
		frappe.throw(
			frappe._("Only Queued or Error logs can be reprocessed (this one is {0})").format(log.status)
		)
	if log.status == LogStatus.ERROR:
		frappe.db.set_value(LOG_DOCTYPE, log_name, {"status": LogStatus.QUEUED, "next_retry_at": None})
	enqueue_log(log_name, log.method)


def sweep_stuck_logs(limit: int = 500) -> list[str]:
	"""Hourly: replay Error logs whose backoff elapsed and Queued logs older than 10 minutes."""
	table = frappe.qb.DocType(LOG_DOCTYPE)
	now = now_datetime()
	rows = (
		frappe.qb.from_(table)
		.select(table.name, table.method)
		.where(table.method.isin(list(RETRYABLE_WORKERS) or [""]))
		.where(
			(
				(table.status == LogStatus.ERROR)
				& table.next_retry_at.isnotnull()
				& (table.next_retry_at <= now)
			)
			| ((table.status == LogStatus.QUEUED) & (table.modified <= now - timedelta(minutes=10)))
		)
		.orderby(table.creation)
		.limit(limit)
		.run(as_dict=True)
	)
	swept = []
	for row in rows:
		try:
			retry_log(row.name)
		except job_queue_refusals():
			break  # the queue is full or gone: the rest waits for the next sweep
		swept.append(row.name)
	return swept
