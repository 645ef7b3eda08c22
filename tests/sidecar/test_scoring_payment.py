"""The ERP tier's payment-behaviour signal (sidecar/scoring/payment.py) with the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from sidecar.scoring import build_signals, load_default_model
from sidecar.scoring.config import parse_model_config, tomllib
from sidecar.scoring.config_types import ModelConfigError
from tests.sidecar.test_scoring_model import AS_OF, erp_record, points

CONTACT = {"id": "9", "properties": {}}


def score(**erp):
	model = load_default_model()
	return model.score(build_signals(CONTACT, None, erp_record(**erp), AS_OF), AS_OF)


def explanation(result) -> str:
	return next(c.explanation for c in result.contributions if c.signal == "payment_behaviour")


def test_slower_payer_with_failures_loses_points_with_one_explanation():
	result = score(avg_days_to_pay=38.0, days_to_pay_trend=12.0, failed_payment_count=1, dispute_count=1)
	# 12 days slower x -0.5 = -6, one failed payment -2, one dispute -4
	assert points(result, "payment_behaviour") == -12.0
	assert (
		explanation(result)
		== "Pays in 38 days on average, paying 12 days slower, 1 failed payment, 1 payment dispute"
	)


def test_floor_threshold_and_prompt_payer():
	assert (
		points(score(failed_payment_count=9, broken_promise_count=3), "payment_behaviour") == -12.0
	)  # floor
	assert points(score(avg_days_to_pay=20.0, days_to_pay_trend=4.9), "payment_behaviour") is None  # noise
	assert points(score(broken_promise_count=2), "payment_behaviour") == -6.0
	prompt = score(avg_days_to_pay=9.0, days_to_pay_trend=-3.0)
	assert points(prompt, "payment_behaviour") == 2.0
	assert explanation(prompt) == "Pays promptly (9 days on average)"
	# a record from an app without the payment keys scores as before
	record = erp_record()
	assert "avg_days_to_pay" not in record
	assert points(score(), "payment_behaviour") is None


def test_model_without_the_table_switches_the_signal_off_and_bad_values_are_refused():
	from sidecar.scoring import DEFAULT_MODEL_FILE

	data = tomllib.loads(Path(DEFAULT_MODEL_FILE).read_text())
	del data["erp"]["payment_behaviour"]
	config = parse_model_config(data)
	assert config.payment.points_per_dispute == 0 and config.payment.prompt_payer_points == 0
	data = tomllib.loads(Path(DEFAULT_MODEL_FILE).read_text())
	data["erp"]["payment_behaviour"]["points_per_dispute"] = 3
	with pytest.raises(ModelConfigError, match=r"erp\.payment_behaviour\.points_per_dispute"):
		parse_model_config(data)
