"""The missed-event backstop: Stripe events the webhook never delivered, fed through the webhook's own path.

Contract:
- `run()` (hourly scheduler job) lists the Stripe events of every handled type (payments, refunds,
  disputes, payouts) created since the checkpoint on RevOps Settings (`core/gateway/backstop.py` plans
  the window inside Stripe's 30 days and lists every page), and stores each event whose id is not in
  the integration log through `intake.accept_event` (the same unique event id as a webhook: a webhook
  arriving late for a fed event is a duplicate, and one fed while the webhook commits is refused by the
  unique index), marked as received from the backstop; the worker then posts it exactly as a webhook.
  Events fetched from the API with the secret key carry no signature and need none.
- Stripe fees outside a charge have no event: the run also lists the fee-type balance transactions
  (stripe_fee, stripe_fx_fee) created in the same window and posts those no entry holds yet
  (`stripe_fees.backstop_fees`, the payout worker's own path and lock), so a fee posts even when no
  automatic payout carries it. A fee held (no fee account, another currency, cancelled by hand) makes
  the run's row Error with the reason; the checkpoint still moves (the payout that carries the fee and
  the daily balance check name it again).
- Each accepted event is committed on its own (a duplicate's rollback never undoes the others); the
  checkpoint moves to the run's start only after every listed event is stored and the fees listed.
  A failed listing leaves it and writes an Error row; every run writes one Stripe log row saying what
  it listed, fed and posted.
"""

from __future__ import annotations

import json
import time

import frappe
from frappe.utils import cint, get_datetime

from revops_app.core.gateway.backstop import list_events, missing, plan_window
from revops_app.core.gateway.client import GatewayError
from revops_app.core.gateway.payouts import PAYOUT_EVENT_TYPES
from revops_app.core.gateway.webhooks import HANDLED_EVENT_TYPES
from revops_app.revenue_collections.constants import STRIPE_WORKER
from revops_app.revenue_collections.settlement.intake import BACKSTOP, accept_event
from revops_app.revenue_collections.settlement.stripe_fees import backstop_fees
from revops_app.revops.constants import INTEGRATION_STRIPE, LOG_DOCTYPE, SETTINGS_DOCTYPE, LogStatus
from revops_app.revops.integration_log import create_log
from revops_app.revops.settings import get_settings, get_stripe_api_base, get_stripe_secret_key

CHECKPOINT_FIELD = "stripe_events_checkpoint"
BACKSTOP_EVENT_TYPE = "backstop.run"
EVENT_TYPES = (*HANDLED_EVENT_TYPES, *PAYOUT_EVENT_TYPES)


def run(now: int | None = None) -> str | None:
	"""One backstop pass; returns the run's log row (None when Stripe is off or has no key)."""
	settings = get_settings()
	key = get_stripe_secret_key()
	if not (settings.enabled and settings.stripe_enabled and key):
		return None
	now = now or int(time.time())
	checkpoint = cint(settings.get(CHECKPOINT_FIELD)) or None
	window = plan_window(checkpoint, now, first_seen=None if checkpoint else first_stripe_log_time())
	try:
		events = list_events(key, created_gte=window.start, types=EVENT_TYPES, api_base=get_stripe_api_base())
	except GatewayError as error:
		return _run_log(
			LogStatus.ERROR, f"{error}; checkpoint left at {checkpoint or 'none'}, retried next run"
		)

	known = logged_event_ids([e.get("id") for e in events])
	fed = []
	for event in missing(events, known):
		if accept_event(event, json.dumps(event).encode(), received_via=BACKSTOP):
			fed.append(f"{event.get('type')} {event.get('id')}")
		frappe.db.commit()  # nosemgrep: each event stored on its own (see the module docstring)
	listed = f"listed {len(events)} Stripe events created since {window.start}; " + (
		f"fed {len(fed)} the webhook never delivered: {', '.join(fed)}" if fed else "none was missing"
	)
	try:
		fees, fee_entries = backstop_fees(key, get_stripe_api_base(), window.start)
	except GatewayError as error:
		return _run_log(
			LogStatus.ERROR,
			f"{listed}; Stripe fees not listed: {error}; checkpoint left at {checkpoint or 'none'}",
		)
	except frappe.ValidationError as error:  # ERPNext refused an entry: nothing of the fee pass stays
		frappe.db.rollback()
		return _run_log(
			LogStatus.ERROR,
			f"{listed}; a Stripe fee entry failed: {error}; checkpoint left at {checkpoint or 'none'}",
		)
	frappe.db.set_single_value(SETTINGS_DOCTYPE, CHECKPOINT_FIELD, window.next_checkpoint)
	frappe.clear_document_cache(SETTINGS_DOCTYPE, SETTINGS_DOCTYPE)
	message = f"{listed}; {fees.summary(fee_entries)}; checkpoint now {window.next_checkpoint}"

	if window.lost_before:
		message += (
			f". The previous checkpoint ({window.lost_before}) is older than Stripe keeps events (30 days): "
			f"events before {window.start} can no longer be checked; compare Stripe's dashboard by hand"
		)
	return _run_log(LogStatus.ERROR if fees.held else LogStatus.SUCCESS, message)


def logged_event_ids(event_ids: list) -> set[str]:
	ids = [i for i in event_ids if isinstance(i, str) and i]
	found: set[str] = set()
	for start in range(0, len(ids), 500):
		found.update(
			frappe.get_all(
				LOG_DOCTYPE,
				filters={"idempotency_key": ["in", ids[start : start + 500]]},
				pluck="idempotency_key",
			)
		)
	return found


def first_stripe_log_time() -> int | None:
	"""When the webhook first stored an event: where a site's first backstop run starts."""
	first = frappe.get_all(
		LOG_DOCTYPE,
		filters={"integration": INTEGRATION_STRIPE, "method": STRIPE_WORKER},
		fields=["creation"],
		order_by="creation asc",
		limit=1,
	)
	return int(get_datetime(first[0].creation).timestamp()) if first else None


def _run_log(status: str, message: str) -> str:
	log = create_log(INTEGRATION_STRIPE, status=status, event_type=BACKSTOP_EVENT_TYPE, message=message)
	frappe.db.commit()  # nosemgrep: a scheduled job ends its own transaction
	return log.name
