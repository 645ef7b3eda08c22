"""The Stripe webhook worker: a stored event -> core decisions -> ERPNext documents, exactly once.

Contract:
- `process_event(log_name)` is the only entry point (enqueued by the webhook endpoint, replayed by
  Reprocess and the hourly sweep through RETRYABLE_WORKERS). It runs `handle` through `run_job_and_commit`,
  which owns the transaction: Success / Skipped / Error with a message, or an exception -> rolled
  back, Error with traceback and a backoff time.
- Serialisation: every event about one invoice takes a row lock (SELECT ... FOR UPDATE) on the
  invoice's Payment Link (on the Sales Invoice when it has none) as the first statement of a fresh
  transaction, and only then reads what is posted. Two events for one PaymentIntent
  (checkout.session.completed and payment_intent.succeeded) therefore run one after the other, and
  the second finds the first's submitted Payment Entry (revops_payment_intent = PaymentIntent id)
  and posts nothing. (MariaDB runs REPEATABLE READ: reads made before the lock would see an old
  snapshot, hence the commit that ends the resolving reads before the lock.)
- Payments: amount, fee and charge come from Stripe (`retrieve_payment`, API base from settings),
  `plan_payment` decides, and a Receive Payment Entry is built by ERPNext's `get_payment_entry`
  (paid_to = Stripe clearing account, reference_no = PaymentIntent id, paid_amount = net, one
  deduction row = Stripe fee on the fee account and cost center, allocation = plan, the rest left
  unallocated and flagged). HOLD plans end as Error with the plan's reason and nothing posted.
- Refunds: a Pay Payment Entry to the customer from the clearing account,
  unallocated, linked to the receipt it reverses (revops_refund_of), for the difference between what
  Stripe reports refunded (cumulative) and what is already posted, so repeated or out-of-order
  refund events converge. A refund before its payment is posted raises RetryLater (Error + backoff).
- Disputes flag the Payment Link (disputed, dispute_id, dispute_status, link_state Disputed), which
  pauses dunning, and give Accounts Managers a ToDo; closing clears the flag. A closed status is
  final (a late `created` never reopens it). Failures and expired sessions update link_state /
  last_payment_failed_at.
- Dispute money follows Stripe's balance, not the dispute's outcome: `plan_dispute_money` reads the
  dispute's balance transactions (from the event, or GET /v1/disputes/{id} when they are not in it)
  and what is posted for the dispute, and each due phase becomes one Journal Entry:
    withdrawal (chargeback created):  Dr customer receivable  amount   (the customer owes it again)
                                      Dr Stripe fee account   fee      (the dispute fee)
                                      Cr Stripe clearing      amount + fee
    reinstatement (won):              Dr Stripe clearing      amount (+ fee if Stripe gave it back)
                                      Cr customer receivable  amount, against the withdrawal entry
                                      (Cr Stripe fee account  the fee given back, if any)
  A lost dispute posts nothing more: the withdrawal already took the money out. The invoice itself
  stays Paid (its payment did happen); the receivable row is an open debit on the customer's ledger
  until the reinstatement knocks it off or finance bills/writes it off. Each entry carries the unique
  key "<dispute id>:<phase>" (revops_dispute_posting, a unique index), on top of the invoice row lock.
- Posting dates: every receipt, refund and dispute entry is dated when Stripe moved the money (balance
  transaction / charge `created`, refund `created`, dispute balance transaction `created`) in the
  site's time zone, falling back to the event's `created`, then today; posting_date, reference_date
  and cheque_date agree. A date ERPNext would refuse (on or before Accounts Settings acc_frozen_upto
  or the last Period Closing Voucher's end, or inside an Accounting Period closed for Payment Entry /
  Journal Entry) moves to the first open
  date, and the entry's remarks say so (core/gateway/posting_dates.py).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import frappe
from frappe.model.document import Document
from frappe.utils import (
	add_days,
	convert_utc_to_system_timezone,
	flt,
	get_datetime,
	get_system_timezone,
	getdate,
	now_datetime,
	nowdate,
)

from revops_app.core.collections.allocation import (
	InvoiceState,
	SettlementAction,
	decide_dispute,
	dispute_status_after,
	plan_payment,
	plan_refund,
)
from revops_app.core.collections.dispute_money import (
	PHASES,
	DisputePosting,
	PostedPhase,
	plan_dispute_money,
)
from revops_app.core.gateway.client import GatewayError
from revops_app.core.gateway.disputes import (
	REINSTATEMENT,
	WITHDRAWAL,
	DisputeFacts,
	parse_dispute,
	retrieve_dispute,
)
from revops_app.core.gateway.payments import PaymentSettlement, retrieve_payment
from revops_app.core.gateway.posting_dates import ClosedPeriod, PostingDate, posting_date
from revops_app.core.gateway.routing import Action, link_state_after, route
from revops_app.core.gateway.webhooks import GatewayEvent, WebhookRejected, normalise_event
from revops_app.revenue_collections.constants import (
	CF_JE_DISPUTE_POSTING,
	CF_JE_STRIPE_DISPUTE,
	CF_PAYMENT_INTENT,
	CF_REFUND_OF,
	CF_SETTLEMENT_FLAGS,
	CF_STRIPE_OBJECT,
	DISPUTE_FEE_REMARK,
	PAYMENT_LINK_DOCTYPE,
)
from revops_app.revops.constants import ROLE_ACCOUNTS_MANAGER, LogStatus
from revops_app.revops.jobs import run_job_and_commit
from revops_app.revops.settings import (
	get_settings,
	get_stripe_api_base,
	get_stripe_secret_key,
)

FLAG_REFUND = "refund"
FLAG_DISPUTE_LOST = "dispute_lost"


class RetryLater(Exception):
	"""Not an error in the data: something this event needs has not happened yet (retried with backoff)."""


def process_event(log_name: str) -> None:
	# The job was enqueued by a guest request; the ledger entries are the system's, not Guest's.
	previous_user = frappe.session.user if getattr(frappe.local, "session", None) else None
	frappe.set_user("Administrator")
	try:
		run_job_and_commit(log_name, handle)
	finally:
		if previous_user and previous_user != "Administrator":
			frappe.set_user(previous_user)


def handle(log: Document) -> tuple[str, str | None]:
	try:
		return _handle(log)
	except GatewayError as error:
		if error.retryable:
			raise  # run_job_and_commit: Error with backoff, replayed by the sweep
		# Stripe refused (unknown PaymentIntent, revoked key...): trying again will not help.
		return LogStatus.ERROR, f"{error}; nothing posted"


def _handle(log: Document) -> tuple[str, str | None]:
	try:
		event = normalise_event(json.loads(log.request_data or "{}"))
	except (WebhookRejected, ValueError) as error:
		return LogStatus.INVALID, f"stored event cannot be read: {error}"
	action = route(event.kind)
	if action is Action.SKIP:
		return LogStatus.SKIPPED, f"{event.event_type} is not handled"

	invoice = resolve_invoice(event)
	if not invoice:
		if action in (Action.SETTLE_REFUND, Action.DISPUTE) and event.payment_intent:
			return LogStatus.SKIPPED, (
				f"PaymentIntent {event.payment_intent} is not a RevOps pay-link payment (no invoice found)"
			)
		return LogStatus.SKIPPED, f"{event.event_type} carries no RevOps invoice metadata"
	if not frappe.db.exists("Sales Invoice", invoice):
		return LogStatus.ERROR, f"event names Sales Invoice {invoice}, which does not exist; nothing posted"
	frappe.db.set_value(
		log.doctype, log.name, {"reference_doctype": "Sales Invoice", "reference_name": invoice}
	)

	# Ask Stripe before taking the lock (a network call must not hold a row lock), unless the
	# payment is visibly settled already; the decision is still made under the lock.
	settlement = None
	if event.payment_intent and (
		action is Action.SETTLE_REFUND
		or (action is Action.SETTLE_PAYMENT and not existing_receipt(event.payment_intent))
	):
		settlement = fetch_settlement(event.payment_intent)
	dispute = dispute_facts(event) if action is Action.DISPUTE else None

	# End the transaction whose snapshot the reads above opened, so that after the lock every read
	# sees what the event that held the lock before us committed.
	frappe.db.commit()  # nosemgrep: see the module docstring (serialisation)
	link = lock_invoice(invoice)
	if action in (Action.SETTLE_PAYMENT, Action.SETTLE_REFUND):
		return (settle_payment if action is Action.SETTLE_PAYMENT else settle_refund)(
			event, invoice, link, settlement
		)
	if action is Action.DISPUTE:
		return settle_dispute(event, invoice, link, dispute)
	handlers = {
		Action.RECORD_PROCESSING: record_processing,
		Action.RECORD_FAILURE: record_failure,
		Action.RECORD_EXPIRY: record_expiry,
	}
	return handlers[action](event, invoice, link)


# --- lookups -----------------------------------------------------------------------------------


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
		invoice = frappe.db.get_value(
			"Payment Entry Reference",
			{"parent": receipt, "parenttype": "Payment Entry", "reference_doctype": "Sales Invoice"},
			"reference_name",
		)
		if invoice:
			return invoice
	invoice = frappe.db.get_value(
		PAYMENT_LINK_DOCTYPE, {"last_payment_intent": event.payment_intent}, "sales_invoice"
	)
	if invoice:
		return invoice
	# Charges and disputes do not carry our metadata; the PaymentIntent does.
	return fetch_settlement(event.payment_intent).sales_invoice


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


# --- payments ----------------------------------------------------------------------------------


def settle_payment(
	event: GatewayEvent, invoice: str, link: frappe._dict | None, settlement: PaymentSettlement | None
) -> tuple[str, str]:
	pi = event.payment_intent
	if not pi:
		raise RetryLater(f"{event.event_type} {event.event_id} has no PaymentIntent yet")
	existing = existing_receipt(pi)
	si = frappe.get_doc("Sales Invoice", invoice)
	if existing:
		update_link(link, last_payment_intent=pi)
		return LogStatus.SUCCESS, f"PaymentIntent {pi} is already settled by {existing}; nothing posted again"

	settings = get_settings()
	problem = posting_problem(si, settings)
	if problem:
		return LogStatus.ERROR, f"{problem}; nothing posted"

	settlement = settlement or fetch_settlement(pi)
	if settlement.status != "succeeded":
		raise RetryLater(f"PaymentIntent {pi} is {settlement.status}, not succeeded yet")
	if not settlement.fee_known:
		raise RetryLater(f"PaymentIntent {pi}: the balance transaction (Stripe fee) is not available yet")
	if settlement.sales_invoice and settlement.sales_invoice != invoice:
		return LogStatus.ERROR, (
			f"PaymentIntent {pi} belongs to {settlement.sales_invoice}, the event names {invoice}; nothing posted"
		)

	plan = plan_payment(
		invoice_state(si),
		amount=settlement.amount_received,
		currency=settlement.currency,
		fee=settlement.fee,
		fee_currency=settlement.fee_currency,
		already_posted=False,
	)
	if plan.action is SettlementAction.HOLD:
		return LogStatus.ERROR, f"held: {plan.reason}"
	if plan.fee_amount and not settings.stripe_fee_account:
		return LogStatus.ERROR, (
			f"held: Stripe fee {plan.fee_amount} {settlement.currency} cannot be deducted because RevOps "
			"Settings has no Stripe Fee Account; nothing posted"
		)

	pe = build_receipt(si, plan, settlement, settings, event)
	pe.insert(ignore_permissions=True)
	pe.submit()
	update_link(
		link,
		last_payment_intent=pi,
		link_state=link_state_after(
			link.link_state if link else None,
			paid=invoice_paid(invoice),
			disputed=bool(link and link.disputed),
			payment_made=True,
		),
	)
	if "overpayment" in plan.flags:
		create_todo(
			invoice,
			f"Stripe overpayment on {invoice}: {plan.unallocated_amount} {settlement.currency} is unallocated on "
			f"Payment Entry {pe.name}. Refund it or apply it to another invoice.",
			key=pe.name,
		)
	return LogStatus.SUCCESS, f"Payment Entry {pe.name} submitted: {plan.reason}"


def posting_problem(si: Document, settings: Document) -> str | None:
	"""Why a Stripe payment for this invoice cannot be posted automatically, or None."""
	if not settings.stripe_clearing_account:
		return "RevOps Settings has no Stripe Clearing / Bank Account"
	if settings.company and si.company != settings.company:
		return f"invoice {si.name} belongs to {si.company}, RevOps Settings posts for {settings.company}"
	from revops_app.revenue_collections.pay_links import credited_amount

	total = Decimal(str(flt(si.rounded_total or si.grand_total)))
	if si.docstatus == 1 and total > 0 and credited_amount(si.name) >= total:
		return (
			f"credit notes against {si.name} cover its total: refund the customer or apply it as an advance"
		)
	party_currency = si.party_account_currency or si.currency
	if party_currency != si.currency:
		return (
			f"invoice {si.name} is in {si.currency} but its receivable account {si.debit_to} is in "
			f"{party_currency}: record the payment manually with the right exchange rate"
		)
	clearing_currency = frappe.get_cached_value(
		"Account", settings.stripe_clearing_account, "account_currency"
	)
	company_currency = frappe.get_cached_value("Company", si.company, "default_currency")
	if clearing_currency not in (party_currency, company_currency):
		return (
			f"Stripe clearing account {settings.stripe_clearing_account} is in {clearing_currency}, neither the "
			f"invoice currency {party_currency} nor the company currency {company_currency}"
		)
	return None


def build_receipt(si, plan, settlement: PaymentSettlement, settings, event: GatewayEvent) -> Document:
	"""A Receive Payment Entry from ERPNext's get_payment_entry, adjusted to the settlement plan."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	when = stripe_posting_date(si.company, "Payment Entry", settlement.money_created, event)
	pe = get_payment_entry(
		"Sales Invoice",
		si.name,
		bank_account=settings.stripe_clearing_account,
		reference_date=when.date,
		ignore_permissions=True,
	)
	pe.posting_date = when.date
	if settings.mode_of_payment:
		pe.mode_of_payment = settings.mode_of_payment
	# get_payment_entry picks the company's default Bank Account record; the money is in Stripe.
	pe.bank_account = None
	pe.reference_no = settlement.payment_intent
	pe.reference_date = when.date
	pe.set(CF_PAYMENT_INTENT, settlement.payment_intent)
	pe.set(CF_SETTLEMENT_FLAGS, ", ".join(plan.flags) or None)

	# Allocation: the plan's amount across the invoice's reference rows (several with payment terms).
	remaining = flt(plan.allocated_amount)
	for row in pe.references:
		row.allocated_amount = min(flt(row.outstanding_amount), remaining)
		remaining = flt(remaining - row.allocated_amount, row.precision("allocated_amount"))
	pe.set("references", [row for row in pe.references if flt(row.allocated_amount)])

	# paid_amount (party currency) = what reaches the clearing account; the fee is a deduction.
	pe.paid_amount = flt(plan.net_amount, pe.precision("paid_amount"))
	if pe.paid_from_account_currency == pe.paid_to_account_currency:
		pe.received_amount = pe.paid_amount
	else:
		# Clearing account in company currency, receivable in the invoice currency: the same rate
		# get_payment_entry applied (the invoice's conversion rate), so the two legs balance.
		pe.received_amount = flt(
			pe.paid_amount * flt(pe.source_exchange_rate), pe.precision("received_amount")
		)
	if plan.fee_amount:
		pe.append(
			"deductions",
			{
				"account": settings.stripe_fee_account,
				"cost_center": settings.cost_center
				or frappe.get_cached_value("Company", si.company, "cost_center"),
				# Deductions are in company currency.
				"amount": flt(
					flt(plan.fee_amount) * flt(pe.source_exchange_rate or 1),
					pe.precision("amount", "deductions"),
				),
				"description": f"Stripe fee ({settlement.balance_transaction or settlement.charge})",
			},
		)
	pe.set_amounts()
	if pe.difference_amount and plan.fee_amount and abs(flt(pe.difference_amount)) < 0.05:
		# Rounding between the two exchange-rate legs: absorbed by the fee row, as a finance user would.
		pe.deductions[-1].amount = flt(pe.deductions[-1].amount + pe.difference_amount)
		pe.set_amounts()
	pe.custom_remarks = 1  # otherwise validate() regenerates remarks
	pe.remarks = (
		f"Stripe payment {settlement.payment_intent} (charge {settlement.charge}) for {si.name}: "
		f"{plan.reason}." + (f" {when.remark}." if when.remark else "")
	)
	return pe


