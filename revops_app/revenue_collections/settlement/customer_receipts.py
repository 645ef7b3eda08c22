"""A customer page payment -> one Receive Payment Entry over several invoices, exactly once.

Contract (`handle_customer_event(log, event, action)`, called by worker._handle when the event's metadata
names a `customer_page`):
- SETTLE_PAYMENT: Stripe is asked for the PaymentIntent before any lock (amount, fee, metadata). Then, as
  the first statements of a fresh transaction, the page row and the chosen invoices' Payment Link rows (the
  Sales Invoice row when an invoice has none), in name order, are locked FOR UPDATE: two deliveries of one
  payment (checkout.session.completed and payment_intent.succeeded, or one event replayed) run one after
  the other and the second finds the first's submitted Payment Entry (reference_no = PaymentIntent) and
  posts nothing; an event for one invoice's own link waits for the same link lock. The invoices are the
  ones the PaymentIntent's metadata names (Stripe's copy, `customer_checkout.invoices_from_metadata`);
  one that is not this page's customer, company or receivable, or cannot be posted (`receipts.
  posting_problem`), is skipped. `core.collections.allocation.plan_customer_payment` decides (oldest due
  first, the fee split); the entry is built from ERPNext's `get_payment_entry` per invoice (its reference
  rows, payment terms included), paid_to = Stripe clearing account, paid_amount = net, one fee deduction
  row per invoice share, dated by `posting_dates.stripe_posting_date`. HOLD -> Error, nothing posted.
- RECORD_PROCESSING / RECORD_FAILURE / RECORD_EXPIRY: nothing to post; the log row says what happened
  (the page stays valid: the next press makes a new session).
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.model import default_fields
from frappe.model.document import Document
from frappe.utils import flt, getdate

from revops_app.compat import get_payment_entry
from revops_app.core.collections.allocation import (
	CustomerPaymentPlan,
	OpenInvoice,
	plan_customer_payment,
)
from revops_app.core.gateway.customer_checkout import invoices_from_metadata
from revops_app.core.gateway.payments import PaymentSettlement
from revops_app.core.gateway.routing import Action
from revops_app.core.gateway.webhooks.events import GatewayEvent
from revops_app.revenue_collections.checkout import forget_sessions
from revops_app.revenue_collections.constants import (
	CUSTOMER_PAGE_DOCTYPE,
	PAYMENT_LINK_DOCTYPE,
)
from revops_app.revenue_collections.settlement.errors import RetryLater
from revops_app.revenue_collections.settlement.lookups import existing_receipt, fetch_settlement
from revops_app.revenue_collections.settlement.posting_dates import stripe_posting_date
from revops_app.revenue_collections.settlement.receipts import (
	absorb_rounding,
	check_succeeded,
	held_reason,
	posting_problem,
	set_net_amount,
	stamp_receipt,
	submit_receipt,
)
from revops_app.revenue_collections.settlement.todos import create_todo
from revops_app.revops.constants import LogStatus
from revops_app.revops.settings import get_settings

INVOICE_FIELDS = [
	"name",
	"customer",
	"company",
	"currency",
	"debit_to",
	"outstanding_amount",
	"due_date",
	"posting_date",
	"docstatus",
	"is_return",
]


def handle_customer_event(log: Document, event: GatewayEvent, action: Action) -> tuple[str, str]:
	page = frappe.db.get_value(
		CUSTOMER_PAGE_DOCTYPE, event.customer_page, ["name", "customer", "company", "currency"], as_dict=True
	)
	if not page:
		return (
			LogStatus.ERROR,
			f"event names customer page {event.customer_page}, which does not exist; nothing posted",
		)
	frappe.db.set_value(
		log.doctype, log.name, {"reference_doctype": CUSTOMER_PAGE_DOCTYPE, "reference_name": page.name}
	)
	if action is Action.RECORD_EXPIRY:
		forget_sessions(
			(event.checkout_session,) if event.checkout_session else (), [(CUSTOMER_PAGE_DOCTYPE, page.name)]
		)
		return (
			LogStatus.SUCCESS,
			f"Checkout Session {event.checkout_session} expired; the customer page stays valid",
		)
	if action is Action.RECORD_FAILURE:
		return LogStatus.SUCCESS, f"payment failed: {event.failure_message or 'no reason given'}"
	if action is Action.RECORD_PROCESSING:
		return LogStatus.SUCCESS, "payment is processing (delayed method); waiting for its outcome"
	pi = event.payment_intent
	if not pi:
		raise RetryLater(f"{event.event_type} {event.event_id} has no PaymentIntent yet")
	settlement = None if existing_receipt(pi) else fetch_settlement(pi)
	invoices = invoices_from_metadata(settlement.metadata if settlement else event.raw_object.get("metadata"))
	# End the snapshot the reads above opened (worker.py: serialisation), then lock.
	frappe.db.commit()  # nosemgrep: see the worker's module docstring
	_lock(page.name, invoices)
	existing = existing_receipt(pi)
	if existing:
		frappe.db.set_value(
			CUSTOMER_PAGE_DOCTYPE, page.name, "last_payment_intent", pi, update_modified=False
		)
		return LogStatus.SUCCESS, f"PaymentIntent {pi} is already settled by {existing}; nothing posted again"
	return settle_customer_payment(event, page, settlement or fetch_settlement(pi))


def _lock(page: str, invoices: tuple[str, ...]) -> None:
	frappe.db.get_value(CUSTOMER_PAGE_DOCTYPE, page, "name", for_update=True)
	for invoice in sorted(invoices):
		if not frappe.db.get_value(PAYMENT_LINK_DOCTYPE, {"sales_invoice": invoice}, "name", for_update=True):
			frappe.db.get_value("Sales Invoice", invoice, "name", for_update=True)


def _open_invoices(
	page: frappe._dict, names: tuple[str, ...], settings: Document
) -> tuple[list[OpenInvoice], dict]:
	rows = {
		row.name: row
		for row in frappe.get_all(
			"Sales Invoice", filters={"name": ["in", list(names)]}, fields=INVOICE_FIELDS
		)
	}
	receivable = next(
		(rows[n].debit_to for n in names if n in rows and rows[n].customer == page.customer), None
	)
	states, docs = [], {}
	for name in names:
		row = rows.get(name)
		if not row:
			states.append(OpenInvoice(name, page.currency, Decimal(0), None, problem="does not exist"))
			continue
		problem = None
		if row.customer != page.customer or row.company != page.company:
			problem = "not an invoice of this page's customer and company"
		elif row.debit_to != receivable:
			problem = f"booked to receivable {row.debit_to}, not {receivable}"
		else:
			docs[name] = frappe.get_doc("Sales Invoice", name)
			problem = posting_problem(docs[name], settings) if row.docstatus == 1 else None
		states.append(
			OpenInvoice(
				name=name,
				currency=row.currency,
				outstanding_amount=Decimal(str(flt(row.outstanding_amount))),
				due_date=getdate(row.due_date) if row.due_date else None,
				posting_date=getdate(row.posting_date) if row.posting_date else None,
				docstatus=row.docstatus,
				is_return=bool(row.is_return),
				problem=problem,
			)
		)
	return states, docs


def settle_customer_payment(
	event: GatewayEvent, page: frappe._dict, settlement: PaymentSettlement
) -> tuple[str, str]:
	pi = settlement.payment_intent
	check_succeeded(settlement)
	if settlement.customer_page != page.name:
		return LogStatus.ERROR, (
			f"PaymentIntent {pi} belongs to {settlement.customer_page or 'no customer page'}, the event names "
			f"{page.name}; nothing posted"
		)
	settings = get_settings()
	if not settings.stripe_clearing_account:
		return LogStatus.ERROR, "RevOps Settings has no Stripe Clearing / Bank Account; nothing posted"
	names = invoices_from_metadata(settlement.metadata)
	states, docs = _open_invoices(page, names, settings)
	plan = plan_customer_payment(
		states,
		amount=settlement.amount_received,
		currency=settlement.currency,
		fee=settlement.fee,
		fee_currency=settlement.fee_currency,
		already_posted=False,
	)
	held = held_reason(plan, settlement, settings)
	if held:
		return LogStatus.ERROR, held
	pe = submit_receipt(build_customer_receipt(docs, plan, settlement, settings, event))
	frappe.db.set_value(CUSTOMER_PAGE_DOCTYPE, page.name, "last_payment_intent", pi, update_modified=False)
	first = plan.allocations[0].invoice
	if "overpayment" in plan.flags:
		create_todo(
			first,
			f"Stripe overpayment from customer page {page.name}: {plan.unallocated_amount} {settlement.currency} "
			f"is unallocated on Payment Entry {pe.name}. Refund it or apply it to another invoice.",
			key=pe.name,
		)
	return LogStatus.SUCCESS, f"Payment Entry {pe.name} submitted: {plan.reason}"


def _reference_rows(invoice: str, bank_account: str, when) -> list[dict]:
	"""ERPNext's own reference rows for the invoice (one per payment term when it has a schedule)."""
	entry = get_payment_entry("Sales Invoice", invoice, bank_account=bank_account, reference_date=when)
	return [{k: v for k, v in row.as_dict().items() if k not in default_fields} for row in entry.references]


