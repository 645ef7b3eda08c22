"""Stripe webhook endpoint: POST /api/method/revops_app.api.webhooks.stripe (guest, signature first).

Contract:
- Reads the raw body (`frappe.request.get_data()`) and `Stripe-Signature`, and verifies them with
  every enabled signing secret (Password fields, decrypted per request, never logged) inside the
  tolerance from RevOps Settings, and refuses an event whose livemode differs from the Secret Key's
  mode (sk_live_ / sk_test_). A refused delivery answers 400 with the reason and writes nothing.
- A verified event is stored once in RevOps Integration Log with idempotency_key = Stripe event id;
  the unique index makes concurrent deliveries of one event a single row: the loser's insert fails
  and it answers 200 "duplicate" (Stripe stops retrying). The worker is enqueued after commit.
- Answers fast: no Stripe API call and no ledger work happens in the request.
- Stripe disabled in RevOps Settings -> 503 (Stripe retries later), nothing written.
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
import json

from werkzeug.wrappers import Response

import frappe
from frappe.rate_limiter import rate_limit
from frappe.utils import cint

from revops_app.core.gateway.webhooks import (
	DEFAULT_TOLERANCE,
	WebhookRejected,
	livemode_of_key,
	verify_event,
)
from revops_app.revenue_collections.constants import WEBHOOK_RATE_LIMIT, WEBHOOK_RATE_WINDOW_SECONDS
from revops_app.revenue_collections.settlement.intake import accept_event
from revops_app.revops.settings import (
	get_settings,
	get_stripe_secret_key,
	get_webhook_secrets,
)


def _reply(status: int, body: dict) -> Response:
	return Response(json.dumps(body), status=status, mimetype="application/json")


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=WEBHOOK_RATE_LIMIT, seconds=WEBHOOK_RATE_WINDOW_SECONDS)
def stripe() -> Response:
	settings = get_settings()
	if not (settings.enabled and settings.stripe_enabled):
		return _reply(503, {"error": "stripe_disabled", "message": "Stripe is not enabled on this site"})

	payload = frappe.request.get_data(cache=True)
	tolerance = cint(settings.webhook_tolerance_seconds) or DEFAULT_TOLERANCE
	try:
		event = verify_event(
			payload,
			frappe.get_request_header("Stripe-Signature"),
			get_webhook_secrets(),
			tolerance=tolerance,
			# A test-mode event on a live site (or the reverse) is refused: it could still mark a pay
			# link failed or expired, although its payment can never be posted.
			expect_livemode=livemode_of_key(get_stripe_secret_key()),
		)
	except WebhookRejected as rejected:
		return _reply(400, {"error": rejected.reason, "message": rejected.message})

	log_name = accept_event(event, payload)
	if log_name is None:
		# Another delivery of this event id committed first (or is committing): one row, one worker.
		return _reply(200, {"status": "duplicate", "event": event["id"]})
	return _reply(200, {"status": "queued", "event": event["id"], "log": log_name})
