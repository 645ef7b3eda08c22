"""Scoring inputs: which HubSpot properties are read, and how a contact/company/ERP record becomes LeadSignals.

Contract:
- `CONTACT_PROPERTIES` / `COMPANY_PROPERTIES` are the HubSpot property names the sync must request. Names
  without a prefix are HubSpot default properties; names prefixed `revops_` are custom properties the
  customer fills from their own tracking (see README.md, "Properties to map").
- `build_signals(contact, company, erp, as_of)` and `build_company_signals(company, erp, as_of)` turn raw
  records into a `LeadSignals`: plain numbers, normalised strings and epoch-second timestamps. They do not
  depend on a model configuration, so one LeadSignals can be scored by any `ScoringModel`.
- Parsing is lenient and never raises on bad values from HubSpot or ERPNext: an unparseable number or
  timestamp is treated as missing (it earns no points), so one bad record cannot stop a sync.
- Behaviour events use a fixed vocabulary (`EVENT_SOURCES`): the model config names events, the code owns
  the mapping from HubSpot properties to events.
- The value parsers live in parse.py (re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# the parsers are re-exported: callers import them from here
from sidecar.scoring.parse import (
	_count as count_value,
)
from sidecar.scoring.parse import (
	epoch_seconds,
	industry_label,
	normalise_industry,
	parse_employees,
	parse_number,
	parse_ordinal,
	parse_timestamp,
)

# event name -> (count property, timestamp property). The model config refers to events by name.
EVENT_SOURCES: dict[str, tuple[str, str]] = {
	"page_views": ("hs_analytics_num_page_views", "hs_analytics_last_visit_timestamp"),
	"site_visits": ("hs_analytics_num_visits", "hs_analytics_last_visit_timestamp"),
	"pricing_page": ("revops_pricing_page_views", "revops_pricing_page_last_visit"),
	"service_page": ("revops_service_page_views", "revops_service_page_last_visit"),
	"webinar": ("revops_webinars_attended", "revops_webinar_last_attended"),
	"email_open": ("hs_email_open", "hs_email_last_open_date"),
	"email_click": ("hs_email_click", "hs_email_last_click_date"),
	"email_reply": ("hs_email_replied", "hs_email_last_reply_date"),
	"form_submission": ("num_conversion_events", "recent_conversion_date"),
}

_EVENT_ROWS = tuple((name, count_key, time_key) for name, (count_key, time_key) in EVENT_SOURCES.items())

# Recent page URLs from the customer's tracking, separated by ";" / newlines / spaces (custom property).
RECENT_URLS_PROPERTY = "revops_recent_page_urls"

CONTACT_PROPERTIES: tuple[str, ...] = (
	"email",
	"firstname",
	"lastname",
	"jobtitle",
	"company",
	"industry",
	"annualrevenue",
	"numemployees",
	"country",
	"state",
	"hubspot_owner_id",
	"lifecyclestage",
	"hs_lead_status",
	"associatedcompanyid",
	"hs_analytics_last_url",
	"hs_analytics_first_url",
	RECENT_URLS_PROPERTY,
	*dict.fromkeys(prop for pair in EVENT_SOURCES.values() for prop in pair),
)

COMPANY_PROPERTIES: tuple[str, ...] = (
	"name",
	"domain",
	"industry",
	"annualrevenue",
	"numberofemployees",
	"country",
	"state",
	"city",
	"hubspot_owner_id",
	"lifecyclestage",
)

_URL_SPLIT = re.compile(r"[;\s,]+")


@dataclass(slots=True)
class LeadSignals:
	"""Everything the model reads about one contact (or one company), already parsed.

	Timestamps are epoch seconds (float, UTC) or None; dates are proleptic ordinals or None.
	`events` maps an event name from EVENT_SOURCES to (count, last_event_epoch_seconds or None).
	"""

	contact_id: str | None = None
	company_id: str | None = None
	erp_customer: str | None = None
	name: str = ""
	email: str = ""
	company_name: str = ""
	title: str = ""
	industry: str = ""  # normalised key, e.g. "computer_software"
	industry_label: str = ""  # as written at the source
	annual_revenue: float | None = None
	employees: int | None = None
	country: str = ""
	urls: tuple[str, ...] = ()  # lower-case, deduplicated, sorted
	last_visit: float | None = None
	events: dict[str, tuple[int | float, float | None]] = field(default_factory=dict)
	last_activity_iso: str | None = None  # set by build_signals (ISO 8601 UTC of `last_activity`)
	# ERP enrichment (from the ERP signals record); has_erp is False when there is no record or it is disabled.
	has_erp: bool = False
	erp_disabled: bool = False
	currency: str = ""
	lifetime_revenue: float = 0.0
	last_invoice_ordinal: int | None = None
	open_invoice_count: int = 0
	open_amount: float = 0.0
	overdue_invoice_count: int = 0
	overdue_amount: float = 0.0
	max_days_overdue: int = 0
	contract_end_ordinal: int | None = None
	quotation_item_groups: tuple[tuple[str, int], ...] = ()
	open_opportunity_count: int = 0
	open_issue_count: int = 0
	issues_last_90d: int = 0
	# payment behaviour over the record's payment window (revops_app.core.collections.payment_behaviour)
	avg_days_to_pay: float | None = None
	days_to_pay_trend: float | None = None  # positive = paying slower than earlier in the window
	failed_payment_count: int = 0
	broken_promise_count: int = 0
	dispute_count: int = 0
	territory: str = ""
	customer_group: str = ""

	@property
	def last_activity(self) -> datetime | None:
		"""Latest timestamp among visits and behaviour events (for task bodies and reports)."""
		latest = self.last_visit
		for _count, ts in self.events.values():
			if ts is not None and (latest is None or ts > latest):
				latest = ts
		return None if latest is None else datetime.fromtimestamp(latest, tz=timezone.utc)


def _properties(record: dict | None) -> tuple[dict, str | None]:
	"""Accept a HubSpot object ({"id", "properties": {...}}) or a bare properties map."""
	if not record:
		return {}, None
	props = record.get("properties")
	if isinstance(props, dict):
		return props, str(record.get("id") or props.get("hs_object_id") or "") or None
	return record, str(record.get("id") or record.get("hs_object_id") or "") or None


def _apply_firmographics(signals: LeadSignals, props: dict, employees_key: str) -> None:
	if not signals.industry and props.get("industry"):
		raw = str(props["industry"])  # the memoised helpers need a hashable value
		signals.industry_label = industry_label(raw)
		signals.industry = normalise_industry(raw)
	if signals.annual_revenue is None:
		signals.annual_revenue = parse_number(props.get("annualrevenue"))
	if signals.employees is None:
		signals.employees = parse_employees(props.get(employees_key))
	if not signals.country and props.get("country"):
		signals.country = str(props["country"])


def _apply_erp(signals: LeadSignals, erp: dict | None) -> None:
	if not erp:
		return
	signals.erp_customer = erp.get("customer")
	signals.erp_disabled = bool(erp.get("disabled"))
	signals.territory = erp.get("territory") or ""
	signals.customer_group = erp.get("customer_group") or ""
	if not signals.industry and erp.get("industry"):
		raw = str(erp["industry"])
		signals.industry_label = industry_label(raw)
		signals.industry = normalise_industry(raw)
	if signals.erp_disabled:
		# A disabled ERPNext customer contributes no ERP points (see README): has_erp stays False.
		return
	signals.has_erp = True
	signals.currency = str(erp.get("currency") or "")
	signals.lifetime_revenue = parse_number(erp.get("lifetime_revenue")) or 0.0
	signals.last_invoice_ordinal = parse_ordinal(erp.get("last_invoice_date"))
	signals.open_invoice_count = int(count_value(erp.get("open_invoice_count")))
	signals.open_amount = float(count_value(erp.get("open_amount")))
	signals.overdue_invoice_count = int(count_value(erp.get("overdue_invoice_count")))
	signals.overdue_amount = float(count_value(erp.get("overdue_amount")))
	signals.max_days_overdue = int(count_value(erp.get("max_days_overdue")))
	signals.contract_end_ordinal = parse_ordinal(erp.get("contract_end_date"))
	groups = erp.get("quotation_item_groups") or {}
	if isinstance(groups, dict):
		signals.quotation_item_groups = tuple(
			sorted((str(k), int(count_value(v))) for k, v in groups.items() if count_value(v) > 0)
		)
	signals.open_opportunity_count = int(count_value(erp.get("open_opportunity_count")))
	signals.open_issue_count = int(count_value(erp.get("open_issue_count")))
	signals.issues_last_90d = int(count_value(erp.get("issues_last_90d")))
	signals.avg_days_to_pay = parse_number(erp.get("avg_days_to_pay"))
	signals.days_to_pay_trend = parse_number(erp.get("days_to_pay_trend"))
	signals.failed_payment_count = int(count_value(erp.get("failed_payment_count")))
	signals.broken_promise_count = int(count_value(erp.get("broken_promise_count")))
	signals.dispute_count = int(count_value(erp.get("dispute_count")))


def build_signals(
	contact: dict, company: dict | None = None, erp: dict | None = None, as_of: datetime | None = None
) -> LeadSignals:
	"""One contact (+ its primary company and the ERP record of that company) -> LeadSignals.

	Firmographics come from the company first, then the contact's own properties, then the ERP record.
	`as_of` is accepted for the contract's symmetry; parsing does not depend on it (decay happens in score()).
	"""
	props, contact_id = _properties(contact)
	company_props, company_id = _properties(company)
	if company_id is None and props.get("associatedcompanyid"):
		company_id = str(props["associatedcompanyid"])
	first = props.get("firstname") or ""
	last = props.get("lastname") or ""
	signals = LeadSignals(
		contact_id=contact_id,
		company_id=company_id,
		name=f"{first} {last}".strip(),
		email=(props.get("email") or "").lower(),
		company_name=company_props.get("name") or props.get("company") or "",
		title=(props.get("jobtitle") or "").strip(),
	)
	if company_props:
		_apply_firmographics(signals, company_props, "numberofemployees")
	_apply_firmographics(signals, props, "numemployees")

	urls: set[str] = set()
	for key in ("hs_analytics_last_url", RECENT_URLS_PROPERTY):
		raw = props.get(key)
		if raw:
			urls.update(u for u in _URL_SPLIT.split(str(raw).lower()) if u)
	signals.urls = tuple(sorted(urls))
	signals.last_visit = parse_timestamp(props.get("hs_analytics_last_visit_timestamp"))

	events = signals.events
	get = props.get
	for name, count_key, time_key in _EVENT_ROWS:
		raw = get(count_key)
		if raw is None or raw == "0" or raw == "":
			continue
		count = count_value(raw)
		if count:
			events[name] = (count, parse_timestamp(get(time_key)))
	_apply_erp(signals, erp)
	last = signals.last_activity
	signals.last_activity_iso = last.isoformat() if last is not None else None
	return signals


def build_company_signals(
	company: dict, erp: dict | None = None, as_of: datetime | None = None
) -> LeadSignals:
	"""A company alone (firmographics + ERP record) -> LeadSignals, for `ScoringModel.score_company`."""
	props, company_id = _properties(company)
	signals = LeadSignals(
		company_id=company_id, company_name=props.get("name") or "", name=props.get("name") or ""
	)
	_apply_firmographics(signals, props, "numberofemployees")
	_apply_erp(signals, erp)
	return signals
