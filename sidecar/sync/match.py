"""Gather, matching: which ERP customer (if any) each HubSpot contact belongs to.

Order of evidence: the company's pinned `revops_erp_customer` (when that customer is cached), else the
company's domain, else the contact's e-mail domain (never a free-mail domain), against the cached ERP domains.
"""

from __future__ import annotations

from sidecar.hubspot.properties import ERP_CUSTOMER_PROPERTY
from sidecar.sync.constants import FREEMAIL
from sidecar.sync.erp_feed import ErpIndex


def company_id_of(contact: dict) -> str | None:
	"""The contact's primary company id: `associatedcompanyid`, else its first associated company."""
	props = contact.get("properties") or {}
	if props.get("associatedcompanyid"):
		return str(props["associatedcompanyid"])
	assoc = ((contact.get("associations") or {}).get("companies") or {}).get("results") or []
	return str(assoc[0]["id"]) if assoc else None


def _email_domain(contact: dict) -> str:
	email = str((contact.get("properties") or {}).get("email") or "")
	return email.rsplit("@", 1)[1].lower() if "@" in email else ""


def match_customers(
	contacts: dict[str, dict], companies: dict[str, dict], index: ErpIndex
) -> dict[str, str | None]:
	"""contact id -> ERP customer name (or None)."""
	pinned = {cid: (c.get("properties") or {}).get(ERP_CUSTOMER_PROPERTY) for cid, c in companies.items()}
	domains = {
		cid: str((c.get("properties") or {}).get("domain") or "").lower() for cid, c in companies.items()
	}
	email_domains = {cid: _email_domain(c) for cid, c in contacts.items()}
	lookup = index.by_domain({*domains.values(), *(d for d in email_domains.values() if d not in FREEMAIL)})
	pinned_ok = set(index.records({p for p in pinned.values() if p}))
	out: dict[str, str | None] = {}
	for cid, contact in contacts.items():
		company_id = company_id_of(contact)
		customer = None
		if company_id and pinned.get(company_id) in pinned_ok:
			customer = pinned[company_id]
		elif company_id and domains.get(company_id) in lookup:
			customer = lookup[domains[company_id]]
		elif email_domains[cid] and email_domains[cid] not in FREEMAIL:
			customer = lookup.get(email_domains[cid])
		out[cid] = customer
	return out
