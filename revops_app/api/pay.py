"""Pay page action: POST /api/method/revops_app.api.pay.checkout (guest, rate-limited).

Contract:
- `checkout(token)` looks the link up by its token, recomputes the invoice's outstanding amount on the
  server (nothing amount-like is read from the request), counts the attempt in one UPDATE (which also
  locks the link row until commit, so two presses are serialised), builds the Checkout Session with
  `core.gateway.checkout` (idempotency key per invoice + amount + currency + attempt, metadata naming
  the invoice and the link) and answers 303 to Stripe's hosted page.
- Unknown or malformed token: 404 with the same text whatever the reason. Nothing payable (paid,
  cancelled, credited, offline): 303 back to the pay page, which shows why. Stripe unreachable or
  refusing: logged as Error (no key in it) and 303 back to the pay page with `?paid=error`.
- Rate limit: CHECKOUT_RATE_LIMIT presses per IP and token per window (Frappe's rate_limit, redis).
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

import frappe
from frappe.rate_limiter import rate_limit

from revops_app.constants import (
	CHECKOUT_RATE_LIMIT,
	CHECKOUT_RATE_WINDOW_SECONDS,
	INTEGRATION_STRIPE,
	PAY_ROUTE,
	PAYMENT_LINK_DOCTYPE,
	LogStatus,
)
from revops_app.core.gateway.checkout import (
	GatewayError,
	InvoiceForCheckout,
	build_checkout_session,
	create_checkout_session,
)
from revops_app.core.gateway.paylinks import build_pay_page
from revops_app.erp.integration_log import create_log
from revops_app.erp.pay_links import load_by_token
from revops_app.revops.doctype.revops_settings.revops_settings import (
	get_settings,
	get_stripe_api_base,
	get_stripe_secret_key,
)


def _not_found() -> Response:
	return Response("Payment link not found", status=404, mimetype="text/plain")


def page_url(token: str, returned: str | None = None) -> str:
	return frappe.utils.get_url(f"/{PAY_ROUTE}/{token}" + (f"?paid={returned}" if returned else ""))


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
	attempt = frappe.db.get_value(PAYMENT_LINK_DOCTYPE, link.name, "checkout_attempts", for_update=True)
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
	try:
		session = create_checkout_session(
			get_stripe_secret_key() or "", params, key, api_base=get_stripe_api_base()
		)
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
