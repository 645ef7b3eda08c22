"""Pressing Pay on the customer page: one Checkout Session for the chosen invoices (or the chosen amount).

Same rules as the invoice link (`checkout.py`), applied to the page row: the press is counted under the
page's row lock (`checkout.count_attempt`), the page's previous session is reused, expired or ruled out by
`core.gateway.sessions.prepare_checkout` (reused only for the same invoices and amount: `selection`), and
only then is a new session created with `core.gateway.customer_checkout` at the amount the server computed
(`core.gateway.customer_page.choose_payment`). So at most one session per page can take money at a time.
The session's metadata names the page and the invoices; settlement (`settlement/customer_receipts.py`)
allocates to exactly those. Failures are logged (no key in them).

Across the two sides: after the page row (locked by count_attempt), `lock_link_sessions(invoices)` locks
the chosen invoices' Payment Link rows in name order (pages before links, as the invoice press and the
settlement worker lock) and reads their last sessions; `open_checkout(..., others=...)` expires those
still open, or answers "processing" when one is paid or in flight, before the page's session is made.
So at most one session, on either side, can take money for any invoice.
"""

from __future__ import annotations

import frappe

from revops_app.core.gateway.customer_checkout import PageForCheckout, build_customer_checkout
from revops_app.core.gateway.customer_page import PageFacts, PaymentChoice, selection_digest
from revops_app.core.gateway.money import to_minor_units
from revops_app.core.gateway.overlap import overlapping_sessions
from revops_app.revenue_collections.checkout import Others, open_checkout
from revops_app.revenue_collections.constants import (
	CUSTOMER_PAGE_DOCTYPE,
	CUSTOMER_PAGE_ROUTE,
	PAYMENT_LINK_DOCTYPE,
)


def customer_page_url(token: str, returned: str | None = None) -> str:
	return frappe.utils.get_url(f"/{CUSTOMER_PAGE_ROUTE}/{token}" + (f"?paid={returned}" if returned else ""))


def lock_link_sessions(invoices: tuple[str, ...] | list[str]) -> Others:
	"""Lock the invoices' Payment Link rows (name order, FOR UPDATE: an invoice press waits, and its
	committed session is read here) and return their last sessions, each with its link row."""
	candidates, rows = [], {}
	for invoice in sorted(set(invoices)):
		link = frappe.db.get_value(
			PAYMENT_LINK_DOCTYPE,
			{"sales_invoice": invoice},
			["name", "last_checkout_session"],
			as_dict=True,
			for_update=True,
		)
		if link:
			candidates.append((link.last_checkout_session, (invoice,)))
			rows.setdefault(link.last_checkout_session, (PAYMENT_LINK_DOCTYPE, link.name))
	return tuple((session_id, rows[session_id]) for session_id in overlapping_sessions(candidates, invoices))


def customer_checkout_destination(
	token: str,
	page: frappe._dict,
	facts: PageFacts,
	choice: PaymentChoice,
	attempt: int,
	previous: str | None,
) -> str:
	"""The URL to send the customer to for this press (Stripe's hosted page, or the page with a state)."""
	outstanding = {i.name: i.outstanding_amount for i in facts.invoices}
	params, key = build_customer_checkout(
		PageForCheckout(
			name=page.name,
			customer=page.customer,
			customer_name=facts.customer_name,
			company=page.company,
			currency=page.currency,
			customer_email=page.email or None,
			outstanding=outstanding,
		),
		choice,
		success_url=customer_page_url(token, "success"),
		cancel_url=customer_page_url(token, "cancel"),
		attempt=attempt,
	)
	return open_checkout(
		params,
		key,
		previous,
		lambda state: customer_page_url(token, state),
		record=page.name,
		reference_doctype=CUSTOMER_PAGE_DOCTYPE,
		minor_amount=to_minor_units(choice.amount, page.currency),
		currency=page.currency,
		store=(CUSTOMER_PAGE_DOCTYPE, page.name),
		values={"last_selection": ", ".join(choice.invoices)},
		selection=selection_digest(choice.invoices),
		others=lock_link_sessions(choice.invoices),
	)
