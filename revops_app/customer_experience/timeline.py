"""What the CX glue writes for people to read: Info comments in a form's timeline, timeline entries.

Contract
- `add_timeline_comment(doctype, name, text)`: one Info comment (what Document.add_comment inserts,
  without loading the document first); used for responses and escalations.
- `add_customer_comment(doc, outcome)`: the Customer's comment for one response (core.cx.health line).
- `timeline_entry(row, outcome=None)`: a response row as core.cx.health.TimelineEntry, for the comment
  and for the Customer's `revops_cx_timeline` field (customer_state).
- `render_template(name, context)`: an Email Template's subject and body rendered with `context`
  (promoter thank-you, escalation email).
"""

from __future__ import annotations

import frappe
from frappe.utils import cint, escape_html, flt, get_datetime

from revops_app.core.cx import health


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


def render_template(name: str, context: dict) -> tuple[str, str]:
	template = frappe.get_doc("Email Template", name)
	body = template.response_html if cint(template.use_html) else template.response
	return frappe.render_template(template.subject, context), frappe.render_template(body or "", context)
