"""Pay page actions: POST /api/method/revops_app.api.pay.checkout and .view (guest, rate-limited).

Contract:
- `checkout(token)` looks the link up by its token, recomputes the invoice's outstanding amount on the
  server (nothing amount-like is read from the request), counts the attempt in one UPDATE (which also
  locks the link row until commit, so two presses are serialised), counts a view (pressing Pay means the
  customer saw the page), then deals with the link's previous Checkout Session through
  `core.gateway.sessions.prepare_checkout`: reuse it when it is open for the same amount, expire it when
  it is open for another amount or about to expire, and make no new session when it is paid or its
  payment is in flight (303 to the page with `?paid=processing`) or when Stripe cannot tell us
  (`?paid=error`). Only then it builds the Checkout Session with `core.gateway.checkout` (idempotency
  key per invoice + amount + currency + attempt, metadata naming the invoice and the link) and answers
  303 to Stripe's hosted page. So at most one session per link can take money at any time.
- `view(token)` is the pay page's view beacon: counts a view (one atomic UPDATE) when
  `core.gateway.paylinks.counts_as_view` says the request is the customer's browser; answers 204
  whatever happened (a scanner learns nothing), 404 for an unknown token.
- Unknown or malformed token: 404 with the same text whatever the reason. Nothing payable (paid,
  cancelled, credited, offline): 303 back to the pay page, which shows why. Stripe unreachable or
  refusing: logged as Error (no key in it) and 303 back to the pay page with `?paid=error`.
- Rate limits: CHECKOUT_RATE_LIMIT presses and VIEW_RATE_LIMIT beacons per IP and token per window
  (Frappe's rate_limit, redis).
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
import time

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

import frappe
from frappe.permissions import is_system_user
from frappe.rate_limiter import rate_limit

from revops_app.core.gateway.checkout import (
	GatewayError,
	InvoiceForCheckout,
	build_checkout_session,
	create_checkout_session,
)
from revops_app.core.gateway.money import to_minor_units
from revops_app.core.gateway.paylinks import build_pay_page, counts_as_view
from revops_app.core.gateway.sessions import Action, prepare_checkout
from revops_app.revenue_collections.constants import (
	CHECKOUT_RATE_LIMIT,
	CHECKOUT_RATE_WINDOW_SECONDS,
	PAY_ROUTE,
	PAYMENT_LINK_DOCTYPE,
	VIEW_RATE_LIMIT,
	VIEW_RATE_WINDOW_SECONDS,
)
from revops_app.revenue_collections.pay_links import load_by_token, record_view
from revops_app.revops.constants import INTEGRATION_STRIPE, LogStatus
from revops_app.revops.integration_log import create_log
from revops_app.revops.settings import (
	get_settings,
	get_stripe_api_base,
	get_stripe_secret_key,
)


def _not_found() -> Response:
	return Response("Payment link not found", status=404, mimetype="text/plain")


def page_url(token: str, returned: str | None = None) -> str:
	return frappe.utils.get_url(f"/{PAY_ROUTE}/{token}" + (f"?paid={returned}" if returned else ""))


def _is_customer_view() -> bool:
	request = frappe.request
	desk_user = frappe.session.user != "Guest" and is_system_user()
	return counts_as_view(
		request.method if request else None,
		request.headers.get("User-Agent") if request else None,
		desk_user=desk_user,
	)


def _intent_settled(payment_intent: str) -> bool:
	"""The ledger already holds a submitted receipt for this PaymentIntent (webhook settlement)."""
	return bool(
		frappe.db.exists(
			"Payment Entry",
			{"payment_type": "Receive", "reference_no": payment_intent, "docstatus": 1},
		)
	)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=VIEW_RATE_LIMIT, seconds=VIEW_RATE_WINDOW_SECONDS)
def view(token: str) -> Response:
	link, invoice = load_by_token(token)
	if not link or not invoice or build_pay_page(invoice).state == "not_found":
		return _not_found()
	if _is_customer_view():
		record_view(link.name)
	return Response(status=204)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=CHECKOUT_RATE_LIMIT, seconds=CHECKOUT_RATE_WINDOW_SECONDS)
def checkout(token: str) -> Response:
	link, invoice = load_by_token(token)
	if not link or not invoice:
		return _not_found()
	settings = get_settings()
	page = build_pay_page(invoice)
	if page.state == "not_found":
		return _not_found()
	if not page.can_pay or not (settings.enabled and settings.stripe_enabled):
		return redirect(page_url(token), code=303)

	frappe.db.sql(
		f"UPDATE `tab{PAYMENT_LINK_DOCTYPE}` SET checkout_attempts = COALESCE(checkout_attempts, 0) + 1 "
		"WHERE name = %s",
		(link.name,),
	)
	# Read after the UPDATE took the row lock: a concurrent press has committed its session by now.
	attempt, previous = frappe.db.get_value(
		PAYMENT_LINK_DOCTYPE, link.name, ["checkout_attempts", "last_checkout_session"], for_update=True
	)
	if _is_customer_view():
		record_view(link.name)
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
		attempt=int(attempt),
	)
	api_key, api_base = get_stripe_secret_key() or "", get_stripe_api_base()
	prepared = prepare_checkout(
		api_key,
		previous,
		invoice=invoice.name,
		minor_amount=to_minor_units(invoice.outstanding_amount, invoice.currency),
		currency=invoice.currency,
		now=time.time(),
		is_settled=_intent_settled,
		api_base=api_base,
	)
	if prepared.action == Action.REUSE:
		return redirect(prepared.previous.url, code=303)
	if prepared.action == Action.PROCESSING:
		return redirect(page_url(token, "processing"), code=303)
	if prepared.action != Action.CREATE:
		create_log(
			INTEGRATION_STRIPE,
			status=LogStatus.ERROR,
			event_type="checkout.session.previous",
			request_data={"invoice": invoice.name, "previous_session": previous},
			message=f"No new Checkout Session: {prepared.reason}",
			reference_doctype="Sales Invoice",
			reference_name=invoice.name,
		)
		return redirect(page_url(token, "error"), code=303)
	try:
		session = create_checkout_session(api_key, params, key, api_base=api_base)
	except GatewayError as error:
		create_log(
			INTEGRATION_STRIPE,
			status=LogStatus.ERROR,
			event_type="checkout.session.create",
			request_data={"invoice": invoice.name, "idempotency_key": key},
			message=str(error),
			reference_doctype="Sales Invoice",
			reference_name=invoice.name,
		)
		return redirect(page_url(token, "error"), code=303)

	values = {"last_checkout_session": session["id"]}
	if session.get("payment_intent"):
		values["last_payment_intent"] = session["payment_intent"]
	frappe.db.set_value(PAYMENT_LINK_DOCTYPE, link.name, values, update_modified=False)
	return redirect(session["url"], code=303)
