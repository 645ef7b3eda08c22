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
  - the Customer's CX fields, churn risk and timeline are refreshed and a timeline comment added.
- `refresh_all_customers()` (daily): churn risk re-evaluated for customers with responses;
  `retry_failed_responses()` (hourly): the rules again for responses left in Error.
- Escalation lives in `revops_app.erp.cx_escalation`, install-time records in
  `revops_app.erp.cx_install`.

Sentiment timeline on the Customer form: the read-only `revops_cx_timeline` field (last ten
responses rendered by core.cx.health) plus one Info comment per response and per escalation in the
form's own timeline, and the CX Survey Responses under the Customer's connections.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import (
	cint,
	escape_html,
	flt,
	get_datetime,
	get_link_to_form,
	getdate,
	now_datetime,
	nowdate,
)

from revops_app.constants import (
	CF_CUSTOMER_CHURN_FLAGGED_ON,
	CF_CUSTOMER_CHURN_REASON,
	CF_CUSTOMER_CHURN_RISK,
	CF_CUSTOMER_CX_SEGMENT,
	CF_CUSTOMER_CX_TIMELINE,
	CF_CUSTOMER_CX_UPDATED_ON,
	CF_CUSTOMER_LATEST_CES,
	CF_CUSTOMER_LATEST_CSAT,
	CF_CUSTOMER_LATEST_NPS,
	CF_ISSUE_CX_RESPONSE,
	CX_DEFAULT_SLA,
	CX_RESPONSE_DOCTYPE,
	CX_SETTINGS_DOCTYPE,
	CX_THANK_YOU_TEMPLATE,
	SETTINGS_DOCTYPE,
	CXStatus,
)
from revops_app.core.cx import health, rules
from revops_app.core.cx.intake import REFERENCE_DOCTYPES
from revops_app.core.cx.normalise import Category, Metric, normalise

OPEN_ISSUE_STATUSES = ("Open", "Replied", "On Hold")
TIMELINE_LENGTH = 10
RESPONSES_PER_METRIC = TIMELINE_LENGTH
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


# --- customer state --------------------------------------------------------------------------------


def customer_facts(customers: list[str]) -> dict[str, dict[str, Any]]:
	"""Overdue invoices, open Issues and current contract end dates for many customers, one grouped
	query each (the daily job runs this over every customer with responses)."""
	facts = {c: {"overdue": 0, "open_issues": 0, "contract_ends": []} for c in customers}
	if not customers:
		return facts
	today = nowdate()
	for customer, count in frappe.db.sql(
		"""select customer, count(*) from `tabSales Invoice`
		where docstatus = 1 and outstanding_amount > 0 and due_date < %s and customer in %s
		group by customer""",
		(today, tuple(customers)),
	):
		facts[customer]["overdue"] = cint(count)
	for customer, count in frappe.db.sql(
		"""select customer, count(*) from `tabIssue`
		where status in %s and customer in %s group by customer""",
		(OPEN_ISSUE_STATUSES, tuple(customers)),
	):
		facts[customer]["open_issues"] = cint(count)
	for customer, end_date in frappe.db.sql(
		"""select party_name, end_date from `tabContract`
		where party_type = 'Customer' and docstatus < 2 and end_date >= %s and party_name in %s""",
		(today, tuple(customers)),
	):
		facts[customer]["contract_ends"].append(getdate(end_date))
	return facts


def responses_by_customer(customers: list[str]) -> dict[str, list]:
	fields = (
		"name, customer, metric, raw_score, scale_min, scale_max, normalised_score, category, comment, "
		"submitted_at, creation, reference_doctype, reference_name, service_recovery_issue, promoter_action"
	)
	# Only the latest RESPONSES_PER_METRIC per customer and metric: enough for the latest score, the
	# NPS trend (at most 5 responses) and the timeline (10 lines), however long the history.
	rows = frappe.db.sql(
		f"""select * from (
			select {fields}, row_number() over (
				partition by customer, metric order by coalesce(submitted_at, creation) desc, creation desc
			) as recency
			from `tabCX Survey Response`
			where customer in %(customers)s and status != 'Unmatched'
		) ranked
		where recency <= %(keep)s
		order by coalesce(submitted_at, creation) asc, creation asc""",
		{"customers": tuple(customers), "keep": RESPONSES_PER_METRIC},
		as_dict=True,
	)
	grouped: dict[str, list] = {c: [] for c in customers}
	for row in rows:
		grouped[row.customer].append(row)
	return grouped


def refresh_customer(customer: str) -> None:
	refresh_customers([customer])


