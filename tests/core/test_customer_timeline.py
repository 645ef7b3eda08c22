"""The customer timeline (revops_app.core.cx.customer_timeline): one ordered, linked view."""

from datetime import date, datetime

import pytest

from revops_app.core.cx import customer_timeline as tl


def url(doctype: str, name: str) -> str:
	return f"/app/{doctype.lower().replace(' ', '-')}/{name}"


def test_newest_first_with_dates_at_day_start_and_stable_ties():
	events = [
		tl.TimelineEvent(
			tl.as_datetime(date(2026, 11, 1)), tl.INVOICE, "Sales Invoice", "SINV-1", "1,000 USD"
		),
		tl.TimelineEvent(datetime(2026, 11, 1, 9, 30), tl.REMINDER, "RevOps Dunning Reminder", "R-1", "sent"),
		tl.TimelineEvent(tl.as_datetime(date(2026, 11, 20)), tl.PAYMENT, "Payment Entry", "PE-1", "paid"),
		tl.TimelineEvent(
			tl.as_datetime(date(2026, 11, 20)), tl.INVOICE, "Sales Invoice", "SINV-2", "500 USD"
		),
		tl.TimelineEvent(
			tl.as_datetime(date(2026, 11, 20)), tl.INVOICE, "Sales Invoice", "SINV-2", "500 USD"
		),
	]
	names = [e.name for e in tl.ordered(events)]
	# same moment: the invoice (earlier in KINDS) comes before the payment against it in reading order
	assert names == ["SINV-2", "PE-1", "R-1", "SINV-1"]
	assert [e.name for e in tl.ordered(events, limit=2)] == ["SINV-2", "PE-1"]


def test_rows_and_html_link_every_document_and_escape_text():
	event = tl.TimelineEvent(
		datetime(2026, 11, 2, 8, 0), tl.SURVEY, "CX Survey Response", "CXR-1", "NPS 2 <b>"
	)
	(row,) = tl.as_rows([event], url)
	assert row == {
		"when": "2026-11-02 08:00:00",
		"kind": "survey response",
		"doctype": "CX Survey Response",
		"name": "CXR-1",
		"summary": "NPS 2 <b>",
		"url": "/app/cx-survey-response/CXR-1",
		"external_url": "",
	}
	page = tl.render_html([event], url)
	assert "<a href='/app/cx-survey-response/CXR-1'>CXR-1</a>" in page and "NPS 2 &lt;b&gt;" in page
	with pytest.raises(ValueError):
		tl.TimelineEvent(datetime(2026, 1, 1), "gossip", "Note", "N-1", "")


def test_a_lead_handoff_row_links_to_its_record_and_to_hubspot():
	task = "https://app.hubspot.com/contacts/42/record/0-27/900?x=1&y=<2>"
	event = tl.TimelineEvent(
		datetime(2026, 11, 3, 10, 0),
		tl.HANDOFF,
		"RevOps Lead Handoff",
		"501:1",
		"lead Ann",
		external_url=task,
	)
	(row,) = tl.as_rows([event], url)
	assert row["url"] == "/app/revops-lead-handoff/501:1" and row["external_url"] == task
	page = tl.render_html([event], url)
	assert "href='https://app.hubspot.com/contacts/42/record/0-27/900?x=1&amp;y=&lt;2&gt;'" in page
	assert "target='_blank' rel='noopener noreferrer'" in page
	# only web links are rendered as links (never javascript: or a relative path from outside)
	bad = tl.TimelineEvent(event.when, tl.HANDOFF, "RevOps Lead Handoff", "501:2", "x", "javascript:alert(1)")
	assert "javascript" not in tl.render_html([bad], url)
