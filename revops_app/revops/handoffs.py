"""Lead handoffs the sidecar reports: one RevOps Lead Handoff record per crossing, named by its key.

Contract
- `record_handoff(item)` -> {"name", "status", "customer"}: status "created" (inserted), or "duplicate" (a
  record with this `handoff_key` exists for the same customer and moment: a retried delivery, nothing
  written). The checks are `revops_app.core.cx.lead_handoff.parse_handoff`; bad input, an unknown Customer or
  the same key for another customer raise `frappe.ValidationError` (HTTP 417) and write nothing.
- The record is named by the key, so two concurrent deliveries insert at most one: the loser's insert hits
  the primary key (DuplicateEntryError), is undone to its savepoint and answered from the stored record.
- A record, not a Comment on the Customer: the signals feed joins handoffs to Sales Orders / Invoices in
  SQL (first order after each handoff, `signals/first_orders.py`) through indexed columns (customer,
  handed_off_at), the key is a primary key the database keeps unique, and the timeline row carries the
  HubSpot task / contact links as fields instead of parsing HTML.
The insert runs with the caller's permissions (create on RevOps Lead Handoff: the integration role).
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import get_system_timezone, now_datetime

from revops_app.core.cx import lead_handoff

HANDOFF_DOCTYPE = "RevOps Lead Handoff"


def _stored(key: str) -> dict[str, Any] | None:
	return frappe.db.get_value(HANDOFF_DOCTYPE, key, ["name", "customer", "handed_off_at"], as_dict=True)


def _answer(handoff: lead_handoff.LeadHandoff, stored: dict[str, Any]) -> dict[str, str]:
	why = lead_handoff.conflict(stored, handoff)
	if why:
		frappe.throw(_("{0}; a handoff key names one crossing").format(why), frappe.ValidationError)
	return {"name": stored["name"], "status": "duplicate", "customer": stored["customer"]}


def record_handoff(item: Any) -> dict[str, str]:
	try:
		handoff = lead_handoff.parse_handoff(item, get_system_timezone(), now_datetime())
	except ValueError as exc:
		frappe.throw(str(exc), frappe.ValidationError, title=_("Invalid handoff"))
	if not frappe.db.exists("Customer", handoff.customer):
		frappe.throw(_("Customer {0} does not exist").format(handoff.customer), frappe.ValidationError)
	stored = _stored(handoff.handoff_key)
	if stored:
		return _answer(handoff, stored)
	doc = frappe.get_doc({"doctype": HANDOFF_DOCTYPE, **handoff.as_fields()})
	frappe.db.savepoint("revops_lead_handoff")
	try:
		doc.insert()
	except frappe.DuplicateEntryError:
		frappe.db.rollback(save_point="revops_lead_handoff")
		stored = _stored(handoff.handoff_key)
		if not stored:
			raise
		return _answer(handoff, stored)
	return {"name": doc.name, "status": "created", "customer": doc.customer}
