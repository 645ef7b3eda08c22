"""The pay page template: standalone (no desk/website bundles), escaped, routed, guest-safe.

Rendered with jinja2 (the engine Frappe uses) and the real view model, since Frappe is not here.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from decimal import Decimal

import pytest

from revops_app.core.gateway.paylinks import InvoiceView, build_pay_page
from tests.conftest import APP_DIR

jinja2 = pytest.importorskip("jinja2")

TEMPLATE = (APP_DIR / "www" / "pay.html").read_text()
PARTIALS = APP_DIR / "templates" / "pay"


def environment():
	"""Includes resolve as Frappe's loader resolves them ("revops_app/templates/..." and "templates/...")."""
	return jinja2.Environment(
		undefined=jinja2.StrictUndefined, loader=jinja2.FileSystemLoader([str(APP_DIR.parent), str(APP_DIR)])
	)


def render(page, **context) -> str:
	env = environment()
	values = {"page": page, "token": None, "checkout_url": "/api/method/revops_app.api.pay.checkout"}
	values["seller"] = None
	values["documents"] = []
	values["instalment"] = None
	values["promise"] = None
	values["csrf_token"] = None
	values["view_token"] = None
	values["view_url"] = "/api/method/revops_app.api.pay.view"
	values.update(context)
	return env.from_string(TEMPLATE).render(**values)


def view(**changes) -> InvoiceView:
	values = {
		"name": "ACC-SINV-2026-00042",
		"customer_name": 'Evil <script>alert("x")</script> Corp',
		"currency": "EUR",
		"outstanding_amount": Decimal("99.90"),
		"grand_total": Decimal("99.90"),
		"due_date": date(2026, 12, 31),
		"docstatus": 1,
		"is_return": False,
		"status": "Unpaid",
	}
	values.update(changes)
	return InvoiceView(**values)


def test_template_is_standalone_html():
	# Frappe wraps a template in templates/web.html unless it extends something or closes </body>.
	assert "</body>" in TEMPLATE and "{% extends" not in TEMPLATE
	assert "/assets/" not in TEMPLATE and "src=" not in TEMPLATE
	assert '{% include "revops_app/templates/pay/head.html" %}' in TEMPLATE
	assert 'name="viewport"' in (PARTIALS / "head.html").read_text()


def script_of(html: str) -> str:
	(script,) = re.findall(r"<script>(.*?)</script>", html, re.S)  # one inline script, no src
	return script


def test_a_page_load_is_not_a_view_only_the_beacon_script_is():
	# The view beacon is the page's only script; nothing is interpolated into it (values travel in
	# escaped data attributes), it posts the token to the view method, and skips automated browsers
	# and hidden pages (mail scanners that run scripts).
	assert '{% include "revops_app/templates/pay/view_beacon.html" %}' in TEMPLATE
	script = script_of((PARTIALS / "view_beacon.html").read_text())
	assert "{{" not in script and "{%" not in script
	for needed in ('method: "POST"', "navigator.webdriver", "visibilityState", "token: el.dataset.token"):
		assert needed in script, needed
	html = render(build_pay_page(view()), token="t" * 43, view_token="t" * 43, csrf_token="abc")
	beacon = re.search(r'<div id="revops-view"[^>]*>', html).group(0)
	assert 'data-url="/api/method/revops_app.api.pay.view"' in beacon
	assert f'data-token="{"t" * 43}"' in beacon and 'data-csrf="abc"' in beacon
	script_of(html)
	# No token, no beacon (the 404 page, or a page rendered without a link).
	assert "<script" not in render(build_pay_page(None))


def test_closed_pages_still_carry_the_beacon():
	html = render(build_pay_page(view(outstanding_amount=Decimal(0), status="Paid")), view_token="t" * 43)
	assert "<form" not in html and 'id="revops-view"' in html


def test_every_interpolation_is_escaped():
	for expression in re.findall(r"{{(.*?)}}", TEMPLATE):
		assert expression.strip().endswith("| e"), expression


def test_payable_page_posts_the_token_only():
	html = render(build_pay_page(view()), token="tok_" + "a" * 40)
	assert "&lt;script&gt;" in html and "<script>alert" not in html
	assert "EUR 99.90" in html and "2026-12-31" in html
	form = re.search(r"<form.*?</form>", html, re.S).group(0)
	assert 'method="post"' in form and 'action="/api/method/revops_app.api.pay.checkout"' in form
	names = re.findall(r'name="([a-z_]+)"', form)
	assert names == ["token"]  # no amount, no currency: the server computes them


def test_signed_in_user_echoes_csrf_token():
	html = render(build_pay_page(view()), token="t" * 43, csrf_token="abc123")
	assert 'name="csrf_token" value="abc123"' in html


@pytest.mark.parametrize(
	("changes", "text"),
	[
		({"outstanding_amount": Decimal(0), "status": "Paid"}, "is paid"),
		({"docstatus": 2, "status": "Cancelled"}, "was cancelled"),
		({"outstanding_amount": Decimal(0), "status": "Credit Note Issued"}, "credit note"),
	],
)
def test_closed_states_show_no_form(changes, text):
	html = render(build_pay_page(view(**changes)))
	assert text in html and "<form" not in html


SELLER = {
	"name": "Seller <i>Co</i>",
	"logo": "data:image/png;base64,AAAA",
	"email": "ar@seller.example",
	"phone": "+1 555 0100",
	"website": None,
}


def test_seller_block_and_the_invoice_download():
	documents = [{"label": "Download the invoice (PDF)", "url": "/api/method/x?token=t&a=<b>"}]
	html = render(build_pay_page(view()), token="t" * 43, seller=SELLER, documents=documents)
	assert "Seller &lt;i&gt;Co&lt;/i&gt;" in html and '<img src="data:image/png;base64,AAAA"' in html
	assert 'href="mailto:ar@seller.example"' in html and "+1 555 0100" in html
	assert 'href="/api/method/x?token=t&amp;a=&lt;b&gt;"' in html and "Download the invoice (PDF)" in html
	# the partials escape everything too
	for partial in ("seller.html", "documents.html", "head.html", "view_beacon.html"):
		source = (APP_DIR / "templates" / "pay" / partial).read_text()
		for expression in re.findall(r"{{(.*?)}}", source):
			assert expression.strip().endswith("| e"), (partial, expression)


def test_not_found_reveals_nothing():
	html = render(build_pay_page(None))
	assert "not found" in html and "<form" not in html and "<dl>" not in html


def test_route_rule_points_at_the_page():
	tree = ast.parse((APP_DIR / "hooks.py").read_text())
	hooks = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
	rules = hooks["website_route_rules"]
	assert {"from_route": "/pay/<token>", "to_route": "pay"} in rules
	assert (APP_DIR / "www" / "pay.py").exists() and (APP_DIR / "www" / "pay.html").exists()
	source = (APP_DIR / "www" / "pay.py").read_text()
	assert "no_cache = 1" in source
