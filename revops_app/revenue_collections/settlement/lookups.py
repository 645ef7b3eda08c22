"""Lookups for the settlement worker: which invoice an event is about, its lock, what is posted.

- `resolve_invoice(event)`: the event's metadata, its pay link, a posted receipt, the link's last
  PaymentIntent, or (charges and disputes carry no metadata) the PaymentIntent from Stripe.
- `lock_invoice(invoice)`: the row lock (SELECT ... FOR UPDATE) on the invoice's Payment Link, on the
  Sales Invoice when it has none; see worker.py for why it is the first statement of a transaction.
  `lock_invoices(invoices)` takes them for several invoices in name order (a dispute of a customer page
  payment); `receipt_invoices(receipt)` lists the invoices a receipt's reference rows name.
- `existing_receipt(payment_intent)`: the submitted Receive Payment Entry whose reference_no is the
  PaymentIntent, whoever made it.
- `fetch_settlement(payment_intent)`: amount, fee and charge from Stripe (API base from settings);
  RetryLater when the secret key is not configured.
- `invoice_state`, `invoice_paid`, `update_link`: the Sales Invoice as core reads it, and the Payment
  Link's fields written back.
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.model.document import Document
from frappe.utils import flt

from revops_app.core.collections.allocation.payments import InvoiceState
from revops_app.core.gateway.payments import PaymentSettlement, retrieve_payment
from revops_app.core.gateway.webhooks.events import GatewayEvent
from revops_app.revenue_collections.constants import PAYMENT_LINK_DOCTYPE
from revops_app.revenue_collections.settlement.errors import RetryLater
from revops_app.revops.settings import get_stripe_api_base, get_stripe_secret_key


def resolve_invoice(event: GatewayEvent) -> str | None:
	"""The Sales Invoice an event is about: its metadata, its pay link, a posted receipt, or Stripe."""
	if event.sales_invoice:
		return event.sales_invoice
	if event.pay_link:
		invoice = frappe.db.get_value(PAYMENT_LINK_DOCTYPE, event.pay_link, "sales_invoice")
		if invoice:
			return invoice
	if not event.payment_intent:
		return None
	receipt = existing_receipt(event.payment_intent)
	if receipt:
		# the receipt's first invoice (a customer page receipt settles several, oldest due first)
		invoices = receipt_invoices(receipt)
		if invoices:
			return invoices[0]
	invoice = frappe.db.get_value(
		PAYMENT_LINK_DOCTYPE, {"last_payment_intent": event.payment_intent}, "sales_invoice"
	)
	if invoice:
		return invoice
	# Charges and disputes do not carry our metadata; the PaymentIntent does.
	return fetch_settlement(event.payment_intent).sales_invoice


def receipt_invoices(receipt: str) -> list[str]:
	"""The Sales Invoices a receipt's reference rows name, in row order, each once."""
	rows = frappe.get_all(
		"Payment Entry Reference",
		filters={"parent": receipt, "parenttype": "Payment Entry", "reference_doctype": "Sales Invoice"},
		pluck="reference_name",
		order_by="idx asc",
	)
	return list(dict.fromkeys(rows))


def lock_invoices(invoices: tuple[str, ...] | list[str]) -> dict[str, frappe._dict | None]:
	"""`lock_invoice` for several invoices, in name order (the order every multi-invoice lock takes);
	returns invoice -> its Payment Link row (None when it has none), in the order given."""
	links = {invoice: lock_invoice(invoice) for invoice in sorted(set(invoices))}
	return {invoice: links[invoice] for invoice in invoices}


def lock_invoice(invoice: str) -> frappe._dict | None:
	link = frappe.db.get_value(
		PAYMENT_LINK_DOCTYPE,
		{"sales_invoice": invoice},
		[
			"name",
			"link_state",
			"disputed",
			"dispute_id",
			"dispute_status",
			"last_payment_failed_at",
			"last_checkout_session",
		],
		as_dict=True,
		for_update=True,
	)
	if not link:
		frappe.db.get_value("Sales Invoice", invoice, "name", for_update=True)
	return link


def existing_receipt(payment_intent: str) -> str | None:
	"""The submitted Receive Payment Entry whose reference_no is the PaymentIntent id, whoever made it
	(a finance user recording the payment by hand counts too). reference_no is indexed at install."""
	return frappe.db.get_value(
		"Payment Entry",
		{"reference_no": payment_intent, "payment_type": "Receive", "docstatus": 1},
		"name",
	)


def fetch_settlement(payment_intent: str) -> PaymentSettlement:
	api_key = get_stripe_secret_key()
	if not api_key:
		raise RetryLater("Stripe secret key is not configured in RevOps Settings")
	return retrieve_payment(api_key, payment_intent, api_base=get_stripe_api_base())


# What a receipt reads of its invoice (settle_payment, posting_problem, invoice_state, build_receipt).
INVOICE_FIELDS = (
	"name",
	"company",
	"customer",
	"currency",
	"party_account_currency",
	"debit_to",
	"rounded_total",
	"grand_total",
	"outstanding_amount",
	"docstatus",
	"is_return",
	"status",
)


def invoice_facts(invoice: str) -> frappe._dict:
	"""The invoice fields a receipt needs, in one statement (loading the document costs ten and its
	controller; ERPNext's get_payment_entry loads it again anyway)."""
	return frappe.db.get_value("Sales Invoice", invoice, INVOICE_FIELDS, as_dict=True)


def invoice_state(si: Document) -> InvoiceState:
	return InvoiceState(
		name=si.name,
		currency=si.currency,
		grand_total=Decimal(str(flt(si.rounded_total or si.grand_total))),
		outstanding_amount=Decimal(str(flt(si.outstanding_amount))),
		docstatus=si.docstatus,
		is_return=bool(si.is_return),
		status=si.status or "",
	)


def update_link(link: frappe._dict | None, **values) -> None:
	if link and values:
		frappe.db.set_value(PAYMENT_LINK_DOCTYPE, link.name, values)


def invoice_paid(invoice: str) -> bool:
	values = frappe.db.get_value("Sales Invoice", invoice, ["docstatus", "outstanding_amount"], as_dict=True)
	return bool(values and values.docstatus == 1 and flt(values.outstanding_amount) <= 0)
