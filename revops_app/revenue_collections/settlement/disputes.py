"""Stripe disputes -> the Payment Link's dispute flag, a ToDo, and the dispute's money.

Disputes flag the Payment Link (disputed, dispute_id, dispute_status, link_state Disputed), which
pauses dunning, and give Accounts Managers a ToDo; closing clears the flag. A payment that paid several
invoices (a customer page receipt) flags, and on closing clears, the link of every invoice it paid
(`core.collections.allocation.disputes.disputed_invoices`, all locked by the worker in name order); the
ToDo and the money (one Journal Entry per phase, against the customer) stay with the first invoice. A
closed status is final (a late `created` never reopens it: `dispute_status_for`). `dispute_facts` reads the dispute with its
balance transactions before the row lock; `settle_dispute` decides under it (`decide_dispute`) and
hands the money to dispute_money.settle_dispute_money.
"""

from __future__ import annotations

import frappe

from revops_app.core.collections.allocation.disputes import (
	LinkDispute,
	decide_dispute,
	dispute_status_for,
)
from revops_app.core.gateway.disputes import DisputeFacts, parse_dispute, retrieve_dispute
from revops_app.core.gateway.routing import link_state_after
from revops_app.core.gateway.webhooks.events import GatewayEvent
from revops_app.revenue_collections.settlement.dispute_money import settle_dispute_money
from revops_app.revenue_collections.settlement.errors import RetryLater
from revops_app.revenue_collections.settlement.lookups import invoice_paid, update_link
from revops_app.revenue_collections.settlement.todos import create_todo
from revops_app.revops.constants import LogStatus
from revops_app.revops.settings import get_stripe_api_base, get_stripe_secret_key


def dispute_facts(event: GatewayEvent) -> DisputeFacts:
	"""The dispute with its balance transactions: from the event, or from Stripe when the event's
	object does not carry them whole (called before the row lock: no network call under a lock)."""
	facts = parse_dispute(event.raw_object)
	if facts.expanded:
		return facts
	api_key = get_stripe_secret_key()
	if not api_key:
		raise RetryLater("Stripe secret key is not configured in RevOps Settings")
	return retrieve_dispute(api_key, facts.dispute_id, api_base=get_stripe_api_base())


def settle_dispute(
	event: GatewayEvent, invoice: str, links: dict[str, frappe._dict | None], facts: DisputeFacts
) -> tuple[str, str]:
	"""Under the locks of `links` (invoice -> its Payment Link row, `invoice` first: every invoice the
	disputed payment paid): flag or clear them all, the ToDo on `invoice`, the money against `invoice`."""
	held = [LinkDispute(name, link.dispute_id, link.dispute_status) for name, link in links.items() if link]
	status = dispute_status_for(held, facts.dispute_id, facts.status)
	try:
		decision = decide_dispute(status)
	except ValueError as error:
		return LogStatus.ERROR, str(error)
	for name, link in links.items():
		update_link(
			link,
			disputed=int(decision.disputed),
			dispute_id=facts.dispute_id,
			dispute_status=decision.status,
			link_state=link_state_after(
				link.link_state if link else None, paid=invoice_paid(name), disputed=decision.disputed
			),
		)
	amount = f"{facts.amount} {facts.currency}" if facts.amount is not None else "amount unknown"
	others = [name for name in links if name != invoice]
	if decision.create_todo:
		create_todo(
			invoice,
			f"Stripe dispute {facts.dispute_id} on {invoice} ({decision.status}, {amount}): {decision.reason}."
			+ (f" The payment also paid {', '.join(others)} (flagged too)." if others else ""),
			key=f"{facts.dispute_id}:{decision.outcome}",
		)
	notes = [decision.reason]
	if others:
		notes.append(
			f"{len(links)} invoices {'flagged' if decision.disputed else 'cleared'}: {', '.join(links)}"
		)
	if status != facts.status:
		notes.append(f"event shows {facts.status or 'no status'}, the dispute is already {status}")
	status_code, money_note = settle_dispute_money(event, invoice, facts, status)
	notes.append(money_note)
	return status_code, "; ".join(notes)
