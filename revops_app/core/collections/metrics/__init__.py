"""Receivables metrics for the collections reports: pure functions over plain rows.

Contract: every function here takes rows already aggregated by the database (dicts or the dataclasses of
these modules), returns plain dataclasses, uses `Decimal` for money and never imports frappe or erpnext. The
Script Reports in `revops_app/revenue_collections/report/` only fetch rows and render what these return,
so the numbers finance users see are the ones the hand-checked tests in `tests/core/test_metrics.py` pin.

Metrics
- Daily cash position: per day, opening balance of the cash accounts in scope, receipts by mode of
  payment, other ledger movements on those accounts, closing; optionally the Stripe clearing account's
  money in, paid out and still pending.
- DSO by month, two methods (see `dso_standard` and `dso_countback`).
- Aging buckets by days past due with configurable upper bounds.
- Collection funnel invoiced → link sent → link viewed → paid, with the invoices stuck at each stage;
  given the promised dates, unpaid promised invoices are listed in a Promised stage instead of stuck.
- Promised receivables in the aging (`promised_totals`).

Modules: `cash.py` (daily cash position), `dso_trend.py` (month figures, DSO methods), `aging.py` (buckets),
`link_status.py` (pay-link status), `funnel.py` (collection funnel) and `common.py` (row readers and
`Decimal` helpers they share). Every public name is importable from this package as well as from its module,
so the reports use `metrics.<name>`.
"""

from __future__ import annotations

from revops_app.core.collections.metrics.aging import (
	DEFAULT_AGING_LIMITS,
	NOT_DUE,
	AgingSummary,
	PromisedTotals,
	aging_bucket,
	aging_labels,
	aging_summary,
	days_overdue,
	promised_totals,
)
from revops_app.core.collections.metrics.cash import CashDay, daily_cash_position
from revops_app.core.collections.metrics.common import CENT, ZERO, to_date, to_date_checked, to_decimal
from revops_app.core.collections.metrics.dso_trend import (
	DSO_METHODS,
	DsoPoint,
	MonthFigures,
	dso,
	dso_countback,
	dso_standard,
	month_figures,
	month_sequence,
)
from revops_app.core.collections.metrics.funnel import (
	FUNNEL_STAGES,
	STAGE_INVOICED,
	STAGE_PAID,
	STAGE_PROMISED,
	STAGE_SENT,
	STAGE_VIEWED,
	FunnelInvoice,
	FunnelStage,
	LinkEngagement,
	collection_funnel,
	funnel_invoice,
	link_engagement,
)
from revops_app.core.collections.metrics.link_status import (
	LINK_DISPUTED,
	LINK_FAILED,
	LINK_NEVER_VIEWED,
	LINK_NOT_SENT,
	LINK_VIEWED,
	PAY_LINK_STATUSES,
	pay_link_status,
)
from revops_app.core.gateway.routing import LinkState

__all__ = [
	"CENT",
	"DEFAULT_AGING_LIMITS",
	"DSO_METHODS",
	"FUNNEL_STAGES",
	"LINK_DISPUTED",
	"LINK_FAILED",
	"LINK_NEVER_VIEWED",
	"LINK_NOT_SENT",
	"LINK_VIEWED",
	"NOT_DUE",
	"PAY_LINK_STATUSES",
	"STAGE_INVOICED",
	"STAGE_PAID",
	"STAGE_PROMISED",
	"STAGE_SENT",
	"STAGE_VIEWED",
	"ZERO",
	"AgingSummary",
	"CashDay",
	"DsoPoint",
	"FunnelInvoice",
	"FunnelStage",
	"LinkState",
	"MonthFigures",
	"PromisedTotals",
	"aging_bucket",
	"aging_labels",
	"aging_summary",
	"collection_funnel",
	"daily_cash_position",
	"days_overdue",
	"dso",
	"dso_countback",
	"dso_standard",
	"funnel_invoice",
	"month_figures",
	"month_sequence",
	"pay_link_status",
	"promised_totals",
	"to_date",
	"to_date_checked",
	"to_decimal",
]
