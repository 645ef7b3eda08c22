"""Stripe webhook verification and event normalisation (framework-free).

The glue's endpoint calls `verify_event` on the raw body before it stores anything; the worker calls
`normalise_event` on the stored event. Modules, each headed by its contract:

- `signature.py`: `verify_event` (Stripe-Signature over the raw body, every configured secret, timestamp
  window on both sides, livemode), `livemode_of_key`, `DEFAULT_TOLERANCE`.
- `events.py`: `normalise_event` -> `GatewayEvent` (one flat, typed record for settlement), `EventKind`,
  `HANDLED_EVENT_TYPES`.
- `objects.py`: the fields each Stripe object type (Checkout Session, PaymentIntent, Charge, Refund,
  Dispute) contributes to a `GatewayEvent`.
- `errors.py`: `WebhookRejected`, the one refusal (a short stable `.reason`), raised by both.

Every public name is importable from this package as well as from its module. Secrets are never logged nor
put in exception messages.
"""

from __future__ import annotations

from revops_app.core.gateway.webhooks.errors import WebhookRejected
from revops_app.core.gateway.webhooks.events import (
	HANDLED_EVENT_TYPES,
	EventKind,
	GatewayEvent,
	normalise_event,
)
from revops_app.core.gateway.webhooks.signature import (
	DEFAULT_TOLERANCE,
	SIGNATURE_SCHEME,
	livemode_of_key,
	verify_event,
)

__all__ = [
	"DEFAULT_TOLERANCE",
	"HANDLED_EVENT_TYPES",
	"SIGNATURE_SCHEME",
	"EventKind",
	"GatewayEvent",
	"WebhookRejected",
	"livemode_of_key",
	"normalise_event",
	"verify_event",
]
