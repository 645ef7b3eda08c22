"""Who is asking for the money: the seller block of the pay pages, and their documents as PDF.

Contract:
- `seller_context(company)` -> {name, logo, email, phone, website} for `templates/pay/seller.html`:
  the Company's name; its logo from the Company's Default Letter Head (`Company.default_letter_head`,
  when it is an Image letter head and not disabled), else the Company's own logo (`company_logo`); the
  contact for questions is the Company's `email` (ERPNext's field on the Company, which finance keeps
  and ERPNext's own print formats show), with `phone_no` and `website` beside it. A private file (as
  attachments usually are) is inlined as a data: URL, so a guest browser can show it without a session.
- `page_documents(token, customer_page_url)`: the invoice pay page's links (its invoice PDF, the customer page).
- `invoice_pdf(invoice)` -> (filename, bytes): the Sales Invoice in its default print format (the
  DocType's `default_print_format`, else Standard) with the company's letter head, rendered by Frappe's
  own `frappe.get_print(..., as_pdf=True)` (wkhtmltopdf; Chrome on a v16 without it, compat.pdf_generator).
  The caller has already proved the right to it with a token; Frappe's print permission check is skipped
  for exactly that call (`frappe.flags.ignore_print_permissions`), and the rendering runs as Administrator
  so permission-level fields print as the staff see them.
- `statement_pdf(customer, company)` -> (filename, bytes): ERPNext's own Process Statement Of Accounts
  statement in its Accounts Receivable form (its template through `get_statement_dict`, over ERPNext's
  Accounts Receivable report rows with ageing, made a PDF as its `get_report_pdf` does, through
  compat.html_to_pdf), from an unsaved document: nothing is written. The Accounts Receivable form lists the
  open invoices, like the page, and its figures are ERPNext's.
Reads only.
"""

from __future__ import annotations

import base64
import contextlib
import mimetypes
from collections.abc import Iterator

import frappe
from frappe.utils import today

from revops_app import compat

MAX_INLINE_LOGO_BYTES = 300_000


@contextlib.contextmanager
def _as_administrator() -> Iterator[None]:
	"""Run as Administrator, then put the request's own user, session id, session data and form back
	(frappe.set_user resets all four)."""
	session = frappe.local.session
	user, sid, data, form = session.user, session.sid, session.data, frappe.local.form_dict
	frappe.set_user("Administrator")
	try:
		yield
	finally:
		frappe.set_user(user or "Guest")
		frappe.local.session.sid, frappe.local.session.data, frappe.local.form_dict = sid, data, form


def _public_image(url: str | None) -> str | None:
	"""A URL a guest browser can load: public files and absolute URLs as they are, private files inlined."""
	if not url:
		return None
	if not url.startswith("/private/"):
		return url
	name = frappe.db.get_value("File", {"file_url": url}, "name")
	if not name:
		return None
	try:
		content = frappe.get_doc("File", name).get_content()
	except Exception:
		return None
	if isinstance(content, str):
		content = content.encode()
	if not content or len(content) > MAX_INLINE_LOGO_BYTES:
		return None
	mime = mimetypes.guess_type(url)[0] or "image/png"
	return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def company_logo(company: str) -> str | None:
	values = frappe.db.get_value("Company", company, ["default_letter_head", "company_logo"], as_dict=True)
	if not values:
		return None
	if values.default_letter_head:
		head = frappe.db.get_value(
			"Letter Head", values.default_letter_head, ["source", "image", "disabled"], as_dict=True
		)
		if head and not head.disabled and head.source == "Image" and head.image:
			logo = _public_image(head.image)
			if logo:
				return logo
	return _public_image(values.company_logo)


def seller_context(company: str | None) -> dict | None:
	if not company:
		return None
	values = frappe.db.get_value(
		"Company", company, ["company_name", "email", "phone_no", "website"], as_dict=True
	)
	if not values:
		return None
	return {
		"name": values.company_name or company,
		"logo": company_logo(company),
		"email": (values.email or "").strip() or None,
		"phone": (values.phone_no or "").strip() or None,
		"website": (values.website or "").strip() or None,
	}


def page_documents(token: str, customer_page_url: str | None = None) -> list[dict]:
	"""The invoice pay page's links (templates/pay/documents.html): its invoice as PDF, and the customer's
	page of every open invoice when there is one."""
	from revops_app.revenue_collections.constants import INVOICE_PDF_METHOD

	links = [
		{"label": "Download the invoice (PDF)", "url": f"/api/method/{INVOICE_PDF_METHOD}?token={token}"}
	]
	if customer_page_url:
		links.append({"label": "All your open invoices", "url": customer_page_url})
	return links


def _filename(name: str) -> str:
	return name.replace(" ", "-").replace("/", "-") + ".pdf"


def invoice_pdf(invoice: str) -> tuple[str, bytes]:
	doc = frappe.get_doc("Sales Invoice", invoice)
	print_format = frappe.get_meta("Sales Invoice").default_print_format or "Standard"
	letter_head = (
		doc.get("letter_head") or frappe.db.get_value("Company", doc.company, "default_letter_head") or None
	)
	previous = frappe.flags.ignore_print_permissions
	frappe.flags.ignore_print_permissions = True
	try:
		with _as_administrator():
			content = frappe.get_print(
				"Sales Invoice",
				invoice,
				print_format,
				doc=doc,
				as_pdf=True,
				letterhead=letter_head,
				no_letterhead=0 if letter_head else 1,
				pdf_generator=compat.pdf_generator(),
			)
	finally:
		frappe.flags.ignore_print_permissions = previous
	return _filename(invoice), content


def statement_pdf(customer: str, company: str) -> tuple[str, bytes] | None:
	"""ERPNext's statement of the customer's open items in the company, or None when it has none."""
	from erpnext.accounts.doctype.process_statement_of_accounts.process_statement_of_accounts import (
		get_statement_dict,
	)

	doc = frappe.new_doc("Process Statement Of Accounts")
	doc.update(
		{
			"company": company,
			"report": "Accounts Receivable",
			"posting_date": today(),
			"from_date": today(),
			"to_date": today(),
			"include_ageing": 1,
			"ageing_based_on": "Due Date",
			"orientation": "Portrait",
			"include_break": 1,
			"letter_head": frappe.db.get_value("Company", company, "default_letter_head") or None,
		}
	)
	doc.append(
		"customers",
		{"customer": customer, "customer_name": frappe.db.get_value("Customer", customer, "customer_name")},
	)
	with _as_administrator():
		statements = get_statement_dict(doc)  # {customer: HTML}, ERPNext's template; {} when nothing is open
	if not statements:
		return None
	# as ERPNext's get_report_pdf does (consolidated), through the renderer this host has
	content = compat.html_to_pdf("".join(statements.values()), {"orientation": doc.orientation})
	return _filename(f"Statement {customer} {today()}"), content
