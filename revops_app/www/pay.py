"""The customer's pay page, routed at /pay/<token> (website_route_rules in hooks.py).

Contract: works for guests, never cached (`no_cache`), standalone HTML (no desk or website bundle).
It shows only that invoice's number, customer name, due date, outstanding amount and currency, and a
Pay button that POSTs the token to revops_app.api.pay.checkout. Unknown tokens get the same 404 page
whatever the reason. Each view of a real invoice is counted in one UPDATE (revops_app.erp.pay_links
.record_view) and committed although the request is a GET (`frappe.local.flags.commit`).
"""

from __future__ import annotations

import frappe

from revops_app.constants import CHECKOUT_METHOD
from revops_app.core.gateway.paylinks import build_pay_page
from revops_app.erp.pay_links import load_by_token, record_view

no_cache = 1
sitemap = 0


def get_context(context: dict) -> dict:
	token = frappe.form_dict.get("token") or ""
	link, invoice = load_by_token(token)
	page = build_pay_page(invoice, returned=frappe.form_dict.get("paid"))
	if link and page.state != "not_found":
		record_view(link.name)
		frappe.local.flags.commit = True  # a GET is rolled back unless told otherwise
	context.no_cache = 1
	context.page = page
	context.token = token if page.can_pay else None
	context.checkout_url = f"/api/method/{CHECKOUT_METHOD}"
	# A signed-in user's session carries a CSRF token that a POST must echo; guests have none.
	context.csrf_token = (frappe.session.data or {}).get("csrf_token") if frappe.session else None
	context.title = page.heading
	context.http_status_code = page.http_status
	return context
