"""Collection funnel invoiced -> link sent -> link viewed -> paid, with the invoices stuck at each stage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from revops_app.core.collections.metrics.common import ZERO, round_cents, to_date, to_decimal, value_of
from revops_app.core.collections.metrics.link_status import LINK_NOT_SENT, pay_link_status
from revops_app.core.gateway.routing import LinkState

STAGE_INVOICED = "Invoiced"
STAGE_SENT = "Link Sent"
STAGE_VIEWED = "Link Viewed"
STAGE_PAID = "Paid"
FUNNEL_STAGES = (STAGE_INVOICED, STAGE_SENT, STAGE_VIEWED, STAGE_PAID)


@dataclass(frozen=True)
class FunnelInvoice:
	invoice: str
	customer: str
	amount: Decimal
	outstanding: Decimal
	link_sent: bool
	link_viewed: bool
	due_date: date | None = None
	link_status: str = LINK_NOT_SENT

	@property
	def paid(self) -> bool:
		return self.outstanding <= 0

	@property
	def stage_index(self) -> int:
		"""The furthest stage reached. Paid off-link (bank transfer) still counts as Paid, and a view implies
		the link reached the customer, so the funnel never widens."""
		if self.paid:
			return 3
		if self.link_viewed:
			return 2
		if self.link_sent:
			return 1
		return 0


@dataclass(frozen=True)
class FunnelStage:
	stage: str
	count: int
	amount: Decimal
	# Share of the previous stage's count that got this far (None for the first stage or an empty one).
	conversion: Decimal | None
	# Invoices that reached this stage and no further, still unpaid (empty for Paid).
	stuck: list[FunnelInvoice] = field(default_factory=list)

	@property
	def stuck_outstanding(self) -> Decimal:
		return sum((i.outstanding for i in self.stuck), ZERO)


def funnel_invoice(row: Any) -> FunnelInvoice:
	"""A FunnelInvoice from a row {invoice, customer, amount, outstanding, sent_at, view_count, link_state,
	disputed, due_date}; link fields may be None when the invoice has no pay link."""
	link_state = value_of(row, "link_state")
	view_count = int(value_of(row, "view_count") or 0)
	viewed = view_count > 0 or link_state in (LinkState.VIEWED, LinkState.PAID)
	sent = (
		viewed
		or bool(value_of(row, "sent_at"))
		or link_state in (LinkState.SENT, LinkState.PAYMENT_FAILED, LinkState.DISPUTED)
	)
	due = value_of(row, "due_date")
	return FunnelInvoice(
		invoice=value_of(row, "invoice"),
		customer=value_of(row, "customer") or "",
		amount=to_decimal(value_of(row, "amount")),
		outstanding=to_decimal(value_of(row, "outstanding")),
		link_sent=sent,
		link_viewed=viewed,
		due_date=to_date(due) if due else None,
		link_status=pay_link_status(
			link_state, value_of(row, "disputed"), view_count, value_of(row, "sent_at")
		),
	)


def collection_funnel(invoices: Iterable[Any]) -> list[FunnelStage]:
	"""Funnel counts and amounts (invoice totals) of invoices that reached at least each stage, with the
	invoices stuck at each stage, largest outstanding first."""
	items = [i if isinstance(i, FunnelInvoice) else funnel_invoice(i) for i in invoices]
	stages = []
	previous_count: int | None = None
	for index, name in enumerate(FUNNEL_STAGES):
		reached = [i for i in items if i.stage_index >= index]
		count = len(reached)
		conversion = None
		if previous_count:
			conversion = round_cents(Decimal(count) * 100 / Decimal(previous_count))
		stuck = []
		if index < len(FUNNEL_STAGES) - 1:
			stuck = sorted(
				(i for i in reached if i.stage_index == index), key=lambda i: (-i.outstanding, i.invoice)
			)
		stages.append(FunnelStage(name, count, sum((i.amount for i in reached), ZERO), conversion, stuck))
		previous_count = count
	return stages
