"""Stripe events for tests and benchmarks, built from the vendored OpenAPI fixtures.

`fixtures3.json` holds one example object per Stripe resource; its `event` example is a plan.created
envelope, so events are made by rewrapping the other objects (checkout.session, payment_intent, charge,
refund, dispute) in a copy of that envelope. Signatures come from the stripe SDK's own helper
(`stripe.WebhookSignature.generate_signature_header`), never from code under test.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import stripe

FIXTURES = Path(__file__).resolve().parent.parent / "reference" / "stripe" / "fixtures3.json"
SECRET = "whsec_core_tests_primary"
OLD_SECRET = "whsec_core_tests_rotated_out"
API_VERSION = "2026-06-24.dahlia"


@cache
def _resources() -> dict:
	return json.loads(FIXTURES.read_text())["resources"]


def fixture(name: str) -> dict:
	"""A fresh deep copy of one fixture object (tests may mutate it)."""
	return copy.deepcopy(_resources()[name])


def wrap(
	obj: dict,
	event_type: str,
	*,
	event_id: str = "evt_test_1",
	created: int = 1700000000,
	livemode: bool = False,
) -> dict:
	"""Put a Stripe object in the fixture's Event envelope."""
	event = fixture("event")
	event.update(
		{
			"id": event_id,
			"type": event_type,
			"created": created,
			"livemode": livemode,
			"api_version": API_VERSION,
			"data": {"object": obj},
		}
	)
	return event


def encode(event: dict) -> bytes:
	"""Compact JSON bytes, as a raw request body."""
	return json.dumps(event, separators=(",", ":")).encode("utf-8")


def sign(payload: bytes, secret: str = SECRET, timestamp: int = 1700000000) -> str:
	"""Stripe-Signature header made by the stripe SDK's helper.

	`generate_signature_header` is in stripe 16; older releases the pin admits (>=12) only have the
	SDK's own `_compute_signature`, which the helper wraps, so fall back to that."""
	body = payload.decode("utf-8")
	helper = getattr(stripe.WebhookSignature, "generate_signature_header", None)
	if helper is not None:
		return helper(body, secret, timestamp=timestamp)
	signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body}", secret)
	return f"t={timestamp},v1={signature}"


def checkout_session(
	*,
	invoice: str | None = "ACC-SINV-2026-00001",
	pay_link: str | None = "PL-0001",
	amount_total: int = 12550,
	currency: str = "usd",
	payment_status: str = "paid",
	status: str = "complete",
	payment_intent: str = "pi_1PgafyB7WZ01zgkWSjxsAJo3",
) -> dict:
	obj = fixture("checkout.session")
	obj.pop("currency_conversion", None)
	metadata = {k: v for k, v in {"sales_invoice": invoice, "pay_link": pay_link}.items() if v}
	obj.update(
		{
			"amount_total": amount_total,
			"amount_subtotal": amount_total,
			"currency": currency,
			"payment_status": payment_status,
			"status": status,
			"payment_intent": payment_intent,
			"client_reference_id": invoice,
			"metadata": metadata,
		}
	)
	return obj


def payment_intent(
	*,
	invoice: str | None = "ACC-SINV-2026-00001",
	pay_link: str | None = "PL-0001",
	amount: int = 12550,
	amount_received: int | None = None,
	currency: str = "usd",
	status: str = "succeeded",
	latest_charge: str | dict | None = "ch_1PgafuB7WZ01zgkWXYmPNZs8",
) -> dict:
	obj = fixture("payment_intent")
	metadata = {k: v for k, v in {"sales_invoice": invoice, "pay_link": pay_link}.items() if v}
	obj.update(
		{
			"amount": amount,
			"amount_received": amount if amount_received is None else amount_received,
			"currency": currency,
			"status": status,
			"latest_charge": latest_charge,
			"metadata": metadata,
			"last_payment_error": None,
		}
	)
	return obj


def charge(
	*,
	amount: int = 12550,
	amount_refunded: int = 0,
	currency: str = "usd",
	payment_intent: str | None = "pi_1PgafyB7WZ01zgkWSjxsAJo3",
	refunds: list[dict] | None = None,
) -> dict:
	obj = fixture("charge")
	obj.update(
		{
			"amount": amount,
			"amount_captured": amount,
			"amount_refunded": amount_refunded,
			"refunded": amount_refunded >= amount,
			"captured": True,
			"currency": currency,
			"payment_intent": payment_intent,
		}
	)
	obj["refunds"]["data"] = refunds or []
	return obj


