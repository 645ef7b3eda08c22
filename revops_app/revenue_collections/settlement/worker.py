"""The Stripe webhook worker: a stored event -> core decisions -> ERPNext documents, exactly once.

Contract:
- `process_event(log_name)` is the only entry point (enqueued by the webhook endpoint, replayed by
  Reprocess and the hourly sweep through RETRYABLE_WORKERS; its dotted path is STRIPE_WORKER, stored in
  integration log rows, so it stays here). It runs `handle` through `run_job_and_commit`, which owns
  the transaction: Success / Skipped / Error with a message, or an exception -> rolled back, Error with
  traceback and a backoff time. A GatewayError Stripe will keep refusing ends as Error, nothing posted.
- Dispatch: `core/gateway/routing.route` names the action; the invoice is resolved (lookups.py),
  Stripe is asked what it needs before the lock, then the handler runs under the lock:
  receipts.settle_payment / record_processing / record_failure / record_expiry,
  refunds.settle_refund, disputes.settle_dispute (with dispute_money.py for the Journal Entries; a
  dispute locks, in name order, every invoice the disputed receipt paid, and flags them all);
  payout events go to payouts.settle_payout (no invoice; locked on the clearing account); a customer
  page payment (metadata customer_page, several invoices) goes to customer_receipts.handle_customer_event.
  Posting dates: posting_dates.py. ToDos: todos.py. See README.md in this folder.
- Serialisation: every event about one invoice takes a row lock (SELECT ... FOR UPDATE) on the
  invoice's Payment Link (on the Sales Invoice when it has none) as the first statement of a fresh
  transaction, and only then reads what is posted. Two events for one PaymentIntent
  (checkout.session.completed and payment_intent.succeeded) therefore run one after the other, and
  the second finds the first's submitted Payment Entry (revops_payment_intent = PaymentIntent id)
  and posts nothing. (The commit that ends the resolving reads before the lock gives the locked part a
  fresh transaction: under REPEATABLE READ reads made before the lock would see an old snapshot.)
- Concurrency: settlements of different invoices run side by side. The job's session runs READ
  COMMITTED (isolation.py: no gap locks between new Payment Entries), the receipt is named by its
  series on a second connection (naming.py: the series row is not held until commit), and a deadlock
  is retried at once, up to DEADLOCK_ATTEMPTS times, before it becomes an Error for the sweep.
"""

from __future__ import annotations

import json

import frappe
from frappe.model.document import Document

from revops_app.core.collections.allocation.disputes import disputed_invoices
from revops_app.core.gateway.client import GatewayError
from revops_app.core.gateway.payouts import PAYOUT_EVENT_TYPES
from revops_app.core.gateway.routing import Action, route
from revops_app.core.gateway.webhooks import WebhookRejected, normalise_event
from revops_app.revenue_collections.settlement.customer_receipts import handle_customer_event
from revops_app.revenue_collections.settlement.disputes import dispute_facts, settle_dispute
from revops_app.revenue_collections.settlement.intake import BACKSTOP
from revops_app.revenue_collections.settlement.isolation import read_committed
from revops_app.revenue_collections.settlement.lookups import (
	existing_receipt,
	fetch_settlement,
	lock_invoice,
	lock_invoices,
	receipt_invoices,
	resolve_invoice,
)
from revops_app.revenue_collections.settlement.payouts import settle_payout
from revops_app.revenue_collections.settlement.receipts import (
	record_expiry,
	record_failure,
	record_processing,
	settle_payment,
)
from revops_app.revenue_collections.settlement.refunds import settle_refund
from revops_app.revops.constants import LogStatus
from revops_app.revops.jobs import run_job_and_commit

DEADLOCK_ATTEMPTS = 3

# What a customer page payment's events call for (refunds and disputes find the receipt by PaymentIntent).
CUSTOMER_PAGE_ACTIONS = (
	Action.SETTLE_PAYMENT,
	Action.RECORD_PROCESSING,
	Action.RECORD_FAILURE,
	Action.RECORD_EXPIRY,
)


def process_event(log_name: str) -> None:
	# The job was enqueued by a guest request; the ledger entries are the system's, not Guest's.
	previous_user = frappe.session.user if getattr(frappe.local, "session", None) else None
	if previous_user != "Administrator":  # set_user empties the request's cache (metas, new-doc templates)
		frappe.set_user("Administrator")
	try:
		with read_committed():  # no gap locks between settlements of different invoices (isolation.py)
			run_job_and_commit(log_name, handle)
	finally:
		if previous_user and previous_user != "Administrator":
			frappe.set_user(previous_user)


