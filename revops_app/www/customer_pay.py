"""The customer page, routed at /customer-pay/<token> (website_route_rules in hooks.py).

Contract: works for guests, never cached, standalone HTML (no desk or website bundle), like the invoice pay
page (www/pay.py). It shows the seller (templates/pay/seller.html), every open invoice of the page's
customer, company and currency oldest due first with amounts computed here on the server, a checkbox per
invoice, Pay all / Pay selected (and a chosen amount where the customer's dunning policy allows it), each
invoice's PDF and ERPNext's statement to download, and the promise-to-pay form (templates/pay/
promise_form.html) when the policy allows promises. Nothing of another customer is read: the invoices are
selected by the page's own customer, company and currency (customer_pages.load_by_token). Unknown tokens get
the same 404 page whatever the reason. Loading the page writes nothing; the inline script's beacon counts
a view (the invoice page's rule, core.gateway.paylinks.counts_as_view).
"""

from __future__ import annotations

from urllib.parse import urlencode

import frappe
from frappe.utils import fmt_money, formatdate

from revops_app.core.gateway.customer_page import build_customer_page
from revops_app.revenue_collections.constants import (
	CUSTOMER_CHECKOUT_METHOD,
	CUSTOMER_INVOICE_PDF_METHOD,
	CUSTOMER_PROMISE_METHOD,
	CUSTOMER_STATEMENT_METHOD,
	CUSTOMER_VIEW_METHOD,
)
from revops_app.revenue_collections.customer_pages import load_by_token
from revops_app.revenue_collections.seller import seller_context

no_cache = 1
sitemap = 0


def _promise_context(page, facts, token: str, csrf_token: str | None) -> dict | None:
	from revops_app.revenue_collections.promises import open_promise, promise_window

	if not facts.invoices:
		return None
	running = open_promise(page.customer, page.company)
	window = None if running else promise_window(page.customer)
	if not running and not window:
		return None
	return {
		"url": f"/api/method/{CUSTOMER_PROMISE_METHOD}",
		"hidden": {"token": token},
		"earliest": window[0].isoformat() if window else None,
		"latest": window[1].isoformat() if window else None,
		"open": {
			"promised_date_formatted": formatdate(running["promised_date"]),
			"amount_formatted": fmt_money(running["amount"], currency=running["currency"]),
		}
		if running
		else None,
		"done": bool(frappe.form_dict.get("promised")),
		"csrf_token": csrf_token,
	}


def get_context(context: dict) -> dict:
	token = frappe.form_dict.get("token") or ""
	page_row, facts = load_by_token(token)
	page = build_customer_page(facts, returned=frappe.form_dict.get("paid"))
	found = page.state != "not_found"
	# A signed-in user's session carries a CSRF token that a POST must echo; guests have none.
	csrf_token = (frappe.session.data or {}).get("csrf_token") if frappe.session else None
	context.no_cache = 1
	context.page = page
	context.token = token if found else None
	context.csrf_token = csrf_token
	context.checkout_url = f"/api/method/{CUSTOMER_CHECKOUT_METHOD}"
	context.view_url = f"/api/method/{CUSTOMER_VIEW_METHOD}"
	context.view_token = token if found else None
	context.seller = seller_context(page_row.company) if found else None
	context.pdf_urls = (
		{
			row.name: f"/api/method/{CUSTOMER_INVOICE_PDF_METHOD}?"
			+ urlencode({"token": token, "invoice": row.name})
			for row in page.rows
		}
		if found
		else {}
	)
	context.documents = (
		[
			{
				"label": "Download your statement (PDF)",
				"url": f"/api/method/{CUSTOMER_STATEMENT_METHOD}?" + urlencode({"token": token}),
			}
		]
		if found and page.rows
		else []
	)
	context.promise = _promise_context(page_row, facts, token, csrf_token) if found else None
	context.amount_step = "1" if page.decimals == 0 else "0." + "0" * (page.decimals - 1) + "1"
	context.title = page.heading
	context.http_status_code = page.http_status
	return context
