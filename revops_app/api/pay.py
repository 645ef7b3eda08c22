"""Pay page actions: POST /api/method/revops_app.api.pay.checkout and .view (guest, rate-limited).

Contract:
- `checkout(token)` looks the link up by its token, counts a view (pressing Pay means the customer saw the
  page) and answers 303 to where `revenue_collections.checkout.checkout_destination` sends the customer:
  Stripe's hosted page for a session at the outstanding amount computed on the server (nothing amount-like
  is read from the request; idempotency key per invoice + amount + currency + attempt), or back to the
  page with `?paid=processing` (paid or in flight, here or in a customer page session covering this invoice)
  or `?paid=error` (Stripe refused or cannot tell). At most one session per invoice, across its link and its
  customer page, can take money at any time (see that module; the page row is locked before the link row).
- `view(token)` is the pay page's view beacon: counts a view (one atomic UPDATE) when
  `core.gateway.paylinks.counts_as_view` says the request is the customer's browser; answers 204
  whatever happened (a scanner learns nothing), 404 for an unknown token.
- No token: 400 {"error": "missing_argument"}. Unknown or malformed token: 404 {"error": "not_found"}, the
  same answer whatever the reason. Nothing payable (paid,
  cancelled, credited, offline): 303 back to the pay page, which shows why. Stripe unreachable or
  refusing: logged as Error (no key in it) and 303 back to the pay page with `?paid=error`.
- `promise(token, promised_date)` records a promise to pay this invoice by `promised_date` (YYYY-MM-DD)
  through `revenue_collections.promises.record_promise` (source Invoice Page; the customer, company,
  currency and amount come from the invoice, never from the request) and answers 303 back to the pay page
  with `?promised=1`. Missing date: 400 {"error": "missing_argument"}; not a date: 400 {"error":
  "invalid_date"}; nothing left to pay: 409 {"error": "not_open"}; refused (outside the policy's window,
  promises not offered, already promised): 400 {"error": "promise_refused", "message": <the sentence>};
  nothing is written in any of these (the attempt runs in a savepoint).
- Rate limits: CHECKOUT_RATE_LIMIT presses, PROMISE_RATE_LIMIT promises and VIEW_RATE_LIMIT beacons per IP and token per window
  (Frappe's rate_limit, redis), and CHECKOUT_LINK_LIMIT Stripe-bound presses per link per window whatever
  IP is claimed (`checkout_limit`): over it, 429 {"error": "too_many_attempts"} with Retry-After.
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
from datetime import date

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

import frappe
from frappe.rate_limiter import rate_limit

from revops_app.api.pay_responses import (
	LINK_NOT_FOUND,
	answer,
	is_customer_view,
	no_token,
	not_found,
	shown_link,
	too_many_attempts,
)
from revops_app.revenue_collections.checkout import (
	checkout_destination,
	count_attempt,
	lock_page_sessions,
	page_url,
)
from revops_app.revenue_collections.checkout_limit import take_checkout_slot
from revops_app.revenue_collections.constants import (
	CHECKOUT_RATE_LIMIT,
	CHECKOUT_RATE_WINDOW_SECONDS,
	PROMISE_RATE_LIMIT,
	PROMISE_RATE_WINDOW_SECONDS,
	VIEW_RATE_LIMIT,
	VIEW_RATE_WINDOW_SECONDS,
)
from revops_app.revenue_collections.pay_links import record_view
from revops_app.revenue_collections.promises import record_promise
from revops_app.revops.settings import get_settings


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=VIEW_RATE_LIMIT, seconds=VIEW_RATE_WINDOW_SECONDS)
def view(token: str | None = None) -> Response:
	if not token:
		return no_token()
	shown = shown_link(token)
	if not shown:
		return not_found(LINK_NOT_FOUND)
	link, _invoice, _page = shown
	if is_customer_view():
		record_view(link.name)
	return Response(status=204)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=CHECKOUT_RATE_LIMIT, seconds=CHECKOUT_RATE_WINDOW_SECONDS)
def checkout(token: str | None = None) -> Response:
	if not token:
		return no_token()
	shown = shown_link(token)
	if not shown:
		return not_found(LINK_NOT_FOUND)
	link, invoice, page = shown
	settings = get_settings()
	if not page.can_pay or not (settings.enabled and settings.stripe_enabled):
		return redirect(page_url(token), code=303)
	retry_after = take_checkout_slot(link.name)
	if retry_after is not None:
		return too_many_attempts(retry_after, "pay this invoice")

	others = lock_page_sessions(invoice.name)  # the customer page row first (pages before links)
	attempt, previous = count_attempt(link.name)
	if is_customer_view():
		record_view(link.name)
	return redirect(checkout_destination(token, link, invoice, attempt, previous, others), code=303)


PROMISE_SAVEPOINT = "revops_pay_promise"
CLOSED_STATES = ("paid", "cancelled", "credit_noted")


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=PROMISE_RATE_LIMIT, seconds=PROMISE_RATE_WINDOW_SECONDS)
def promise(token: str | None = None, promised_date: str | None = None) -> Response:
	if not token:
		return no_token()
	shown = shown_link(token)
	if not shown:
		return not_found(LINK_NOT_FOUND)
	link, invoice, page = shown
	if not promised_date or not str(promised_date).strip():
		return answer(400, "missing_argument", "promised_date is required")
	try:
		day = date.fromisoformat(str(promised_date).strip())
	except ValueError:
		return answer(400, "invalid_date", "promised_date must be a date like 2026-12-31")
	if page.state in CLOSED_STATES:
		return answer(409, "not_open", f"There is nothing left to pay on invoice {invoice.name}.")
	si = frappe.db.get_value(
		"Sales Invoice",
		invoice.name,
		["customer", "company", "currency", "party_account_currency"],
		as_dict=True,
	)
	frappe.db.savepoint(PROMISE_SAVEPOINT)
	try:
		record_promise(
			si.customer,
			si.company,
			si.party_account_currency or si.currency,
			[invoice.name],
			day,
			source="Invoice Page",
		)
	except frappe.ValidationError as error:
		frappe.db.rollback(save_point=PROMISE_SAVEPOINT)
		frappe.local.message_log = []  # the sentence goes in this answer, not in Frappe's envelope too
		return answer(400, "promise_refused", str(error))
	if is_customer_view():
		record_view(link.name)
	return redirect(page_url(token) + "?promised=1", code=303)
