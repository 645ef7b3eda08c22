"""Frappe glue for CX survey outcomes: documents in, core decisions out, ERPNext records written.

Contract
- `score_response(doc)` / `match_respondent(doc)`: called by the CX Survey Response controller;
  normalise the score (core) and find the Customer/Contact (by id, by Contact email -> Contact ->
  Dynamic Link to Customer, by the Customer's own email, by the referenced document's customer).
- `on_response_saved(doc)`: applies the rules once per response, when it has a Customer, the
  response is not in Error and RevOps Settings has `enabled` and `cx_enabled` on. The rules run inside a
  savepoint: if anything fails the response stays stored with status Error and the reason in
  `remarks`, and the hourly `retry_failed_responses` job runs them again.
  - service recovery -> one Issue per response (the Issue's unique `revops_cx_survey_response`
    field guarantees it), priority from the rule, raised under the configured SLA (or the app's
    'RevOps CX Recovery' SLA) so ERPNext's own SLA hook sets response_by / sla_resolution_by,
    assigned (frappe.desk.form.assign_to.add) to the least-loaded member of the team;
  - promoter -> Customer tagged (`tag_customer`: what add_tag writes, without its current-user
    write check, see there); the thank-you / review /
    referral email (Email Template) only when no overdue invoice and no open high-priority Issue;
  - a timeline comment is added and the Customer's CX fields, churn risk and timeline are refreshed
    (`revops_app.customer_experience.customer_state.refresh_customer`).
- `retry_failed_responses()` (hourly): the rules again for responses left in Error.
- Customer state (latest scores, segment, churn risk, timeline field, the daily
  `refresh_all_customers`) lives in `revops_app.customer_experience.customer_state`, escalation in
  `revops_app.customer_experience.escalation`, install-time records in `revops_app.customer_experience.install`.

Sentiment timeline on the Customer form: the read-only `revops_cx_timeline` field (last ten
responses rendered by core.cx.health) plus one Info comment per response and per escalation in the
form's own timeline, and the CX Survey Responses under the Customer's connections.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import (
	cint,
	escape_html,
	flt,
	get_datetime,
	get_link_to_form,
	now_datetime,
	nowdate,
)

from revops_app.core.cx import health, rules
from revops_app.core.cx.intake import REFERENCE_DOCTYPES
from revops_app.core.cx.normalise import Category, normalise
from revops_app.customer_experience.constants import (
	CF_ISSUE_CX_RESPONSE,
	CX_DEFAULT_SLA,
	CX_RESPONSE_DOCTYPE,
	CX_SETTINGS_DOCTYPE,
	CX_THANK_YOU_TEMPLATE,
	CXStatus,
)
from revops_app.revops.constants import SETTINGS_DOCTYPE

OPEN_ISSUE_STATUSES = ("Open", "Replied", "On Hold")
# Errors after which the transaction is gone, savepoints included (InnoDB rolls back a deadlock victim).
TRANSACTION_LOST = (frappe.QueryDeadlockError, frappe.QueryTimeoutError)


def lines(value: str | None) -> list[str]:
	return [line.strip() for line in (value or "").splitlines() if line.strip()]


# --- configuration ---------------------------------------------------------------------------------


def cx_settings():
	return frappe.get_cached_doc(CX_SETTINGS_DOCTYPE)


def cx_enabled() -> bool:
	"""CX rules on: RevOps Settings' master switch (Enabled) and Enable CX Rules, as for Stripe and dunning."""
	settings = frappe.db.get_singles_dict(SETTINGS_DOCTYPE)
	return bool(cint(settings.get("enabled")) and cint(settings.get("cx_enabled")))


def _int(value: Any, default: int) -> int:
	return default if value in (None, "") else cint(value)


def _float(value: Any, default: float) -> float:
	return default if value in (None, "") else flt(value)


def rule_config(settings) -> rules.RuleConfig:
	ces = {Category.HARD}
	if settings.get("ces_recovery_on") == "Hard or Neutral":
		ces.add(Category.NEUTRAL)
	return rules.RuleConfig(
		nps_detractor_max=_int(settings.get("nps_detractor_max"), 6),
		csat_low_max=_float(settings.get("csat_low_max"), 2),
		ces_recovery_categories=frozenset(ces),
		custom_low_max_score=_float(settings.get("custom_low_max_score"), 25)
		if cint(settings.get("custom_recovery"))
		else None,
		severe_max_score=_float(settings.get("severe_max_score"), 20),
		priority_severe=settings.get("priority_severe") or "High",
		priority_default=settings.get("priority_default") or "Medium",
		promoter_min=_int(settings.get("promoter_min"), 9),
		high_priorities=frozenset(lines(settings.get("high_priorities")) or ("High", "Urgent")),
	)


