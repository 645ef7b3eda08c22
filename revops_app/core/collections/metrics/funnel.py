"""Collection funnel invoiced -> link sent -> link viewed -> paid, with the invoices stuck at each stage.

Promised invoices (`collection_funnel(..., promised=...)`): an unpaid invoice under an Open promise to pay
(invoice -> promised date, as `revops_app.core.collections.promises.promised_until` gives it) is not stuck:
the customer named a date. It still counts at every stage it reached (the four stage counts, amounts and
conversions do not change), leaves its stage's stuck list and is listed in a fifth stage, Promised, after
Paid: its count and invoice totals are the unpaid promised invoices, soonest promised date first. Without
`promised` the funnel has the four stages only, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from revops_app.core.collections.metrics.common import ZERO, round_cents, to_date, to_decimal, value_of
from revops_app.core.collections.metrics.link_status import LINK_NOT_SENT, pay_link_status
from revops_app.core.gateway.routing import LinkState

STAGE_INVOICED = "Invoiced"
STAGE_SENT = "Link Sent"
STAGE_VIEWED = "Link Viewed"
STAGE_PAID = "Paid"
FUNNEL_STAGES = (STAGE_INVOICED, STAGE_SENT, STAGE_VIEWED, STAGE_PAID)
# Not a step of the chain: unpaid invoices under an Open promise, listed after Paid when promises are given.
STAGE_PROMISED = "Promised"


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
	# The date of the Open promise to pay covering it (None: not promised, or promises not looked at).
	promised_until: date | None = None

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
	# Invoices that reached this stage and no further, still unpaid (empty for Paid); promised ones are
	# listed in the Promised stage instead when promises are given (its own stuck list).
	stuck: list[FunnelInvoice] = field(default_factory=list)

	@property
	def stuck_outstanding(self) -> Decimal:
		return sum((i.outstanding for i in self.stuck), ZERO)


def funnel_invoice(row: Any, promised_until: date | None = None) -> FunnelInvoice:
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
		promised_until=promised_until,
	)


def collection_funnel(
	invoices: Iterable[Any], promised: Mapping[str, date] | None = None
) -> list[FunnelStage]:
	"""Funnel counts and amounts (invoice totals) of invoices that reached at least each stage, with the
	invoices stuck at each stage, largest outstanding first; with `promised` (invoice -> promised date),
	the Promised stage last (see the module docstring).

	One pass: each row's furthest stage is worked out from its fields (the rule of `funnel_invoice` and
	`FunnelInvoice.stage_index`), counts and amounts are kept per furthest stage and summed from the top, and
	a `FunnelInvoice` is built only for the unpaid rows that go into a stuck list."""
	counts = [0, 0, 0, 0]
	amounts = [ZERO, ZERO, ZERO, ZERO]
	stuck: tuple[list[FunnelInvoice], ...] = ([], [], [])
	promised_items: list[FunnelInvoice] = []
	for row in invoices:
		if isinstance(row, FunnelInvoice):
			index, amount, item = row.stage_index, row.amount, row
			if promised is not None and index < 3 and item.promised_until != promised.get(item.invoice):
				item = replace(item, promised_until=promised.get(item.invoice))
		else:
			item = None
			get = row.get if isinstance(row, dict) else partial(value_of, row)
			amount, outstanding = get("amount"), get("outstanding")
			amount = amount if type(amount) is Decimal else to_decimal(amount)
			outstanding = outstanding if type(outstanding) is Decimal else to_decimal(outstanding)
			link_state, sent_at = get("link_state"), get("sent_at")
			view_count = get("view_count")
			view_count = int(view_count or 0) if type(view_count) is not int else view_count
			viewed = view_count > 0 or link_state in _VIEWED_STATES
			sent = viewed or bool(sent_at) or link_state in _SENT_STATES
			due = get("due_date")
			if due and type(due) is not date:
				due = to_date(due)
			index = 3 if outstanding <= 0 else 2 if viewed else 1 if sent else 0
			if index < 3:
				item = FunnelInvoice(
					get("invoice"),
					get("customer") or "",
					amount,
					outstanding,
					sent,
					viewed,
					due or None,
					pay_link_status(link_state, get("disputed"), view_count, sent_at),
					promised.get(get("invoice")) if promised else None,
				)
		counts[index] += 1
		amounts[index] += amount
		if index < 3:
			if promised is not None and item.promised_until is not None:
				promised_items.append(item)
			else:
				stuck[index].append(item)

	stages = []
	previous_count: int | None = None
	for index, name in enumerate(FUNNEL_STAGES):
		count = sum(counts[index:])
		conversion = None
		if previous_count:
			conversion = round_cents(Decimal(count) * 100 / Decimal(previous_count))
		reached_amount = sum(amounts[index:], ZERO)
		stuck_here = sorted(stuck[index], key=_stuck_order) if index < len(stuck) else []
		stages.append(FunnelStage(name, count, reached_amount, conversion, stuck_here))
		previous_count = count
	if promised is not None:
		promised_items.sort(key=_promised_order)
		total = sum((i.amount for i in promised_items), ZERO)
		stages.append(FunnelStage(STAGE_PROMISED, len(promised_items), total, None, promised_items))
	return stages


_VIEWED_STATES = frozenset((LinkState.VIEWED, LinkState.PAID))
_SENT_STATES = frozenset((LinkState.SENT, LinkState.PAYMENT_FAILED, LinkState.DISPUTED))


def _stuck_order(item: FunnelInvoice) -> tuple[Decimal, str]:
	return -item.outstanding, item.invoice


def _promised_order(item: FunnelInvoice) -> tuple[date, Decimal, str]:
	return item.promised_until, -item.outstanding, item.invoice  # type: ignore[return-value]


@dataclass(frozen=True)
class LinkEngagement:
	"""What the pay links themselves recorded, beside the furthest-stage funnel (where a paid invoice counts
	as sent and viewed): links sent (a sent time) and links viewed (at least one counted view)."""

	invoices: int
	sent: int
	viewed: int


def link_engagement(invoices: Iterable[Any]) -> LinkEngagement:
	rows = list(invoices)
	return LinkEngagement(
		invoices=len(rows),
		sent=sum(1 for r in rows if value_of(r, "sent_at")),
		viewed=sum(1 for r in rows if int(value_of(r, "view_count") or 0) > 0),
	)
