"""The customer page: every open invoice of one customer in one company and currency (framework-free).

Contract:
- One page per (customer, company, currency): Stripe charges one currency per Checkout Session and an
  ERPNext Payment Entry books one company's receivable, so a group is what one payment can settle. Its
  URL `<site>/customer-pay/<token>` (`customer_page_url`) never changes; the token is
  `paylinks.new_token()` (256 bits), checked by `paylinks.is_well_formed_token` before any lookup.
- `build_customer_page(facts, *, returned=None)` turns what the glue read (or None for an unknown token)
  into what the page shows: rows oldest due first (an invoice with a payment schedule by the instalment
  due now, with its note) with amounts formatted on the server, the total, and
  whether the customer may pay (something open, Stripe on) and choose an amount (the dunning policy's
  `allow_customer_amount`, at least `minimum_customer_amount`). Unknown tokens are "not_found" (404).
- `choose_payment(invoices, *, mode, selected, amount, rules)` reads a press of Pay: mode "all" (every open
  invoice), "selected" (the ticked ones) or "amount" (a chosen amount over the ticked ones, or all when
  none is ticked). Names that are not open invoices of this page are refused with one message whatever
  the reason; the amount is the server's sum unless the customer chose one, which must be a plain number
  on the currency's minor unit, above zero, at least the minimum (unless it is the whole total, which may
  be smaller than the minimum) and at most the total. Bad input raises `ChoiceError` (a plain message).
- `selection_digest(invoices)`: a short stable digest of a selection, kept in the session's metadata so a
  previous session is reused only for the same invoices and amount.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from revops_app.core.gateway.money import currency_exponent, normalise_currency
from revops_app.core.gateway.paylinks import format_amount, is_well_formed_token

CUSTOMER_PAGE_ROUTE = "customer-pay"
MODES = ("all", "selected", "amount")
# Stripe keeps 50 metadata keys of 500 characters; invoice names are ~20: a selection stays well inside.
MAX_INVOICES = 100
_AMOUNT_RE = re.compile(r"^\d{1,12}(\.\d{1,3})?$")


class ChoiceError(ValueError):
	"""A press of Pay the page cannot act on; the message is shown to the customer as is."""


def page_name(customer: str, company: str, currency: str) -> str:
	"""The page's document name: the same for the same group, so the primary key makes it one page."""
	if not (customer and company and currency):
		raise ValueError("customer, company and currency are required")
	digest = hashlib.sha256(f"{customer}\n{company}\n{normalise_currency(currency)}".encode()).hexdigest()
	return f"CPP-{digest[:20].upper()}"


def customer_page_url(site_url: str, token: str) -> str:
	if not isinstance(site_url, str) or not site_url.startswith(("https://", "http://")):
		raise ValueError(f"site URL must be an absolute http(s) URL, got {site_url!r}")
	if not is_well_formed_token(token):
		raise ValueError("customer page token is malformed")
	return f"{site_url.rstrip('/')}/{CUSTOMER_PAGE_ROUTE}/{token}"


@dataclass(frozen=True)
class PageInvoice:
	"""One open invoice of the page's customer, company and currency (amounts in that currency)."""

	name: str
	posting_date: date | None
	due_date: date | None
	outstanding_amount: Decimal
	grand_total: Decimal
	instalment_due: date | None = None  # the payment-schedule row due now, when the invoice has several
	instalment_note: str | None = None  # e.g. "instalment USD 500.00 due 2026-12-01" (the glue formats it)


@dataclass(frozen=True)
class AmountRules:
	"""The customer's dunning policy on chosen amounts."""

	allow_customer_amount: bool = False
	minimum_customer_amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class PageFacts:
	customer_name: str
	company: str
	currency: str
	invoices: tuple[PageInvoice, ...]
	rules: AmountRules = AmountRules()
	online: bool = True  # Stripe pay links on for this company
	today: date | None = None


@dataclass(frozen=True)
class PageRow:
	name: str
	due_date: str | None
	posting_date: str | None
	amount: str
	amount_value: str  # plain number, for the page's running total
	overdue_days: int
	instalment: str | None = None


@dataclass(frozen=True)
class CustomerPage:
	state: str  # payable, nothing_open, offline, not_found
	http_status: int
	heading: str
	message: str
	customer_name: str | None = None
	company: str | None = None
	currency: str | None = None
	rows: tuple[PageRow, ...] = field(default_factory=tuple)
	total: str | None = None
	can_pay: bool = False
	allow_amount: bool = False
	minimum: str | None = None
	returned: str | None = None
	decimals: int = 2


RETURN_STATES = ("success", "cancel", "error", "processing", "invalid")
NOT_FOUND = CustomerPage(
	state="not_found",
	http_status=404,
	heading="Page not found",
	message="This payment page is not valid. Please use the link from our email, or contact us.",
)


def order_invoices(invoices: tuple[PageInvoice, ...] | list[PageInvoice]) -> list[PageInvoice]:
	far = date.max
	return sorted(invoices, key=lambda i: (i.due_date or far, i.posting_date or far, i.name))


