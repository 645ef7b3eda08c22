"""Pressing Pay on the customer page: one Checkout Session for the chosen invoices (or the chosen amount).

Same rules as the invoice link (`checkout.py`), applied to the page row: the press is counted under the
page's row lock (`checkout.count_attempt`), the page's previous session is reused, expired or ruled out by
`core.gateway.sessions.prepare_checkout` (reused only for the same invoices and amount: `selection`), and
only then is a new session created with `core.gateway.customer_checkout` at the amount the server computed
(`core.gateway.customer_page.choose_payment`). So at most one session per page can take money at a time.
The session's metadata names the page and the invoices; settlement (`settlement/customer_receipts.py`)
allocates to exactly those. Failures are logged (no key in them).
"""

from __future__ import annotations

import time

import frappe

from revops_app.core.gateway.checkout import GatewayError, create_checkout_session
from revops_app.core.gateway.customer_checkout import PageForCheckout, build_customer_checkout
from revops_app.core.gateway.customer_page import PageFacts, PaymentChoice, selection_digest
from revops_app.core.gateway.money import to_minor_units
from revops_app.core.gateway.sessions import Action, prepare_checkout
from revops_app.revenue_collections.checkout import intent_settled, log_checkout_error
from revops_app.revenue_collections.constants import CUSTOMER_PAGE_DOCTYPE, CUSTOMER_PAGE_ROUTE
from revops_app.revops.settings import get_stripe_api_base, get_stripe_secret_key


def customer_page_url(token: str, returned: str | None = None) -> str:
	return frappe.utils.get_url(f"/{CUSTOMER_PAGE_ROUTE}/{token}" + (f"?paid={returned}" if returned else ""))


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
	api_key, api_base = get_stripe_secret_key() or "", get_stripe_api_base()
	prepared = prepare_checkout(
		api_key,
		previous,
		invoice=page.name,
		minor_amount=to_minor_units(choice.amount, page.currency),
		currency=page.currency,
		now=time.time(),
		is_settled=intent_settled,
		api_base=api_base,
		selection=selection_digest(choice.invoices),
	)
	if prepared.action == Action.REUSE:
		return prepared.previous.url
	if prepared.action == Action.PROCESSING:
		return customer_page_url(token, "processing")
	if prepared.action != Action.CREATE:
		log_checkout_error(
			page.name,
			"checkout.session.previous",
			{"previous_session": previous},
			prepared.reason,
			reference_doctype=CUSTOMER_PAGE_DOCTYPE,
		)
		return customer_page_url(token, "error")
	try:
		session = create_checkout_session(api_key, params, key, api_base=api_base)
	except GatewayError as error:
		log_checkout_error(
			page.name,
			"checkout.session.create",
			{"idempotency_key": key},
			str(error),
			prefix="",
			reference_doctype=CUSTOMER_PAGE_DOCTYPE,
		)
		return customer_page_url(token, "error")
	values = {"last_checkout_session": session["id"], "last_selection": ", ".join(choice.invoices)}
	if session.get("payment_intent"):
		values["last_payment_intent"] = session["payment_intent"]
	frappe.db.set_value(CUSTOMER_PAGE_DOCTYPE, page.name, values, update_modified=False)
	return session["url"]
