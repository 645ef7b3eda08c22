"""Service recovery for a low score: one Issue per response, under an SLA, assigned to the team.

Contract
- `raise_recovery_issue(doc, recovery, settings)`: the Issue for a CX Survey Response, created once (the
  Issue's unique `revops_cx_survey_response` field decides, also between concurrent workers), priority
  from the rule, raised under RevOps CX Settings' SLA or the app's 'RevOps CX Recovery' SLA
  (`recovery_sla`) so ERPNext's own SLA hook sets response_by / sla_resolution_by, with the score, the
  reason and the comment in its description (`issue_description`). Returns the Issue's name (an existing
  one when the rules run again).
- `assign_to_team(issue, settings, recovery)`: a ToDo (frappe.desk.form.assign_to.add) for the enabled
  team member with the fewest open Issue ToDos; `todo_priority` maps the Issue priority onto ToDo's.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.desk.form.assign_to import add as assign
from frappe.utils import escape_html, flt, get_link_to_form

from revops_app.core.cx import rules
from revops_app.customer_experience.constants import CF_ISSUE_CX_RESPONSE, CX_DEFAULT_SLA, CX_RESPONSE_DOCTYPE


def recovery_sla(settings) -> str | None:
	if settings.get("service_level_agreement"):
		return settings.service_level_agreement
	return frappe.db.get_value(
		"Service Level Agreement", {"document_type": "Issue", "service_level": CX_DEFAULT_SLA, "enabled": 1}
	)


def raise_recovery_issue(doc, recovery: rules.ServiceRecovery, settings) -> str:
	existing = frappe.db.get_value("Issue", {CF_ISSUE_CX_RESPONSE: doc.name})
	if existing:
		return existing
	customer = (
		frappe.db.get_value("Customer", doc.customer, ["customer_name", "email_id"], as_dict=True) or {}
	)
	customer_name = customer.get("customer_name") or doc.customer
	issue = frappe.get_doc(
		{
			"doctype": "Issue",
			"subject": _("Service recovery: {0} {1} from {2}").format(
				doc.metric, f"{flt(doc.raw_score):g}", customer_name
			)[:140],
			"customer": doc.customer,
			"contact": doc.contact,
			# Issue.validate falls back to the session user (the integration user): prefer the customer
			"raised_by": doc.respondent_email or customer.get("email_id"),
			"priority": recovery.priority,
			"issue_type": settings.get("issue_type"),
			"service_level_agreement": recovery_sla(settings),
			"description": issue_description(doc, recovery),
			CF_ISSUE_CX_RESPONSE: doc.name,
		}
	)
	savepoint = "cx_issue_" + frappe.generate_hash(length=8)
	frappe.db.savepoint(savepoint)
	try:
		issue.insert(ignore_permissions=True)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		# Another worker raised it for the same response first: the unique field decided. Locking
		# read, so the other transaction's committed Issue is visible from our older snapshot.
		frappe.db.rollback(save_point=savepoint)
		return frappe.db.get_value("Issue", {CF_ISSUE_CX_RESPONSE: doc.name}, for_update=True)
	frappe.db.release_savepoint(savepoint)
	assign_to_team(issue, settings, recovery)
	return issue.name


def issue_description(doc, recovery: rules.ServiceRecovery) -> str:
	rows = [
		(
			_("Score"),
			f"{doc.metric} {flt(doc.raw_score):g} on {flt(doc.scale_min):g}-{flt(doc.scale_max):g} ({doc.category})",
		),
		(_("Why"), recovery.reason),
		(_("Respondent"), doc.respondent_email or doc.contact or ""),
		(_("Submitted"), str(doc.submitted_at or "")),
		(_("Tied to"), f"{doc.reference_doctype} {doc.reference_name}" if doc.reference_doctype else ""),
		(_("Survey response"), get_link_to_form(CX_RESPONSE_DOCTYPE, doc.name)),
	]
	table = "".join(
		f"<tr><th>{escape_html(label)}</th><td>{value if label == _('Survey response') else escape_html(value)}</td></tr>"
		for label, value in rows
		if value
	)
	comment = f"<blockquote>{escape_html(doc.comment)}</blockquote>" if doc.comment else ""
	return f"<p>{escape_html(_('Low survey score: service recovery.'))}</p>{comment}<table>{table}</table>"


def assign_to_team(issue, settings, recovery: rules.ServiceRecovery) -> None:
	team = [
		row.user for row in settings.get("team") or [] if frappe.db.get_value("User", row.user, "enabled")
	]
	if not team:
		return
	counts = dict(
		frappe.db.sql(
			"""select allocated_to, count(*) from `tabToDo`
			where reference_type = 'Issue' and status = 'Open' and allocated_to in %s
			group by allocated_to""",
			(tuple(team),),
		)
	)
	assignee = rules.pick_assignee(team, counts)
	assign(
		{
			"assign_to": [assignee],
			"doctype": "Issue",
			"name": issue.name,
			"description": _("Service recovery for {0}: {1}").format(issue.customer, recovery.reason),
			"priority": todo_priority(recovery.priority),
		},
		ignore_permissions=True,
	)


def todo_priority(issue_priority: str | None) -> str:
	# ToDo.priority is a Select of Low / Medium / High; Issue Priority is an open list.
	return issue_priority if issue_priority in ("Low", "Medium", "High") else "High"
