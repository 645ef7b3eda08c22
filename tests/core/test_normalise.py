"""Event normalisation over fixture objects rewrapped in the Event envelope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from revops_app.core.gateway.webhooks import EventKind, GatewayEvent, WebhookRejected, normalise_event
from tests.core.stripe_events import (
	charge,
	checkout_session,
	dispute,
	fixture,
	payment_intent,
	refund,
	sample_events,
	wrap,
)

INVOICE = "ACC-SINV-2026-00001"
PI = "pi_1PgafyB7WZ01zgkWSjxsAJo3"


def norm(obj: dict, event_type: str) -> GatewayEvent:
	return normalise_event(wrap(obj, event_type, event_id="evt_norm_1", created=1700000123, livemode=False))


def test_checkout_completed_paid():
	event = norm(checkout_session(amount_total=12550), "checkout.session.completed")
	assert event.kind is EventKind.PAYMENT_SUCCEEDED
	assert (event.event_id, event.event_type, event.created, event.livemode) == (
		"evt_norm_1",
		"checkout.session.completed",
		1700000123,
		False,
	)
	assert event.sales_invoice == INVOICE and event.pay_link == "PL-0001"
	assert event.checkout_session.startswith("cs_test_")
	assert event.payment_intent == PI
	assert event.amount == Decimal("125.50") and event.currency == "USD"
	assert event.raw_object["object"] == "checkout.session"


def test_checkout_completed_unpaid_is_processing_and_no_payment_is_ignored():
	assert (
		norm(checkout_session(payment_status="unpaid"), "checkout.session.completed").kind
		is EventKind.PAYMENT_PROCESSING
	)
	assert (
		norm(checkout_session(payment_status="no_payment_required"), "checkout.session.completed").kind
		is EventKind.IGNORED
	)


@pytest.mark.parametrize(
	("event_type", "kind"),
	[
		("checkout.session.async_payment_succeeded", EventKind.PAYMENT_SUCCEEDED),
		("checkout.session.async_payment_failed", EventKind.PAYMENT_FAILED),
		("checkout.session.expired", EventKind.CHECKOUT_EXPIRED),
	],
)
def test_checkout_async_and_expired(event_type, kind):
	event = norm(checkout_session(), event_type)
	assert event.kind is kind
	assert event.sales_invoice == INVOICE


def test_zero_and_three_decimal_amounts():
	assert norm(
		checkout_session(amount_total=15000, currency="jpy"), "checkout.session.completed"
	).amount == Decimal("15000")
	kwd = norm(checkout_session(amount_total=5120, currency="kwd"), "checkout.session.completed")
	assert kwd.amount == Decimal("5.120") and kwd.currency == "KWD"


def test_adaptive_pricing_session_uses_the_source_currency():
	obj = checkout_session(amount_total=9999, currency="eur")
	obj["currency_conversion"] = {
		"amount_subtotal": 10000,
		"amount_total": 10000,
		"fx_rate": "0.9999",
		"source_currency": "usd",
	}
	event = norm(obj, "checkout.session.completed")
	assert (event.amount, event.currency) == (Decimal("100.00"), "USD")


def test_payment_intent_succeeded_with_expanded_charge():
	pi = payment_intent(
		amount=20000, amount_received=20000, latest_charge={"id": "ch_x", "balance_transaction": "txn_x"}
	)
	event = norm(pi, "payment_intent.succeeded")
	assert event.kind is EventKind.PAYMENT_SUCCEEDED
	assert (event.payment_intent, event.charge, event.balance_transaction) == (PI, "ch_x", "txn_x")
	assert event.amount == Decimal("200.00")
	assert event.sales_invoice == INVOICE  # from payment_intent_data.metadata


def test_payment_intent_failed_carries_the_message():
	pi = payment_intent(status="requires_payment_method", amount_received=0, latest_charge=None)
	pi["last_payment_error"] = {
		"type": "card_error",
		"code": "card_declined",
		"message": "Your card was declined.",
	}
	event = norm(pi, "payment_intent.payment_failed")
	assert event.kind is EventKind.PAYMENT_FAILED
	assert event.failure_message == "Your card was declined."
	assert event.amount == Decimal("125.50")
	assert event.charge is None


def test_charge_refunded_is_cumulative():
	obj = charge(
		amount=10000,
		amount_refunded=4000,
		refunds=[
			refund(refund_id="re_old", amount=1500, created=1),
			refund(refund_id="re_new", amount=2500, created=2),
		],
	)
	event = norm(obj, "charge.refunded")
	assert event.kind is EventKind.REFUND_UPDATED
	assert event.amount_refunded_total == Decimal("40.00") == event.amount
	assert event.original_amount == Decimal("100.00")
	assert (event.charge, event.payment_intent) == ("ch_1PgafuB7WZ01zgkWXYmPNZs8", PI)
	assert event.balance_transaction == "txn_1PgaxNB7WZ01zgkWEV3TLf40"
	assert (event.refund_id, event.refund_status) == ("re_new", "succeeded")
	assert event.sales_invoice is None  # charges carry no metadata of ours: the glue resolves via PI


def test_charge_refunded_without_expanded_refunds():
	obj = charge(amount=10000, amount_refunded=10000)
	del obj["refunds"]
	event = norm(obj, "charge.refunded")
	assert event.amount_refunded_total == Decimal("100.00")
	assert event.refund_id is None


def test_charge_refund_updated_refund_object():
	event = norm(refund(amount=2500, status="failed"), "charge.refund.updated")
	assert event.kind is EventKind.REFUND_UPDATED
	assert (event.refund_id, event.refund_status, event.amount) == (
		"re_1Pgc72B7WZ01zgkWqPvrRrPE",
		"failed",
		Decimal("25.00"),
	)
	assert event.amount_refunded_total is None
	assert event.charge == "ch_1PgafuB7WZ01zgkWXYmPNZs8"


@pytest.mark.parametrize(
	("event_type", "status", "kind"),
	[
		("charge.dispute.created", "needs_response", EventKind.DISPUTE_OPENED),
		("charge.dispute.closed", "lost", EventKind.DISPUTE_CLOSED),
		("charge.dispute.closed", "won", EventKind.DISPUTE_CLOSED),
		("charge.dispute.funds_withdrawn", "needs_response", EventKind.DISPUTE_FUNDS),
		("charge.dispute.funds_reinstated", "won", EventKind.DISPUTE_FUNDS),
		("charge.dispute.updated", "under_review", EventKind.DISPUTE_FUNDS),
	],
)
def test_disputes(event_type, status, kind):
	event = norm(dispute(status=status, amount=12550), event_type)
	assert event.kind is kind
	assert (event.dispute_id, event.dispute_status) == ("dp_1Pgc71B7WZ01zgkWMevJiAUx", status)
	assert (event.charge, event.payment_intent, event.amount) == (
		"ch_1PgafuB7WZ01zgkWXYmPNZs8",
		PI,
		Decimal("125.50"),
	)


def test_unknown_types_are_ignored():
	event = normalise_event(fixture("event"))  # the fixture itself: plan.created
	assert event.kind is EventKind.IGNORED
	assert event.event_type == "plan.created"
	assert norm(fixture("dispute"), "charge.dispute.evidence_sent").kind is EventKind.IGNORED
	assert norm(fixture("payout"), "payout.paid").kind is EventKind.IGNORED


def test_missing_metadata_is_still_normalised():
	event = norm(checkout_session(invoice=None, pay_link=None), "checkout.session.completed")
	assert event.kind is EventKind.PAYMENT_SUCCEEDED
	assert event.sales_invoice is None and event.pay_link is None
	obj = checkout_session()
	obj["metadata"] = None
	assert norm(obj, "checkout.session.completed").sales_invoice is None


@pytest.mark.parametrize(
	"mutate",
	[
		lambda e: e.pop("id"),
		lambda e: e.update(id=""),
		lambda e: e.pop("type"),
		lambda e: e.update(type=None),
		lambda e: e.pop("data"),
		lambda e: e.update(data={}),
		lambda e: e.update(data={"object": "cs_123"}),
	],
)
def test_malformed_envelopes(mutate):
	event = wrap(checkout_session(), "checkout.session.completed")
	mutate(event)
	with pytest.raises(WebhookRejected) as info:
		normalise_event(event)
	assert info.value.reason == "malformed_payload"


def test_object_of_the_wrong_kind_is_malformed():
	with pytest.raises(WebhookRejected) as info:
		norm(dispute(), "charge.refunded")
	assert info.value.reason == "malformed_payload"


def test_non_integer_amount_is_malformed():
	obj = checkout_session()
	obj["amount_total"] = "12550"
	with pytest.raises(WebhookRejected):
		norm(obj, "checkout.session.completed")


def test_every_sample_event_normalises():
	kinds = {normalise_event(event).kind for event in sample_events(24)}
	assert kinds == set(EventKind)