def handle(log: Document) -> tuple[str, str | None]:
	try:
		status, message = _handle_retrying_deadlocks(log)
	except GatewayError as error:
		if error.retryable:
			raise  # run_job_and_commit: Error with backoff, replayed by the sweep
		# Stripe refused (unknown PaymentIntent, revoked key...): trying again will not help.
		status, message = LogStatus.ERROR, f"{error}; nothing posted"
	if BACKSTOP in (log.response_data or ""):
		message = f"{message} [received from the {BACKSTOP}, not a webhook]"
	return status, message


def _handle_retrying_deadlocks(log: Document) -> tuple[str, str | None]:
	"""A deadlock rolls the settlement back whole (InnoDB picked it as the victim); it is run again at
	once, as MariaDB advises, instead of waiting for the hourly sweep. Everything it does is idempotent."""
	for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
		try:
			return _handle(log)
		except frappe.QueryDeadlockError:
			if attempt == DEADLOCK_ATTEMPTS:
				raise
			frappe.db.rollback()
	raise AssertionError("unreachable")


def _handle(log: Document) -> tuple[str, str | None]:
	try:
		event = normalise_event(json.loads(log.request_data or "{}"))
	except (WebhookRejected, ValueError) as error:
		return LogStatus.INVALID, f"stored event cannot be read: {error}"
	if event.event_type in PAYOUT_EVENT_TYPES:
		# Not about an invoice: the payout's Internal Transfer, serialised on the clearing account.
		return settle_payout(event, event.raw_object.get("id"))
	action = route(event.kind)
	if action is Action.SKIP:
		return LogStatus.SKIPPED, f"{event.event_type} is not handled"
	if event.customer_page and action in CUSTOMER_PAGE_ACTIONS:
		# Several invoices in one payment: customer_receipts resolves, locks and posts.
		return handle_customer_event(log, event, action)

	invoice = resolve_invoice(event)
	if not invoice:
		if action in (Action.SETTLE_REFUND, Action.DISPUTE) and event.payment_intent:
			return LogStatus.SKIPPED, (
				f"PaymentIntent {event.payment_intent} is not a RevOps pay-link payment (no invoice found)"
			)
		return LogStatus.SKIPPED, f"{event.event_type} carries no RevOps invoice metadata"
	if not frappe.db.exists("Sales Invoice", invoice):
		return LogStatus.ERROR, f"event names Sales Invoice {invoice}, which does not exist; nothing posted"
	frappe.db.set_value(
		log.doctype, log.name, {"reference_doctype": "Sales Invoice", "reference_name": invoice}
	)

	# Ask Stripe before taking the lock (a network call must not hold a row lock), unless the
	# payment is visibly settled already; the decision is still made under the lock.
	settlement = None
	if event.payment_intent and (
		action is Action.SETTLE_REFUND
		or (action is Action.SETTLE_PAYMENT and not existing_receipt(event.payment_intent))
	):
		settlement = fetch_settlement(event.payment_intent)
	dispute = dispute_facts(event) if action is Action.DISPUTE else None
	if dispute:
		# Every invoice the disputed payment paid is flagged (a customer page receipt pays several);
		# the money is posted against `invoice`, the first.
		pi = dispute.payment_intent or event.payment_intent
		receipt = existing_receipt(pi) if pi else None
		disputed = disputed_invoices(invoice, receipt_invoices(receipt) if receipt else ())

	# End the transaction whose snapshot the reads above opened, so that after the lock every read
	# sees what the event that held the lock before us committed.
	frappe.db.commit()  # nosemgrep: see the module docstring (serialisation)
	if dispute:
		return settle_dispute(event, invoice, lock_invoices(disputed), dispute)
	link = lock_invoice(invoice)
	if action in (Action.SETTLE_PAYMENT, Action.SETTLE_REFUND):
		return (settle_payment if action is Action.SETTLE_PAYMENT else settle_refund)(
			event, invoice, link, settlement
		)
	handlers = {
		Action.RECORD_PROCESSING: record_processing,
		Action.RECORD_FAILURE: record_failure,
		Action.RECORD_EXPIRY: record_expiry,
	}
	return handlers[action](event, invoice, link)
