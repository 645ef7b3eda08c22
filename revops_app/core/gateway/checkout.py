"""Stripe Checkout Session requests for one invoice (framework-free).

Contract:
- `build_checkout_session(invoice, *, success_url, cancel_url, attempt, now=None)` returns
  `(params, idempotency_key)`: the parameters for `StripeClient.v1.checkout.sessions.create` for the
  invoice's *current* outstanding amount (the caller computes it on the server, never from the
  request) and the idempotency key. Pure: no network, no clock unless `now` is omitted.
- `create_checkout_session(api_key, params, idempotency_key, *, api_base=None, timeout=20)` sends it
  with the real stripe SDK through a per-call `StripeClient` (never the global `stripe.api_key`, so
  two sites or two requests never share credentials), with the SDK's own retries
  (`max_network_retries=2`, same idempotency key on every try) and returns
  `{"id", "url", "payment_intent", "expires_at"}`. Failures raise `GatewayError` whose message never
  contains the API key.

Idempotency key `revops-{invoice}-{minor_amount}-{currency}-{attempt}`:
- a retry of the same attempt (SDK network retry, a worker re-run after a crash between Stripe's
  answer and our save) sends the same key and gets the *same* session back instead of a second one;
- a changed outstanding amount (a partial payment posted meanwhile) changes the key, so the customer
  is never sent to a session for a stale amount;
- a new press of Pay is a new attempt (the glue increments `checkout_attempts`), hence a new session,
  as sessions expire and cannot be reopened. The glue only creates one after `sessions.prepare_checkout`
  has reused, expired or ruled out the link's previous session, so two can never be open at once.
Stripe refuses a reused key with *different* parameters, so every parameter is a pure function of the
key's inputs: `expires_at` is derived from the start of the current hour (23 h after it), which keeps
it 22-23 h ahead (inside Stripe's 30 min-24 h window) and identical for retries within the hour.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import stripe

from revops_app.core.gateway.client import (
	DEFAULT_TIMEOUT,
	GatewayError,
	as_mapping,
	gateway_error,
	stripe_client,
	v1_services,
)
from revops_app.core.gateway.money import normalise_currency, to_decimal, to_minor_units

__all__ = [
	"GatewayError",
	"InvoiceForCheckout",
	"build_checkout_session",
	"check_press",
	"create_checkout_session",
	"expiry_for",
	"idempotency_key",
	"session_params",
]

# Stripe allows expires_at 30 minutes to 24 hours after creation.
MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 3600
EXPIRY_AFTER_HOUR_START = 23 * 3600


@dataclass(frozen=True)
class InvoiceForCheckout:
	"""What the pay page knows about an invoice; amounts are in the invoice currency (major units)."""

	name: str
	customer_name: str
	currency: str
	outstanding_amount: Decimal
	due_date: date | None
	company: str
	pay_link: str
	customer_email: str | None = None


def idempotency_key(invoice_name: str, minor_amount: int, currency: str, attempt: int) -> str:
	"""The key shape documented in the module docstring."""
	return f"revops-{invoice_name}-{minor_amount}-{normalise_currency(currency)}-{attempt}"


def expiry_for(now: float) -> int:
	"""expires_at: 23 h after the start of the current hour (22-23 h from now, stable within the hour)."""
	hour_start = int(now) - int(now) % 3600
	return hour_start + EXPIRY_AFTER_HOUR_START


def check_press(attempt: int, success_url: str, cancel_url: str) -> None:
	"""A press's attempt number is a positive integer and both return URLs are absolute http(s)."""
	if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
		raise ValueError(f"attempt must be a positive integer, got {attempt!r}")
	for label, url in (("success_url", success_url), ("cancel_url", cancel_url)):
		if not isinstance(url, str) or not url.startswith(("https://", "http://")):
			raise ValueError(f"{label} must be an absolute http(s) URL, got {url!r}")


