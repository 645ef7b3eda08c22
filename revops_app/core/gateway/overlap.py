"""One invoice, two pages: its own pay link and its customer's page (framework-free).

An invoice can be paid through its own link (one Checkout Session per link, `sessions.prepare_checkout`)
and through the customer page (one session per page, naming several invoices). Each side keeps at most
one session able to take money; this module keeps it at most one per *invoice* across both sides.
Before a press creates a session, the glue hands the other side's sessions that cover one of the press's
invoices (`overlapping_sessions`) to `close_other_sessions(...)`, which asks Stripe about each and
answers with a `sessions.Prepared`:

- CREATE: none of them can take money any more: expired, complete with its payment failed or already
  posted to the ledger, unknown to this Stripe account, or open and expired by this call
  (`POST /v1/checkout/sessions/{id}/expire`, the same call, idempotency key and second look on failure
  as `sessions.settle_session`). An open session on the other side is never reused: it is for other
  invoices or another amount, and the customer pressed Pay here.
- PROCESSING: one of them is paid, or its payment is in flight and not yet posted -> no new session
  (the page says the payment is being processed, as for the page's own paid session).
- UNSURE: Stripe could not tell, or an expire failed and a second look does not show it expired -> no
  new session (the page asks to try again).

Every answer's `closed` names the sessions found (or made) expired on the way, also when a later one
stops the press, so the glue can forget them on the other side's rows (`sessions` module docstring).

`covered_invoices(last_selection)` reads a customer page's stored selection (the invoices of its last
session, ", "-joined); `overlapping_sessions(candidates, invoices)` keeps the candidate sessions that
cover one of `invoices`, in order, each once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from revops_app.core.gateway.client import DEFAULT_TIMEOUT
from revops_app.core.gateway.sessions import (
	Action,
	Prepared,
	SessionFacts,
	decide_closed,
	settle_session,
)


def covered_invoices(last_selection: str | None) -> tuple[str, ...]:
	"""The invoices a customer page's last session names (its `last_selection`), each once."""
	parts = (part.strip() for part in (last_selection or "").split(","))
	return tuple(dict.fromkeys(part for part in parts if part))


def overlapping_sessions(
	candidates: Iterable[tuple[str | None, Iterable[str]]], invoices: Iterable[str]
) -> tuple[str, ...]:
	"""The session ids among `candidates` ((session id, the invoices it covers) pairs) that cover one of
	`invoices`; candidates without a session id are skipped."""
	wanted = set(invoices)
	found: list[str] = []
	for session_id, covered in candidates:
		if session_id and session_id not in found and wanted.intersection(covered):
			found.append(session_id)
	return tuple(found)


def decide_other(facts: SessionFacts, *, intent_settled: bool = False) -> tuple[str, str]:
	"""(action, reason) for a session on the other side that covers an invoice of this press: open ->
	EXPIRE (never reused), otherwise as a closed previous session (`sessions.decide_closed`)."""
	if facts.status == "open":
		return Action.EXPIRE, "another session covering the invoice is open"
	action, reason = decide_closed(facts, intent_settled=intent_settled)
	return action, reason.replace("previous session", "other session", 1)


def close_other_sessions(
	api_key: str,
	session_ids: Iterable[str],
	*,
	is_settled: Callable[[str], bool] = lambda intent: False,
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
) -> Prepared:
	"""Make sure none of `session_ids` can take money before a new session is made (module docstring).
	Stops at the first one that is paid, in flight or unknowable; `is_settled(payment_intent_id)` says
	whether the ledger already posted that PaymentIntent."""

	def judge(facts: SessionFacts) -> tuple[str, str]:
		settled = bool(
			facts.payment_intent and facts.status == "complete" and is_settled(facts.payment_intent)
		)
		return decide_other(facts, intent_settled=settled)

	expired: list[str] = []
	closed: list[str] = []
	for session_id in session_ids:
		prepared = settle_session(api_key, session_id, judge, api_base=api_base, timeout=timeout)
		closed.extend(prepared.closed)
		if prepared.action != Action.CREATE:
			return Prepared(
				prepared.action,
				prepared.previous,
				reason=f"{session_id}: {prepared.reason}",
				closed=tuple(closed),
			)
		if prepared.expired_now:
			expired.append(session_id)
	if expired:
		return Prepared(
			Action.CREATE, expired_now=True, reason=f"expired {', '.join(expired)}", closed=tuple(closed)
		)
	return Prepared(Action.CREATE, reason="no other session can take money", closed=tuple(closed))