def refund(
	*,
	refund_id: str = "re_1Pgc72B7WZ01zgkWqPvrRrPE",
	amount: int = 2500,
	currency: str = "usd",
	status: str = "succeeded",
	created: int = 1700000100,
) -> dict:
	obj = fixture("refund")
	obj.update(
		{
			"id": refund_id,
			"amount": amount,
			"currency": currency,
			"status": status,
			"created": created,
			"payment_intent": "pi_1PgafyB7WZ01zgkWSjxsAJo3",
		}
	)
	return obj


def dispute(*, status: str = "needs_response", amount: int = 12550, currency: str = "usd") -> dict:
	obj = fixture("dispute")
	obj.update(
		{
			"status": status,
			"amount": amount,
			"currency": currency,
			"payment_intent": "pi_1PgafyB7WZ01zgkWSjxsAJo3",
		}
	)
	return obj


def sample_events(count: int) -> list[dict]:
	"""`count` events cycling over every handled type (and one unknown), with distinct ids."""
	makers = [
		lambda: ("checkout.session.completed", checkout_session()),
		lambda: ("checkout.session.completed", checkout_session(payment_status="unpaid")),
		lambda: ("checkout.session.async_payment_succeeded", checkout_session()),
		lambda: ("checkout.session.async_payment_failed", checkout_session(payment_status="unpaid")),
		lambda: ("checkout.session.expired", checkout_session(payment_status="unpaid", status="expired")),
		lambda: ("payment_intent.succeeded", payment_intent()),
		lambda: (
			"payment_intent.payment_failed",
			payment_intent(status="requires_payment_method", amount_received=0),
		),
		lambda: ("charge.refunded", charge(amount_refunded=2500, refunds=[refund()])),
		lambda: ("charge.refund.updated", refund()),
		lambda: ("charge.dispute.created", dispute()),
		lambda: ("charge.dispute.closed", dispute(status="won")),
		lambda: ("charge.dispute.funds_withdrawn", chargeback(status="needs_response")),
		lambda: ("plan.created", fixture("plan")),
	]
	events = []
	for index in range(count):
		event_type, obj = makers[index % len(makers)]()
		events.append(wrap(obj, event_type, event_id=f"evt_sample_{index:07d}"))
	return events


def dispute_balance_transaction(
	*,
	txn_id: str,
	amount: int,
	fee: int,
	currency: str = "usd",
	dispute_id: str = "dp_1Pgc71B7WZ01zgkWMevJiAUx",
	category: str | None = None,
	created: int = 1700000000,
) -> dict:
	"""A dispute's balance transaction (type adjustment): the fixture reshaped as Stripe reports a
	withdrawal (amount < 0, fee > 0, reporting_category dispute) or a reinstatement (amount > 0,
	fee 0 or < 0 when the fee is given back, reporting_category dispute_reversal)."""
	txn = fixture("balance_transaction")
	txn.update(
		{
			"id": txn_id,
			"amount": amount,
			"fee": fee,
			"net": amount - fee,
			"currency": currency,
			"type": "adjustment",
			"reporting_category": category or ("dispute" if amount < 0 else "dispute_reversal"),
			"source": dispute_id,
			"created": created,
			"description": "Chargeback withdrawal" if amount < 0 else "Chargeback reversal",
			"fee_details": (
				[{"amount": fee, "currency": currency, "description": "Dispute fee", "type": "stripe_fee"}]
				if fee > 0
				else []
			),
		}
	)
	return txn


def chargeback(
	*,
	status: str,
	amount: int = 7000,
	fee: int = 1500,
	reinstated: bool = False,
	fee_returned: bool = False,
	currency: str = "usd",
	dispute_id: str = "dp_1Pgc71B7WZ01zgkWMevJiAUx",
) -> dict:
	"""A card chargeback (not an inquiry): funds withdrawn at creation, reinstated when won."""
	obj = dispute(status=status, amount=amount, currency=currency)
	obj["id"] = dispute_id
	obj["payment_method_details"]["card"]["case_type"] = "chargeback"
	obj["is_charge_refundable"] = False
	txns = [
		dispute_balance_transaction(
			txn_id=f"txn_{dispute_id}_w", amount=-amount, fee=fee, currency=currency, dispute_id=dispute_id
		)
	]
	if reinstated:
		txns.append(
			dispute_balance_transaction(
				txn_id=f"txn_{dispute_id}_r",
				amount=amount,
				fee=-fee if fee_returned else 0,
				currency=currency,
				dispute_id=dispute_id,
				created=1700086400,
			)
		)
	obj["balance_transactions"] = txns
	return obj
