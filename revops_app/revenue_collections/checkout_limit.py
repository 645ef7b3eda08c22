"""A per-link limit on presses of Pay that reach Stripe, whatever client IP the request claims.

Frappe's `rate_limit` keys guests by `frappe.local.request_ip`, which trusts `X-Forwarded-For`: a client that
sends a new value on each request gets a new counter each time. This counter is keyed by the payment link
alone, so it holds however the caller presents itself; it is counted only for presses that would talk to
Stripe (a real, payable link), so unknown tokens cost a lookup and nothing else.
"""

from __future__ import annotations

import frappe

from revops_app.revenue_collections.constants import CHECKOUT_LINK_LIMIT, CHECKOUT_LINK_WINDOW_SECONDS


def _key(link_name: str) -> str:
	return frappe.cache.make_key(f"revops:checkout-per-link:{link_name}")


def take_checkout_slot(link_name: str) -> int | None:
	"""Count one Stripe-bound press on the link. None when allowed, else the seconds until the window resets."""
	key = _key(link_name)
	count = frappe.cache.incrby(key, 1)
	if count == 1:
		frappe.cache.expire(key, CHECKOUT_LINK_WINDOW_SECONDS)
	if count <= CHECKOUT_LINK_LIMIT:
		return None
	ttl = frappe.cache.ttl(key)
	if ttl is None or ttl < 0:  # the expiry was lost (a crash between INCRBY and EXPIRE): set it again
		frappe.cache.expire(key, CHECKOUT_LINK_WINDOW_SECONDS)
		ttl = CHECKOUT_LINK_WINDOW_SECONDS
	return int(ttl)


def reset_checkout_slots(link_name: str) -> None:
	"""Forget the link's count (tests; an admin who wants to let a customer try again at once)."""
	frappe.cache.delete(_key(link_name))
