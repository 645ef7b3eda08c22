"""Pay-link status as collections sees it (aging report, funnel): Not Sent, Never Viewed, Viewed,
Payment Failed, Disputed, from a RevOps Payment Link row."""

from __future__ import annotations

from typing import Any

from revops_app.core.gateway.routing import LinkState

LINK_NOT_SENT = "Not Sent"
LINK_NEVER_VIEWED = "Never Viewed"
LINK_VIEWED = "Viewed"
LINK_FAILED = "Payment Failed"
LINK_DISPUTED = "Disputed"
PAY_LINK_STATUSES = (LINK_NOT_SENT, LINK_NEVER_VIEWED, LINK_VIEWED, LINK_FAILED, LINK_DISPUTED)


def pay_link_status(
	link_state: str | None, disputed: Any = 0, view_count: Any = 0, sent_at: Any = None
) -> str:
	"""Collections view of a RevOps Payment Link row (None = the invoice has no link).

	Most serious first: a dispute, then a failed payment, then whether the customer ever opened it.
	A link in state Paid on an invoice that still has an outstanding balance (a partial payment) counts
	as Viewed: the customer came through it.
	"""
	if link_state is None:
		return LINK_NOT_SENT
	if int(disputed or 0) or link_state == LinkState.DISPUTED:
		return LINK_DISPUTED
	if link_state == LinkState.PAYMENT_FAILED:
		return LINK_FAILED
	if int(view_count or 0) > 0 or link_state in (LinkState.VIEWED, LinkState.PAID):
		return LINK_VIEWED
	if sent_at or link_state == LinkState.SENT:
		return LINK_NEVER_VIEWED
	return LINK_NOT_SENT