def churn_config(settings) -> health.ChurnConfig:
	return health.ChurnConfig(
		decline_responses=_int(settings.get("churn_decline_responses"), 3),
		contract_window_days=_int(settings.get("churn_contract_window_days"), 90),
	)


def priority_ladder(settings) -> tuple[str, ...]:
	return tuple(lines(settings.get("priority_ladder"))) or rules.DEFAULT_PRIORITY_LADDER


# --- scoring and matching (controller hooks) -------------------------------------------------------


def score_response(doc) -> None:
	"""Fill normalised_score, category, scale defaults and dedupe_key; ValueError on bad input."""
	from revops_app.core.cx.intake import dedupe_key

	doc.source = (doc.source or "").strip().lower()
	doc.external_id = (doc.external_id or "").strip()
	if not doc.source or not doc.external_id:
		raise ValueError("source and external_id are required")
	doc.dedupe_key = dedupe_key(doc.source, doc.external_id)
	if doc.reference_doctype and doc.reference_doctype not in REFERENCE_DOCTYPES:
		raise ValueError(
			f"a response can be tied to {', '.join(REFERENCE_DOCTYPES)}, not {doc.reference_doctype}"
		)
	has_scale = doc.scale_min not in (None, "") and doc.scale_max not in (None, "")
	if has_scale and flt(doc.scale_min) == 0 and flt(doc.scale_max) == 0:
		has_scale = False  # Float columns read back 0 when left blank in the desk
	scored = normalise(
		doc.metric,
		doc.raw_score,
		doc.scale_min if has_scale else None,
		doc.scale_max if has_scale else None,
		bool(cint(doc.higher_is_better)) if doc.higher_is_better not in (None, "") else None,
	)
	doc.metric = scored.metric.value
	doc.scale_min, doc.scale_max = scored.scale.minimum, scored.scale.maximum
	doc.higher_is_better = int(scored.scale.higher_is_better)
	doc.normalised_score = scored.score
	doc.category = scored.category.value


def _note(doc, text: str) -> None:
	doc.remarks = "\n".join(filter(None, [doc.remarks, text]))


def match_respondent(doc) -> None:
	"""Customer and Contact from what the response carries; unknown ids are dropped with a remark
	(the response is then kept as Unmatched for review instead of failing on a broken link).
	Runs once per document: the ingest endpoint calls it before insert (Frappe validates links
	ahead of before_insert), the controller's before_insert covers responses made in the desk."""
	if doc.flags.respondent_matched:
		return
	doc.flags.respondent_matched = True
	if doc.customer and not frappe.db.exists("Customer", doc.customer):
		_note(doc, f"Unknown customer id {doc.customer!r}")
		doc.customer = None
	if doc.contact and not frappe.db.exists("Contact", doc.contact):
		_note(doc, f"Unknown contact {doc.contact!r}")
		doc.contact = None
	if (
		doc.reference_doctype in REFERENCE_DOCTYPES
		and doc.reference_name
		and not frappe.db.exists(doc.reference_doctype, doc.reference_name)
	):
		_note(doc, f"Unknown {doc.reference_doctype} {doc.reference_name!r}")
		doc.reference_doctype = doc.reference_name = None
	email = (doc.respondent_email or "").strip().lower() or None
	doc.respondent_email = email
	if not doc.contact and email:
		doc.contact = contact_for_email(email)
	if not doc.customer and doc.contact:
		doc.customer = customer_for_contact(doc.contact)
	if not doc.customer and email:
		doc.customer = frappe.db.get_value("Customer", {"email_id": email, "disabled": 0}, "name")
	if not doc.customer and doc.reference_doctype in REFERENCE_DOCTYPES and doc.reference_name:
		doc.customer = frappe.db.get_value(doc.reference_doctype, doc.reference_name, "customer")
	if not doc.customer:
		_note(doc, "No Customer matched by id, contact, email or reference")


def contact_for_email(email: str) -> str | None:
	rows = frappe.db.sql(
		"""select ce.parent from `tabContact Email` ce
		where ce.parenttype = 'Contact' and lower(ce.email_id) = %s
		order by ce.is_primary desc, ce.creation asc limit 1""",
		email,
	)
	if rows:
		return rows[0][0]
	return frappe.db.get_value("Contact", {"email_id": email}, "name")


