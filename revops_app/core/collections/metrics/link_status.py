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

# Module constants rather than LinkState attributes: this runs once per report row.
_DISPUTED = LinkState.DISPUTED
_FAILED = LinkState.PAYMENT_FAILED
_SENT = LinkState.SENT
_VIEWED_STATES = frozenset((LinkState.VIEWED, LinkState.PAID))


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
	if (disputed and int(disputed)) or link_state == _DISPUTED:
		return LINK_DISPUTED
	if link_state == _FAILED:
		return LINK_FAILED
	if (view_count and int(view_count) > 0) or link_state in _VIEWED_STATES:
		return LINK_VIEWED
	if sent_at or link_state == _SENT:
		return LINK_NEVER_VIEWED
	return LINK_NOT_SENT