def stripe_posting_date(
	company: str, voucher_type: str, money_ts: int | None, event: GatewayEvent
) -> PostingDate:
	"""The posting date for money Stripe moved at `money_ts` (core/gateway/posting_dates.py): that
	moment in the site's time zone, else the event's, else today; moved past ERPNext's account freeze
	and closed Accounting Periods for `voucher_type` (the checks general_ledger.check_freezing_date and
	accounting_period.validate_accounting_period_on_doc_save make) instead of failing."""
	return posting_date(
		money_ts=money_ts,
		event_ts=event.created,
		today=getdate(nowdate()),
		tz=get_system_timezone(),
		frozen_upto=frozen_upto(),
		closed=closed_periods(company, voucher_type),
		books_closed_upto=books_closed_upto(company),
	)


def frozen_upto():
	value = frappe.db.get_single_value("Accounts Settings", "acc_frozen_upto")
	return getdate(value) if value else None


def books_closed_upto(company: str):
	"""The last submitted Period Closing Voucher's end (general_ledger.validate_against_pcv refuses up to it)."""
	value = frappe.db.get_value(
		"Period Closing Voucher", {"docstatus": 1, "company": company}, "max(period_end_date)"
	)
	return getdate(value) if value else None


def closed_periods(company: str, voucher_type: str) -> list[ClosedPeriod]:
	"""Accounting Periods of the company whose Closed Document rows close `voucher_type` (as ERPNext reads them)."""
	rows = frappe.db.sql(
		"""select ap.name, ap.start_date, ap.end_date
		from `tabAccounting Period` ap, `tabClosed Document` cd
		where ap.name = cd.parent and ap.company = %(company)s and cd.closed = 1
			and cd.document_type = %(voucher_type)s
		order by ap.start_date""",
		{"company": company, "voucher_type": voucher_type},
		as_dict=True,
	)
	return [ClosedPeriod(r.name, getdate(r.start_date), getdate(r.end_date)) for r in rows]


