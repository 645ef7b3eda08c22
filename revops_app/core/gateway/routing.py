"""Which settlement action a normalised Stripe event calls for, and the pay link's collections state after it.

Contract (framework-free, pure):
- `route(kind) -> Action`: one action per `EventKind`; anything unknown is `Action.SKIP` (the worker
  logs it as Skipped). Both `checkout.session.completed` and `payment_intent.succeeded` route to
  SETTLE_PAYMENT: the PaymentIntent id makes the second one a no-op.
- `link_state_after(current, *, paid, disputed, payment_failed=False, payment_made=False)` is the
  Payment Link `link_state` (Not Sent, Sent, Viewed, Payment Failed, Disputed, Paid) after an event,
  from facts rather than from the event order, so out-of-order deliveries converge: an open dispute
  wins, then a paid invoice, then a failure; a failure or an expired session never overrides Paid
  (a `checkout.session.expired` arriving after the payment changes nothing), and a payment clears an
  earlier failure.
"""

from __future__ import annotations

from enum import Enum

from revops_app.core.gateway.webhooks.events import EventKind


class Action(str, Enum):
	SETTLE_PAYMENT = "settle_payment"
	RECORD_PROCESSING = "record_processing"
	RECORD_FAILURE = "record_failure"
	RECORD_EXPIRY = "record_expiry"
	SETTLE_REFUND = "settle_refund"
	DISPUTE = "dispute"
	SKIP = "skip"


ROUTES: dict[EventKind, Action] = {
	EventKind.PAYMENT_SUCCEEDED: Action.SETTLE_PAYMENT,
	EventKind.PAYMENT_PROCESSING: Action.RECORD_PROCESSING,
	EventKind.PAYMENT_FAILED: Action.RECORD_FAILURE,
	EventKind.CHECKOUT_EXPIRED: Action.RECORD_EXPIRY,
	EventKind.REFUND_UPDATED: Action.SETTLE_REFUND,
	EventKind.DISPUTE_OPENED: Action.DISPUTE,
	EventKind.DISPUTE_CLOSED: Action.DISPUTE,
	EventKind.DISPUTE_FUNDS: Action.DISPUTE,
	EventKind.IGNORED: Action.SKIP,
}


def route(kind: EventKind | str | None) -> Action:
	try:
		return ROUTES.get(EventKind(kind), Action.SKIP)
	except ValueError:
		return Action.SKIP


class LinkState:
	"""Options of RevOps Payment Link.link_state (read by dunning and the aging report)."""

	NOT_SENT = "Not Sent"
	SENT = "Sent"
	VIEWED = "Viewed"
	PAYMENT_FAILED = "Payment Failed"
	DISPUTED = "Disputed"
	PAID = "Paid"
	ALL = (NOT_SENT, SENT, VIEWED, PAYMENT_FAILED, DISPUTED, PAID)


def link_state_after(
	current: str | None,
	*,
	paid: bool,
	disputed: bool,
	payment_failed: bool = False,
	payment_made: bool = False,
) -> str:
	"""The link_state once an event's facts are applied (see the module docstring)."""
	if disputed:
		return LinkState.DISPUTED
	if paid:
		return LinkState.PAID
	if payment_failed:
		return LinkState.PAYMENT_FAILED
	if payment_made or current in (LinkState.DISPUTED, LinkState.PAID):
		# Someone paid through the link (so it was seen), or a state that no longer holds is left.
		return LinkState.VIEWED
	return current if current in LinkState.ALL else LinkState.NOT_SENT
