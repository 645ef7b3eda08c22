"""Posting dates from Stripe facts: time zones, fallbacks, frozen and closed periods (hand-worked).

Timestamps, worked by hand: 2026-01-01T00:00Z = 1767225600; 2026-10-31 is 303 days later
(31+28+31+30+31+30+31+31+30 = 273 days to Oct 1, + 30), so 2026-10-31T00:00Z = 1767225600 + 303 * 86400
= 1793404800 and:
  OCT31_2330Z = 1793404800 + 23.5 h (84600)  = 1793489400
  NOV01_0330Z = 1793404800 + 27.5 h (99000)  = 1793503800
  NOV01_0630Z = 1793404800 + 30.5 h (109800) = 1793514600
Asia/Kolkata is UTC+05:30 all year; America/New_York leaves daylight time (UTC-4 -> UTC-5) on
Sunday 2026-11-01 at 06:00 UTC.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from revops_app.core.collections.dispute_money import plan_dispute_money
from revops_app.core.gateway.disputes import parse_dispute
from revops_app.core.gateway.payments import parse_payment_intent
from revops_app.core.gateway.posting_dates import (
	SOURCE_EVENT,
	SOURCE_STRIPE,
	SOURCE_TODAY,
	ClosedPeriod,
	first_open_date,
	local_date,
	posting_date,
)
from revops_app.core.gateway.webhooks.events import normalise_event
from tests.core.stripe_events import (
	charge,
	chargeback,
	dispute_balance_transaction,
	fixture,
	payment_intent,
	refund,
	wrap,
)

OCT31_2330Z = 1793489400
NOV01_0330Z = 1793503800
NOV01_0630Z = 1793514600
TODAY = date(2026, 11, 30)


def test_the_hand_worked_timestamps():
	assert 1767225600 + 303 * 86400 + 84600 == OCT31_2330Z
	assert local_date(OCT31_2330Z, "UTC") == date(2026, 10, 31)


@pytest.mark.parametrize(
	("timestamp", "tz", "expected"),
	[
		(OCT31_2330Z, "UTC", date(2026, 10, 31)),
		(OCT31_2330Z, "Asia/Kolkata", date(2026, 11, 1)),  # 05:00 IST on Nov 1
		(OCT31_2330Z, "America/New_York", date(2026, 10, 31)),  # 19:30 EDT
		(NOV01_0330Z, "America/New_York", date(2026, 10, 31)),  # 23:30 EDT, still daylight time
		(NOV01_0630Z, "America/New_York", date(2026, 11, 1)),  # 01:30 EST, after the change
		(NOV01_0330Z, "Pacific/Kiritimati", date(2026, 11, 1)),  # UTC+14: 17:30
	],
)
def test_local_date_across_zone_boundaries(timestamp, tz, expected):
	assert local_date(timestamp, tz) == expected


@pytest.mark.parametrize("bad", [None, 0, -5, "1793489400", 1.5, True])
def test_no_usable_timestamp(bad):
	assert local_date(bad, "UTC") is None


def test_unknown_zone_is_a_clear_error():
	with pytest.raises(ValueError, match="unknown time zone"):
		local_date(OCT31_2330Z, "Mars/Olympus")


def test_stripe_time_wins_over_the_event_and_today():
	result = posting_date(money_ts=OCT31_2330Z, event_ts=NOV01_0630Z, today=TODAY, tz="Asia/Kolkata")
	assert (result.date, result.money_date, result.source) == (date(2026, 11, 1),) * 2 + (SOURCE_STRIPE,)
	assert not result.moved and result.remark == ""


def test_fallbacks_event_then_today():
	by_event = posting_date(money_ts=None, event_ts=OCT31_2330Z, today=TODAY, tz="UTC")
	assert (by_event.date, by_event.source) == (date(2026, 10, 31), SOURCE_EVENT)
	assert "event's time" in by_event.remark
	by_today = posting_date(money_ts=0, event_ts=None, today=TODAY, tz="UTC")
	assert (by_today.date, by_today.source) == (TODAY, SOURCE_TODAY)
	assert "no Stripe time" in by_today.remark


def test_a_future_stripe_date_posts_today():
	result = posting_date(money_ts=OCT31_2330Z, event_ts=None, today=date(2026, 10, 30), tz="UTC")
	assert result.date == date(2026, 10, 30) and result.clamped and "after today" in result.remark


def test_frozen_moves_to_the_day_after_the_freeze():
	result = posting_date(
		money_ts=OCT31_2330Z, event_ts=None, today=TODAY, tz="UTC", frozen_upto=date(2026, 10, 31)
	)
	# ERPNext refuses posting_date <= acc_frozen_upto: the freeze day itself is closed.
	assert (result.money_date, result.date) == (date(2026, 10, 31), date(2026, 11, 1))
	assert result.remark == (
		"Stripe moved the money on 2026-10-31, posted on 2026-11-01, the first open date, because accounts "
		"are frozen up to 2026-10-31 (Accounts Settings)"
	)
	# The same instant in Kolkata is already Nov 1: not frozen, not moved.
	kolkata = posting_date(
		money_ts=OCT31_2330Z, event_ts=None, today=TODAY, tz="Asia/Kolkata", frozen_upto=date(2026, 10, 31)
	)
	assert kolkata.date == date(2026, 11, 1) and not kolkata.moved


def test_closed_periods_chain_and_mix_with_the_freeze():
	oct_ = ClosedPeriod("Oct 2026", date(2026, 10, 1), date(2026, 10, 31))
	nov_a = ClosedPeriod("Nov 1-10", date(2026, 11, 1), date(2026, 11, 10))
	day, why = first_open_date(date(2026, 10, 15), frozen_upto=date(2026, 10, 20), closed=[nov_a, oct_])
	# Oct 15 frozen -> Oct 21 in Oct 2026 -> Nov 1 in Nov 1-10 -> Nov 11.
	assert day == date(2026, 11, 11)
	assert [w.split(" ")[:3] for w in why] == [
		["accounts", "are", "frozen"],
		["Accounting", "Period", "Oct"],
		["Accounting", "Period", "Nov"],
	]
	# a freeze past every closed period: one jump
	assert first_open_date(date(2026, 10, 15), frozen_upto=date(2026, 11, 11), closed=[nov_a, oct_])[0] == (
		date(2026, 11, 12)
	)
	assert first_open_date(date(2026, 9, 30), closed=[oct_]) == (date(2026, 9, 30), ())
	assert first_open_date(date(2026, 10, 31), closed=[oct_])[0] == date(2026, 11, 1)


def test_books_closed_by_a_period_closing_voucher():
	# frozen up to Oct 31: Oct 31 -> Nov 1; books closed (PCV) up to Nov 1, refused on or before it -> Nov 2
	result = posting_date(
		money_ts=OCT31_2330Z,
		event_ts=None,
		today=TODAY,
		tz="UTC",
		frozen_upto=date(2026, 10, 31),
		books_closed_upto=date(2026, 11, 1),
	)
	assert (result.money_date, result.date) == (date(2026, 10, 31), date(2026, 11, 2))
	assert result.moved_because == (
		"accounts are frozen up to 2026-10-31 (Accounts Settings)",
		"books are closed up to 2026-11-01 (Period Closing Voucher)",
	)
	assert first_open_date(date(2026, 11, 1), books_closed_upto=date(2026, 10, 31)) == (date(2026, 11, 1), ())


def test_payment_settlement_carries_when_the_money_moved():
	txn = fixture("balance_transaction")
	txn.update({"amount": 12550, "fee": 394, "net": 12156, "currency": "usd", "created": NOV01_0330Z})
	latest = charge()
	latest.update({"balance_transaction": txn, "created": OCT31_2330Z})
	settlement = parse_payment_intent(payment_intent(latest_charge=latest))
	assert (settlement.charge_created, settlement.balance_transaction_created) == (OCT31_2330Z, NOV01_0330Z)
	assert settlement.money_created == NOV01_0330Z
	txn.pop("created")
	assert parse_payment_intent(payment_intent(latest_charge=latest)).money_created == OCT31_2330Z
	assert parse_payment_intent(payment_intent(latest_charge="ch_x")).money_created is None


def test_refund_events_carry_the_refund_time():
	updated = normalise_event(wrap(refund(created=OCT31_2330Z), "charge.refund.updated", created=NOV01_0630Z))
	assert (updated.refund_created, updated.created) == (OCT31_2330Z, NOV01_0630Z)
	refunded = charge(
		amount_refunded=5000,
		refunds=[
			refund(refund_id="re_a", created=OCT31_2330Z),
			refund(refund_id="re_b", created=NOV01_0330Z),
		],
	)
	event = normalise_event(wrap(refunded, "charge.refunded", created=NOV01_0630Z))
	assert (event.refund_id, event.refund_created) == ("re_b", NOV01_0330Z)
	assert normalise_event(wrap(charge(amount_refunded=5000), "charge.refunded")).refund_created is None


def test_dispute_postings_carry_their_balance_transactions_time():
	obj = chargeback(status="won", reinstated=True)
	obj["balance_transactions"][0]["created"] = OCT31_2330Z
	facts = parse_dispute(obj)
	result = plan_dispute_money(
		dispute_id=facts.dispute_id, status=facts.status, movements=facts.movements, invoice_currency="USD"
	)
	withdrawal, reinstatement = result.postings
	assert (withdrawal.created, reinstatement.created) == (OCT31_2330Z, 1700086400)
	# two withdrawal transactions: the later one dates the phase
	obj["balance_transactions"].append(
		dispute_balance_transaction(txn_id="txn_extra", amount=-100, fee=0, created=NOV01_0630Z)
	)
	facts = parse_dispute(obj)
	(first, _) = plan_dispute_money(
		dispute_id=facts.dispute_id, status=facts.status, movements=facts.movements, invoice_currency="USD"
	).postings
	assert first.created == NOV01_0630Z and first.amount == Decimal("71.00")
