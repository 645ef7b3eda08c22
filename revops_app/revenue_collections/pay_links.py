"""Pay links on Sales Invoices: create on submit, keep their status in step, record views, auto-invoice.

Contract:
- `on_sales_invoice_submit` (doc_events) creates one RevOps Payment Link per submitted, non-return
  invoice of the RevOps company while Stripe pay links are on, and writes its URL to the invoice's
  `revops_pay_url`. The database's unique index on Payment Link.sales_invoice makes it one link per
  invoice whatever runs twice. A submitted credit note refreshes the link of the invoice it returns.
- `refresh_link_status(invoice)` recomputes status (Active / Paid / Cancelled / Credit Noted) and
  link_state from the invoice as it is now; it runs on invoice cancel, credit notes and Payment Entry
  submit/cancel, so "full payment" is whatever ERPNext's ledger says, however the money arrived.
- `mark_links_sent(invoices)` records that a message (a dunning reminder) carried the links: first sent
  at, and Not Sent -> Sent.
- `record_view(token)` counts a view of the pay page in one UPDATE (first/last/count and Not Sent/Sent
  -> Viewed), so concurrent views never lose a count.
- `on_delivery_note_submit` (setting "Auto-invoice Delivery Notes") makes the Sales Invoice with
  ERPNext's own mapper (`make_sales_invoice`), submits it (which creates the link) inside a savepoint:
  a failure is rolled back to the savepoint, logged as Error and shown, and the Delivery Note still
  submits.
Nothing here commits; the request or job that called it owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder.functions import Sum
from frappe.utils import flt, getdate, now_datetime

from revops_app.core.gateway.paylinks import (
	InvoiceView,
	LinkStatus,
	is_well_formed_token,
	link_status,
	new_token,
	pay_url,
)
from revops_app.core.gateway.routing import LinkState, link_state_after
from revops_app.revenue_collections.constants import CF_PAY_URL, PAYMENT_LINK_DOCTYPE
from revops_app.revops.constants import INTEGRATION_STRIPE, LogStatus
from revops_app.revops.settings import get_settings

LINK_FIELDS = ["name", "sales_invoice", "status", "link_state", "disputed", "token", "url"]


def pay_links_active(company: str | None = None) -> bool:
	settings = get_settings()
	if not (settings.enabled and settings.stripe_enabled and settings.pay_links_enabled):
		return False
	return not company or not settings.company or settings.company == company


def get_link(invoice: str, *, for_update: bool = False) -> frappe._dict | None:
	return frappe.db.get_value(
		PAYMENT_LINK_DOCTYPE, {"sales_invoice": invoice}, LINK_FIELDS, as_dict=True, for_update=for_update
	)


def ensure_pay_link(invoice: Document) -> str:
	"""The invoice's Payment Link name, creating it (and the invoice's pay URL) when missing."""
	existing = get_link(invoice.name)
	if existing:
		if invoice.get(CF_PAY_URL) != existing.url:
			invoice.db_set(CF_PAY_URL, existing.url, update_modified=False)
		return existing.name
	token = new_token()
	url = pay_url(frappe.utils.get_url(), token)
	link = frappe.get_doc(
		{
			"doctype": PAYMENT_LINK_DOCTYPE,
			"sales_invoice": invoice.name,
			"customer": invoice.customer,
			"company": invoice.company,
			"status": link_status(
				docstatus=invoice.docstatus,
				outstanding_amount=invoice.outstanding_amount,
				invoice_status=invoice.status,
			),
			"link_state": LinkState.NOT_SENT,
			"token": token,
			"url": url,
		}
	)
	link.insert(ignore_permissions=True)
	invoice.db_set(CF_PAY_URL, url, update_modified=False)
	return link.name


def on_sales_invoice_submit(doc: Document, method: str | None = None) -> None:
	if doc.is_return:
		if doc.return_against:
			refresh_link_status(doc.return_against)
		return
	if not pay_links_active(doc.company) or flt(doc.outstanding_amount) <= 0:
		return
	ensure_pay_link(doc)


def on_sales_invoice_cancel(doc: Document, method: str | None = None) -> None:
	refresh_link_status(doc.name)
	if doc.is_return and doc.return_against:
		refresh_link_status(doc.return_against)


def on_payment_entry_change(doc: Document, method: str | None = None) -> None:
	"""Payment Entry submitted or cancelled: the referenced invoices' links follow their outstanding."""
	for row in doc.get("references") or []:
		if row.reference_doctype == "Sales Invoice" and row.reference_name:
			refresh_link_status(row.reference_name)


def credited_amount(invoice: str) -> Decimal:
	"""What submitted credit notes against the invoice return, as a positive amount."""
	si = frappe.qb.DocType("Sales Invoice")
	rows = (
		frappe.qb.from_(si)
		.select(Sum(si.grand_total))
		.where((si.return_against == invoice) & (si.is_return == 1) & (si.docstatus == 1))
		.run()
	)
	return Decimal(str(-flt(rows[0][0] if rows else 0)))


