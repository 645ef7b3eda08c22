"""The promoter path: tag the Customer, and thank them with a review / referral request when it is fair to ask.

Contract
- `promoter_follow_up(doc, action, settings)`: for a core.cx.rules.PromoterAction, tag the Customer
  (RevOps CX Settings' promoter tag, default 'Promoter') and, when the rules allow it (an email, no
  overdue invoice, no open high-priority Issue: decided in core), send the thank-you Email Template
  (settings' or 'RevOps CX Promoter Thank You') with the review site / review link / referral link,
  referenced to the response. Returns the action's reason (stored as the response's promoter_action).
- `tag_customer(customer, tag)`: what frappe.desk.doctype.tag.tag.add_tag writes, without its
  current-user write check (see there).
"""

from __future__ import annotations

import frappe

from revops_app.core.cx import rules
from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE, CX_THANK_YOU_TEMPLATE
from revops_app.customer_experience.timeline import render_template


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
