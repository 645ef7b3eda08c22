"""The previous Checkout Session of a pay link, and what a new press of Pay does with it (framework-free).

Every press of Pay used to create a new session and leave the earlier ones open, so a customer with two
tabs (or a reminder email opened twice) could pay the same invoice twice. Before a new session is made,
the glue hands the link's `last_checkout_session` to `prepare_checkout(...)`, which asks Stripe about it and
answers one of:

- CREATE: no previous session, or it can no longer take money (expired; completed but its payment failed
  or was already posted to the ledger; unknown to this Stripe account) -> make a new session.
- REUSE: it is open, for exactly the amount and currency owed now, for this invoice (for a customer
  page: the same invoices, `selection`), and has at least
  REUSE_MIN_REMAINING_SECONDS left -> send the customer to its URL again. Reusing (rather than expiring
  and recreating) keeps one open session without an extra round trip, and pressing Pay twice lands on
  the same Stripe page, so the second tab cannot pay twice.
- CREATE after EXPIRE: it is open but for another amount (a partial payment or a credit note posted
  meanwhile), or close to its expiry -> `POST /v1/checkout/sessions/{id}/expire` first (idempotency key
  `revops-expire-{id}`), then create.
- PROCESSING: it is complete and paid, or complete with its payment still in flight (bank debits) and
  not yet posted -> no new session; the page says the payment is being processed.
- UNSURE: Stripe could not be asked, or the expire call failed and a second look does not show the
  session expired -> no new session (the page asks to try again). If the expire failed because the
  session just completed, the second look says so and the answer is PROCESSING.
No new session is ever created while an earlier one may still take money.

Forgetting closed sessions: `Prepared.closed` names the sessions this call found expired (Stripe said
`expired`, or this call expired it, or the second look saw it expired). Expired is final at Stripe, so
the glue clears such an id from the row that records it and the next press asks Stripe nothing about it.
A complete session is never in `closed`, paid or not: settlement and the PROCESSING answer read it (a
paid one until its Payment Entry is posted; after that the next press sees it posted and creates). A
session unknown to this account (404) is not forgotten either: with a wrong key configured it may still
be open under the right one.

`decide(facts, ...)` is the pure rule on the session's facts (`decide_closed` its part for a session that
is not open); `retrieve_session` / `expire_session` are the two Stripe calls (per-call StripeClient, SDK
retries with the same idempotency key); `settle_session(api_key, id, judge)` is the look / expire / second
look sequence for any rule, shared with `overlap.py` (the other page's sessions covering the same invoice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import stripe

from revops_app.core.gateway.client import (
	DEFAULT_TIMEOUT,
	GatewayError,
	as_mapping,
	gateway_error,
	stripe_client,
	v1_services,
)
from revops_app.core.gateway.money import normalise_currency

# An open session is reused only when the customer still has this long to finish paying in it.
REUSE_MIN_REMAINING_SECONDS = 60 * 60

# PaymentIntent statuses after which a completed-but-unpaid session's payment can no longer succeed.
FAILED_INTENT_STATUSES = ("requires_payment_method", "canceled")


class Action:
	CREATE = "create"  # make a new session (any previous one is expired or can no longer take money)
	REUSE = "reuse"  # send the customer to the previous, still open session
	EXPIRE = "expire"  # expire the previous open session, then create (decide() only)
	PROCESSING = "processing"  # a payment was made or is in flight: no new session
	UNSURE = "unsure"  # Stripe could not tell us: no new session, ask to try again


@dataclass(frozen=True)
class SessionFacts:
	"""What Stripe says about one Checkout Session (amounts in minor units)."""

	id: str
	status: str | None  # open, complete, expired
	payment_status: str | None  # paid, unpaid, no_payment_required
	amount_total: int | None
	currency: str | None  # upper case
	expires_at: int | None
	url: str | None
	payment_intent: str | None
	payment_intent_status: str | None
	sales_invoice: str | None
	selection: str | None = None  # a customer page session's invoices (customer_page.selection_digest)


@dataclass(frozen=True)
class Prepared:
	"""prepare_checkout's answer: `action` (CREATE, REUSE, PROCESSING, UNSURE), the previous session's
	facts when known, whether it was expired by this call, and why (for logs)."""

	action: str
	previous: SessionFacts | None = None
	expired_now: bool = False
	reason: str = ""
	closed: tuple[str, ...] = ()  # sessions known expired: the glue may forget them (module docstring)


def is_forgettable(facts: SessionFacts | None) -> bool:
	"""Whether a session with these facts can be cleared from the row recording it: expired (final)."""
	return facts is not None and facts.status == "expired"


def closed_ids(session_id: str, facts: SessionFacts | None) -> tuple[str, ...]:
	return (session_id,) if is_forgettable(facts) else ()


def parse_session(data: Mapping) -> SessionFacts:
	intent = data.get("payment_intent")
	intent_status = None
	if isinstance(intent, Mapping):
		intent_status = intent.get("status")
		intent = intent.get("id")
	currency = data.get("currency")
	metadata = data.get("metadata") or {}
	amount = data.get("amount_total")
	return SessionFacts(
		id=str(data.get("id") or ""),
		status=data.get("status"),
		payment_status=data.get("payment_status"),
		amount_total=int(amount) if isinstance(amount, int) and not isinstance(amount, bool) else None,
		currency=normalise_currency(currency) if currency else None,
		expires_at=int(data["expires_at"]) if isinstance(data.get("expires_at"), int) else None,
		url=data.get("url") or None,
		payment_intent=intent or None,
		payment_intent_status=intent_status,
		sales_invoice=metadata.get("sales_invoice") if isinstance(metadata, Mapping) else None,
		selection=metadata.get("selection") if isinstance(metadata, Mapping) else None,
	)


def decide(
	facts: SessionFacts,
	*,
	invoice: str,
	minor_amount: int,
	currency: str,
	now: float,
	intent_settled: bool = False,
	selection: str | None = None,
) -> tuple[str, str]:
	"""(action, reason) for a new press of Pay given the previous session (see the module docstring).
	`intent_settled`: the ledger already holds a Payment Entry for the session's PaymentIntent.
	`selection`: for a customer page, the digest of the invoices this press pays; an open session is
	reused only for the same invoices (None for an invoice's own link, whose sessions carry none)."""
	if facts.status == "open":
		same = (
			facts.amount_total == minor_amount
			and facts.currency == normalise_currency(currency)
			and (facts.sales_invoice in (None, invoice))
			and facts.selection == selection
			and facts.url
		)
		remaining = (facts.expires_at or 0) - now
		if same and remaining >= REUSE_MIN_REMAINING_SECONDS:
			return Action.REUSE, "previous session is open for the same amount"
		if not same:
			return Action.EXPIRE, "previous session is open for another amount"
		return Action.EXPIRE, "previous session is about to expire"
	return decide_closed(facts, intent_settled=intent_settled)


def decide_closed(facts: SessionFacts, *, intent_settled: bool = False) -> tuple[str, str]:
	"""(action, reason) for a session that is not open: expired or complete (CREATE or PROCESSING, see the
	module docstring), anything else UNSURE. Shared with `overlap.decide_other`."""
	if facts.status == "expired":
		return Action.CREATE, "previous session expired"
	if facts.status == "complete":
		if intent_settled:
			return Action.CREATE, "previous session's payment is already posted"
		if facts.payment_status in ("paid", "no_payment_required"):
			return Action.PROCESSING, "previous session is paid; waiting for the ledger"
		if facts.payment_intent_status in FAILED_INTENT_STATUSES:
			return Action.CREATE, f"previous session's payment failed ({facts.payment_intent_status})"
		return Action.PROCESSING, "previous session's payment is in flight"
	return Action.UNSURE, f"previous session has an unknown status {facts.status!r}"


def retrieve_session(
	api_key: str, session_id: str, *, api_base: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> SessionFacts:
	"""GET /v1/checkout/sessions/{id} with the PaymentIntent expanded (its status tells a failed
	delayed payment from one still in flight)."""
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		session = v1_services(client).checkout.sessions.retrieve(
			session_id, params={"expand": ["payment_intent"]}
		)
	except stripe.StripeError as error:
		raise gateway_error("Checkout Session retrieve", error) from error
	return parse_session(as_mapping(session))


def expire_session(
	api_key: str, session_id: str, *, api_base: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> SessionFacts:
	"""POST /v1/checkout/sessions/{id}/expire, idempotency key `revops-expire-{id}`."""
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		session = v1_services(client).checkout.sessions.expire(
			session_id, options={"idempotency_key": f"revops-expire-{session_id}"}
		)
	except stripe.StripeError as error:
		raise gateway_error("Checkout Session expire", error) from error
	return parse_session(as_mapping(session))


def prepare_checkout(
	api_key: str,
	previous_id: str | None,
	*,
	invoice: str,
	minor_amount: int,
	currency: str,
	now: float,
	is_settled: Callable[[str], bool] = lambda intent: False,
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
	selection: str | None = None,
) -> Prepared:
	"""Deal with the link's previous session before a new one is made (see the module docstring).
	`is_settled(payment_intent_id)` says whether the ledger already posted that PaymentIntent."""
	if not previous_id:
		return Prepared(Action.CREATE, reason="no previous session")

	def judge(facts: SessionFacts) -> tuple[str, str]:
		settled = bool(
			facts.payment_intent and facts.status == "complete" and is_settled(facts.payment_intent)
		)
		return decide(
			facts,
			invoice=invoice,
			minor_amount=minor_amount,
			currency=currency,
			now=now,
			intent_settled=settled,
			selection=selection,
		)

	return settle_session(api_key, previous_id, judge, api_base=api_base, timeout=timeout)


def settle_session(
	api_key: str,
	session_id: str,
	judge: Callable[[SessionFacts], tuple[str, str]],
	*,
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
) -> Prepared:
	"""Ask Stripe about `session_id`, let `judge` (a `decide`-like rule) answer, and when it says EXPIRE
	expire the session (a second look when the expire fails). Returns CREATE (the session can no longer
	take money), REUSE, PROCESSING or UNSURE, as the module docstring describes."""
	kwargs: dict[str, Any] = {"api_base": api_base, "timeout": timeout}
	try:
		facts = retrieve_session(api_key, session_id, **kwargs)
	except GatewayError as error:
		if error.http_status == 404:
			# Unknown to this account (another key, a deleted test session): it cannot take our money.
			return Prepared(Action.CREATE, reason=f"previous session {session_id} not found")
		return Prepared(Action.UNSURE, reason=str(error))
	action, reason = judge(facts)
	if action != Action.EXPIRE:
		return Prepared(action, facts, reason=reason, closed=closed_ids(session_id, facts))
	try:
		expired = expire_session(api_key, session_id, **kwargs)
	except GatewayError as error:
		# Typically: it completed between our look and the expire call. Look again; create only if it
		# is now expired (or its payment can no longer succeed).
		try:
			facts = retrieve_session(api_key, session_id, **kwargs)
		except GatewayError as second:
			return Prepared(Action.UNSURE, facts, reason=f"{error}; then {second}")
		action, reason = judge(facts)
		if action == Action.CREATE:
			return Prepared(Action.CREATE, facts, reason=reason, closed=closed_ids(session_id, facts))
		if action == Action.PROCESSING:
			return Prepared(Action.PROCESSING, facts, reason=f"expire refused, {reason}")
		return Prepared(Action.UNSURE, facts, reason=f"could not expire previous session: {error}")
	if expired.status != "expired":
		return Prepared(Action.UNSURE, expired, reason=f"expire answered status {expired.status!r}")
	return Prepared(Action.CREATE, expired, expired_now=True, reason=reason, closed=(session_id,))
