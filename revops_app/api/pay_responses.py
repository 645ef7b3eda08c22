"""What the pay endpoints share (api/pay.py, api/customer_pay.py, api/documents.py): answers and the lookup.

Contract: a JSON error is {"error": <code>, "message": <sentence>} with its status (and headers, such as
Retry-After); `no_token()` is 400 missing_argument "token is required"; `not_found(message)` is 404
not_found with the page's own sentence; `too_many_attempts(retry_after, what)` is 429 with Retry-After
and "Too many attempts to <what>; try again in <minutes> minutes" (minutes rounded up, at least 1);
`pdf(filename, content)` is an inline PDF, never cached. `is_customer_view()` says whether this request
counts as the customer seeing the page (`core.gateway.paylinks.counts_as_view`: the method, the browser's
User-Agent, and not a desk user). `shown_link(token)` is (link, invoice, page) for an invoice pay-page token
whose page the pay page would show (`core.gateway.paylinks.build_pay_page`), or None (unknown or malformed
token, draft or return invoice): the one lookup of api/pay.py and api/documents.py. LINK_NOT_FOUND and
PAGE_NOT_FOUND are the 404 sentences of the invoice pay page and the customer page. No whitelisted method
lives here.
"""

import json
from collections.abc import Callable

from werkzeug.wrappers import Response

import frappe
from frappe.permissions import is_system_user

from revops_app.core.gateway.paylinks import InvoiceView, PayPage, build_pay_page, counts_as_view
from revops_app.revenue_collections.pay_links import load_by_token

LINK_NOT_FOUND = "Payment link not found"
PAGE_NOT_FOUND = "Page not found"


def answer(status: int, error: str, message: str, headers: dict | None = None) -> Response:
	body = json.dumps({"error": error, "message": message})
	return Response(body, status=status, mimetype="application/json", headers=headers)


def not_found(message: str) -> Response:
	return answer(404, "not_found", message)


def no_token() -> Response:
	return answer(400, "missing_argument", "token is required")


def too_many_attempts(retry_after: int, what: str) -> Response:
	minutes = max(1, -(-retry_after // 60))
	message = f"Too many attempts to {what}; try again in {minutes} minutes"
	return answer(429, "too_many_attempts", message, headers={"Retry-After": str(retry_after)})


def pdf(filename: str, content: bytes) -> Response:
	return Response(
		content,
		status=200,
		mimetype="application/pdf",
		headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"},
	)


def pdf_from(render: Callable[[], tuple[str, bytes] | None], nothing: Callable[[], Response]) -> Response:
	"""The PDF `render()` makes; `nothing()` when it has nothing to show (None). A renderer that fails (no
	wkhtmltopdf or Chromium on the host, a broken print format) answers 503 in plain words, and the failure
	goes to the Error Log (deferred: a GET request does not commit)."""
	try:
		made = render()
	except Exception:
		frappe.log_error(title="revops_app: pay page PDF could not be made", defer_insert=True)
		return answer(
			503, "pdf_unavailable", "The document cannot be made right now. Please try again later."
		)
	return pdf(*made) if made else nothing()


def is_customer_view() -> bool:
	request = frappe.request
	desk_user = frappe.session.user != "Guest" and is_system_user()
	return counts_as_view(
		request.method if request else None,
		request.headers.get("User-Agent") if request else None,
		desk_user=desk_user,
	)


def shown_link(token: str) -> tuple[frappe._dict, InvoiceView, PayPage] | None:
	link, invoice = load_by_token(token)
	if not link or not invoice:
		return None
	page = build_pay_page(invoice)
	if page.state == "not_found":
		return None
	return link, invoice, page
