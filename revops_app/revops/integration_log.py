"""The one logging path of the app: create, finish and replay RevOps Integration Log entries.

Nothing here commits or rolls back: the caller owns the transaction (a webhook request, a
worker in `run_logged`, a scheduler job). Replays go only to workers registered in
RETRYABLE_WORKERS, never to a dotted path read back from the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import frappe
from frappe.model.document import Document
from frappe.utils import now_datetime

from revops_app.revenue_collections.constants import STRIPE_WORKER
from revops_app.revops.constants import LOG_DOCTYPE, QUEUE_WEBHOOKS, LogStatus

# Workers that take `log_name` and may be replayed from the log: dotted path -> queue.
# Add each feature's worker here; nothing outside this map is ever enqueued from stored data.
RETRYABLE_WORKERS: dict[str, str] = {
	STRIPE_WORKER: QUEUE_WEBHOOKS,  # issue 3: Stripe webhook events
	"revops_app.revenue_collections.dunning.escalation.retry_escalation": "long",  # dunning (issue 4): failed escalations
}

# Backoff for automatic retries: attempt n waits BACKOFF_MINUTES[n-1] (last value repeats).
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 720)
MAX_AUTOMATIC_ATTEMPTS = 8


def _as_json(data: Any) -> str | None:
	if data is None:
		return None
	if isinstance(data, str | bytes):
		return data.decode() if isinstance(data, bytes) else data
	return json.dumps(data, indent=1, default=str, sort_keys=True)


def create_log(
	integration: str,
	method: str | None = None,
	*,
	status: str = LogStatus.QUEUED,
	event_type: str | None = None,
	request_data: Any = None,
	response_data: Any = None,
	message: str | None = None,
	idempotency_key: str | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
) -> Document:
	"""Insert a log row. With `idempotency_key`, a second insert of the same key is refused by the
	database's unique index: Frappe raises frappe.UniqueValidationError (callers treat it as 'seen')."""
	log = frappe.get_doc(
		{
			"doctype": LOG_DOCTYPE,
			"integration": integration,
			"method": method,
			"status": status,
			"event_type": event_type,
			"request_data": _as_json(request_data),
			"response_data": _as_json(response_data),
			"message": message,
			"idempotency_key": idempotency_key,
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
		}
	)
	log.insert(ignore_permissions=True)
	return log


def finish_log(
	log_name: str,
	status: str,
	*,
	message: str | None = None,
	response_data: Any = None,
	traceback: str | None = None,
	reference_doctype: str | None = None,
	reference_name: str | None = None,
) -> None:
	values: dict[str, Any] = {"status": status, "message": message}
	if response_data is not None:
		values["response_data"] = _as_json(response_data)
	if traceback is not None:
		values["traceback"] = traceback
	if reference_doctype and reference_name:
		values.update(reference_doctype=reference_doctype, reference_name=reference_name)
	if status != LogStatus.ERROR:
		values["next_retry_at"] = None
	frappe.db.set_value(LOG_DOCTYPE, log_name, values, update_modified=True)


def next_retry_time(attempts: int):
	minutes = BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1]
	return now_datetime() + timedelta(minutes=minutes)


def run_logged(log_name: str, handler: Callable[[Document], tuple[str, str | None] | None]) -> None:
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
	for row in rows:
		retry_log(row.name)
	return [row.name for row in rows]
