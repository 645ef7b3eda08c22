"""Pressing Pay: where the customer's browser goes next (a Stripe Checkout Session or back to the pay page).

`checkout_destination` counts the attempt in one UPDATE (which also locks the link row until commit, so two
presses are serialised), deals with the link's previous Checkout Session through
`core.gateway.sessions.prepare_checkout` (reuse it when open for the same amount, expire it when the amount
changed or it is about to expire, make no new one when it is paid or in flight or Stripe cannot tell), and
only then creates a session with `core.gateway.checkout` at the amount computed here on the server. So at
most one session per link can take money at any time. Failures are logged (no key in them).
`open_checkout` (previous session, new session, stored on the row) is shared with the customer page
(`customer_checkout.py`).

Across the two sides: an invoice is also on its customer page. `lock_page_sessions(invoice)` locks the
page row of the invoice's group (before the link row: pages before links, as the page press and the
customer-page settlement lock) and returns the page's last session when it covers the invoice;
`open_checkout(..., others=...)` hands such sessions to `core.gateway.overlap.close_other_sessions` first
(open -> expired; paid or in flight -> "processing", no new session; Stripe unsure -> "error"). So at most
one session, on either side, can take money for any invoice.

Forgetting expired sessions: a session Stripe says is expired (or that a press expired) is cleared from
the row that records it (`last_checkout_session` set empty on that row only, and only while it still names
that session; the rows are the ones this press already locked), so no later press asks Stripe about it
again. Which sessions: `Prepared.closed` (`core.gateway.sessions`); complete sessions stay recorded.
`others` are (session id, (doctype, row name)) pairs: each session with the row it was read from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import frappe

from revops_app.core.gateway.checkout import (
	GatewayError,
	InvoiceForCheckout,
	build_checkout_session,
	create_checkout_session,
)
from revops_app.core.gateway.customer_page import page_name
from revops_app.core.gateway.money import to_minor_units
from revops_app.core.gateway.overlap import close_other_sessions, covered_invoices, overlapping_sessions
from revops_app.core.gateway.sessions import Action, prepare_checkout
from revops_app.revenue_collections.constants import CUSTOMER_PAGE_DOCTYPE, PAY_ROUTE, PAYMENT_LINK_DOCTYPE
from revops_app.revops.constants import INTEGRATION_STRIPE, LogStatus
from revops_app.revops.integration_log import create_log
from revops_app.revops.settings import get_stripe_api_base, get_stripe_secret_key


def page_url(token: str, returned: str | None = None) -> str:
	return frappe.utils.get_url(f"/{PAY_ROUTE}/{token}" + (f"?paid={returned}" if returned else ""))


def intent_settled(payment_intent: str) -> bool:
	"""The ledger already holds a submitted receipt for this PaymentIntent (webhook settlement)."""
	return bool(
		frappe.db.exists(
			"Payment Entry",
			{"payment_type": "Receive", "reference_no": payment_intent, "docstatus": 1},
		)
	)


def count_attempt(link_name: str, doctype: str = PAYMENT_LINK_DOCTYPE) -> tuple[int, str | None]:
	"""Count a press on the link (or customer page, `doctype`); returns (this attempt's number, the
	previous Checkout Session id)."""
	frappe.db.sql(
		f"UPDATE `tab{doctype}` SET checkout_attempts = COALESCE(checkout_attempts, 0) + 1 WHERE name = %s",
		(link_name,),
	)
	# Read after the UPDATE took the row lock: a concurrent press has committed its session by now.
	attempt, previous = frappe.db.get_value(
		doctype, link_name, ["checkout_attempts", "last_checkout_session"], for_update=True
	)
	return int(attempt), previous


Others = tuple[tuple[str, tuple[str, str]], ...]  # (session id, (doctype, row name)) per other session


def lock_page_sessions(invoice: str) -> Others:
	"""Lock the customer page row of the invoice's group (FOR UPDATE: a press of that page waits, and its
	committed session is read here) and return the page's last session (with its row) when it covers the
	invoice."""
	si = frappe.db.get_value("Sales Invoice", invoice, ["customer", "company", "currency"], as_dict=True)
	if not (si and si.customer and si.company and si.currency):
		return ()
	page = frappe.db.get_value(
		CUSTOMER_PAGE_DOCTYPE,
		page_name(si.customer, si.company, si.currency),
		["last_checkout_session", "last_selection"],
		as_dict=True,
		for_update=True,
	)
	if not page:
		return ()
	row = (CUSTOMER_PAGE_DOCTYPE, page_name(si.customer, si.company, si.currency))
	found = overlapping_sessions(
		[(page.last_checkout_session, covered_invoices(page.last_selection))], [invoice]
	)
	return tuple((session_id, row) for session_id in found)


def checkout_destination(
	token: str,
	link: Any,
	invoice: Any,
	attempt: int,
	previous: str | None,
	others: Others = (),
) -> str:
	"""The URL to send the customer to for this press (Stripe's hosted page, or the pay page with a state).
	`others`: the customer page's sessions covering this invoice (`lock_page_sessions`)."""
	params, key = build_checkout_session(
		InvoiceForCheckout(
			name=invoice.name,
			customer_name=invoice.customer_name,
			currency=invoice.currency,
			outstanding_amount=invoice.outstanding_amount,
			due_date=invoice.due_date,
			company=link.company,
			pay_link=link.name,
			customer_email=link.contact_email or None,
		),
		success_url=page_url(token, "success"),
		cancel_url=page_url(token, "cancel"),
		attempt=attempt,
	)
	return open_checkout(
		params,
		key,
		previous,
		lambda state: page_url(token, state),
		record=invoice.name,
		reference_doctype="Sales Invoice",
		minor_amount=to_minor_units(invoice.outstanding_amount, invoice.currency),
		currency=invoice.currency,
		store=(PAYMENT_LINK_DOCTYPE, link.name),
		others=others,
	)


def open_checkout(
	params: dict,
	key: str,
	previous: str | None,
	back: Callable[[str], str],
	*,
	record: str,
	reference_doctype: str,
	minor_amount: int,
	currency: str,
	store: tuple[str, str],
	values: dict[str, str] | None = None,
	selection: str | None = None,
	others: Others = (),
) -> str:
	"""What a press does once its session is built (`params`, idempotency `key`), for the invoice link and
	the customer page alike: deal with the `previous` session (`prepare_checkout`, keyed by `record` and
	`selection`), create the new one and store its id (and PaymentIntent, and `values`) on the row `store`
	(doctype, name). Returns Stripe's URL, or `back(state)` (processing / error); failures are logged
	against `record` (`reference_doctype`). `others`: the other side's sessions covering the same invoices,
	closed first (`core.gateway.overlap.close_other_sessions`). Sessions found expired are forgotten on
	their rows (module docstring)."""
	api_key, api_base = get_stripe_secret_key() or "", get_stripe_api_base()
	if others:
		other_ids = tuple(dict.fromkeys(session_id for session_id, _row in others))
		closed = close_other_sessions(api_key, other_ids, is_settled=intent_settled, api_base=api_base)
		forget_sessions(closed.closed, [row for session_id, row in others if session_id in closed.closed])
		if closed.action == Action.PROCESSING:
			return back("processing")
		if closed.action != Action.CREATE:
			log_checkout_error(
				record,
				"checkout.session.other",
				{"other_sessions": list(other_ids)},
				closed.reason,
				reference_doctype=reference_doctype,
			)
			return back("error")
	prepared = prepare_checkout(
		api_key,
		previous,
		invoice=record,
		minor_amount=minor_amount,
		currency=currency,
		now=time.time(),
		is_settled=intent_settled,
		api_base=api_base,
		selection=selection,
	)
	forget_sessions(prepared.closed, [store])
	if prepared.action == Action.REUSE:
		return prepared.previous.url
	if prepared.action == Action.PROCESSING:
		return back("processing")
	if prepared.action != Action.CREATE:
		log_checkout_error(
			record,
			"checkout.session.previous",
			{"previous_session": previous},
			prepared.reason,
			reference_doctype=reference_doctype,
		)
		return back("error")
	try:
		session = create_checkout_session(api_key, params, key, api_base=api_base)
	except GatewayError as error:
		log_checkout_error(
			record,
			"checkout.session.create",
			{"idempotency_key": key},
			str(error),
			prefix="",
			reference_doctype=reference_doctype,
		)
		return back("error")
	stored = {"last_checkout_session": session["id"], **(values or {})}
	if session.get("payment_intent"):
		stored["last_payment_intent"] = session["payment_intent"]
	frappe.db.set_value(*store, stored, update_modified=False)
	return session["url"]


def forget_sessions(session_ids: tuple[str, ...], rows: list[tuple[str, str]]) -> None:
	"""Clear `last_checkout_session` on each (doctype, name) row while it names one of `session_ids`
	(known expired; a newer session stored meanwhile is kept). The press holds these rows' locks."""
	if not session_ids:
		return
	for doctype, name in dict.fromkeys(rows):
		frappe.db.sql(
			f"""UPDATE `tab{doctype}` SET last_checkout_session = NULL
			WHERE name = %(name)s AND last_checkout_session IN %(ids)s""",
			{"name": name, "ids": tuple(session_ids)},
		)


def log_checkout_error(
	invoice: str,
	event_type: str,
	request: dict,
	reason: str,
	prefix: str = "No new Checkout Session: ",
	reference_doctype: str = "Sales Invoice",
) -> None:
	create_log(
		INTEGRATION_STRIPE,
		status=LogStatus.ERROR,
		event_type=event_type,
		request_data={
			"invoice" if reference_doctype == "Sales Invoice" else "customer_page": invoice,
			**request,
		},
		message=f"{prefix}{reason}",
		reference_doctype=reference_doctype,
		reference_name=invoice,
	)
