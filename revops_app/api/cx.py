"""CX endpoints for the sidecar: survey responses in, customer CX state out.

Authentication: token auth of an integration user (`Authorization: token <api_key>:<api_secret>`)
holding the role **RevOps CX Integration** (or System Manager). Guests are refused; a user without
create permission on CX Survey Response gets 403. Both methods run the work with
ignore_permissions after that check, because the rules write Issues, ToDos, emails and Customer
fields the integration user has no desk rights on.

POST /api/method/revops_app.api.cx.ingest_responses
	body (JSON): {"responses": [item, ...]}  at most 200 items (more -> 417, nothing stored)
	item: source (str, required), external_id (str, required), metric ("NPS" | "CSAT" | "CES" |
	"Custom"), score (number), scale_min / scale_max (numbers; both or neither: NPS 0-10, CSAT 1-5,
	CES 1-7 by default; required for Custom), higher_is_better (bool, default true),
	respondent_email, customer (ERPNext Customer id), contact (Contact id), comment,
	submitted_at (ISO 8601; with an offset or Z it is converted to site time), reference_doctype +
	reference_name (Issue / Sales Order / Sales Invoice / Project / Delivery Note), raw_payload (object).
	returns {"results": [{"source", "external_id", "status", "name", "message"}]} in input order:
	- "created": stored and matched to a Customer; rules applied (if they failed the response is kept
	  with status Error, the failure is a RevOps Integration Log row (integration CX) and the hourly
	  sweep retries it: the message says so),
	- "unmatched": stored with status Unmatched (no Customer found); kept for review, no rules,
	- "duplicate": this source + external_id was delivered before; `name` is the stored response.
	  The unique index on dedupe_key decides, so concurrent deliveries store one row,
	- "error": not stored (bad input); `message` says which key is wrong. Other items are unaffected:
	  each item runs in its own savepoint.
	Redelivering a whole batch is always safe.

GET /api/method/revops_app.api.cx.customer_cx_state?modified_after=<datetime>&limit=<n>
	returns {"customers": [{"customer", "customer_name", "latest_nps", "latest_csat", "latest_ces",
	"cx_segment", "churn_risk", "churn_risk_reason", "churn_flagged_on", "cx_updated_on"}],
	"next_modified_after": <cx_updated_on of the last row or the input>}. Customers whose CX state
	changed after `modified_after` (all with CX data when omitted), oldest change first; latest_* are
	null when the customer never answered that metric (CSAT/CES are 0-100 normalised, NPS raw 0-10).
	A page ends on a complete timestamp (rows sharing the last timestamp are all returned), so
	passing next_modified_after back never skips a customer. A user whom User Permissions restrict to
	some customers gets 403 (the feed covers every customer).
"""

import json

import frappe
from frappe import _
from frappe.core.doctype.user_permission.user_permission import get_user_permissions
from frappe.utils import cint, get_datetime

from revops_app.core.cx.intake import MAX_BATCH
from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE
from revops_app.customer_experience.ingest import ingest_batch
from revops_app.customer_experience.state_feed import cx_state_page

MAX_STATE_PAGE = 1000


def _require(ptype: str) -> None:
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Log in with the integration user's API key"))
	frappe.has_permission(CX_RESPONSE_DOCTYPE, ptype, throw=True)


@frappe.whitelist(methods=["POST"])
def ingest_responses(responses: list | str) -> dict:
	_require("create")
	if isinstance(responses, str):
		try:
			responses = json.loads(responses)
		except ValueError:
			frappe.throw(_("responses must be a JSON list"))
	if not isinstance(responses, list):
		frappe.throw(_("responses must be a list"))
	if len(responses) > MAX_BATCH:
		frappe.throw(_("At most {0} responses per call, got {1}").format(MAX_BATCH, len(responses)))
	return {"results": ingest_batch(responses)}


@frappe.whitelist(methods=["GET", "POST"])
def customer_cx_state(modified_after: str | None = None, limit: int = 500) -> dict:
	_require("read")
	# Every customer's CX state, read past permissions: like the signals feed, a user whom User
	# Permissions limit to some customers is refused rather than shown all of them.
	if get_user_permissions(frappe.session.user).get("Customer"):
		raise frappe.PermissionError(
			_("The CX state feed covers every customer, but User Permissions restrict {0} to some").format(
				frappe.session.user
			)
		)
	limit = max(1, min(cint(limit) or 500, MAX_STATE_PAGE))
	return cx_state_page(get_datetime(modified_after) if modified_after else None, limit)
