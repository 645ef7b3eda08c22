"""Survey responses in: each item parsed by core.cx.intake, matched to a Customer and stored once.

`ingest_batch(responses)` runs every item in its own savepoint (a bad item never affects the others) and
redoes the whole batch when the database picks it as a deadlock victim (the batch is idempotent). Each item
answers created / unmatched / duplicate / error (see revops_app.api.cx for the contract). The unique index on
dedupe_key (source:external_id) decides between concurrent deliveries of one response.
"""

from typing import Any

import frappe
from frappe.utils import get_system_timezone

from revops_app.core.cx.intake import IntakeItem, parse_item
from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE, CXStatus, IngestResult
from revops_app.customer_experience.intake import match_respondent
from revops_app.customer_experience.rules import TRANSACTION_LOST

BATCH_ATTEMPTS = 3


def ingest_batch(responses: list) -> list[dict]:
	timezone = get_system_timezone()
	for attempt in range(1, BATCH_ATTEMPTS + 1):
		try:
			return [ingest_one(item, timezone) for item in responses]
		except TRANSACTION_LOST:
			# The database chose this transaction as a deadlock victim (or a lock wait ran out): every
			# item of the batch was rolled back with it, savepoints included. Redo the whole batch;
			# it is idempotent, so items a concurrent delivery stored meanwhile come back "duplicate".
			frappe.db.rollback()
			if attempt == BATCH_ATTEMPTS:
				raise
	return []


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