def session_params(
	line_items: list[dict],
	*,
	reference: str,
	metadata: dict[str, str],
	description: str,
	success_url: str,
	cancel_url: str,
	now: float | None,
	customer_email: str | None,
) -> dict[str, Any]:
	"""The Checkout Session parameters every press sends (one invoice or a customer page): `reference` as
	client_reference_id, `metadata` on the session and its PaymentIntent (whose events must carry it back
	too), expiry from `expiry_for`, and the customer's email when known."""
	params: dict[str, Any] = {
		"mode": "payment",
		"line_items": line_items,
		"client_reference_id": reference,
		"metadata": dict(metadata),
		"payment_intent_data": {"metadata": dict(metadata), "description": description},
		"success_url": success_url,
		"cancel_url": cancel_url,
		"expires_at": expiry_for(time.time() if now is None else now),
		"submit_type": "pay",
		# Charge in the invoice's own currency: with Adaptive Pricing the customer could pay in a
		# converted currency and the ledger would need an exchange-rate leg nobody asked for.
		"adaptive_pricing": {"enabled": False},
	}
	if customer_email:
		params["customer_email"] = customer_email
	return params


def build_checkout_session(
	invoice: InvoiceForCheckout,
	*,
	success_url: str,
	cancel_url: str,
	attempt: int,
	now: float | None = None,
) -> tuple[dict, str]:
	"""Checkout Session parameters and idempotency key for the invoice's outstanding amount."""
	if not invoice.name:
		raise ValueError("invoice name is required")
	if not invoice.pay_link:
		raise ValueError(f"invoice {invoice.name}: pay link name is required")
	check_press(attempt, success_url, cancel_url)
	currency = normalise_currency(invoice.currency)
	try:
		outstanding = to_decimal(invoice.outstanding_amount)
	except ValueError:
		outstanding = None
	if outstanding is None or outstanding <= 0:
		raise ValueError(
			f"invoice {invoice.name} has nothing to pay (outstanding {invoice.outstanding_amount} {currency})"
		)
	minor = to_minor_units(outstanding, currency)
	if minor <= 0:
		raise ValueError(
			f"invoice {invoice.name}: outstanding {outstanding} {currency} is below the smallest amount Stripe can charge"
		)

	metadata = {"sales_invoice": invoice.name, "pay_link": invoice.pay_link}
	product_data: dict[str, str] = {"name": f"Invoice {invoice.name}"}
	# Shown under the line on Stripe's page, so the customer sees whose invoice and when it is due.
	description = ", ".join(
		part
		for part in (
			(invoice.customer_name or "").strip(),
			f"due {invoice.due_date.isoformat()}" if invoice.due_date else "",
		)
		if part
	)
	if description:
		product_data["description"] = description
	params = session_params(
		[
			{
				"quantity": 1,
				"price_data": {
					"currency": currency.lower(),
					"unit_amount": minor,
					"product_data": product_data,
				},
			}
		],
		reference=invoice.name,
		metadata=metadata,
		description=f"Invoice {invoice.name}",
		success_url=success_url,
		cancel_url=cancel_url,
		now=now,
		customer_email=invoice.customer_email,
	)
	return params, idempotency_key(invoice.name, minor, currency, attempt)


def create_checkout_session(
	api_key: str,
	params: dict,
	idempotency_key: str,
	*,
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
) -> dict:
	"""Create the Checkout Session with the stripe SDK; returns id, url, payment_intent, expires_at."""
	if not idempotency_key:
		raise ValueError("an idempotency key is required: a retried request must not create a second session")
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		session = v1_services(client).checkout.sessions.create(
			params=params, options={"idempotency_key": idempotency_key}
		)
	except stripe.StripeError as error:
		raise gateway_error("Checkout Session create", error) from error
	data = as_mapping(session)
	payment_intent = data.get("payment_intent")
	if isinstance(payment_intent, dict):
		payment_intent = payment_intent.get("id")
	if not data.get("id") or not data.get("url"):
		raise GatewayError("Stripe answered without a Checkout Session id or url", retryable=False)
	return {
		"id": data["id"],
		"url": data["url"],
		"payment_intent": payment_intent,
		"expires_at": data.get("expires_at"),
	}
