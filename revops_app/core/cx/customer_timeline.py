"""One customer, one ordered picture: invoices, payments, reminders, promises, disputes, survey responses,
service-recovery Issues and escalations in a single timeline.

Contract: pure functions over plain values; never imports frappe or erpnext. The glue
(`revops_app.customer_experience.customer_timeline`) reads the rows in one statement per source and passes a
`url_for(doctype, name)` (frappe.utils.get_url_to_form: /app on v15, /desk on v16) for the links.
- `TimelineEvent`: when, kind (one of KINDS), the document (doctype, name), a one-line summary, and for a
  record that points outside ERPNext (a lead handoff: the HubSpot task or contact) its `external_url`.
- `ordered(events, limit)`: newest first (ties: kind order, then name, so the order is stable), at most `limit`.
- `as_rows(events, url_for)`: dicts for the feed, the report and the Customer form (`url` is the document's desk
  address, `external_url` the outside link or "").
- `render_html(events, url_for)`: a small HTML table for the Customer form, every value escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

INVOICE, PAYMENT, REMINDER, PROMISE, DISPUTE = "invoice", "payment", "reminder", "promise", "dispute"
SURVEY, RECOVERY, ESCALATION, HANDOFF = "survey response", "recovery issue", "escalation", "lead handoff"
KINDS = (INVOICE, PAYMENT, REMINDER, PROMISE, DISPUTE, SURVEY, RECOVERY, ESCALATION, HANDOFF)
DEFAULT_LIMIT = 100

UrlFor = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
	when: datetime
	kind: str
	doctype: str
	name: str
	summary: str
	external_url: str = ""

	def __post_init__(self) -> None:
		if self.kind not in KINDS:
			raise ValueError(f"unknown timeline kind {self.kind!r}")


def as_datetime(value: date | datetime) -> datetime:
	"""Dates (posting dates) sort at the start of their day, next to datetimes."""
	if isinstance(value, datetime):
		return value.replace(tzinfo=None)
	return datetime.combine(value, time.min)


def ordered(events: Iterable[TimelineEvent], limit: int = DEFAULT_LIMIT) -> list[TimelineEvent]:
	rank = {kind: index for index, kind in enumerate(KINDS)}
	unique = {(e.kind, e.doctype, e.name, e.when): e for e in events}
	items = sorted(unique.values(), key=lambda e: (e.when, -rank[e.kind], e.name), reverse=True)
	return items[: max(limit, 0)]


def as_rows(events: Iterable[TimelineEvent], url_for: UrlFor) -> list[dict[str, str]]:
	return [
		{
			"when": e.when.isoformat(sep=" ", timespec="seconds"),
			"kind": e.kind,
			"doctype": e.doctype,
			"name": e.name,
			"summary": e.summary,
			"url": url_for(e.doctype, e.name),
			"external_url": e.external_url,
		}
		for e in events
	]


def render_html(events: Iterable[TimelineEvent], url_for: UrlFor) -> str:
	esc = html.escape
	lines = [
		"<table class='table table-condensed revops-customer-timeline'>",
		"<thead><tr><th>When</th><th>What</th><th>Document</th><th>Summary</th></tr></thead><tbody>",
	]
	for e in events:
		lines.append(
			f"<tr><td>{esc(e.when.strftime('%Y-%m-%d %H:%M'))}</td><td>{esc(e.kind)}</td>"
			f"<td><a href='{esc(url_for(e.doctype, e.name), quote=True)}'>{esc(e.name)}</a></td>"
			f"<td>{esc(e.summary)}{_external(e)}</td></tr>"
		)
	lines.append("</tbody></table>")
	return "".join(lines)


def _external(e: TimelineEvent) -> str:
	if not e.external_url.lower().startswith(("https://", "http://")):
		return ""
	href = html.escape(e.external_url, quote=True)
	return f" <a href='{href}' target='_blank' rel='noopener noreferrer'>open in HubSpot</a>"
