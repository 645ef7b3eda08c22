"""Customer page actions: POST checkout / view / promise, GET invoice_pdf / statement_pdf (guest, rate-limited).

Contract (everything is looked up from the page's token; nothing amount-like or customer-like is trusted):
- `checkout(token, mode)`: mode "all", "selected" (the ticked `invoice` form fields) or "amount" (`amount`,
  where the customer's dunning policy allows it). `core.gateway.customer_page.choose_payment` checks the
  choice against the page's own open invoices; a bad choice is 400 {"error": "invalid_choice", "message"}
  with a plain sentence (a browser's form post, Accept text/html, is sent back to the page with
  ?paid=invalid instead). Then as the invoice link: CHECKOUT_LINK_LIMIT presses per page and window
  whatever IP is claimed (429), the press counted under the page's row lock, and a 303 to where
  `customer_checkout.customer_checkout_destination` sends the customer (Stripe, or back with ?paid=...).
- `view(token)`: the page's view beacon (a POST from the page's script in a real browser, as the invoice
  page's): 204 whatever happened, 404 for an unknown token.
- `promise(token, promised_date)`: `promises.record_promise` over the page's open invoices (source
  Customer Page); 303 back to the page with ?promised=1, or 400 {"error": "promise_refused", "message"}
  with the rule's sentence, nothing written.
- `invoice_pdf(token, invoice)`: one of the page's open invoices as its print format PDF; any other name is
  the same 404 as an unknown token. `statement_pdf(token)`: ERPNext's statement of the customer's open items
  in the page's company (seller.statement_pdf). Both GET, PDF_RATE_LIMIT per IP and token.
- Unknown or malformed token: 404 {"error": "not_found"}; missing token: 400 {"error": "missing_argument"}.
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

import frappe
from frappe.rate_limiter import rate_limit
from frappe.utils import getdate

from revops_app.api.pay_responses import (
	PAGE_NOT_FOUND,
	answer,
	is_customer_view,
	no_token,
	not_found,
	pdf_from,
	too_many_attempts,
)
from revops_app.core.gateway.customer_page import ChoiceError, choose_payment
from revops_app.revenue_collections.checkout import count_attempt
from revops_app.revenue_collections.checkout_limit import take_checkout_slot
from revops_app.revenue_collections.constants import (
	CHECKOUT_RATE_LIMIT,
	CHECKOUT_RATE_WINDOW_SECONDS,
	CUSTOMER_PAGE_DOCTYPE,
	PDF_RATE_LIMIT,
	PDF_RATE_WINDOW_SECONDS,
	PROMISE_RATE_LIMIT,
	PROMISE_RATE_WINDOW_SECONDS,
	VIEW_RATE_LIMIT,
	VIEW_RATE_WINDOW_SECONDS,
)
from revops_app.revenue_collections.customer_checkout import customer_checkout_destination, customer_page_url
from revops_app.revenue_collections.customer_pages import load_by_token, record_view
from revops_app.revenue_collections.seller import invoice_pdf as render_invoice_pdf
from revops_app.revenue_collections.seller import statement_pdf as render_statement_pdf


def _wants_html() -> bool:
	request = frappe.request
	return bool(request) and "text/html" in (request.headers.get("Accept") or "")


def _ticked() -> list[str]:
	form = frappe.request.form if frappe.request else None
	return [value for value in (form.getlist("invoice") if form else []) if isinstance(value, str)][:200]


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=VIEW_RATE_LIMIT, seconds=VIEW_RATE_WINDOW_SECONDS)
def view(token: str | None = None) -> Response:
	if not token:
		return no_token()
	page, _facts = load_by_token(token)
	if not page:
		return not_found(PAGE_NOT_FOUND)
	if is_customer_view():
		record_view(page.name)
	return Response(status=204)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=CHECKOUT_RATE_LIMIT, seconds=CHECKOUT_RATE_WINDOW_SECONDS)
def checkout(token: str | None = None, mode: str | None = None, amount: str | None = None) -> Response:
	if not token:
		return no_token()
	page, facts = load_by_token(token)
	if not page:
		return not_found(PAGE_NOT_FOUND)
	if not facts.online:
		return redirect(customer_page_url(token), code=303)
	try:
		choice = choose_payment(
			facts.invoices,
			currency=facts.currency,
			mode=mode,
			selected=_ticked(),
			amount=amount,
			rules=facts.rules,
		)
	except ChoiceError as error:
		if _wants_html():  # the page's own form: back to the page, which asks to choose again
			return redirect(customer_page_url(token, "invalid"), code=303)
		return answer(400, "invalid_choice", str(error))
	retry_after = take_checkout_slot(f"{CUSTOMER_PAGE_DOCTYPE}:{page.name}")
	if retry_after is not None:
		return too_many_attempts(retry_after, "pay from this page")
	attempt, previous = count_attempt(page.name, CUSTOMER_PAGE_DOCTYPE)
	if is_customer_view():
		record_view(page.name)
	return redirect(customer_checkout_destination(token, page, facts, choice, attempt, previous), code=303)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(key="token", limit=PROMISE_RATE_LIMIT, seconds=PROMISE_RATE_WINDOW_SECONDS)
def promise(token: str | None = None, promised_date: str | None = None) -> Response:
	from revops_app.core.collections.promises import PromiseSource
	from revops_app.revenue_collections.promises import record_promise

	if not token:
		return no_token()
	page, facts = load_by_token(token)
	if not page:
		return not_found(PAGE_NOT_FOUND)
	try:
		when = getdate(promised_date) if promised_date else None
	except Exception:
		when = None
	if not when:
		return answer(400, "promise_refused", "Choose the date you will pay by.")
	try:
		record_promise(
			page.customer,
			page.company,
			page.currency,
			[i.name for i in facts.invoices],
			when,
			source=PromiseSource.CUSTOMER_PAGE,
		)
	except frappe.ValidationError as error:
		frappe.db.rollback()
		frappe.clear_messages()
		return answer(400, "promise_refused", str(error) or "The promise could not be recorded.")
	return redirect(customer_page_url(token) + "?promised=1", code=303)


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(key="token", limit=PDF_RATE_LIMIT, seconds=PDF_RATE_WINDOW_SECONDS)
def invoice_pdf(token: str | None = None, invoice: str | None = None) -> Response:
	if not token:
		return no_token()
	page, facts = load_by_token(token)
	if not page or invoice not in {i.name for i in facts.invoices}:
		return not_found(PAGE_NOT_FOUND)
	return pdf_from(lambda: render_invoice_pdf(invoice), nothing=lambda: not_found(PAGE_NOT_FOUND))


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(key="token", limit=PDF_RATE_LIMIT, seconds=PDF_RATE_WINDOW_SECONDS)
def statement_pdf(token: str | None = None) -> Response:
	if not token:
		return no_token()
	page, _facts = load_by_token(token)
	if not page:
		return not_found(PAGE_NOT_FOUND)
	return pdf_from(
		lambda: render_statement_pdf(page.customer, page.company),
		nothing=lambda: answer(404, "nothing_open", "There are no open items to put on a statement"),
	)