def record_processing(event: GatewayEvent, invoice: str, link: frappe._dict | None) -> tuple[str, str]:
	update_link(link, **({"last_payment_intent": event.payment_intent} if event.payment_intent else {}))
	return (
		LogStatus.SUCCESS,
		"payment is processing (delayed method); waiting for async_payment_succeeded/failed",
	)


def record_failure(event: GatewayEvent, invoice: str, link: frappe._dict | None) -> tuple[str, str]:
	failed_at = event_time(event)
	values = {
		"link_state": link_state_after(
			link.link_state if link else None,
			paid=invoice_paid(invoice),
			disputed=bool(link and link.disputed),
			payment_failed=True,
		),
	}
	if link and (not link.last_payment_failed_at or get_datetime(link.last_payment_failed_at) <= failed_at):
		values.update(
			last_payment_failed_at=failed_at,
			last_failure_message=(event.failure_message or event.event_type)[:500],
		)
	update_link(link, **values)
	return LogStatus.SUCCESS, f"payment failed: {event.failure_message or 'no reason given'}"


def record_expiry(event: GatewayEvent, invoice: str, link: frappe._dict | None) -> tuple[str, str]:
	# An expired session is not a failed payment and never undoes one: the link stays valid and the
	# next press of Pay creates a fresh session.
	if link:
		state = link_state_after(link.link_state, paid=invoice_paid(invoice), disputed=bool(link.disputed))
		update_link(link, link_state=state)
	return LogStatus.SUCCESS, f"Checkout Session {event.checkout_session} expired; the pay link stays valid"


