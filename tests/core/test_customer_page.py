"""The customer page's view model, the press-of-Pay rules, its Checkout Session and session reuse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from revops_app.core.gateway.customer_checkout import (
	PageForCheckout,
	build_customer_checkout,
	invoice_metadata,
	invoices_from_metadata,
)
from revops_app.core.gateway.customer_page import (
	NOT_FOUND,
	AmountRules,
	ChoiceError,
	PageFacts,
	PageInvoice,
	build_customer_page,
	choose_payment,
	customer_page_url,
	selection_digest,
)
from revops_app.core.gateway.paylinks import new_token
from revops_app.core.gateway.sessions import Action, SessionFacts, decide, parse_session

D = Decimal
INVOICES = (
	PageInvoice("SINV-3", date(2026, 1, 3), date(2026, 3, 1), D("30.00"), D("30.00")),
	PageInvoice("SINV-1", date(2026, 1, 1), date(2026, 1, 15), D("100.00"), D("150.00")),
	PageInvoice("SINV-2", date(2026, 1, 2), date(2026, 2, 1), D("45.50"), D("45.50")),
)
RULES = AmountRules(allow_customer_amount=True, minimum_customer_amount=D("25"))


def facts(**changes) -> PageFacts:
	values = {
		"customer_name": "Acme <b>Ltd</b>",
		"company": "RevOps Co",
		"currency": "usd",
		"invoices": INVOICES,
		"today": date(2026, 2, 10),
	}
	values.update(changes)
	return PageFacts(**values)


def test_url_is_stable_and_refuses_bad_tokens():
	token = new_token()
	assert customer_page_url("https://erp.example/", token) == f"https://erp.example/customer-pay/{token}"
	with pytest.raises(ValueError):
		customer_page_url("https://erp.example", "short")
	with pytest.raises(ValueError):
		customer_page_url("erp.example", token)


def test_page_lists_open_invoices_oldest_due_first_with_server_amounts():
	page = build_customer_page(facts())
	assert page.state == "payable" and page.can_pay and page.http_status == 200
	assert [r.name for r in page.rows] == ["SINV-1", "SINV-2", "SINV-3"]
	assert [r.amount for r in page.rows] == ["USD 100.00", "USD 45.50", "USD 30.00"]
	assert page.rows[0].overdue_days == 26 and page.rows[2].overdue_days == 0
	assert page.total == "USD 175.50" and not page.allow_amount and page.minimum is None


def test_unknown_nothing_open_offline_and_processing():
	assert build_customer_page(None) is NOT_FOUND and NOT_FOUND.http_status == 404
	empty = build_customer_page(facts(invoices=(PageInvoice("X", None, None, D(0), D(10)),)))
	assert empty.state == "nothing_open" and not empty.can_pay and empty.rows == ()
	assert build_customer_page(facts(online=False)).state == "offline"
	processing = build_customer_page(facts(), returned="processing")
	assert processing.state == "payable" and not processing.can_pay
	assert build_customer_page(facts(), returned="<script>").returned is None


def test_chosen_amount_shown_when_the_policy_allows():
	page = build_customer_page(facts(rules=RULES))
	assert page.allow_amount and page.minimum == "USD 25.00"


def test_pay_all_and_pay_selected():
	all_ = choose_payment(INVOICES, currency="USD", mode="all", selected=["SINV-3"])
	assert all_.invoices == ("SINV-1", "SINV-2", "SINV-3") and all_.amount == D("175.50") and not all_.partial
	some = choose_payment(INVOICES, currency="USD", mode="selected", selected=["SINV-3", "SINV-2", "SINV-3"])
	assert some.invoices == ("SINV-2", "SINV-3") and some.amount == D("75.50")


@pytest.mark.parametrize(
	"mode, selected, amount, message",
	[
		("selected", [], None, "Tick at least one"),
		("selected", ["SINV-9"], None, "not open on this page"),
		("selected", ["SINV-1", "OTHER-CUSTOMER-INV"], None, "not open on this page"),
		("refund", [], None, "Choose Pay all"),
		("amount", [], "abc", "as a number"),
		("amount", [], "-5", "as a number"),
		("amount", [], "1e3", "as a number"),
		("amount", [], "10.001", "2 decimal places"),
		("amount", [], "0", "more than zero"),
		("amount", [], "10", "smallest amount you can pay is USD 25.00"),
		("amount", [], "175.51", "more than the USD 175.50"),
		("amount", ["SINV-3"], "30.01", "more than the USD 30.00"),
	],
)
def test_bad_choices_are_refused_with_a_plain_message(mode, selected, amount, message):
	with pytest.raises(ChoiceError, match=message):
		choose_payment(INVOICES, currency="USD", mode=mode, selected=selected, amount=amount, rules=RULES)


def test_chosen_amount_over_the_ticked_or_all_invoices():
	choice = choose_payment(INVOICES, currency="USD", mode="amount", amount="120.00", rules=RULES)
	assert choice.partial and choice.amount == D("120.00") and choice.total == D("175.50")
	assert choice.invoices == ("SINV-1", "SINV-2", "SINV-3")
	small = choose_payment(
		INVOICES, currency="USD", mode="amount", selected=["SINV-3"], amount="30", rules=RULES
	)
	assert small.amount == D("30") and not small.partial  # the whole of a small total, below the minimum
	with pytest.raises(ChoiceError, match="not available"):
		choose_payment(INVOICES, currency="USD", mode="amount", amount="50", rules=AmountRules())


def test_checkout_full_has_a_line_per_invoice_and_names_them_in_metadata():
	page = PageForCheckout(
		"CPP-0001",
		"CUST-1",
		"Acme",
		"RevOps Co",
		"USD",
		"ap@acme.example",
		outstanding={i.name: i.outstanding_amount for i in INVOICES},
	)
	choice = choose_payment(INVOICES, currency="USD", mode="all")
	params, key = build_customer_checkout(
		page,
		choice,
		success_url="https://e/x?paid=success",
		cancel_url="https://e/x?paid=cancel",
		attempt=2,
		now=0,
	)
	assert [item["price_data"]["unit_amount"] for item in params["line_items"]] == [10000, 4550, 3000]
	meta = params["metadata"]
	assert meta == params["payment_intent_data"]["metadata"]
	assert meta["customer_page"] == "CPP-0001" and "sales_invoice" not in meta
	assert invoices_from_metadata(meta) == ("SINV-1", "SINV-2", "SINV-3")
	assert meta["selection"] == selection_digest(["SINV-3", "SINV-1", "SINV-2"])
	assert key == f"revops-cp-CPP-0001-17550-USD-{meta['selection']}-2"
	assert params["customer_email"] == "ap@acme.example"


def test_checkout_part_is_one_line_for_the_chosen_amount():
	page = PageForCheckout("CPP-0001", "CUST-1", "Acme", "RevOps Co", "USD")
	choice = choose_payment(INVOICES, currency="USD", mode="amount", amount="120", rules=RULES)
	params, _key = build_customer_checkout(
		page, choice, success_url="https://e/s", cancel_url="https://e/c", attempt=1
	)
	(line,) = params["line_items"]
	assert line["price_data"]["unit_amount"] == 12000 and params["metadata"]["amount_mode"] == "part"


def test_many_invoices_are_chunked_under_stripes_value_limit():
	names = [f"ACC-SINV-2026-{n:05d}" for n in range(100)]
	meta = invoice_metadata(names)
	assert all(len(v) <= 500 for v in meta.values()) and len(meta) > 1
	assert invoices_from_metadata(meta) == tuple(names)
	assert invoices_from_metadata(None) == () and invoices_from_metadata({"invoices": ""}) == ()
	with pytest.raises(ValueError):
		invoice_metadata(["A,B"])


def test_an_open_session_is_reused_only_for_the_same_invoices():
	session = parse_session(
		{
			"id": "cs_1",
			"status": "open",
			"amount_total": 7550,
			"currency": "usd",
			"expires_at": 10_000,
			"url": "https://checkout.stripe.test/cs_1",
			"metadata": {"customer_page": "CPP-1", "selection": selection_digest(["SINV-2", "SINV-3"])},
		}
	)
	same = dict(invoice="CPP-1", minor_amount=7550, currency="USD", now=0)
	assert decide(session, selection=selection_digest(["SINV-3", "SINV-2"]), **same)[0] == Action.REUSE
	# two other invoices of the same total: never the old session
	assert decide(session, selection=selection_digest(["SINV-4", "SINV-5"]), **same)[0] == Action.EXPIRE
	# an invoice link's session (no selection) is judged as before
	plain = SessionFacts("cs_2", "open", "unpaid", 100, "USD", 10_000, "https://x", None, None, "SINV-1")
	assert decide(plain, invoice="SINV-1", minor_amount=100, currency="USD", now=0)[0] == Action.REUSE


def test_an_invoice_with_instalments_shows_the_one_due_now():
	scheduled = PageInvoice(
		"SINV-S",
		date(2025, 12, 1),
		date(2026, 3, 31),  # the last instalment's date is the invoice's due date
		D("300.00"),
		D("600.00"),
		instalment_due=date(2026, 2, 1),
		instalment_note="instalment USD 150.00 due 02-01-2026",
	)
	page = build_customer_page(facts(invoices=(*INVOICES, scheduled)))
	row = next(r for r in page.rows if r.name == "SINV-S")
	assert row.due_date == "2026-02-01" and row.overdue_days == 9
	assert row.instalment == "instalment USD 150.00 due 02-01-2026"
