"""Take a verified Stripe event in: store it once in the integration log and queue the worker.

The unique index on RevOps Integration Log.idempotency_key (the Stripe event id) makes concurrent deliveries
of one event a single row: the loser's insert fails, its transaction is rolled back and it reads as a
duplicate. The worker is enqueued after commit, so it never runs before the row is visible. A job queue that
refuses the worker (overloaded, redis down) does not fail the delivery: the event is stored, Stripe gets its
200, and the log stays Queued for the hourly sweep.
"""

from __future__ import annotations

from typing import Any

import frappe

from revops_app.revenue_collections.constants import STRIPE_WORKER
from revops_app.revops.constants import INTEGRATION_STRIPE
from revops_app.revops.integration_log import create_log
from revops_app.revops.jobs import enqueue_or_leave_queued

# response_data of a row the missed-event backstop stored (the worker's outcome message says so too).
BACKSTOP = "missed-event backstop (Stripe events API)"


def accept_event(event: dict[str, Any], payload: bytes, *, received_via: str | None = None) -> str | None:
	"""The log row queued for `event`, or None when another delivery of the same event id got there first.
	`received_via` names a source other than the signed webhook (kept in the row's response_data)."""
	try:
		log = create_log(
			INTEGRATION_STRIPE,
			STRIPE_WORKER,
			event_type=event["type"],
			request_data=payload.decode("utf-8"),
			response_data={"received_via": received_via} if received_via else None,
			idempotency_key=event["id"],
		)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		frappe.db.rollback()
		return None
	enqueue_or_leave_queued(log.name, STRIPE_WORKER)
	return log.name