def refresh_link_status(invoice: str) -> None:
	link = get_link(invoice)
	if not link:
		return
	values = frappe.db.get_value(
		"Sales Invoice",
		invoice,
		["docstatus", "outstanding_amount", "status", "grand_total", "rounded_total"],
		as_dict=True,
	)
	if not values:
		return
	status = link_status(
		docstatus=values.docstatus,
		outstanding_amount=values.outstanding_amount,
		invoice_status=values.status,
		grand_total=values.rounded_total or values.grand_total,
		credited_amount=credited_amount(invoice),
	)
	state = link_state_after(link.link_state, paid=status == LinkStatus.PAID, disputed=bool(link.disputed))
	changes = {k: v for k, v in (("status", status), ("link_state", state)) if link.get(k) != v}
	if changes:
		frappe.db.set_value(PAYMENT_LINK_DOCTYPE, link.name, changes)


def record_view(link_name: str) -> None:
	"""One atomic UPDATE: view_count + 1, first/last viewed, and Not Sent/Sent become Viewed."""
	now = now_datetime()
	frappe.db.sql(
		f"""
		UPDATE `tab{PAYMENT_LINK_DOCTYPE}`
		SET view_count = COALESCE(view_count, 0) + 1,
			first_viewed_at = COALESCE(first_viewed_at, %(now)s),
			last_viewed_at = %(now)s,
			link_state = CASE WHEN link_state IN (%(not_sent)s, %(sent)s) OR link_state IS NULL
				THEN %(viewed)s ELSE link_state END
		WHERE name = %(name)s
		""",
		{
			"now": now,
			"name": link_name,
			"not_sent": LinkState.NOT_SENT,
			"sent": LinkState.SENT,
			"viewed": LinkState.VIEWED,
		},
	)


def mark_links_sent(invoices: Iterable[str]) -> None:
	"""A message carried these invoices' pay links (a dunning reminder): First Sent At is set once and
	Not Sent becomes Sent, so the aging report and the funnel see the link as delivered. One UPDATE;
	later states (Viewed, Payment Failed, Disputed, Paid) are kept."""
	invoices = tuple(invoices)
	if not invoices:
		return
	frappe.db.sql(
		f"""
		UPDATE `tab{PAYMENT_LINK_DOCTYPE}`
		SET sent_at = COALESCE(sent_at, %(now)s),
			link_state = CASE WHEN link_state = %(not_sent)s OR link_state IS NULL
				THEN %(sent)s ELSE link_state END
		WHERE sales_invoice IN %(invoices)s
		""",
		{
			"now": now_datetime(),
			"invoices": invoices,
			"not_sent": LinkState.NOT_SENT,
			"sent": LinkState.SENT,
		},
	)


def on_delivery_note_submit(doc: Document, method: str | None = None) -> None:
	settings = get_settings()
	if not (settings.enabled and settings.auto_invoice_from_delivery_note) or doc.is_return:
		return
	if settings.company and settings.company != doc.company:
		return
	if flt(doc.get("per_billed")) >= 100:
		return
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	savepoint = "revops_auto_invoice"
	frappe.db.savepoint(savepoint)
	try:
		invoice = make_sales_invoice(doc.name)
		invoice.flags.ignore_permissions = True
		invoice.insert()
		invoice.submit()  # on_submit creates the pay link
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		from revops_app.revops.integration_log import create_log

		create_log(
			INTEGRATION_STRIPE,
			status=LogStatus.ERROR,
			event_type="auto_invoice",
			message=f"Could not auto-invoice Delivery Note {doc.name}: create the Sales Invoice by hand.",
			response_data={"traceback": frappe.get_traceback()},
			reference_doctype="Delivery Note",
			reference_name=doc.name,
		)
		frappe.msgprint(
			_(
				"The Sales Invoice for {0} could not be created automatically; see RevOps Integration Log."
			).format(doc.name),
			indicator="orange",
		)
		return
	frappe.msgprint(
		_("Sales Invoice {0} created with a pay link").format(frappe.bold(invoice.name)), alert=True
	)


def load_by_token(token: str) -> tuple[frappe._dict | None, InvoiceView | None]:
	"""(link row, invoice view) for a pay-page token, or (None, None) when there is no such link."""
	if not is_well_formed_token(token):
		return None, None
	link = frappe.db.get_value(PAYMENT_LINK_DOCTYPE, {"token": token}, LINK_FIELDS, as_dict=True)
	if not link:
		return None, None
	si = frappe.db.get_value(
		"Sales Invoice",
		link.sales_invoice,
		[
			"name",
			"customer_name",
			"currency",
			"party_account_currency",
			"outstanding_amount",
			"grand_total",
			"rounded_total",
			"due_date",
			"docstatus",
			"is_return",
			"status",
			"company",
			"contact_email",
		],
		as_dict=True,
	)
	if not si:
		return None, None
	view = InvoiceView(
		name=si.name,
		customer_name=si.customer_name or "",
		currency=si.currency,
		outstanding_amount=Decimal(str(flt(si.outstanding_amount))),
		grand_total=Decimal(str(flt(si.rounded_total or si.grand_total))),
		due_date=getdate(si.due_date) if si.due_date else None,
		docstatus=si.docstatus,
		is_return=bool(si.is_return),
		status=si.status,
		link_status=link.status,
		# The outstanding amount is in the receivable account's currency; Stripe charges the invoice
		# currency, so only invoices billed to a receivable in their own currency are paid online.
		payable_online=(si.party_account_currency or si.currency) == si.currency,
		credited_amount=credited_amount(si.name),
	)
	link.update(company=si.company, contact_email=si.contact_email)
	return link, view
