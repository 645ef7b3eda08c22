"""Lead handoffs from the sidecar: `POST /api/method/revops_app.api.handoffs.record_handoff`.

Contract: token auth of the sidecar's integration user (`Authorization: token <api_key>:<api_secret>`), which
needs create permission on RevOps Lead Handoff (the role RevOps CX Integration has it, as has System
Manager); guests get 403 and nothing is written. Form or JSON arguments:
	handoff_key (required; the sidecar's "<contact id>:<crossing>"), customer (required, an existing
	Customer), handed_off_at (required, ISO 8601; with an offset it is converted to site time),
	contact_id, contact_name, contact_url, task_id, task_url (http(s) links into HubSpot), owner, team,
	subject (text, at most 140 characters each), score (0-100).
Returns {"name", "status": "created" | "duplicate", "customer"}. Idempotent by handoff_key: a retried delivery
answers "duplicate" and changes nothing, so the sidecar may retry on timeouts. Bad input, an unknown
customer, or a key already recorded for another customer or moment answer 417 with the reason.
Work: `revops_app.revops.handoffs.record_handoff`.
"""

# No `from __future__ import annotations`: Frappe reads these annotations to check request types.
import frappe
from frappe import _

from revops_app.revops.handoffs import HANDOFF_DOCTYPE
from revops_app.revops.handoffs import record_handoff as record


@frappe.whitelist(methods=["POST"])
def record_handoff(
	handoff_key: str,
	customer: str,
	handed_off_at: str,
	contact_id: str | None = None,
	contact_name: str | None = None,
	contact_url: str | None = None,
	task_id: str | None = None,
	task_url: str | None = None,
	owner: str | None = None,
	team: str | None = None,
	subject: str | None = None,
	score: float | None = None,
) -> dict:
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Log in with the integration user's API key"))
	frappe.has_permission(HANDOFF_DOCTYPE, "create", throw=True)
	return record(
		{
			"handoff_key": handoff_key,
			"customer": customer,
			"handed_off_at": handed_off_at,
			"contact_id": contact_id,
			"contact_name": contact_name,
			"contact_url": contact_url,
			"task_id": task_id,
			"task_url": task_url,
			"owner": owner,
			"team": team,
			"subject": subject,
			"score": score,
		}
	)
