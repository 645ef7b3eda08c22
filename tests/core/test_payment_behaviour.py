"""Payment behaviour (revops_app.core.collections.payment_behaviour) and its use by churn risk (core.cx.health)."""

from datetime import date
from decimal import Decimal

from revops_app.core.collections import payment_behaviour as pb
from revops_app.core.cx.health import ChurnConfig, ChurnInputs, churn_risk

TODAY = date(2026, 11, 30)


def test_aggregates_from_the_database_become_a_rounded_behaviour_with_a_trend():
	row = {
		"paid_invoices": 6,
		"avg_days_to_pay": Decimal("31.3333"),
		"recent_avg_days_to_pay": Decimal("40.0"),
		"earlier_avg_days_to_pay": Decimal("22.6667"),
		"failed_payments": Decimal("2"),
	}
	behaviour = pb.from_aggregates(row)
	assert behaviour.avg_days_to_pay == 31.3 and behaviour.days_to_pay_trend == 17.3
	assert (behaviour.failed_payments, behaviour.broken_promises, behaviour.disputes) == (2, 0, 0)
	assert behaviour.paying_slower()
	record = pb.as_record(behaviour)
	assert tuple(record) == pb.RECORD_KEYS
	assert record["days_to_pay_trend"] == 17.3 and record["payment_window_days"] == 365


def test_trend_needs_both_halves_and_the_threshold():
	only_recent = pb.from_aggregates(
		{"paid_invoices": 1, "avg_days_to_pay": 50, "recent_avg_days_to_pay": 50}
	)
	assert only_recent.days_to_pay_trend is None and not only_recent.paying_slower()
	assert pb.concerns(only_recent) == []
	faster = pb.PaymentBehaviour(recent_avg_days_to_pay=10, earlier_avg_days_to_pay=30)
	assert faster.days_to_pay_trend == -20 and not faster.paying_slower()
	edge = pb.PaymentBehaviour(recent_avg_days_to_pay=25, earlier_avg_days_to_pay=20)
	assert (
		edge.paying_slower()
		and not pb.PaymentBehaviour(recent_avg_days_to_pay=24.9, earlier_avg_days_to_pay=20).paying_slower()
	)
	assert pb.as_record(pb.PaymentBehaviour())["avg_days_to_pay"] is None


def test_concerns_name_each_problem():
	behaviour = pb.PaymentBehaviour(
		recent_avg_days_to_pay=45,
		earlier_avg_days_to_pay=30,
		failed_payments=1,
		broken_promises=2,
		disputes=1,
	)
	assert pb.concerns(behaviour) == [
		"paying 15 days slower (30 -> 45 days to pay)",
		"1 failed payment(s)",
		"2 broken promise(s) to pay",
		"1 payment dispute(s)",
	]
	assert pb.concerns(None) == []


def test_churn_risk_counts_worse_payment_behaviour_as_a_coinciding_factor():
	slower = pb.PaymentBehaviour(recent_avg_days_to_pay=50, earlier_avg_days_to_pay=20, disputes=1)
	inputs = ChurnInputs(nps_scores=[9, 7, 4], contract_end_dates=[], payment=slower)
	result = churn_risk(inputs, ChurnConfig(), TODAY)
	assert result.at_risk
	assert result.reason == (
		"NPS fell 9 -> 7 -> 4; paying 30 days slower (20 -> 50 days to pay); 1 payment dispute(s)"
	)
	# switched off, or a steady payer: the fall alone is not a flag
	assert not churn_risk(inputs, ChurnConfig(payment_behaviour=False), TODAY).at_risk
	steady = ChurnInputs([9, 7, 4], [], payment=pb.PaymentBehaviour(avg_days_to_pay=12))
	assert not churn_risk(steady, ChurnConfig(), TODAY).at_risk
	# and worse payment without a falling NPS is a collections matter, not churn
	assert not churn_risk(ChurnInputs([4, 7, 9], [], payment=slower), ChurnConfig(), TODAY).at_risk