def event_time(event: GatewayEvent) -> datetime:
	"""When Stripe created the event, in the site's time zone (naive, as Frappe stores datetimes)."""
	if not event.created:
		return now_datetime()
	utc = datetime.fromtimestamp(event.created, tz=timezone.utc)
	return convert_utc_to_system_timezone(utc).replace(tzinfo=None)


# --- refunds and disputes ------------------------------------------------------------------------


def posted_reversals(receipt: str, flag: str) -> Decimal:
	rows = frappe.get_all(
		"Payment Entry",
		filters={CF_REFUND_OF: receipt, "docstatus": 1, "payment_type": "Pay"},
		fields=["paid_amount", "received_amount", "paid_from_account_currency", CF_SETTLEMENT_FLAGS],
	)
	total = Decimal(0)
	for row in rows:
		if flag in (row.get(CF_SETTLEMENT_FLAGS) or ""):
			# Party-currency amount of a Pay entry is received_amount (paid_to is the receivable).
			total += Decimal(str(flt(row.received_amount)))
	return total


def receipt_gross(receipt: str) -> Decimal:
	values = frappe.db.get_value(
		"Payment Entry", receipt, ["total_allocated_amount", "unallocated_amount"], as_dict=True
	)
	return Decimal(str(flt(values.total_allocated_amount) + flt(values.unallocated_amount)))


