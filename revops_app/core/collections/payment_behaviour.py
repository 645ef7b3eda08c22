"""How a customer pays: days to pay (average and trend), failed payments, broken promises and disputes.

Contract: pure functions over plain values; never imports frappe or erpnext. The glue
(`revops_app.revops.signals.payment_behaviour`) computes the aggregates per customer in the database and
hands them here; the signals feed publishes `as_record`, churn risk (`core.cx.health`) reads `concerns`, and
the sidecar's ERP tier scores the same record keys.

Definitions (over a window of `window_days`, default 365, ending today)
- days to pay: for each invoice fully paid in the window, its last payment's date minus the invoice's posting
  date (never below 0). `avg_days_to_pay` is their mean; `recent_avg_days_to_pay` and `earlier_avg_days_to_pay`
  are the means over the newer and older half of the window; `days_to_pay_trend` = recent - earlier (positive =
  paying slower), None unless both halves have a paid invoice.
- failed_payments: invoices whose pay link recorded a failed payment in the window.
- broken_promises: promises to pay (RevOps Payment Promise, or the collector's dunning pause on the
  Customer) whose date fell in the window with an invoice still unpaid.
- disputes: invoices posted in the window whose payment was disputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_WINDOW_DAYS = 365
# A trend smaller than this many days is noise (a weekend, a bank holiday), not a change in behaviour.
SLOWER_THRESHOLD_DAYS = 5.0

# The keys the signals record carries (SIDECAR_CONTRACT.md): key -> meaning.
RECORD_KEYS = (
	"payment_window_days",
	"paid_invoice_count",
	"avg_days_to_pay",
	"days_to_pay_trend",
	"failed_payment_count",
	"broken_promise_count",
	"dispute_count",
)


@dataclass(frozen=True, slots=True)
class PaymentBehaviour:
	window_days: int = DEFAULT_WINDOW_DAYS
	paid_invoices: int = 0
	avg_days_to_pay: float | None = None
	recent_avg_days_to_pay: float | None = None
	earlier_avg_days_to_pay: float | None = None
	failed_payments: int = 0
	broken_promises: int = 0
	disputes: int = 0

	@property
	def days_to_pay_trend(self) -> float | None:
		if self.recent_avg_days_to_pay is None or self.earlier_avg_days_to_pay is None:
			return None
		return round(self.recent_avg_days_to_pay - self.earlier_avg_days_to_pay, 1)

	def paying_slower(self, threshold_days: float = SLOWER_THRESHOLD_DAYS) -> bool:
		trend = self.days_to_pay_trend
		return trend is not None and trend >= threshold_days


def _float(value: object) -> float | None:
	if value is None or value == "":
		return None
	return round(float(value), 1)  # type: ignore[arg-type]


def _count(value: object) -> int:
	return int(float(value or 0))  # type: ignore[arg-type]


def from_aggregates(row: Mapping, window_days: int = DEFAULT_WINDOW_DAYS) -> PaymentBehaviour:
	"""A PaymentBehaviour from one aggregate row (any mapping; missing keys = nothing recorded)."""
	return PaymentBehaviour(
		window_days=window_days,
		paid_invoices=_count(row.get("paid_invoices")),
		avg_days_to_pay=_float(row.get("avg_days_to_pay")),
		recent_avg_days_to_pay=_float(row.get("recent_avg_days_to_pay")),
		earlier_avg_days_to_pay=_float(row.get("earlier_avg_days_to_pay")),
		failed_payments=_count(row.get("failed_payments")),
		broken_promises=_count(row.get("broken_promises")),
		disputes=_count(row.get("disputes")),
	)


def as_record(behaviour: PaymentBehaviour) -> dict[str, object]:
	"""The record keys published by the signals feed (see RECORD_KEYS)."""
	return {
		"payment_window_days": behaviour.window_days,
		"paid_invoice_count": behaviour.paid_invoices,
		"avg_days_to_pay": behaviour.avg_days_to_pay,
		"days_to_pay_trend": behaviour.days_to_pay_trend,
		"failed_payment_count": behaviour.failed_payments,
		"broken_promise_count": behaviour.broken_promises,
		"dispute_count": behaviour.disputes,
	}


def concerns(behaviour: PaymentBehaviour | None) -> list[str]:
	"""What in the payment behaviour is worrying, as short phrases (empty = nothing)."""
	if behaviour is None:
		return []
	found = []
	if behaviour.paying_slower():
		found.append(
			f"paying {behaviour.days_to_pay_trend:g} days slower"
			f" ({behaviour.earlier_avg_days_to_pay:g} -> {behaviour.recent_avg_days_to_pay:g} days to pay)"
		)
	if behaviour.failed_payments:
		found.append(f"{behaviour.failed_payments} failed payment(s)")
	if behaviour.broken_promises:
		found.append(f"{behaviour.broken_promises} broken promise(s) to pay")
	if behaviour.disputes:
		found.append(f"{behaviour.disputes} payment dispute(s)")
	return found
