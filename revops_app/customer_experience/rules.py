"""The CX rules on a stored survey response, and the one way a failed run is recorded and retried.

Contract
- `on_response_saved(doc)` (CX Survey Response `on_update`): applies the rules once per response, when
  it has a Customer, is not Unmatched, and RevOps Settings has `enabled` and `cx_enabled` on
  (`cx_settings.cx_enabled`).
- `apply_rules_safely(name, doc=None)`: the rules inside a savepoint of the caller's transaction (the
  ingest request, a desk save). On failure the rules' writes are rolled back to the savepoint, the
  response keeps status Error with the reason in `remarks`, and the failure is recorded *after* that
  rollback, so it is committed with the response (`record_rules_failure`): one RevOps Integration Log
  row per response (integration CX, method `CX_RULES_WORKER`, idempotency key `cx-rules:<response>`,
  reference = the response, traceback, next_retry_at from integration_log.next_retry_time). Returns
  False then. A deadlock / lock-wait timeout is re-raised: the transaction is gone and the caller decides.
- `apply_rules(doc)`: core.cx.rules.decide on the score and the customer's standing, then service
  recovery (`recovery.raise_recovery_issue`), the promoter path (`promoters.promoter_follow_up`), the
  response's status Processed and rules_applied_on, a timeline comment on the Customer and the
  Customer's CX state (`customer_state.refresh_customer`). Raises on failure; writes nothing itself
  about the failure.
- `reapply_rules(log_name)`: the worker registered in revops.jobs.RETRYABLE_WORKERS (queue "long"). The
  hourly `revops.jobs.sweep_stuck_logs` and "Reprocess" on the log enqueue it; it runs `replay_rules`
  through `revops.jobs.run_job_and_commit`, which commits the rules with the log's Success, or rolls
  them back and commits the log's Error, traceback and next backoff (the response stays Error).
- `customer_standing(customer, high_priorities)`: overdue invoices and open high-priority Issues.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, now_datetime, nowdate

from revops_app.compat import error_text
from revops_app.core.cx import rules
from revops_app.core.cx.normalise import normalise
from revops_app.customer_experience.constants import (
	CX_RESPONSE_DOCTYPE,
	CX_RULES_EVENT,
	CX_RULES_WORKER,
	OPEN_ISSUE_STATUSES,
	CXStatus,
	rules_failure_key,
)
from revops_app.customer_experience.customer_state import refresh_customer
from revops_app.customer_experience.cx_settings import cx_enabled, cx_settings, rule_config
from revops_app.customer_experience.promoters import promoter_follow_up
from revops_app.customer_experience.recovery import raise_recovery_issue
from revops_app.customer_experience.timeline import add_customer_comment
from revops_app.revops.constants import INTEGRATION_CX, LOG_DOCTYPE, LogStatus
from revops_app.revops.integration_log import create_log, finish_log, next_retry_time
from revops_app.revops.jobs import run_job_and_commit

# Errors after which the transaction is gone, savepoints included (InnoDB rolls back a deadlock victim).
TRANSACTION_LOST = (frappe.QueryDeadlockError, frappe.QueryTimeoutError)
# What apply_rules sets on the in-memory document; put back when the rules are rolled back.
_RULE_FIELDS = ("status", "remarks", "rules_applied_on", "service_recovery_issue", "promoter_action")


def on_response_saved(doc) -> None:
	if doc.rules_applied_on or not doc.customer or doc.status == CXStatus.UNMATCHED:
		return
	if not cx_enabled():
		return
	apply_rules_safely(doc.name, doc)


def apply_rules_safely(name: str, doc=None) -> bool:
	"""Run the rules for one response inside a savepoint; on failure keep the response, mark it
	Error with the reason, record the failure in the integration log and return False."""
	doc = doc or frappe.get_doc(CX_RESPONSE_DOCTYPE, name)
	before = {field: doc.get(field) for field in _RULE_FIELDS}
	savepoint = "cx_rules_" + frappe.generate_hash(length=8)
	frappe.db.savepoint(savepoint)
	try:
		apply_rules(doc)
		frappe.db.release_savepoint(savepoint)
	except TRANSACTION_LOST:
		raise  # the whole transaction is gone (savepoints too): the caller decides
	except Exception as error:
		traceback = frappe.get_traceback()
		frappe.db.rollback(save_point=savepoint)
		doc.update(before)  # the database went back to the savepoint; so does the document
		message = f"CX rules failed: {type(error).__name__}: {error_text(error)}"[:1000]
		doc.status, doc.remarks = CXStatus.ERROR, message
		frappe.db.set_value(CX_RESPONSE_DOCTYPE, name, {"status": CXStatus.ERROR, "remarks": message})
		record_rules_failure(name, message, traceback)
		return False
	if before["status"] == CXStatus.ERROR:
		close_rules_failure(name)  # a desk save of a failed response applied them: nothing to retry
	return True


def record_rules_failure(response: str, message: str, traceback: str) -> str:
	"""The response's one integration log row, created or reopened as Error with a backoff for the
	hourly sweep. Writes in the caller's transaction and never commits. Returns the log's name."""
	key = rules_failure_key(response)
	log = frappe.db.get_value(
		LOG_DOCTYPE, {"idempotency_key": key}, ["name", "attempts"], as_dict=True, for_update=True
	)
	if not log:
		savepoint = "cx_rules_log_" + frappe.generate_hash(length=8)
		frappe.db.savepoint(savepoint)
		try:
			created = create_log(
				INTEGRATION_CX,
				CX_RULES_WORKER,
				status=LogStatus.ERROR,
				event_type=CX_RULES_EVENT,
				request_data={"response": response},
				message=message,
				idempotency_key=key,
				reference_doctype=CX_RESPONSE_DOCTYPE,
				reference_name=response,
			)
			frappe.db.release_savepoint(savepoint)
			log = frappe._dict(name=created.name, attempts=0)
		except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
			# A concurrent failure of the same response recorded it first: the unique key decided.
			frappe.db.rollback(save_point=savepoint)
			log = frappe.db.get_value(
				LOG_DOCTYPE, {"idempotency_key": key}, ["name", "attempts"], as_dict=True, for_update=True
			)
	frappe.db.set_value(
		LOG_DOCTYPE,
		log.name,
		{
			"status": LogStatus.ERROR,
			"message": message,
			"traceback": traceback,
			"next_retry_at": next_retry_time(max(cint(log.attempts), 1)),
		},
	)
	return log.name


def close_rules_failure(response: str) -> None:
	log = frappe.db.get_value(
		LOG_DOCTYPE,
		{"idempotency_key": rules_failure_key(response), "status": ("in", LogStatus.RETRYABLE)},
	)
	if log:
		finish_log(log, LogStatus.SUCCESS, message=_("Rules applied when the response was saved again"))


def reapply_rules(log_name: str) -> None:
	"""Worker: replay the rules of a failed response from its integration log (RETRYABLE_WORKERS)."""
	run_job_and_commit(log_name, replay_rules)


def replay_rules(log: Any) -> tuple[str, str | None] | None:
	"""The replay inside run_job_and_commit: raises when the rules fail again (the log records it)."""
	name = log.reference_name
	if log.reference_doctype != CX_RESPONSE_DOCTYPE or not frappe.db.exists(CX_RESPONSE_DOCTYPE, name):
		return LogStatus.SKIPPED, _("Survey response {0} no longer exists").format(name)
	doc = frappe.get_doc(CX_RESPONSE_DOCTYPE, name, for_update=True)
	if doc.rules_applied_on:
		return LogStatus.SUCCESS, _("Rules were already applied on {0}").format(doc.rules_applied_on)
	if not doc.customer or doc.status == CXStatus.UNMATCHED:
		return LogStatus.SKIPPED, _("Survey response {0} has no Customer").format(name)
	if not cx_enabled():
		# Kept for later, as while the rules are off nothing acts on a response.
		frappe.db.set_value(LOG_DOCTYPE, log.name, "next_retry_at", next_retry_time(cint(log.attempts) + 1))
		return LogStatus.ERROR, _("CX rules are switched off in RevOps Settings; retried when they are on")
	apply_rules(doc)
	return LogStatus.SUCCESS, _("Rules applied to {0}").format(name)


def apply_rules(doc) -> None:
	settings = cx_settings()
	config = rule_config(settings)
	scored = normalise(
		doc.metric, doc.raw_score, doc.scale_min, doc.scale_max, bool(cint(doc.higher_is_better))
	)
	standing = customer_standing(doc.customer, config.high_priorities)
	decision = rules.decide(scored, config, standing, has_email=bool(doc.respondent_email))
	updates: dict[str, Any] = {"status": CXStatus.PROCESSED}
	outcome = ""
	if decision.service_recovery:
		issue = raise_recovery_issue(doc, decision.service_recovery, settings)
		updates["service_recovery_issue"] = issue
		outcome = f"service recovery {issue} ({decision.service_recovery.priority})"
	if decision.promoter:
		updates["promoter_action"] = promoter_follow_up(doc, decision.promoter, settings)
		outcome = decision.promoter.reason
	updates["rules_applied_on"] = now_datetime()
	if doc.status == CXStatus.ERROR:
		updates["remarks"] = "\n".join(filter(None, [doc.remarks, "rules applied on retry"]))[:1000]
	doc.db_set(updates, update_modified=False)
	add_customer_comment(doc, outcome)
	refresh_customer(doc.customer)


def customer_standing(customer: str, high_priorities) -> rules.CustomerStanding:
	overdue = frappe.db.sql(
		"""select count(*) from `tabSales Invoice`
		where customer = %s and docstatus = 1 and outstanding_amount > 0 and due_date < %s""",
		(customer, nowdate()),
	)[0][0]
	high = list(high_priorities) or ["High"]
	open_high = frappe.db.count(
		"Issue", {"customer": customer, "status": ("in", OPEN_ISSUE_STATUSES), "priority": ("in", high)}
	)
	return rules.CustomerStanding(overdue_invoices=cint(overdue), open_high_priority_issues=cint(open_high))
