"""The one record of an outcome: create and finish RevOps Integration Log entries.

Nothing here commits or rolls back: the caller owns the transaction (a webhook request, a worker run by
`revops.jobs.run_job_and_commit`, a scheduler job). Running, retrying and sweeping logs is `revops.jobs`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import frappe
from frappe.model.document import Document
from frappe.utils import now_datetime

from revops_app.revops.constants import LOG_DOCTYPE, LogStatus

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
