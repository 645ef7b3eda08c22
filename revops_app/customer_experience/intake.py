"""Scoring and matching of a CX Survey Response: the controller hooks before it is stored.

Contract
- `score_response(doc)` (controller `validate`): normalise the score through core.cx.normalise, fill
  the scale defaults, `normalised_score`, `category` and `dedupe_key` (source + external id); ValueError
  on bad input (the controller turns it into a validation error).
- `match_respondent(doc)` (controller `before_insert`; the ingest endpoint calls it before insert,
  because Frappe validates links ahead of before_insert): find the Customer and Contact by id, by the
  Contact email -> Contact -> Dynamic Link to Customer, by the Customer's own email, by the referenced
  document's customer. Unknown ids are dropped with a remark, so the response is kept as Unmatched for
  review instead of failing on a broken link. Runs once per document.
- `contact_for_email(email)` / `customer_for_contact(contact)`: the lookups behind it.
Reads only (and sets fields on the unsaved document).
"""

from __future__ import annotations

import frappe
from frappe.utils import cint, flt

from revops_app.core.cx.intake import REFERENCE_DOCTYPES, dedupe_key
from revops_app.core.cx.normalise import normalise


def score_response(doc) -> None:
	"""Fill normalised_score, category, scale defaults and dedupe_key; ValueError on bad input."""
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
