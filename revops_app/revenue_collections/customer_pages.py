"""Customer pages (RevOps Customer Pay Page): one stable URL per customer, company and currency.

Contract:
- `ensure_customer_page(customer, company, currency)` -> (name, url): the page of that group, created
  on first use with a 256-bit token (`core.gateway.paylinks.new_token`, stored like the invoice links'
  tokens: the URL is the capability). The name is derived from the group (`core.gateway.customer_page.
  page_name`), so two concurrent creations make one row (the loser re-reads it). Called on Sales Invoice
  submit (doc_events, beside the invoice's own link) and by dunning before a message is sent.
- `page_url_for(customer, company, currency)` reads the URL without creating (the dunning preview).
- `load_by_token(token)` -> (page row, PageFacts) or (None, None): the group's open invoices are read
  here, on the server, filtered by the page's own customer, company and currency (and a receivable in the
  invoice currency, as the invoice page requires), so nothing of another customer can appear; an invoice
  with a payment schedule shows the instalment due now (`instalments.due_now`, ERPNext's schedule). The
  chosen-amount rules come from the customer's dunning policy (`allow_customer_amount`,
  `minimum_customer_amount`).
- `record_view(name)` one atomic UPDATE (views, first/last viewed); `mark_pages_sent(names)` first sent.
Nothing here commits.
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.utils import flt, getdate, now_datetime, today

from revops_app.core.gateway.customer_page import (
	AmountRules,
	PageFacts,
	PageInvoice,
	customer_page_url,
	page_name,
)
from revops_app.core.gateway.paylinks import is_well_formed_token, new_token
from revops_app.revenue_collections.constants import CUSTOMER_PAGE_DOCTYPE, DUNNING_POLICY_DOCTYPE
from revops_app.revenue_collections.instalments import due_now
from revops_app.revenue_collections.pay_links import pay_links_active
from revops_app.revenue_collections.promises import customer_policy

PAGE_FIELDS = [
	"name",
	"customer",
	"customer_name",
	"company",
	"currency",
	"token",
	"url",
	"last_checkout_session",
	"last_payment_intent",
]


def ensure_customer_page(customer: str, company: str, currency: str) -> tuple[str, str]:
	name = page_name(customer, company, currency)
	url = frappe.db.get_value(CUSTOMER_PAGE_DOCTYPE, name, "url")
	if url:
		return name, url
	token = new_token()
	url = customer_page_url(frappe.utils.get_url(), token)
	savepoint = "revops_customer_page"
	frappe.db.savepoint(savepoint)
	try:
		frappe.get_doc(
			{
				"doctype": CUSTOMER_PAGE_DOCTYPE,
				"customer": customer,
				"customer_name": frappe.db.get_value("Customer", customer, "customer_name") or customer,
				"company": company,
				"currency": currency,
				"token": token,
				"url": url,
			}
		).insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		frappe.db.rollback(save_point=savepoint)
		url = frappe.db.get_value(CUSTOMER_PAGE_DOCTYPE, name, "url")
	return name, url


def page_url_for(customer: str, company: str, currency: str) -> str | None:
	return frappe.db.get_value(CUSTOMER_PAGE_DOCTYPE, page_name(customer, company, currency), "url")


def on_sales_invoice_submit(doc, method: str | None = None) -> None:
	"""doc_events: the customer page of a submitted invoice's group exists once pay links are on."""
	if doc.is_return or flt(doc.outstanding_amount) <= 0 or not pay_links_active(doc.company):
		return
	if (doc.party_account_currency or doc.currency) == doc.currency:
		ensure_customer_page(doc.customer, doc.company, doc.currency)


def amount_rules(customer: str) -> AmountRules:
	policy, _rule, _collector = customer_policy(customer)
	if not policy:
		return AmountRules()
	values = frappe.db.get_value(
		DUNNING_POLICY_DOCTYPE, policy, ["allow_customer_amount", "minimum_customer_amount"], as_dict=True
	)
	if not values or not values.allow_customer_amount:
		return AmountRules()
	return AmountRules(True, Decimal(str(flt(values.minimum_customer_amount))))


def open_invoices(customer: str, company: str, currency: str) -> list[PageInvoice]:
	"""Submitted, non-return invoices of exactly this customer, company and currency with something owed."""
	si = frappe.qb.DocType("Sales Invoice")
	rows = (
		frappe.qb.from_(si)
		.select(
			si.name, si.posting_date, si.due_date, si.outstanding_amount, si.grand_total, si.rounded_total
		)
		.where(
			(si.customer == customer)
			& (si.company == company)
			& (si.currency == currency)
			& (si.docstatus == 1)
			& (si.is_return == 0)
			& (si.outstanding_amount > 0)
			& ((si.party_account_currency == currency) | si.party_account_currency.isnull())
		)
		.orderby(si.due_date)
		.orderby(si.name)
		.run(as_dict=True)
	)
	pages = []
	for row in rows:
		due = due_now(row.name)  # ERPNext's Payment Schedule: the instalment due now, if it has several
		pages.append(
			PageInvoice(
				name=row.name,
				posting_date=getdate(row.posting_date) if row.posting_date else None,
				due_date=getdate(row.due_date) if row.due_date else None,
				outstanding_amount=Decimal(str(flt(row.outstanding_amount))),
				grand_total=Decimal(str(flt(row.rounded_total or row.grand_total))),
				instalment_due=getdate(due["due_date"]) if due else None,
				instalment_note=f"instalment {due['amount_formatted']} due {due['due_date_formatted']}"
				if due
				else None,
			)
		)
	return pages


def load_by_token(token: str) -> tuple[frappe._dict | None, PageFacts | None]:
	if not is_well_formed_token(token):
		return None, None
	page = frappe.db.get_value(CUSTOMER_PAGE_DOCTYPE, {"token": token}, PAGE_FIELDS, as_dict=True)
	if not page:
		return None, None
	customer_name = frappe.db.get_value("Customer", page.customer, "customer_name") or page.customer_name
	facts = PageFacts(
		customer_name=customer_name or page.customer,
		company=page.company,
		currency=page.currency,
		invoices=tuple(open_invoices(page.customer, page.company, page.currency)),
		rules=amount_rules(page.customer),
		online=pay_links_active(page.company),
		today=getdate(today()),
	)
	page.email = frappe.db.get_value("Customer", page.customer, "email_id")
	return page, facts


def record_view(name: str) -> None:
	now = now_datetime()
	frappe.db.sql(
		f"""
		UPDATE `tab{CUSTOMER_PAGE_DOCTYPE}`
		SET view_count = COALESCE(view_count, 0) + 1,
			first_viewed_at = COALESCE(first_viewed_at, %(now)s),
			last_viewed_at = %(now)s
		WHERE name = %(name)s
		""",
		{"now": now, "name": name},
	)


def mark_pages_sent(names: list[str] | tuple[str, ...]) -> None:
	if names:
		frappe.db.sql(
			f"UPDATE `tab{CUSTOMER_PAGE_DOCTYPE}` SET sent_at = COALESCE(sent_at, %(now)s) WHERE name IN %(names)s",
			{"now": now_datetime(), "names": tuple(names)},
		)
