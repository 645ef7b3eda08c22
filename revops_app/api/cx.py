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

from typing import Any

import frappe
from frappe import _
from frappe.core.doctype.user_permission.user_permission import get_user_permissions
from frappe.utils import cint, get_datetime, get_system_timezone

from revops_app.api.arguments import datetime_arg, json_list
from revops_app.core.cx.intake import MAX_BATCH, IntakeItem, parse_item
from revops_app.customer_experience.constants import (
	CF_CUSTOMER_CHURN_FLAGGED_ON,
	CF_CUSTOMER_CHURN_REASON,
	CF_CUSTOMER_CHURN_RISK,
	CF_CUSTOMER_CX_SEGMENT,
	CF_CUSTOMER_CX_UPDATED_ON,
	CF_CUSTOMER_LATEST_CES,
	CF_CUSTOMER_LATEST_CSAT,
	CF_CUSTOMER_LATEST_NPS,
	CX_RESPONSE_DOCTYPE,
	CXStatus,
	IngestResult,
)
from revops_app.customer_experience.intake import match_respondent
from revops_app.customer_experience.rules import TRANSACTION_LOST

MAX_STATE_PAGE = 1000
BATCH_ATTEMPTS = 3


def _require(ptype: str) -> None:
	if frappe.session.user == "Guest":
		raise frappe.PermissionError(_("Log in with the integration user's API key"))
	frappe.has_permission(CX_RESPONSE_DOCTYPE, ptype, throw=True)


@frappe.whitelist(methods=["POST"])
def ingest_responses(responses: list | str | None = None) -> dict:
	_require("create")
	responses = json_list("responses", responses, "survey responses")
	if len(responses) > MAX_BATCH:
		frappe.throw(_("At most {0} responses per call, got {1}").format(MAX_BATCH, len(responses)))
	timezone = get_system_timezone()
	for attempt in range(1, BATCH_ATTEMPTS + 1):
		try:
			return {"results": [ingest_one(item, timezone) for item in responses]}
		except TRANSACTION_LOST:
			# The database chose this transaction as a deadlock victim (or a lock wait ran out): every
			# item of the batch was rolled back with it, savepoints included. Redo the whole batch;
			# it is idempotent, so items a concurrent delivery stored meanwhile come back "duplicate".
			frappe.db.rollback()
			if attempt == BATCH_ATTEMPTS:
				raise


def ingest_one(item: Any, timezone: str) -> dict:
	result = {
		"source": item.get("source") if isinstance(item, dict) else None,
		"external_id": item.get("external_id") if isinstance(item, dict) else None,
		"status": IngestResult.ERROR,
		"name": None,
		"message": "",
	}
	try:
		parsed = parse_item(item, timezone)
	except ValueError as error:
		result["message"] = str(error)
		return result

	existing = frappe.db.get_value(CX_RESPONSE_DOCTYPE, {"dedupe_key": parsed.dedupe_key})
	if existing:
		return dict(result, status=IngestResult.DUPLICATE, name=existing)

	savepoint = "cx_ingest_" + frappe.generate_hash(length=8)
	frappe.db.savepoint(savepoint)
	try:
		doc = frappe.get_doc(response_doc(parsed))
		# Before insert: Frappe validates links ahead of before_insert, so unknown ids are dropped here.
		match_respondent(doc)
		doc.insert(ignore_permissions=True)
	except TRANSACTION_LOST:
		raise
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		# Lost a race with a concurrent delivery of the same response: the unique index said no.
		# A locking read sees the winner's committed row (a plain read would use our older snapshot).
		frappe.db.rollback(save_point=savepoint)
		name = frappe.db.get_value(CX_RESPONSE_DOCTYPE, {"dedupe_key": parsed.dedupe_key}, for_update=True)
		return dict(result, status=IngestResult.DUPLICATE, name=name)
	except frappe.ValidationError as error:
		frappe.db.rollback(save_point=savepoint)
		frappe.clear_messages()
		return dict(result, message=str(error) or type(error).__name__)
	except Exception as error:
		frappe.db.rollback(save_point=savepoint)
		frappe.log_error(title=f"CX ingest failed for {parsed.dedupe_key}")
		return dict(result, message=f"{type(error).__name__}: {error}")
	frappe.db.release_savepoint(savepoint)

	status = frappe.db.get_value(CX_RESPONSE_DOCTYPE, doc.name, ["status", "remarks"], as_dict=True)
	if status.status == CXStatus.UNMATCHED:
		return dict(result, status=IngestResult.UNMATCHED, name=doc.name, message=status.remarks or "")
	message = ""
	if status.status == CXStatus.ERROR:
		message = f"stored; {status.remarks} (recorded in the RevOps Integration Log, retried hourly)"
	return dict(result, status=IngestResult.CREATED, name=doc.name, message=message)


