"""The customer page template: standalone, escaped, routed, one form whose only money field is the optional
chosen amount (the server computes every figure), the seller, downloads and the promise form included.

Rendered with jinja2 (the engine Frappe uses), Frappe's include paths, and the real view model.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from decimal import Decimal

import pytest

from revops_app.core.gateway.customer_page import AmountRules, PageFacts, PageInvoice, build_customer_page
from tests.conftest import APP_DIR

jinja2 = pytest.importorskip("jinja2")

TEMPLATE = (APP_DIR / "www" / "customer_pay.html").read_text()
INVOICES = (
	PageInvoice("SINV-<2>", date(2026, 1, 2), date(2026, 2, 1), Decimal("45.50"), Decimal("45.50")),
	PageInvoice("SINV-1", date(2026, 1, 1), date(2026, 1, 15), Decimal("100.00"), Decimal("150.00")),
)


def page(**changes):
	values = {
		"customer_name": 'Evil <script>alert("x")</script> Corp',
		"company": "RevOps Co",
		"currency": "EUR",
		"invoices": INVOICES,
		"today": date(2026, 2, 10),
	}
	returned = changes.pop("returned", None)
	values.update(changes)
	return build_customer_page(PageFacts(**values), returned=returned)


def render(view, **context) -> str:
	env = jinja2.Environment(
		undefined=jinja2.StrictUndefined, loader=jinja2.FileSystemLoader([str(APP_DIR.parent), str(APP_DIR)])
	)
	values = {
		"page": view,
		"token": "t" * 43,
		"csrf_token": None,
		"checkout_url": "/api/method/revops_app.api.customer_pay.checkout",
		"view_url": "/api/method/revops_app.api.customer_pay.view",
		"view_token": "t" * 43,
		"seller": None,
		"pdf_urls": {row.name: f"/pdf?invoice={row.name}" for row in view.rows},
		"documents": [],
		"promise": None,
		"amount_step": "0.01",
	}
	values.update(context)
	return env.from_string(TEMPLATE).render(**values)


def test_standalone_and_every_interpolation_escaped():
	assert "</body>" in TEMPLATE and "{% extends" not in TEMPLATE and "/assets/" not in TEMPLATE
	for expression in re.findall(r"{{(.*?)}}", TEMPLATE):
		assert expression.strip().endswith("| e"), expression


def test_lists_the_invoices_oldest_due_first_with_server_amounts_and_pdfs():
	html = render(page())
	assert "&lt;script&gt;" in html and "<script>alert" not in html
	assert html.index("SINV-1") < html.index("SINV-&lt;2&gt;")
	assert "EUR 100.00" in html and "EUR 45.50" in html and "EUR 145.50" in html
	assert "26 days overdue" in html and 'href="/pdf?invoice=SINV-1"' in html
	form = re.search(r'<form method="post".*?</form>', html, re.S).group(0)
	assert 'action="/api/method/revops_app.api.customer_pay.checkout"' in form
	assert sorted(set(re.findall(r'name="([a-z_]+)"', form))) == ["invoice", "mode", "token"]
	assert re.findall(r'name="mode" value="([a-z]+)"', form) == ["all", "selected"]


def test_chosen_amount_only_where_the_policy_allows():
	html = render(page(rules=AmountRules(True, Decimal("25"))))
	assert 'name="amount"' in html and "At least EUR 25.00" in html and 'value="amount"' in html


def test_no_pay_buttons_while_a_payment_is_processing_or_offline():
	for view in (page(returned="processing"), page(online=False)):
		html = render(view)
		assert 'name="mode"' not in html and "SINV-1" in html


def test_not_found_reveals_nothing():
	html = render(build_customer_page(None), view_token=None, token=None, pdf_urls={})
	assert "not valid" in html and "<form" not in html and "<script" not in html


def test_seller_statement_and_promise_form_are_included():
	html = render(
		page(),
		seller={
			"name": "Seller Co",
			"logo": None,
			"email": "ar@seller.example",
			"phone": None,
			"website": None,
		},
		documents=[{"label": "Download your statement (PDF)", "url": "/statement?token=t"}],
		promise={
			"url": "/api/method/revops_app.api.customer_pay.promise",
			"hidden": {"token": "t" * 43},
			"earliest": "2026-02-11",
			"latest": "2026-02-24",
			"open": None,
			"done": False,
			"csrf_token": None,
		},
	)
	assert "Seller Co" in html and "mailto:ar@seller.example" in html
	assert "Download your statement (PDF)" in html
	assert 'action="/api/method/revops_app.api.customer_pay.promise"' in html
	assert 'min="2026-02-11"' in html and 'max="2026-02-24"' in html


def test_route_rule_points_at_the_page():
	tree = ast.parse((APP_DIR / "hooks.py").read_text())
	hooks = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
	assert {"from_route": "/customer-pay/<token>", "to_route": "customer_pay"} in hooks["website_route_rules"]
	assert "no_cache = 1" in (APP_DIR / "www" / "customer_pay.py").read_text()
