"""The CX rules on a stored survey response.

Contract
- `on_response_saved(doc)` (CX Survey Response `on_update`): applies the rules once per response, when
  it has a Customer, is not Unmatched, and RevOps Settings has `enabled` and `cx_enabled` on. The rules
  run inside a savepoint: if anything fails the response stays stored with status Error and the reason in
  `remarks`, and the hourly `retry_failed_responses` job runs them again.
- `apply_rules(doc)`: core.cx.rules.decide on the score and the customer's standing, then service
  recovery (`recovery.raise_recovery_issue`), the promoter path (`promoters.promoter_follow_up`), the
  response's status Processed and rules_applied_on, a timeline comment on the Customer and the
  Customer's CX state (`customer_state.refresh_customer`).
- `customer_standing(customer, high_priorities)`: overdue invoices and open high-priority Issues.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe.utils import cint, now_datetime, nowdate

from revops_app.core.cx import rules
from revops_app.core.cx.normalise import normalise
from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE, OPEN_ISSUE_STATUSES, CXStatus
from revops_app.customer_experience.customer_state import refresh_customer
from revops_app.customer_experience.cx_settings import cx_enabled, cx_settings, rule_config
from revops_app.customer_experience.promoters import promoter_follow_up
from revops_app.customer_experience.recovery import raise_recovery_issue
from revops_app.customer_experience.timeline import add_customer_comment

# Errors after which the transaction is gone, savepoints included (InnoDB rolls back a deadlock victim).
TRANSACTION_LOST = (frappe.QueryDeadlockError, frappe.QueryTimeoutError)


def on_response_saved(doc) -> None:
	if doc.rules_applied_on or not doc.customer or doc.status == CXStatus.UNMATCHED:
		return
	if not cx_enabled():
		return
	apply_rules_safely(doc.name, doc)


def apply_rules_safely(name: str, doc=None) -> bool:
	"""Run the rules for one response inside a savepoint; on failure keep the response, mark it
	Error with the reason, and return False (the hourly retry picks it up)."""
	savepoint = "cx_rules_" + frappe.generate_hash(length=8)
	frappe.db.savepoint(savepoint)
	try:
		apply_rules(doc or frappe.get_doc(CX_RESPONSE_DOCTYPE, name))
		frappe.db.release_savepoint(savepoint)
		return True
	except TRANSACTION_LOST:
		raise  # the whole transaction is gone (savepoints too): the caller decides
	except Exception as error:
		frappe.db.rollback(save_point=savepoint)
		message = f"CX rules failed: {type(error).__name__}: {error}"
		frappe.db.set_value(CX_RESPONSE_DOCTYPE, name, {"status": CXStatus.ERROR, "remarks": message[:1000]})
		frappe.log_error(
			title=f"CX rules failed for {name}", reference_doctype=CX_RESPONSE_DOCTYPE, reference_name=name
		)
		return False


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


def retry_failed_responses(commit: bool = True) -> int:
	"""Hourly: run the rules again for responses left in Error (they keep their reason until then).
	Returns how many now succeeded. Commits after each response unless `commit` is False."""
	if not cx_enabled():
		return 0
	succeeded = 0
	for name in frappe.get_all(
		CX_RESPONSE_DOCTYPE,
		filters={"status": CXStatus.ERROR, "rules_applied_on": ("is", "not set"), "customer": ("is", "set")},
		pluck="name",
		limit=200,
	):
		succeeded += apply_rules_safely(name)
		if commit:
			frappe.db.commit()  # nosemgrep: scheduler job, one response at a time
	return succeeded
