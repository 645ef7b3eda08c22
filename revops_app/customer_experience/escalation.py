"""Hourly SLA escalation of CX service-recovery Issues.

Contract: `escalate_slipped_issues(now=None)` looks at open Issues raised for a CX Survey Response
(`revops_cx_survey_response` set) whose response_by or sla_resolution_by has passed, and for each asks
`core.cx.rules.escalation_step` whether a level is due: 1 = first response overdue, 2 = resolution
overdue. A due level raises the priority one rung per level (RevOps CX Settings' ladder), stores the
level on the Issue, adds Info comments on the Issue and the Customer, and gives the escalation manager
a ToDo and an email (Email Template 'RevOps CX Escalation'). The Issue row is locked before the
decision, so each level fires once per Issue even when two runs overlap; each Issue is handled in its
own savepoint, so one failure (logged) does not stop the others. Returns how many escalations fired.
"""

from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, escape_html, get_datetime, get_fullname, now_datetime, nowdate

from revops_app.core.cx import rules
from revops_app.customer_experience.constants import (
	CF_ISSUE_CX_ESCALATION_LEVEL,
	CF_ISSUE_CX_RESPONSE,
	CX_ESCALATION_TEMPLATE,
)
from revops_app.customer_experience.cx_settings import cx_enabled, cx_settings, priority_ladder
from revops_app.customer_experience.rules import TRANSACTION_LOST
from revops_app.customer_experience.timeline import add_timeline_comment, render_template


def escalate_slipped_issues(now=None) -> int:
	"""Hourly. Returns how many escalations fired."""
	if not cx_enabled():
		return 0
	settings = cx_settings()
	ladder = priority_ladder(settings)
	now = get_datetime(now) if now else now_datetime()
	candidates = frappe.get_all(
		"Issue",
		filters={CF_ISSUE_CX_RESPONSE: ("is", "set"), "status": ("in", ("Open", "Replied"))},
		or_filters={"response_by": ("<", now), "sla_resolution_by": ("<", now)},
		pluck="name",
	)
	fired = 0
	for name in candidates:
		savepoint = "cx_escalate_" + frappe.generate_hash(length=8)
		frappe.db.savepoint(savepoint)
		try:
			fired += escalate_issue(name, now, ladder, settings)
			frappe.db.release_savepoint(savepoint)
		except TRANSACTION_LOST:
			raise
		except Exception:
			frappe.db.rollback(save_point=savepoint)
			frappe.log_error(
				title=f"CX escalation failed for Issue {name}", reference_doctype="Issue", reference_name=name
			)
	return fired


def escalate_issue(name: str, now, ladder, settings) -> int:
	# Row lock first, then decide: two concurrent runs cannot both see the old level.
	row = frappe.db.get_value(
		"Issue",
		name,
		[
			"name",
			"status",
			"priority",
			"customer",
			"subject",
			"response_by",
			"sla_resolution_by",
			"first_responded_on",
			CF_ISSUE_CX_ESCALATION_LEVEL,
		],
		as_dict=True,
		for_update=True,
	)
	step = rules.escalation_step(
		rules.SlaState(
			status=row.status,
			priority=row.priority,
			response_by=get_datetime(row.response_by) if row.response_by else None,
			resolution_by=get_datetime(row.sla_resolution_by) if row.sla_resolution_by else None,
			first_responded_on=get_datetime(row.first_responded_on) if row.first_responded_on else None,
			escalation_level=cint(row.get(CF_ISSUE_CX_ESCALATION_LEVEL)),
		),
		now,
		ladder,
	)
	if not step:
		return 0
	updates: dict[str, Any] = {CF_ISSUE_CX_ESCALATION_LEVEL: step.level}
	if step.priority:
		updates["priority"] = step.priority
	# db.set_value, not save(): a save would re-run the SLA hook and move the deadlines that slipped.
	frappe.db.set_value("Issue", name, updates, update_modified=True)
	reason = "; ".join(step.reasons)
	text = _("Escalated to level {0}: {1}").format(step.level, reason)
	if step.priority:
		text += " " + _("Priority raised from {0} to {1}.").format(row.priority, step.priority)
	add_timeline_comment("Issue", name, text)
	if row.customer:
		add_timeline_comment("Customer", row.customer, f"{name}: {text}")
	manager = settings.get("escalation_manager")
	if manager:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": manager,
				"reference_type": "Issue",
				"reference_name": name,
				"priority": "High",
				"date": nowdate(),
				"description": escape_html(f"{row.subject}: {text}"),
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
		email = frappe.db.get_value("User", manager, "email")
		if email:
			subject, message = render_template(
				CX_ESCALATION_TEMPLATE,
				{
					"issue": row,
					"level": step.level,
					"reason": reason,
					"old_priority": row.priority,
					"new_priority": step.priority,
					"manager": get_fullname(manager),
					"link": frappe.utils.get_url_to_form("Issue", name),
				},
			)
			frappe.sendmail(
				recipients=[email],
				subject=subject,
				message=message,
				reference_doctype="Issue",
				reference_name=name,
			)
	return 1