def customer_for_contact(contact: str) -> str | None:
	rows = frappe.db.sql(
		"""select dl.link_name from `tabDynamic Link` dl
		where dl.parenttype = 'Contact' and dl.parent = %s and dl.link_doctype = 'Customer'
		order by dl.idx asc limit 1""",
		contact,
	)
	return rows[0][0] if rows else None


# --- rules on save ---------------------------------------------------------------------------------


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
	# Imported here: cx_customer_state builds on this module's configuration and timeline helpers.
	from revops_app.customer_experience.customer_state import refresh_customer

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
	from frappe.desk.form.assign_to import add as assign

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


def tag_customer(customer: str, tag: str) -> None:
	"""Write what frappe.desk.doctype.tag.tag.add_tag writes (the Tag master, the `_user_tags` column
	in its ",a,b" form, a Tag Link row) without its permission check: add_tag -> DocTags.update ->
	update_tags calls doc.check_permission("write") as the *current* user, and the rules run as the
	sidecar's integration user, who has no write right on Customer and should not get one."""
	current = [t for t in (frappe.db.get_value("Customer", customer, "_user_tags") or "").split(",") if t]
	if tag in current:
		return
	if not frappe.db.exists("Tag", tag):
		frappe.get_doc({"doctype": "Tag", "name": tag}).insert(ignore_permissions=True)
	frappe.db.set_value(
		"Customer", customer, "_user_tags", "," + ",".join([*current, tag]), update_modified=False
	)
	if not frappe.db.exists("Tag Link", {"document_type": "Customer", "document_name": customer, "tag": tag}):
		frappe.get_doc(
			{
				"doctype": "Tag Link",
				"document_type": "Customer",
				"document_name": customer,
				"title": frappe.db.get_value("Customer", customer, "customer_name") or customer,
				"tag": tag,
			}
		).insert(ignore_permissions=True)


def promoter_follow_up(doc, action: rules.PromoterAction, settings) -> str:
	if action.tag:
		tag_customer(doc.customer, settings.get("promoter_tag") or "Promoter")
	if not action.send_review_request:
		return action.reason
	template = settings.get("thank_you_template") or CX_THANK_YOU_TEMPLATE
	context = {
		"response": doc.as_dict(),
		"customer": frappe.db.get_value("Customer", doc.customer, ["name", "customer_name"], as_dict=True),
		"review_site": settings.get("review_site") or "",
		"review_link": settings.get("review_link") or "",
		"referral_link": settings.get("referral_link") or "",
	}
	subject, message = render_template(template, context)
	frappe.sendmail(
		recipients=[doc.respondent_email],
		subject=subject,
		message=message,
		reference_doctype=CX_RESPONSE_DOCTYPE,
		reference_name=doc.name,
	)
	return action.reason


def render_template(name: str, context: dict) -> tuple[str, str]:
	template = frappe.get_doc("Email Template", name)
	body = template.response_html if cint(template.use_html) else template.response
	return frappe.render_template(template.subject, context), frappe.render_template(body or "", context)


def add_timeline_comment(doctype: str, name: str, text: str) -> None:
	"""An Info comment in a document's timeline (what Document.add_comment inserts, without loading
	the document first)."""
	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Info",
			"comment_email": frappe.session.user,
			"reference_doctype": doctype,
			"reference_name": name,
			"content": escape_html(text),
		}
	).insert(ignore_permissions=True)


def add_customer_comment(doc, outcome: str) -> None:
	add_timeline_comment(
		"Customer", doc.customer, health.timeline_line(timeline_entry(doc, outcome), comment_chars=300)
	)


def timeline_entry(row, outcome: str | None = None) -> health.TimelineEntry:
	if outcome is None:
		outcome = ""
		if row.get("service_recovery_issue"):
			outcome = f"service recovery {row.service_recovery_issue}"
		elif row.get("promoter_action"):
			outcome = row.promoter_action
	reference = f"{row.reference_doctype} {row.reference_name}" if row.get("reference_doctype") else ""
	return health.TimelineEntry(
		when=get_datetime(row.get("submitted_at") or row.get("creation")),
		metric=row.metric,
		raw_score=flt(row.raw_score),
		scale_min=flt(row.scale_min),
		scale_max=flt(row.scale_max),
		category=row.category or "",
		reference=reference,
		remark=row.get("comment") or "",
		outcome=outcome,
	)


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


# --- Customer dashboard ----------------------------------------------------------------------------


def customer_dashboard(data: dict) -> dict:
	"""hook override_doctype_dashboards: CX Survey Responses under the Customer's connections."""
	transactions = data.setdefault("transactions", [])
	transactions.append({"label": _("Customer Experience"), "items": [CX_RESPONSE_DOCTYPE]})
	return data