def response_doc(item: IntakeItem) -> dict:
	scale = item.scored.scale
	return {
		"doctype": CX_RESPONSE_DOCTYPE,
		"source": item.source,
		"external_id": item.external_id,
		"metric": item.scored.metric.value,
		"raw_score": item.scored.raw_score,
		"scale_min": scale.minimum,
		"scale_max": scale.maximum,
		"higher_is_better": int(scale.higher_is_better),
		"respondent_email": item.respondent_email,
		"customer": item.customer,
		"contact": item.contact,
		"comment": item.comment,
		"submitted_at": item.submitted_at,
		"reference_doctype": item.reference_doctype,
		"reference_name": item.reference_name,
		"raw_payload": item.raw_payload,
	}


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
	after = datetime_arg("modified_after", modified_after)
	fields = [
		"name",
		"customer_name",
		CF_CUSTOMER_LATEST_NPS,
		CF_CUSTOMER_LATEST_CSAT,
		CF_CUSTOMER_LATEST_CES,
		CF_CUSTOMER_CX_SEGMENT,
		CF_CUSTOMER_CHURN_RISK,
		CF_CUSTOMER_CHURN_REASON,
		CF_CUSTOMER_CHURN_FLAGGED_ON,
		CF_CUSTOMER_CX_UPDATED_ON,
	]
	filters = {CF_CUSTOMER_CX_UPDATED_ON: (">", after) if after else ("is", "set")}
	order = f"{CF_CUSTOMER_CX_UPDATED_ON} asc, name asc"
	rows = frappe.get_all("Customer", filters=filters, fields=fields, order_by=order, limit=limit)
	if len(rows) == limit:
		last = rows[-1]
		rows += frappe.get_all(
			"Customer",
			filters={CF_CUSTOMER_CX_UPDATED_ON: last[CF_CUSTOMER_CX_UPDATED_ON], "name": (">", last.name)},
			fields=fields,
			order_by=order,
		)
	answered = metrics_answered([row.name for row in rows])
	customers = [
		{
			"customer": row.name,
			"customer_name": row.customer_name,
			"latest_nps": row[CF_CUSTOMER_LATEST_NPS] if "NPS" in answered.get(row.name, ()) else None,
			"latest_csat": row[CF_CUSTOMER_LATEST_CSAT] if "CSAT" in answered.get(row.name, ()) else None,
			"latest_ces": row[CF_CUSTOMER_LATEST_CES] if "CES" in answered.get(row.name, ()) else None,
			"cx_segment": row[CF_CUSTOMER_CX_SEGMENT],
			"churn_risk": bool(row[CF_CUSTOMER_CHURN_RISK]),
			"churn_risk_reason": row[CF_CUSTOMER_CHURN_REASON],
			"churn_flagged_on": _iso(row[CF_CUSTOMER_CHURN_FLAGGED_ON]),
			"cx_updated_on": _iso(row[CF_CUSTOMER_CX_UPDATED_ON]),
		}
		for row in rows
	]
	next_after = customers[-1]["cx_updated_on"] if customers else (_iso(after) if after else None)
	return {"customers": customers, "next_modified_after": next_after}


def metrics_answered(customers: list[str]) -> dict[str, set[str]]:
	answered: dict[str, set[str]] = {}
	if not customers:
		return answered
	for customer, metric in frappe.db.sql(
		"""select distinct customer, metric from `tabCX Survey Response`
		where customer in %s and status != 'Unmatched'""",
		(tuple(customers),),
	):
		answered.setdefault(customer, set()).add(metric)
	return answered


def _iso(value) -> str | None:
	return get_datetime(value).isoformat(sep=" ") if value else None
