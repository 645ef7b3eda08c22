"""The customer's pay page, routed at /pay/<token> (website_route_rules in hooks.py).

Contract: works for guests, never cached (`no_cache`), standalone HTML (no desk or website bundle).
It shows only that invoice's number, customer name, due date, outstanding amount and currency, and a
Pay button that POSTs the token to revops_app.api.pay.checkout. Unknown tokens get the same 404 page
whatever the reason. Loading the page writes nothing: email security scanners fetch every link before
the customer does, so a GET (or HEAD) is never a view. The page's inline script posts a view beacon to
revops_app.api.pay.view (core.gateway.paylinks.counts_as_view states the rule).
An invoice with a payment schedule shows the instalment due now (amount and due date) beside the total
(`revenue_collections.instalments.due_now`); an open invoice of a customer whose policy offers promises to
pay shows the promise form (templates/pay/promise_form.html, posting to revops_app.api.pay.promise), or
the promise already made.
"""

from __future__ import annotations

import frappe

from revops_app.core.gateway.paylinks import build_pay_page
from revops_app.revenue_collections.constants import CHECKOUT_METHOD, VIEW_METHOD
from revops_app.revenue_collections.instalments import due_now
from revops_app.revenue_collections.pay_links import load_by_token
from revops_app.revenue_collections.promise_page import promise_block

no_cache = 1
sitemap = 0


def get_context(context: dict) -> dict:
	token = frappe.form_dict.get("token") or ""
	link, invoice = load_by_token(token)
	page = build_pay_page(invoice, returned=frappe.form_dict.get("paid"))
	context.no_cache = 1
	context.page = page
	context.token = token if page.can_pay else None
	context.checkout_url = f"/api/method/{CHECKOUT_METHOD}"
	# The view beacon's target (the page's inline script posts the token there); none for a 404.
	context.view_token = token if link and page.state != "not_found" else None
	context.view_url = f"/api/method/{VIEW_METHOD}"
	# A signed-in user's session carries a CSRF token that a POST must echo; guests have none.
	context.csrf_token = (frappe.session.data or {}).get("csrf_token") if frappe.session else None
	open_states = ("payable", "offline")
	context.instalment = due_now(invoice.name) if page.state in open_states else None
	context.promise = (
		promise_block(token, invoice.name, context.csrf_token, done=bool(frappe.form_dict.get("promised")))
		if page.state in open_states
		else None
	)
	context.title = page.heading
	context.http_status_code = page.http_status
	return context
