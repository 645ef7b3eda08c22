"""Customer Timeline: one customer's invoices, payments, reminders, promises, disputes, survey responses,
service-recovery Issues, escalations and lead handoffs, newest first, each row linked to its document, a lead
handoff also to its HubSpot task or contact (`revops_app.customer_experience.customer_timeline`)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint

from revops_app.customer_experience.customer_timeline import timeline_rows

MAX_ROWS = 500


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	customer = filters.get("customer")
	if not customer:
		return columns(), [], _("Choose a customer.")
	frappe.has_permission("Customer", "read", doc=customer, throw=True)
	limit = min(max(cint(filters.get("limit") or 100), 1), MAX_ROWS)
	return columns(), timeline_rows(customer, limit)


def columns() -> list[dict]:
	return [
		{"fieldname": "when", "label": _("When"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "kind", "label": _("What"), "fieldtype": "Data", "width": 130},
		{
			"fieldname": "doctype",
			"label": _("Document Type"),
			"fieldtype": "Link",
			"options": "DocType",
			"width": 170,
		},
		{
			"fieldname": "name",
			"label": _("Document"),
			"fieldtype": "Dynamic Link",
			"options": "doctype",
			"width": 190,
		},
		{"fieldname": "summary", "label": _("Summary"), "fieldtype": "Data", "width": 420},
		{"fieldname": "external_url", "label": _("HubSpot"), "fieldtype": "Data", "width": 220},
		{"fieldname": "url", "label": _("Link"), "fieldtype": "Data", "hidden": 1},
	]
