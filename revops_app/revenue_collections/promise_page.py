"""The invoice pay page's promise-to-pay block: the context of templates/pay/promise_form.html.

Contract: `promise_block(token, invoice, csrf_token, done)` returns the partial's `promise` dict for one
invoice (reads only): the Open promise already covering the invoice ("you promised X by D"), else the form
bounded by the customer's window (`promises.promise_window`), else None when the customer's policy does
not offer promises. The endpoint it posts to (`revops_app.api.pay.promise`) checks everything again.
"""

from __future__ import annotations

import frappe
from frappe.utils import flt, formatdate, getdate, today

from revops_app.core.collections import promises as rules
from revops_app.core.gateway.paylinks import format_amount
from revops_app.revenue_collections.constants import PROMISE_DOCTYPE, PROMISE_METHOD
from revops_app.revenue_collections.promises import load_promises, promise_window


def promise_block(token: str, invoice: str, csrf_token: str | None = None, done: bool = False) -> dict | None:
	customer = frappe.db.get_value("Sales Invoice", invoice, "customer")
	if not customer:
		return None
	running = rules.open_promise_for(load_promises([invoice]), getdate(today()))
	block = {
		"url": f"/api/method/{PROMISE_METHOD}",
		"hidden": {"token": token},
		"earliest": None,
		"latest": None,
		"open": None,
		"done": bool(done),
		"csrf_token": csrf_token,
	}
	if running is not None:
		amount, currency = frappe.db.get_value(PROMISE_DOCTYPE, running.name, ["amount", "currency"])
		block["open"] = {
			"promised_date_formatted": formatdate(running.promised_date),
			"amount_formatted": format_amount(flt(amount), currency),
		}
		return block
	window = promise_window(customer)
	if window is None:
		return None
	block["earliest"], block["latest"] = window[0].isoformat(), window[1].isoformat()
	return block
