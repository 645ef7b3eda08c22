"""Stripe event normalisation (framework-free).

Contract:
- `normalise_event(event) -> GatewayEvent`: one flat, typed record for the settlement code whatever
  the Stripe object was. It never calls Stripe and never raises for missing metadata (fields are
  None and the glue decides); it raises `WebhookRejected("malformed_payload")` only when the
  envelope lacks id/type/data.object. Unknown types become `EventKind.IGNORED`.
- `HANDLED_EVENT_TYPES`: the event types `normalise_event` maps to a kind; any other type is IGNORED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from revops_app.core.gateway.webhooks.errors import WebhookRejected
from revops_app.core.gateway.webhooks.objects import EXTRACTORS, metadata_of, object_kind, str_or_none


class EventKind(str, Enum):
	PAYMENT_SUCCEEDED = "payment_succeeded"
	PAYMENT_PROCESSING = "payment_processing"
	PAYMENT_FAILED = "payment_failed"
	CHECKOUT_EXPIRED = "checkout_expired"
	REFUND_UPDATED = "refund_updated"
	DISPUTE_OPENED = "dispute_opened"
	DISPUTE_CLOSED = "dispute_closed"
	DISPUTE_FUNDS = "dispute_funds"  # charge.dispute.funds_withdrawn / funds_reinstated / updated
	IGNORED = "ignored"


@dataclass(frozen=True)
class GatewayEvent:
	"""A Stripe event reduced to what settlement needs. Amounts are major-unit Decimals.

	`amount` is the amount paid (payments), refunded (refund objects; cumulative for charge.refunded)
	or disputed. For a charge, `amount_refunded_total` is the cumulative refunded amount (current
	state, so out-of-order deliveries converge). `original_amount` is the charge/PaymentIntent amount
	behind a refund or dispute, when the object carries it.
	"""

	event_id: str
	event_type: str
	kind: EventKind
	created: int
	livemode: bool
	sales_invoice: str | None = None
	pay_link: str | None = None
	checkout_session: str | None = None
	payment_intent: str | None = None
	charge: str | None = None
	balance_transaction: str | None = None
	amount: Decimal | None = None
	currency: str | None = None
	amount_refunded_total: Decimal | None = None
	refund_id: str | None = None
	refund_status: str | None = None
	dispute_id: str | None = None
	dispute_status: str | None = None
	failure_message: str | None = None
	raw_object: dict = field(default_factory=dict, compare=False, repr=False)
	# Additions beyond the agreed interface (optional, defaulted):
	object_status: str | None = None  # status / payment_status of the Stripe object, for the log
	original_amount: Decimal | None = None
	refund_created: int | None = None  # the refund's `created` (latest refund on a charge), Unix seconds
	customer_page: str | None = None  # a customer page payment (metadata customer_page): several invoices


# event type -> kind, for types whose kind does not depend on the object's state.
_STATIC_KINDS = {
	"checkout.session.async_payment_succeeded": EventKind.PAYMENT_SUCCEEDED,
	"checkout.session.async_payment_failed": EventKind.PAYMENT_FAILED,
	"checkout.session.expired": EventKind.CHECKOUT_EXPIRED,
	"payment_intent.succeeded": EventKind.PAYMENT_SUCCEEDED,
	"payment_intent.processing": EventKind.PAYMENT_PROCESSING,
	"payment_intent.payment_failed": EventKind.PAYMENT_FAILED,
	"charge.refunded": EventKind.REFUND_UPDATED,
	"charge.refund.updated": EventKind.REFUND_UPDATED,
	"charge.dispute.created": EventKind.DISPUTE_OPENED,
	"charge.dispute.closed": EventKind.DISPUTE_CLOSED,
	# Same dispute object; handled like the others (the worker reads the balance transactions), so a
	# withdrawal or reinstatement Stripe records after `created`/`closed` is still posted.
	"charge.dispute.updated": EventKind.DISPUTE_FUNDS,
	"charge.dispute.funds_withdrawn": EventKind.DISPUTE_FUNDS,
	"charge.dispute.funds_reinstated": EventKind.DISPUTE_FUNDS,
}
HANDLED_EVENT_TYPES = ("checkout.session.completed", *_STATIC_KINDS)


def normalise_event(event: dict) -> GatewayEvent:
	"""Reduce a verified Stripe event dict to a `GatewayEvent` (see the module docstring)."""
	if not isinstance(event, Mapping):
		raise WebhookRejected("malformed_payload", "event is not an object")
	event_id, event_type = event.get("id"), event.get("type")
	data = event.get("data")
	obj = data.get("object") if isinstance(data, Mapping) else None
	if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str) or not event_type:
		raise WebhookRejected("malformed_payload", "event has no id or type")
	if not isinstance(obj, Mapping):
		raise WebhookRejected("malformed_payload", f"event {event_id} has no data.object")
	created = event.get("created")
	if isinstance(created, bool) or not isinstance(created, int):
		created = 0

	base = {
		"event_id": event_id,
		"event_type": event_type,
		"created": created,
		"livemode": bool(event.get("livemode")),
		"raw_object": dict(obj),
	}
	kind = _STATIC_KINDS.get(event_type)
	if event_type == "checkout.session.completed":
		# paid: money is in; unpaid: a delayed method (bank debit...) will send async_payment_*.
		status = obj.get("payment_status")
		kind = {"paid": EventKind.PAYMENT_SUCCEEDED, "unpaid": EventKind.PAYMENT_PROCESSING}.get(
			status, EventKind.IGNORED
		)
	if kind is None:
		return GatewayEvent(kind=EventKind.IGNORED, **base)

	object_name = object_kind(event_type)
	actual = obj.get("object")
	if actual is not None and actual != object_name:
		raise WebhookRejected(
			"malformed_payload", f"{event_type} carries a {actual!r} object, expected {object_name!r}"
		)
	fields = EXTRACTORS[object_name](obj)
	meta = metadata_of(obj)
	return GatewayEvent(
		kind=kind,
		sales_invoice=str_or_none(meta.get("sales_invoice")),
		pay_link=str_or_none(meta.get("pay_link")),
		customer_page=str_or_none(meta.get("customer_page")),
		**base,
		**fields,
	)
