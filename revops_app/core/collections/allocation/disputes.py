"""Dispute status decisions for an invoice (framework-free, see the package docstring).

- `decide_dispute(status)` maps a Stripe dispute status to the invoice's flag, dunning pause and ToDo.
  Money is not its business: `core/collections/dispute_money.plan_dispute_money` decides the
  withdrawal / reinstatement postings from the dispute's balance transactions.
- `dispute_status_after(current, incoming)`: a closed status (won, lost, warning_closed, prevented)
  is final, so a `created`/`updated` event delivered after `closed` never reopens the dispute.
- `disputed_invoices(invoice, paid)`: every invoice a disputed payment paid, each once, the invoice the
  money is posted against first: a customer page receipt settles several invoices, and the flag and the
  dunning pause (and their clearing when the dispute closes) apply to all of them.
- `dispute_status_for(links, dispute_id, incoming)`: the status to keep over those invoices' links: a
  closed status any of them already holds for this dispute is final for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Stripe dispute statuses (stripe-python stripe/_dispute.py).
DISPUTE_OPEN_STATUSES = frozenset(
	{
		"warning_needs_response",
		"warning_under_review",
		"needs_response",
		"under_review",
		"appeal_needs_response",
		"appeal_under_review",
	}
)
DISPUTE_WON_STATUSES = frozenset({"won", "warning_closed", "prevented"})
DISPUTE_LOST_STATUSES = frozenset({"lost"})


@dataclass(frozen=True)
class DisputeDecision:
	"""What a dispute status means for the invoice; `disputed` is the state to set, not a toggle."""

	status: str
	disputed: bool
	pause_dunning: bool
	create_todo: bool
	outcome: str  # "open", "won" or "lost"
	reason: str

	@property
	def actions(self) -> tuple[str, ...]:
		"""Short action names for the log: flag/unflag, pause/resume dunning, todo."""
		names = ["flag_invoice" if self.disputed else "unflag_invoice"]
		names.append("pause_dunning" if self.pause_dunning else "resume_dunning")
		if self.create_todo:
			names.append("create_todo")
		return tuple(names)


def decide_dispute(status: str) -> DisputeDecision:
	"""What to do for a Stripe dispute status (created events carry an open status, closed ones won/lost)."""
	value = (status or "").strip().lower()
	if value in DISPUTE_OPEN_STATUSES:
		return DisputeDecision(
			value,
			disputed=True,
			pause_dunning=True,
			create_todo=True,
			outcome="open",
			reason=f"dispute opened ({value}): invoice flagged, dunning paused, finance asked to respond",
		)
	if value in DISPUTE_WON_STATUSES:
		return DisputeDecision(
			value,
			disputed=False,
			pause_dunning=False,
			create_todo=False,
			outcome="won",
			reason=f"dispute closed in our favour ({value}): flag removed, the payment stands",
		)
	if value in DISPUTE_LOST_STATUSES:
		return DisputeDecision(
			value,
			disputed=False,
			pause_dunning=False,
			create_todo=True,
			outcome="lost",
			reason="dispute lost: the funds Stripe withdrew stay withdrawn; the customer owes the amount again",
		)
	raise ValueError(f"unknown Stripe dispute status {status!r}")


def dispute_status_after(current: str | None, incoming: str) -> str:
	"""The dispute status to keep: a closed status is final (see the module docstring)."""
	old, new = (current or "").strip().lower(), (incoming or "").strip().lower()
	closed = DISPUTE_WON_STATUSES | DISPUTE_LOST_STATUSES
	if old in closed and new not in closed:
		return old
	return new or old


@dataclass(frozen=True)
class LinkDispute:
	"""The dispute fields one invoice's pay link holds now."""

	invoice: str
	dispute_id: str | None
	dispute_status: str | None


def disputed_invoices(invoice: str, paid: Iterable[str]) -> tuple[str, ...]:
	"""`invoice` first, then the other invoices the payment paid (`paid`, in receipt order), each once."""
	if not invoice:
		raise ValueError("a dispute is about at least one invoice")
	return tuple(dict.fromkeys([invoice, *(name for name in paid if name)]))


def dispute_status_for(links: Iterable[LinkDispute], dispute_id: str, incoming: str) -> str:
	"""The status every link of the dispute gets: `dispute_status_after` from what the links already
	hold for this dispute (a closed status on any of them wins: it is final), or from nothing."""
	closed = DISPUTE_WON_STATUSES | DISPUTE_LOST_STATUSES
	held = [
		(link.dispute_status or "").strip().lower()
		for link in links
		if dispute_id and link.dispute_id == dispute_id
	]
	current = next((status for status in held if status in closed), held[0] if held else None)
	return dispute_status_after(current, incoming)
