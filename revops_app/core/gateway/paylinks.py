"""Pay links: tokens, URLs, link status and the pay page's view model (framework-free).

Contract:
- `new_token()` returns a URL-safe token of TOKEN_BYTES (32) random bytes from `secrets` (256 bits,
  43 characters); `is_well_formed_token(value)` says whether a string from a URL can be one, so the
  glue refuses junk before touching the database.
- `pay_url(site_url, token)` is the stable `<site url>/pay/<token>`; it never changes for a link.
- `link_status(...)` maps the invoice's state to the Payment Link `status` (Active, Paid, Cancelled,
  Credit Noted): the same rule on submit, cancel, payment and credit note, so the stored status always
  says what the invoice says.
- `build_pay_page(invoice, *, returned=None)` turns what the glue read (or None for an unknown token)
  into what the page shows. Unknown tokens, draft invoices and return invoices all look the same
  ("not_found", HTTP 404) so a guessed token learns nothing. Only a "payable" page has a Pay button;
  an invoice whose receivable is in another currency than the invoice is "offline" (Stripe would
  charge the invoice currency and settlement would hold it).
- `format_amount(amount, currency)` prints an amount with the currency's own decimals (JPY 5,000;
  USD 1,234.50; KWD 12.340).
- `counts_as_view(method, user_agent, *, desk_user=False)`: the view rule. Email security scanners
  (Defender Safe Links, Mimecast, Proofpoint, Barracuda...) fetch every link in a message before the
  customer does, so loading the page is *not* a view. A view is a POST from the page itself: the inline
  beacon script (sent by a browser that runs scripts, is not automated (`navigator.webdriver`) and shows
  the page) or a press of Pay. Never a view: GET or HEAD, a missing user agent, a known scanner, bot or
  HTTP-library user agent (`is_link_scanner`), a desk user (staff checking a link is not the customer).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from revops_app.core.gateway.money import currency_exponent, normalise_currency, to_decimal

TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43,86}$")


def new_token() -> str:
	"""A fresh unguessable token (256 bits, URL-safe base64 without padding)."""
	return secrets.token_urlsafe(TOKEN_BYTES)


def is_well_formed_token(value: object) -> bool:
	return isinstance(value, str) and bool(_TOKEN_RE.fullmatch(value))


def pay_url(site_url: str, token: str) -> str:
	"""`<site url>/pay/<token>`; the site URL must be absolute http(s)."""
	if not isinstance(site_url, str) or not site_url.startswith(("https://", "http://")):
		raise ValueError(f"site URL must be an absolute http(s) URL, got {site_url!r}")
	if not is_well_formed_token(token):
		raise ValueError("pay link token is malformed")
	return f"{site_url.rstrip('/')}/pay/{token}"


# Substrings (lower case) of user agents that are link scanners, crawlers, previewers or HTTP libraries.
# A real browser's UA contains none of them; HeadlessChrome is how sandboxes that run scripts show up.
SCANNER_AGENT_MARKERS = (
	"bot/",
	"bot-",
	"bot;",
	"crawler",
	"spider",
	"scanner",
	"preview",
	"+http",
	"headlesschrome",
	"phantomjs",
	"safelinks",
	"microsoft office",
	"ms-office",
	"mimecast",
	"proofpoint",
	"urldefense",
	"barracuda",
	"symantec",
	"forcepoint",
	"fortiguard",
	"sophos",
	"trendmicro",
	"trend micro",
	"ironport",
	"zscaler",
	"checkpoint",
	"appriver",
	"python-",
	"curl/",
	"wget/",
	"go-http-client",
	"okhttp",
	"java/",
	"apache-httpclient",
	"libwww-perl",
	"node-fetch",
	"axios/",
)
VIEW_METHODS = ("POST",)


def is_link_scanner(user_agent: str | None) -> bool:
	"""A missing user agent or one naming a scanner, bot, previewer or HTTP library."""
	agent = (user_agent or "").strip().lower()
	return not agent or any(marker in agent for marker in SCANNER_AGENT_MARKERS)


def counts_as_view(method: str | None, user_agent: str | None, *, desk_user: bool = False) -> bool:
	"""Whether a request counts as the customer viewing the pay page (module docstring: the view rule)."""
	return (method or "").upper() in VIEW_METHODS and not desk_user and not is_link_scanner(user_agent)


class LinkStatus:
	"""Options of RevOps Payment Link.status."""

	ACTIVE = "Active"
	PAID = "Paid"
	CANCELLED = "Cancelled"
	CREDIT_NOTED = "Credit Noted"
	ALL = (ACTIVE, PAID, CANCELLED, CREDIT_NOTED)


# Sales Invoice.status set by ERPNext v15 when a submitted credit note returns the invoice.
CREDIT_NOTE_ISSUED = "Credit Note Issued"


def link_status(
	*,
	docstatus: int,
	outstanding_amount: Decimal | float | str,
	invoice_status: str | None,
	grand_total: Decimal | float | str | None = None,
	credited_amount: Decimal | float | str | None = None,
) -> str:
	"""The Payment Link status the invoice's current state implies.

	Credit Noted: ERPNext says so ("Credit Note Issued"), or submitted credit notes against the invoice
	cover its total (`credited_amount`, positive): ERPNext keeps the original's outstanding until the
	two are reconciled when a credit note has "Update Outstanding for Self", yet nothing is owed."""
	if docstatus == 2:
		return LinkStatus.CANCELLED
	if invoice_status == CREDIT_NOTE_ISSUED:
		return LinkStatus.CREDIT_NOTED
	total = Decimal(str(grand_total or 0))
	if total > 0 and Decimal(str(credited_amount or 0)) >= total:
		return LinkStatus.CREDIT_NOTED
	# Outstanding may be negative (overpaid through another entry), which to_decimal refuses.
	if Decimal(str(outstanding_amount or 0)) <= 0 and docstatus == 1:
		return LinkStatus.PAID
	return LinkStatus.ACTIVE


def format_amount(amount: Decimal | float | str, currency: str) -> str:
	code = normalise_currency(currency)
	places = currency_exponent(code)
	value = to_decimal(amount).quantize(Decimal(1).scaleb(-places))
	return f"{code} {value:,.{places}f}"


@dataclass(frozen=True)
class InvoiceView:
	"""What the glue read for one token: the invoice and its link (amounts in the invoice currency)."""

	name: str
	customer_name: str
	currency: str
	outstanding_amount: Decimal
	grand_total: Decimal
	due_date: date | None
	docstatus: int
	is_return: bool
	status: str | None
	link_status: str | None = None
	payable_online: bool = True
	credited_amount: Decimal = Decimal(0)  # submitted credit notes against it (positive)


@dataclass(frozen=True)
class PayPage:
	state: str  # payable, processing, paid, cancelled, credit_noted, offline, not_found
	http_status: int
	heading: str
	message: str
	can_pay: bool = False
	invoice: str | None = None
	customer_name: str | None = None
	due_date: str | None = None
	amount: str | None = None
	currency: str | None = None
	# success / cancel (Stripe sent the customer back) / error (checkout failed) / processing (an earlier
	# session is paid or its payment is in flight)
	returned: str | None = None


RETURN_STATES = ("success", "cancel", "error", "processing")

NOT_FOUND = PayPage(
	state="not_found",
	http_status=404,
	heading="Payment link not found",
	message="This payment link is not valid. Please use the link from your invoice email, or contact us.",
)


def build_pay_page(invoice: InvoiceView | None, *, returned: str | None = None) -> PayPage:
	"""What the pay page shows (see the module docstring)."""
	if invoice is None or invoice.docstatus == 0 or invoice.is_return:
		return NOT_FOUND
	returned = returned if returned in RETURN_STATES else None
	common = {
		"invoice": invoice.name,
		"customer_name": invoice.customer_name,
		"due_date": invoice.due_date.isoformat() if invoice.due_date else None,
		"currency": normalise_currency(invoice.currency),
		"returned": returned,
	}
	status = link_status(
		docstatus=invoice.docstatus,
		outstanding_amount=invoice.outstanding_amount,
		invoice_status=invoice.status,
		grand_total=invoice.grand_total,
		credited_amount=invoice.credited_amount,
	)
	if status == LinkStatus.CANCELLED:
		return PayPage(
			state="cancelled",
			http_status=200,
			heading=f"Invoice {invoice.name} was cancelled",
			message="There is nothing to pay on this invoice. Please contact us if you have questions.",
			**common,
		)
	if status == LinkStatus.CREDIT_NOTED:
		return PayPage(
			state="credit_noted",
			http_status=200,
			heading=f"Invoice {invoice.name} was credited",
			message="A credit note was issued for this invoice; there is nothing to pay.",
			**common,
		)
	if status == LinkStatus.PAID:
		return PayPage(
			state="paid",
			http_status=200,
			heading=f"Invoice {invoice.name} is paid",
			message="Thank you: this invoice has been paid in full.",
			amount=format_amount(0, invoice.currency),
			**common,
		)
	if not invoice.payable_online:
		return PayPage(
			state="offline",
			http_status=200,
			heading=f"Invoice {invoice.name}",
			message="This invoice cannot be paid online. Please contact us to arrange payment.",
			amount=None,
			**common,
		)
	if returned == "processing":
		# Pay was pressed while an earlier Checkout Session is paid or its payment is in flight: no new
		# session (that would let the customer pay twice), no button.
		return PayPage(
			state="processing",
			http_status=200,
			heading=f"Invoice {invoice.name}",
			message=(
				"A payment for this invoice has been received and is being processed. This page shows the "
				"invoice as paid once the payment is recorded."
			),
			amount=format_amount(invoice.outstanding_amount, invoice.currency),
			**common,
		)
	message = "Pay securely by card or other methods through Stripe."
	if returned == "success":
		message = (
			"Thank you: your payment is being confirmed. This page shows the invoice as paid once the "
			"payment is recorded."
		)
	elif returned == "cancel":
		message = "The payment was not completed. You can try again."
	elif returned == "error":
		message = "We could not start the payment just now. Please try again in a minute."
	return PayPage(
		state="payable",
		http_status=200,
		heading=f"Invoice {invoice.name}",
		message=message,
		can_pay=True,
		amount=format_amount(invoice.outstanding_amount, invoice.currency),
		**common,
	)