def build_customer_receipt(
	docs: dict[str, Document], plan: CustomerPaymentPlan, settlement: PaymentSettlement, settings, event
) -> Document:
	"""One Receive Payment Entry from ERPNext's get_payment_entry, with a reference row per allocation."""
	first = docs[plan.allocations[0].invoice]
	when = stripe_posting_date(first.company, "Payment Entry", settlement.money_created, event)
	clearing = settings.stripe_clearing_account
	pe = get_payment_entry("Sales Invoice", first.name, bank_account=clearing, reference_date=when.date)
	stamp_receipt(pe, plan, settlement, settings, when.date)
	references = []
	for allocation in plan.allocations:
		rows = (
			[{k: v for k, v in r.as_dict().items() if k not in default_fields} for r in pe.references]
			if allocation.invoice == first.name
			else _reference_rows(allocation.invoice, clearing, when.date)
		)
		remaining = flt(allocation.amount)
		for row in rows:
			take = min(flt(row.get("outstanding_amount")), remaining)
			if take > 0:
				references.append({**row, "allocated_amount": take})
				remaining = flt(remaining - take, pe.precision("paid_amount"))
	pe.set("references", references)
	set_net_amount(pe, plan)
	cost_center = settings.cost_center or frappe.get_cached_value("Company", first.company, "cost_center")
	shares = [(a.fee_share, f"for {a.invoice}") for a in plan.allocations]
	shares.append((plan.unallocated_fee_share, "for the unallocated amount"))
	source = settlement.balance_transaction or settlement.charge
	for share, what in shares:
		if share:
			pe.append(
				"deductions",
				{
					"account": settings.stripe_fee_account,
					"cost_center": cost_center,
					"amount": flt(
						flt(share) * flt(pe.source_exchange_rate or 1), pe.precision("amount", "deductions")
					),
					"description": f"Stripe fee ({source}) {what}",
				},
			)
	pe.set_amounts()
	absorb_rounding(pe, plan)
	pe.custom_remarks = 1
	pe.remarks = (
		f"Stripe payment {settlement.payment_intent} (charge {settlement.charge}) from customer page "
		f"{settlement.customer_page}: {plan.reason}." + (f" {when.remark}." if when.remark else "")
	)
	return pe
