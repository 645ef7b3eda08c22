"""The invoice pay page's document download: GET /api/method/revops_app.api.documents.invoice_pdf?token=...

Contract: the invoice of a pay link (looked up by its token, as the pay page does) as its print format PDF
through Frappe's own rendering (`revenue_collections.seller.invoice_pdf`). Only an invoice the pay page
would show (submitted, not a return) is rendered; anything else, an unknown or malformed token, is the same
404 {"error": "not_found"}; no token is 400 {"error": "missing_argument"}. Guest, GET (it writes nothing
but Frappe's own print Access Log), PDF_RATE_LIMIT per IP and token.
"""

# No `from __future__ import annotations`: Frappe checks request arguments against real annotations.
from werkzeug.wrappers import Response

import frappe
from frappe.rate_limiter import rate_limit

from revops_app.api.pay_responses import LINK_NOT_FOUND, no_token, not_found, pdf_from, shown_link
from revops_app.revenue_collections.constants import PDF_RATE_LIMIT, PDF_RATE_WINDOW_SECONDS
from revops_app.revenue_collections.seller import invoice_pdf as render_invoice_pdf


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limit(key="token", limit=PDF_RATE_LIMIT, seconds=PDF_RATE_WINDOW_SECONDS)
def invoice_pdf(token: str | None = None) -> Response:
	if not token:
		return no_token()
	shown = shown_link(token)
	if not shown:
		return not_found(LINK_NOT_FOUND)
	_link, invoice, _page = shown
	return pdf_from(lambda: render_invoice_pdf(invoice.name), nothing=lambda: not_found(LINK_NOT_FOUND))