def build_customer_page(facts: PageFacts | None, *, returned: str | None = None) -> CustomerPage:
	"""What the customer page shows (see the module docstring)."""
	if facts is None:
		return NOT_FOUND
	currency = normalise_currency(facts.currency)
	returned = returned if returned in RETURN_STATES else None
	open_invoices = [i for i in order_invoices(facts.invoices) if i.outstanding_amount > 0]
	rows = tuple(
		PageRow(
			name=i.name,
			due_date=(i.instalment_due or i.due_date).isoformat()
			if (i.instalment_due or i.due_date)
			else None,
			posting_date=i.posting_date.isoformat() if i.posting_date else None,
			amount=format_amount(i.outstanding_amount, currency),
			amount_value=str(i.outstanding_amount),
			overdue_days=max(0, (facts.today - (i.instalment_due or i.due_date)).days)
			if facts.today and (i.instalment_due or i.due_date)
			else 0,
			instalment=i.instalment_note,
		)
		for i in open_invoices
	)
	total = sum((i.outstanding_amount for i in open_invoices), Decimal(0))
	common = {
		"customer_name": facts.customer_name,
		"company": facts.company,
		"currency": currency,
		"rows": rows,
		"total": format_amount(total, currency),
		"returned": returned,
		"decimals": currency_exponent(currency),
	}
	if not rows:
		return CustomerPage(
			state="nothing_open",
			http_status=200,
			heading="Nothing to pay",
			message="Thank you: there are no open invoices in " + currency + " right now.",
			**common,
		)
	if not facts.online:
		return CustomerPage(
			state="offline",
			http_status=200,
			heading=f"Open invoices of {facts.customer_name}",
			message="These invoices cannot be paid online. Please contact us to arrange payment.",
			**common,
		)
	messages = {
		"success": "Thank you: your payment is being confirmed. Paid invoices leave this list once it is recorded.",
		"cancel": "The payment was not completed. You can try again.",
		"error": "We could not start the payment just now. Please try again in a minute.",
		"processing": "A payment from this page is being processed; this list updates once it is recorded.",
		"invalid": "That choice could not be paid: please tick the invoices again or check the amount.",
	}
	minimum = facts.rules.minimum_customer_amount if facts.rules.allow_customer_amount else None
	return CustomerPage(
		state="payable",
		http_status=200,
		heading=f"Open invoices of {facts.customer_name}",
		message=messages.get(returned or "", "Pay all or some of them at once, securely through Stripe."),
		can_pay=returned != "processing",
		allow_amount=facts.rules.allow_customer_amount,
		minimum=format_amount(minimum, currency) if minimum else None,
		**common,
	)


@dataclass(frozen=True)
class PaymentChoice:
	invoices: tuple[str, ...]  # oldest due first
	amount: Decimal  # what the session charges
	total: Decimal  # what the chosen invoices owe
	mode: str

	@property
	def partial(self) -> bool:
		return self.amount < self.total


def _parse_amount(text: str | None, currency: str) -> Decimal:
	value = (text or "").strip().replace(",", "")
	places = currency_exponent(currency)
	if not _AMOUNT_RE.fullmatch(value):
		raise ChoiceError("Enter the amount as a number, for example 120.50.")
	try:
		amount = Decimal(value)
	except InvalidOperation:
		raise ChoiceError("Enter the amount as a number, for example 120.50.")
	if amount != amount.quantize(Decimal(1).scaleb(-places)):
		raise ChoiceError(f"{currency} amounts have {places} decimal places at most.")
	return amount


def choose_payment(
	invoices: tuple[PageInvoice, ...] | list[PageInvoice],
	*,
	currency: str,
	mode: str | None,
	selected: list[str] | tuple[str, ...] | None = None,
	amount: str | None = None,
	rules: AmountRules = AmountRules(),
) -> PaymentChoice:
	"""What a press of Pay asks for, checked against the page's open invoices (module docstring)."""
	currency = normalise_currency(currency)
	mode = (mode or "all").strip().lower()
	if mode not in MODES:
		raise ChoiceError("Choose Pay all, Pay selected or an amount.")
	by_name = {i.name: i for i in invoices if i.outstanding_amount > 0}
	if not by_name:
		raise ChoiceError("There is nothing open to pay.")
	picked = [
		name for name in dict.fromkeys(s.strip() for s in (selected or []) if isinstance(s, str)) if name
	]
	if any(name not in by_name for name in picked):
		raise ChoiceError("One of the chosen invoices is not open on this page any more; reload the page.")
	if mode == "all" or (mode == "amount" and not picked):
		chosen = list(by_name.values())
	else:
		if not picked:
			raise ChoiceError("Tick at least one invoice to pay.")
		chosen = [by_name[name] for name in picked]
	if len(chosen) > MAX_INVOICES:
		raise ChoiceError(f"At most {MAX_INVOICES} invoices can be paid at once; tick fewer.")
	ordered = order_invoices(chosen)
	total = sum((i.outstanding_amount for i in ordered), Decimal(0))
	pay = total
	if mode == "amount":
		if not rules.allow_customer_amount:
			raise ChoiceError("Paying a chosen amount is not available; pay the invoices in full.")
		pay = _parse_amount(amount, currency)
		if pay <= 0:
			raise ChoiceError("The amount must be more than zero.")
		if pay > total:
			raise ChoiceError(f"The amount is more than the {format_amount(total, currency)} owed on them.")
		minimum = rules.minimum_customer_amount or Decimal(0)
		if pay < minimum and pay != total:
			raise ChoiceError(f"The smallest amount you can pay is {format_amount(minimum, currency)}.")
	return PaymentChoice(tuple(i.name for i in ordered), pay, total, mode)


def selection_digest(invoices: tuple[str, ...] | list[str]) -> str:
	"""16 hex characters naming a set of invoices (order does not matter)."""
	return hashlib.sha256("\n".join(sorted(invoices)).encode()).hexdigest()[:16]
