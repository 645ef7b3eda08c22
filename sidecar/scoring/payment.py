"""The ERP tier's payment-behaviour signal: how the customer pays, in points with one explanation.

Reads the payment keys of the ERP signals record (revops_app.core.collections.payment_behaviour): average days to
pay, its trend (positive = paying slower), failed payments, broken promises to pay and disputes over the
record's window. Configured by `[erp.payment_behaviour]` in the model file; a model file without that table
gives this signal no points (the switch-off).

Points = prompt_payer_points when the average is at or under prompt_payer_days and nothing else is wrong,
else the sum of: points_per_day_slower x the trend (only when the trend reaches slower_threshold_days),
points_per_failed_payment x failed, points_per_broken_promise x broken, points_per_dispute x disputes;
never below `floor`.
"""

from __future__ import annotations

from sidecar.scoring.config_reader import _Reader
from sidecar.scoring.config_types import PaymentConfig
from sidecar.scoring.result import Contribution, _plural, round2
from sidecar.scoring.signals import LeadSignals

SIGNAL = "payment_behaviour"


OFF = PaymentConfig()


def parse_payment_config(erp: _Reader) -> PaymentConfig:
	"""[erp.payment_behaviour] (optional: absent = no points)."""
	table = erp.table(SIGNAL, required=False)
	if not table.data:
		return OFF
	config = PaymentConfig(
		slower_threshold_days=table.number("slower_threshold_days", lo=0),
		points_per_day_slower=table.number("points_per_day_slower", hi=0),
		points_per_failed_payment=table.number("points_per_failed_payment", hi=0),
		points_per_broken_promise=table.number("points_per_broken_promise", hi=0),
		points_per_dispute=table.number("points_per_dispute", hi=0),
		prompt_payer_days=table.number("prompt_payer_days", lo=0),
		prompt_payer_points=table.number("prompt_payer_points", lo=0),
		floor=table.number("floor", hi=0),
	)
	table.done()
	return config


def payment_contribution(s: LeadSignals, c: PaymentConfig) -> Contribution | None:
	"""The payment-behaviour contribution of one record, or None when it earns no points."""
	parts: list[str] = []
	points = 0.0
	trend = s.days_to_pay_trend
	if trend is not None and c.points_per_day_slower and trend >= max(c.slower_threshold_days, 0.01):
		points += trend * c.points_per_day_slower
		parts.append(f"paying {trend:g} days slower")
	for count, per, noun in (
		(s.failed_payment_count, c.points_per_failed_payment, "failed payment"),
		(s.broken_promise_count, c.points_per_broken_promise, "broken promise"),
		(s.dispute_count, c.points_per_dispute, "payment dispute"),
	):
		if count > 0 and per:
			points += count * per
			parts.append(_plural(count, noun))
	average = s.avg_days_to_pay
	if parts:
		points = round2(max(points, c.floor))
		if not points:
			return None
		lead = f"Pays in {average:g} days on average, " if average is not None else ""
		return Contribution("erp", SIGNAL, points, lead + ", ".join(parts))
	if average is not None and c.prompt_payer_points and average <= c.prompt_payer_days:
		return Contribution(
			"erp", SIGNAL, c.prompt_payer_points, f"Pays promptly ({average:g} days on average)"
		)
	return None