def settle_refund(
	event: GatewayEvent, invoice: str, link: frappe._dict | None, settlement: PaymentSettlement | None
) -> tuple[str, str]:
	pi = event.payment_intent
	if not pi:
		return LogStatus.ERROR, f"{event.event_type} {event.event_id} names no PaymentIntent; nothing posted"
	receipt = existing_receipt(pi)
	si = frappe.get_doc("Sales Invoice", invoice)
	settlement = settlement or fetch_settlement(pi)
	plan = plan_refund(
		refunded_total=settlement.amount_refunded,
		already_refunded_posted=posted_reversals(receipt, FLAG_REFUND) if receipt else Decimal(0),
		original_paid=receipt_gross(receipt) if receipt else None,
		currency=settlement.currency,
		invoice_currency=si.currency,
	)
	if plan.retry_later:
		raise RetryLater(plan.reason)
	if plan.action is SettlementAction.HOLD:
		return LogStatus.ERROR, f"held: {plan.reason}"
	if plan.action is not SettlementAction.POST:
		return LogStatus.SUCCESS, plan.reason
	pe = post_reversal(
		si,
		receipt,
		amount=plan.amount,
		payment_intent=pi,
		stripe_object=event.refund_id or event.charge or pi,
		flags=(FLAG_REFUND, *plan.flags),
		remark=f"Stripe refund {event.refund_id or ''} of {pi}: {plan.reason}",
		when=stripe_posting_date(si.company, "Payment Entry", event.refund_created, event),
	)
	return LogStatus.SUCCESS, f"refund Payment Entry {pe.name} submitted (reverses {receipt}): {plan.reason}"