def refresh_customers(customers: list[str]) -> int:
	"""Recompute latest scores, segment, churn risk and timeline; write only what changed. Returns
	how many customers changed."""
	customers = [c for c in customers if c]
	if not customers:
		return 0
	settings = cx_settings()
	config = churn_config(settings)
	today = getdate(nowdate())
	facts = customer_facts(customers)
	responses = responses_by_customer(customers)
	fields = [
		CF_CUSTOMER_LATEST_NPS,
		CF_CUSTOMER_LATEST_CSAT,
		CF_CUSTOMER_LATEST_CES,
		CF_CUSTOMER_CX_SEGMENT,
		CF_CUSTOMER_CHURN_RISK,
		CF_CUSTOMER_CHURN_REASON,
		CF_CUSTOMER_CHURN_FLAGGED_ON,
		CF_CUSTOMER_CX_TIMELINE,
	]
	current = {
		row.name: row
		for row in frappe.get_all("Customer", filters={"name": ("in", customers)}, fields=["name", *fields])
	}
	changed = 0
	for customer in customers:
		if customer not in current:
			continue
		values = customer_values(responses[customer], facts[customer], config, today)
		before = current[customer]
		if values[CF_CUSTOMER_CHURN_RISK] and not before.get(CF_CUSTOMER_CHURN_RISK):
			values[CF_CUSTOMER_CHURN_FLAGGED_ON] = now_datetime()
		elif values[CF_CUSTOMER_CHURN_RISK]:
			values[CF_CUSTOMER_CHURN_FLAGGED_ON] = before.get(CF_CUSTOMER_CHURN_FLAGGED_ON)
		else:
			values[CF_CUSTOMER_CHURN_FLAGGED_ON] = None
		if any(_differs(before.get(k), v) for k, v in values.items()):
			values[CF_CUSTOMER_CX_UPDATED_ON] = now_datetime()
			frappe.db.set_value("Customer", customer, values, update_modified=False)
			changed += 1
	return changed


def _differs(a: Any, b: Any) -> bool:
	if isinstance(a, int | float) or isinstance(b, int | float):
		return flt(a) != flt(b)
	return (a or None) != (b or None) and str(a or "") != str(b or "")


def customer_values(rows: list, facts: dict, config: health.ChurnConfig, today: date) -> dict[str, Any]:
	latest: dict[str, Any] = {}
	for row in rows:  # oldest first, so the last one seen per metric wins
		latest[row.metric] = row
	nps_scores = [flt(row.raw_score) for row in rows if row.metric == Metric.NPS.value]
	assessment = health.churn_risk(
		health.ChurnInputs(
			nps_scores=nps_scores,
			contract_end_dates=facts["contract_ends"],
			overdue_invoices=facts["overdue"],
			open_issues=facts["open_issues"],
		),
		config,
		today,
	)
	nps_row = latest.get(Metric.NPS.value)
	other = max(
		(latest[m] for m in (Metric.CSAT.value, Metric.CES.value) if m in latest),
		key=lambda r: get_datetime(r.submitted_at or r.creation),
		default=None,
	)
	segment = health.cx_segment(
		assessment.at_risk,
		Category(nps_row.category) if nps_row else None,
		Category(other.category) if other else None,
	)
	return {
		CF_CUSTOMER_LATEST_NPS: flt(nps_row.raw_score) if nps_row else 0,
		CF_CUSTOMER_LATEST_CSAT: flt(latest[Metric.CSAT.value].normalised_score)
		if Metric.CSAT.value in latest
		else 0,
		CF_CUSTOMER_LATEST_CES: flt(latest[Metric.CES.value].normalised_score)
		if Metric.CES.value in latest
		else 0,
		CF_CUSTOMER_CX_SEGMENT: segment,
		CF_CUSTOMER_CHURN_RISK: int(assessment.at_risk),
		CF_CUSTOMER_CHURN_REASON: assessment.reason or None,
		CF_CUSTOMER_CX_TIMELINE: health.render_timeline([timeline_entry(r) for r in rows], TIMELINE_LENGTH)
		or None,
	}


def refresh_all_customers(commit: bool = True) -> None:
	"""Daily: churn risk moves with time (contracts come into the window, invoices fall overdue).
	Commits after each batch of 500 customers unless `commit` is False (a caller owning the
	transaction)."""
	customers = frappe.db.sql_list(
		"""select distinct customer from `tabCX Survey Response` where customer is not null and customer != ''
		union select name from `tabCustomer` where revops_churn_risk = 1"""
	)
	for start in range(0, len(customers), 500):
		refresh_customers(customers[start : start + 500])
		if commit:
			frappe.db.commit()  # nosemgrep: scheduler job, a batch at a time


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
