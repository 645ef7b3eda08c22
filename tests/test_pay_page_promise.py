"""The pay page's promise form and instalment line (www/pay.html + templates/pay/promise_form.html)."""

from __future__ import annotations

import re

import pytest

from revops_app.core.gateway.paylinks import build_pay_page
from tests.conftest import APP_DIR
from tests.test_pay_page_template import render, view

PARTIAL = (APP_DIR / "templates" / "pay" / "promise_form.html").read_text()
pytest.importorskip("jinja2")


def block(**changes) -> dict:
	values = {
		"url": "/api/method/revops_app.api.pay.promise",
		"hidden": {"token": "t" * 43},
		"earliest": "2026-12-03",
		"latest": "2026-12-16",
		"open": None,
		"done": False,
		"csrf_token": None,
	}
	values.update(changes)
	return values


def test_form_is_bounded_by_the_window_and_posts_only_token_and_date():
	html = render(build_pay_page(view()), token="t" * 43, promise=block())
	form = re.search(r'<form class="promise-form".*?</form>', html, re.S).group(0)
	assert 'action="/api/method/revops_app.api.pay.promise"' in form and 'method="post"' in form
	assert 'min="2026-12-03"' in form and 'max="2026-12-16"' in form and "required" in form
	assert re.findall(r'name="([a-z_]+)"', form) == ["token", "promised_date"]


def test_promise_already_made_shows_it_instead_of_the_form():
	running = {"promised_date_formatted": "10-12-2026", "amount_formatted": "EUR 99.90"}
	html = render(build_pay_page(view()), token="t" * 43, promise=block(open=running, done=True))
	assert "You promised to pay EUR 99.90 by 10-12-2026" in html and "paused our reminders" in html
	assert '<form class="promise-form"' not in html


def test_no_promise_block_without_a_window_and_values_are_escaped():
	assert "promise" not in render(build_pay_page(view()), token="t" * 43).split("<main>")[1]
	evil = block(hidden={"token": '"><script>x</script>'})
	assert "<script>x" not in render(build_pay_page(view()), token="t" * 43, promise=evil)
	for expression in re.findall(r"{{(.*?)}}", PARTIAL):
		assert expression.strip().endswith("| e"), expression
	(script,) = re.findall(r"<script>(.*?)</script>", PARTIAL, re.S)
	assert "{{" not in script and "{%" not in script


def test_instalment_due_now_is_shown_beside_the_total():
	instalment = {
		"amount_formatted": "EUR 33.30",
		"due_date_formatted": "01-12-2026",
		"overdue": True,
		"upcoming": False,
		"count": 1,
	}
	html = render(build_pay_page(view()), token="t" * 43, instalment=instalment)
	assert "EUR 99.90" in html and "Due now: <strong>EUR 33.30</strong> by 01-12-2026" in html
	upcoming = dict(instalment, upcoming=True, overdue=False)
	assert "Next instalment: <strong>EUR 33.30</strong>" in render(
		build_pay_page(view()), token="t" * 43, instalment=upcoming
	)
