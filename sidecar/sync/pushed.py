"""Gather for a push pass: the customers the app pushed, their fresh ERP records, their known contacts.

The app names the customers whose committed ERP change moves a score (sidecar.push); a push pass asks the app
for those customers' records now (`ErpPort.customer_records`: no settle window, the change is committed), puts
them in the ERP cache, and reads from HubSpot only the contacts already matched to them (the store knows which)
and those contacts' companies: two batch reads, no searches. Due records of the pending-write set come along. Cursors are not moved: the periodic pass still
meets the same change in the feed (the ledger makes that a no-op) and finds contacts that newly match.
"""

from __future__ import annotations

from typing import Any

from sidecar.sync.constants import COMPANY_READ_PROPERTIES, CONTACT_READ_PROPERTIES
from sidecar.sync.context import PassContext
from sidecar.sync.erp_feed import ErpIndex
from sidecar.sync.gather import Gathered, add_pending
from sidecar.sync.match import company_id_of, match_customers


def gather_pushed(ctx: PassContext, customers: list[str], stats: dict[str, Any]) -> Gathered:
	index = ErpIndex(ctx.store, ctx.dry_run)
	fetched = ctx.erp.customer_records(customers) if ctx.erp is not None else {}
	records = fetched.get("records") or []
	index.add(records, fetched.get("deleted") or [])
	stats.update(pushed_customers=len(customers), erp_records=len(records))
	known = sorted(ctx.store.contacts_for_customers(customers))
	contacts = ctx.hubspot.batch_read("contacts", known, CONTACT_READ_PROPERTIES) if known else {}
	# earlier failed writes ride along: retried seconds later, not at the next periodic pass
	add_pending(ctx, "contacts", contacts, stats)
	company_ids = sorted({company_id_of(c) for c in contacts.values()} - {None})
	companies = (
		ctx.hubspot.batch_read("companies", company_ids, COMPANY_READ_PROPERTIES) if company_ids else {}
	)
	stats["contacts_considered"] = len(contacts)
	matches = match_customers(contacts, companies, index)
	return Gathered(
		contacts=contacts,
		companies=companies,
		matches=matches,
		erp=index.records({c for c in matches.values() if c}),
		erp_cursor=None,
	)
