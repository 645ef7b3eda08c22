"""RevOps Settings lost two fields nothing ever read: Stripe Publishable Key (Checkout is created on the
server; the pay page never loads Stripe.js) and HubSpot Private App Token (the sidecar takes its token from
its own config or REVOPS_HUBSPOT_TOKEN and never reads ERPNext settings). Their stored values go too, the
token's encrypted copy included, so no secret is left behind in a field the desk no longer shows."""

import frappe
from frappe.utils.password import remove_encrypted_password

SETTINGS = "RevOps Settings"
DROPPED = ("stripe_publishable_key", "hubspot_access_token")


def execute() -> None:
	singles = frappe.qb.DocType("Singles")
	frappe.qb.from_(singles).delete().where((singles.doctype == SETTINGS) & singles.field.isin(DROPPED)).run()
	remove_encrypted_password(SETTINGS, SETTINGS, "hubspot_access_token")
	frappe.clear_document_cache(SETTINGS, SETTINGS)
