"""Pay links without Frappe: tokens, URLs, link status, the pay page's view model, event routing."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import pytest

from revops_app.core.gateway.paylinks import (
	InvoiceView,
	LinkStatus,
	build_pay_page,
	counts_as_view,
	format_amount,
	is_link_scanner,
	is_well_formed_token,
	link_status,
	new_token,
	pay_url,
)
from revops_app.core.gateway.routing import Action, LinkState, link_state_after, route
from revops_app.core.gateway.webhooks.events import EventKind


def invoice(**changes) -> InvoiceView:
	values = {
		"name": "ACC-SINV-2026-00042",
		"customer_name": "Globex <b>Ltd</b>",
		"currency": "USD",
		"outstanding_amount": Decimal("125.50"),
		"grand_total": Decimal("125.50"),
		"due_date": date(2026, 12, 31),
		"docstatus": 1,
		"is_return": False,
		"status": "Unpaid",
	}
	values.update(changes)
	return InvoiceView(**values)


def test_tokens_are_256_bit_urlsafe_and_distinct():
	tokens = {new_token() for _ in range(2000)}
	assert len(tokens) == 2000
	for token in list(tokens)[:50]:
		assert is_well_formed_token(token)
		raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
		assert len(raw) == 32  # >= 128 bits required; 256 used


@pytest.mark.parametrize(
	"value", [None, "", "short", "a" * 200, "../../etc/passwd" + "a" * 40, "x y" * 20, 12345, "é" * 43]
)
def test_malformed_tokens_are_refused(value):
	assert not is_well_formed_token(value)


def test_pay_url_is_stable_and_absolute():
	token = new_token()
	assert pay_url("https://erp.example.com/", token) == f"https://erp.example.com/pay/{token}"
	assert pay_url("https://erp.example.com", token) == pay_url("https://erp.example.com/", token)
	with pytest.raises(ValueError):
		pay_url("erp.example.com", token)
	with pytest.raises(ValueError):
		pay_url("https://erp.example.com", "not a token")


@pytest.mark.parametrize(
	("docstatus", "outstanding", "status", "expected"),
	[
		(1, "125.50", "Unpaid", LinkStatus.ACTIVE),
		(1, "10", "Partly Paid", LinkStatus.ACTIVE),
		(1, "10", "Overdue", LinkStatus.ACTIVE),
		(1, "0", "Paid", LinkStatus.PAID),
		(1, "-5", "Paid", LinkStatus.PAID),  # overpaid through another entry
		(1, "0", "Credit Note Issued", LinkStatus.CREDIT_NOTED),
		(2, "125.50", "Cancelled", LinkStatus.CANCELLED),
		(2, "0", "Cancelled", LinkStatus.CANCELLED),
	],
)
def test_link_status_follows_the_invoice(docstatus, outstanding, status, expected):
	assert link_status(docstatus=docstatus, outstanding_amount=outstanding, invoice_status=status) == expected


def test_credit_notes_covering_the_total_close_the_link_even_with_outstanding_left():
	# A credit note with "Update Outstanding for Self" leaves the original's outstanding untouched.
	common = {"docstatus": 1, "outstanding_amount": "25", "invoice_status": "Unpaid", "grand_total": "25"}
	assert link_status(**common, credited_amount="25") == LinkStatus.CREDIT_NOTED
	assert link_status(**common, credited_amount="10") == LinkStatus.ACTIVE
	assert link_status(**common) == LinkStatus.ACTIVE
	page = build_pay_page(
		invoice(grand_total=Decimal(25), outstanding_amount=Decimal(25), credited_amount=Decimal(25))
	)
	assert page.state == "credit_noted" and not page.can_pay


def test_payable_page_shows_only_the_invoice_facts():
	page = build_pay_page(invoice())
	assert page.state == "payable" and page.can_pay and page.http_status == 200
	assert page.amount == "USD 125.50" and page.currency == "USD"
	assert page.invoice == "ACC-SINV-2026-00042" and page.due_date == "2026-12-31"
	assert page.customer_name == "Globex <b>Ltd</b>"  # escaping is the template's job (tested there)


@pytest.mark.parametrize(
	("changes", "state"),
	[
		({"outstanding_amount": Decimal(0), "status": "Paid"}, "paid"),
		({"docstatus": 2, "status": "Cancelled"}, "cancelled"),
		({"outstanding_amount": Decimal(0), "status": "Credit Note Issued"}, "credit_noted"),
		({"payable_online": False}, "offline"),
	],
)
def test_non_payable_states_have_no_button(changes, state):
	page = build_pay_page(invoice(**changes))
	assert page.state == state and not page.can_pay and page.http_status == 200


@pytest.mark.parametrize(
	"view", [None, invoice(docstatus=0, status="Draft"), invoice(is_return=True, status="Return")]
)
def test_unknown_draft_and_return_look_identical(view):
	page = build_pay_page(view)
	assert page.state == "not_found" and page.http_status == 404 and not page.can_pay
	assert page.invoice is None and page.customer_name is None and page.amount is None


def test_return_states_change_the_message_not_the_amount():
	success = build_pay_page(invoice(), returned="success")
	cancel = build_pay_page(invoice(), returned="cancel")
	junk = build_pay_page(invoice(), returned="<script>")
	assert success.returned == "success" and "being confirmed" in success.message
	assert cancel.returned == "cancel" and success.amount == cancel.amount == "USD 125.50"
	assert junk.returned is None


@pytest.mark.parametrize(
	("amount", "currency", "expected"),
	[("1234.5", "usd", "USD 1,234.50"), ("5000", "JPY", "JPY 5,000"), ("12.34", "KWD", "KWD 12.340")],
)
def test_format_amount_uses_the_currency_exponent(amount, currency, expected):
	assert format_amount(Decimal(amount), currency) == expected


def test_every_event_kind_has_a_route_and_unknowns_skip():
	assert {kind: route(kind) for kind in EventKind} == {
		EventKind.PAYMENT_SUCCEEDED: Action.SETTLE_PAYMENT,
		EventKind.PAYMENT_PROCESSING: Action.RECORD_PROCESSING,
		EventKind.PAYMENT_FAILED: Action.RECORD_FAILURE,
		EventKind.CHECKOUT_EXPIRED: Action.RECORD_EXPIRY,
		EventKind.REFUND_UPDATED: Action.SETTLE_REFUND,
		EventKind.DISPUTE_OPENED: Action.DISPUTE,
		EventKind.DISPUTE_CLOSED: Action.DISPUTE,
		EventKind.DISPUTE_FUNDS: Action.DISPUTE,
		EventKind.IGNORED: Action.SKIP,
	}
	assert route("no_such_kind") is Action.SKIP and route(None) is Action.SKIP


def test_link_state_converges_whatever_the_order():
	# completed after expired: paid wins; expired after paid: still paid
	assert link_state_after(LinkState.VIEWED, paid=True, disputed=False, payment_made=True) == LinkState.PAID
	assert link_state_after(LinkState.PAID, paid=True, disputed=False) == LinkState.PAID
	# a late failure never overrides a paid invoice; on an unpaid one it shows
	assert link_state_after(LinkState.PAID, paid=True, disputed=False, payment_failed=True) == LinkState.PAID
	assert (
		link_state_after(LinkState.VIEWED, paid=False, disputed=False, payment_failed=True)
		== LinkState.PAYMENT_FAILED
	)
	# a partial payment clears an earlier failure; an open dispute wins over everything
	assert (
		link_state_after(LinkState.PAYMENT_FAILED, paid=False, disputed=False, payment_made=True)
		== LinkState.VIEWED
	)
	assert link_state_after(LinkState.PAID, paid=True, disputed=True) == LinkState.DISPUTED
	# dispute closed: back to what the invoice says
	assert link_state_after(LinkState.DISPUTED, paid=True, disputed=False) == LinkState.PAID
	assert link_state_after(LinkState.DISPUTED, paid=False, disputed=False) == LinkState.VIEWED
	# untouched states stay; junk becomes Not Sent
	assert link_state_after(LinkState.SENT, paid=False, disputed=False) == LinkState.SENT
	assert link_state_after("bogus", paid=False, disputed=False) == LinkState.NOT_SENT


# --- the view rule (issue 3c): a page load is not a view --------------------------------------------

BROWSERS = (
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	"Version/17.5 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
	"Safari/537.36 Edg/126.0.0.0",
	"Mozilla/5.0 (Linux; Android 10; CUBOT X30 Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) "
	"Chrome/120.0.0.0 Mobile Safari/537.36",
)
SCANNERS = (
	None,
	"",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
	"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
	"Mimecast URL Protect",
	"Barracuda Sentinel (EE)",
	"python-requests/2.32.3",
	"curl/8.5.0",
	"Go-http-client/1.1",
	"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b",
)


@pytest.mark.parametrize("agent", BROWSERS)
def test_a_browser_posting_is_a_view(agent):
	assert not is_link_scanner(agent)
	assert counts_as_view("POST", agent)
	assert counts_as_view("post", agent)


@pytest.mark.parametrize("agent", BROWSERS)
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", None])
def test_loading_the_page_is_never_a_view(agent, method):
	assert not counts_as_view(method, agent)


@pytest.mark.parametrize("agent", SCANNERS)
def test_scanners_never_count(agent):
	assert is_link_scanner(agent)
	assert not counts_as_view("POST", agent)


def test_desk_users_never_count():
	assert not counts_as_view("POST", BROWSERS[0], desk_user=True)


def test_processing_return_shows_no_button():
	page = build_pay_page(invoice(), returned="processing")
	assert (page.state, page.can_pay) == ("processing", False)
	assert "being processed" in page.message