def post_reversal(
	si: Document,
	receipt: str,
	*,
	amount: Decimal,
	payment_intent: str,
	stripe_object: str,
	flags: tuple[str, ...],
	remark: str,
	when: PostingDate,
) -> Document:
	"""A Pay Payment Entry to the customer from the clearing account, unallocated, linked to the receipt.

	Built by get_payment_entry(payment_type="Pay", party_amount=amount) so accounts, currencies and
	exchange rates are ERPNext's; its invoice reference is dropped because ERPNext v15 does not let a
	Pay entry allocate against a paid invoice. The customer's ledger shows the refund as an open debit
	until finance issues a credit note (or re-bills) and reconciles it."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	settings = get_settings()
	pe = get_payment_entry(
		"Sales Invoice",
		si.name,
		party_amount=flt(amount),
		bank_account=settings.stripe_clearing_account,
		payment_type="Pay",
		ignore_permissions=True,
		created_from_payment_request=True,  # no Payment Request allocation for a refund
	)
	pe.set("references", [])
	if settings.mode_of_payment:
		pe.mode_of_payment = settings.mode_of_payment
	pe.reference_no = stripe_object
	pe.posting_date = when.date
	pe.reference_date = when.date
	pe.set(CF_PAYMENT_INTENT, payment_intent)
	pe.set(CF_REFUND_OF, receipt)
	pe.set(CF_STRIPE_OBJECT, stripe_object)
	pe.set(CF_SETTLEMENT_FLAGS, ", ".join(flags))
	pe.set_amounts()
	pe.custom_remarks = 1
	pe.remarks = f"{remark}. Reverses {receipt} on {si.name}." + (f" {when.remark}." if when.remark else "")
	pe.insert(ignore_permissions=True)
	pe.submit()
	return pe


def dispute_facts(event: GatewayEvent) -> DisputeFacts:
	"""The dispute with its balance transactions: from the event, or from Stripe when the event's
	object does not carry them whole (called before the row lock: no network call under a lock)."""
	facts = parse_dispute(event.raw_object)
	if facts.expanded:
		return facts
	api_key = get_stripe_secret_key()
	if not api_key:
		raise RetryLater("Stripe secret key is not configured in RevOps Settings")
	return retrieve_dispute(api_key, facts.dispute_id, api_base=get_stripe_api_base())


def settle_dispute(
	event: GatewayEvent, invoice: str, link: frappe._dict | None, facts: DisputeFacts
) -> tuple[str, str]:
	same = bool(link and link.dispute_id == facts.dispute_id)
	status = dispute_status_after(link.dispute_status if same else None, facts.status)
	try:
		decision = decide_dispute(status)
	except ValueError as error:
		return LogStatus.ERROR, str(error)
	paid = invoice_paid(invoice)
	update_link(
		link,
		disputed=int(decision.disputed),
		dispute_id=facts.dispute_id,
		dispute_status=decision.status,
		link_state=link_state_after(link.link_state if link else None, paid=paid, disputed=decision.disputed),
	)
	amount = f"{facts.amount} {facts.currency}" if facts.amount is not None else "amount unknown"
	if decision.create_todo:
		create_todo(
			invoice,
			f"Stripe dispute {facts.dispute_id} on {invoice} ({decision.status}, {amount}): {decision.reason}.",
			key=f"{facts.dispute_id}:{decision.outcome}",
		)
	notes = [decision.reason]
	if status != facts.status:
		notes.append(f"event shows {facts.status or 'no status'}, the dispute is already {status}")
	status_code, money_note = settle_dispute_money(event, invoice, facts, status)
	notes.append(money_note)
	return status_code, "; ".join(notes)


def settle_dispute_money(
	event: GatewayEvent, invoice: str, facts: DisputeFacts, status: str
) -> tuple[str, str]:
	"""Post the withdrawal / reinstatement Journal Entries the plan says are due (under the row lock)."""
	si = frappe.get_doc("Sales Invoice", invoice)
	pi = facts.payment_intent or event.payment_intent
	receipt = existing_receipt(pi) if pi else None
	plan = plan_dispute_money(
		dispute_id=facts.dispute_id,
		status=status,
		movements=facts.movements,
		invoice_currency=si.currency,
		posted=posted_dispute_phases(facts.dispute_id, receipt),
		payment_posted=bool(receipt),
	)
	if plan.retry_later:
		# Keep the flag, the dunning pause and the ToDo written above, then retry the money later.
		frappe.db.commit()  # nosemgrep: the flag must not wait for the payment
		raise RetryLater(plan.reason)
	if plan.action is SettlementAction.HOLD:
		return LogStatus.ERROR, f"held: {plan.reason}"
	if plan.action is not SettlementAction.POST:
		return LogStatus.SUCCESS, plan.reason
	settings = get_settings()
	problem = dispute_posting_problem(si, settings, plan.postings)
	if problem:
		return LogStatus.ERROR, f"held: {problem}; {plan.reason} not posted"
	names = []
	withdrawal = posted_withdrawal_entry(facts.dispute_id)
	for posting in plan.postings:
		when = stripe_posting_date(si.company, "Journal Entry", posting.created or None, event)
		je = post_dispute_entry(si, facts, posting, settings, against=withdrawal, when=when)
		if posting.phase == WITHDRAWAL:
			withdrawal = je.name
		names.append(f"{posting.phase} Journal Entry {je.name}")
	return LogStatus.SUCCESS, f"{plan.reason}: {', '.join(names)} submitted"


def posting_key(dispute_id: str, phase: str) -> str:
	return f"{dispute_id}:{phase}"


def posted_dispute_phases(dispute_id: str, receipt: str | None) -> dict[str, PostedPhase]:
	"""What the ledger holds per phase for this dispute, read back from its Journal Entries
	(receivable row = amount, fee-remarked row = fee; submitted ones only) plus, for disputes lost
	before dispute accounting existed, the old reversal Payment Entry (amount only, no fee)."""
	entries = frappe.get_all(
		"Journal Entry",
		filters={CF_JE_STRIPE_DISPUTE: dispute_id},
		fields=["name", "docstatus", CF_JE_DISPUTE_POSTING],
	)
	posted: dict[str, PostedPhase] = {}
	for phase in PHASES:
		key = posting_key(dispute_id, phase)
		mine = [e for e in entries if e.get(CF_JE_DISPUTE_POSTING) == key]
		amount = fee = Decimal(0)
		for entry in (e for e in mine if e.docstatus == 1):
			for row in frappe.get_all(
				"Journal Entry Account",
				filters={"parent": entry.name, "parenttype": "Journal Entry"},
				fields=[
					"party_type",
					"debit_in_account_currency",
					"credit_in_account_currency",
					"user_remark",
				],
			):
				change = Decimal(
					str(flt(row.debit_in_account_currency) - flt(row.credit_in_account_currency))
				)
				if row.party_type:
					amount += change if phase == WITHDRAWAL else -change
				elif (row.user_remark or "").startswith(DISPUTE_FEE_REMARK):
					fee += change
		posted[phase] = PostedPhase(amount, fee, keyed=bool(mine))
	if receipt:
		legacy = frappe.get_all(
			"Payment Entry",
			filters={CF_REFUND_OF: receipt, CF_STRIPE_OBJECT: dispute_id, "docstatus": 1},
			fields=["received_amount", CF_SETTLEMENT_FLAGS],
		)
		old = sum(
			(
				Decimal(str(flt(r.received_amount)))
				for r in legacy
				if FLAG_DISPUTE_LOST in (r.get(CF_SETTLEMENT_FLAGS) or "")
			),
			Decimal(0),
		)
		if old:
			w = posted[WITHDRAWAL]
			posted[WITHDRAWAL] = PostedPhase(w.amount + old, w.fee, w.keyed)
	return posted


def posted_withdrawal_entry(dispute_id: str) -> str | None:
	return frappe.db.get_value(
		"Journal Entry",
		{CF_JE_DISPUTE_POSTING: posting_key(dispute_id, WITHDRAWAL), "docstatus": 1},
		"name",
	)


def dispute_posting_problem(
	si: Document, settings: Document, postings: tuple[DisputePosting, ...]
) -> str | None:
	"""Why the dispute entries cannot be posted automatically, or None. Single-currency only: the
	invoice, its receivable and the clearing account all in the company currency."""
	if not settings.stripe_clearing_account:
		return "RevOps Settings has no Stripe Clearing / Bank Account"
	if any(p.fee for p in postings) and not settings.stripe_fee_account:
		return "RevOps Settings has no Stripe Fee Account for the dispute fee"
	company_currency = frappe.get_cached_value("Company", si.company, "default_currency")
	clearing_currency = frappe.get_cached_value(
		"Account", settings.stripe_clearing_account, "account_currency"
	)
	currencies = {si.currency, si.party_account_currency or si.currency, clearing_currency}
	if currencies != {company_currency}:
		return (
			f"dispute accounting is automated for {company_currency} only (invoice {si.currency}, receivable "
			f"{si.party_account_currency}, clearing {clearing_currency}): post it manually at the right rate"
		)
	return None


def post_dispute_entry(
	si: Document,
	facts: DisputeFacts,
	posting: DisputePosting,
	settings: Document,
	*,
	against: str | None,
	when: PostingDate,
) -> Document:
	"""One Journal Entry for one phase (signs from the plan: + debit, - credit; see the module docstring)."""
	cost_center = settings.cost_center or frappe.get_cached_value("Company", si.company, "cost_center")
	je = frappe.new_doc("Journal Entry")
	je.voucher_type = "Journal Entry"
	je.company = si.company
	je.posting_date = when.date  # the day Stripe moved the money (or the first open date after it)
	je.cheque_no = facts.dispute_id  # Reference No: the dispute, with its balance transactions in the remark
	je.cheque_date = when.date
	je.set(CF_JE_STRIPE_DISPUTE, facts.dispute_id)
	je.set(CF_JE_DISPUTE_POSTING, posting_key(facts.dispute_id, posting.phase))

	def add(account: str, change: Decimal, **extra) -> None:
		value = flt(abs(change))
		je.append(
			"accounts",
			{
				"account": account,
				"cost_center": cost_center,
				"debit_in_account_currency": value if change > 0 else 0,
				"credit_in_account_currency": value if change < 0 else 0,
				**extra,
			},
		)

	if posting.amount:
		party = {"party_type": "Customer", "party": si.customer}
		if posting.phase == REINSTATEMENT and against:
			# Knock off the withdrawal's open debit on the customer's ledger (a credit may reference
			# an earlier Journal Entry's unmatched debit on the same account: validate_against_jv).
			party.update(reference_type="Journal Entry", reference_name=against)
		add(
			si.debit_to,
			posting.receivable,
			user_remark=f"Stripe dispute {facts.dispute_id} on {si.name}",
			**party,
		)
	if posting.fee:
		add(
			settings.stripe_fee_account, posting.fee, user_remark=f"{DISPUTE_FEE_REMARK} ({facts.dispute_id})"
		)
	add(settings.stripe_clearing_account, posting.clearing, user_remark="Stripe balance")
	what = "funds withdrawn" if posting.phase == WITHDRAWAL else "funds reinstated"
	je.user_remark = (
		f"Stripe dispute {facts.dispute_id} {what} for {si.name} (PaymentIntent {facts.payment_intent or '-'}; "
		f"balance transactions {', '.join(posting.balance_transactions) or '-'})"
		+ (f". {when.remark}" if when.remark else "")
	)
	je.insert(ignore_permissions=True)
	je.submit()
	return je


def create_todo(invoice: str, description: str, *, key: str) -> None:
	"""One open ToDo per Accounts Manager (or one for the role) about the invoice; `key` dedupes."""
	if frappe.db.exists(
		"ToDo",
		{
			"reference_type": "Sales Invoice",
			"reference_name": invoice,
			"description": ["like", f"%{key}%"],
		},
	):
		return
	from frappe.utils.user import get_users_with_role

	users = get_users_with_role(ROLE_ACCOUNTS_MANAGER) or [None]
	for user in users:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"role": ROLE_ACCOUNTS_MANAGER,
				"description": f"{description} [{key}]",
				"reference_type": "Sales Invoice",
				"reference_name": invoice,
				"priority": "High",
				"date": add_days(nowdate(), 1),
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
