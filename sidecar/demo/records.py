"""One synthetic record at a time: a HubSpot contact (properties, activity, association) and an ERP signals record."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sidecar.demo.pools import (
	_CUSTOMER_GROUPS,
	_LIFECYCLE,
	AS_OF,
	FIRST_NAMES,
	FX_FROM_USD,
	LAST_NAMES,
	SITE,
	TITLES,
)


def _iso_ms(moment: datetime) -> str:
	"""HubSpot's datetime property format: 2026-11-27T10:15:00.000Z."""
	# isoformat is several times faster than strftime; every moment here is UTC-aware ("+00:00" -> "Z").
	return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def _erp_modified(moment: datetime) -> str:
	return moment.isoformat(sep=" ", timespec="microseconds")[:-6]


def _contact(
	g: _Gen,
	seq: int,
	company_id: str | None,
	company_name: str,
	domain: str,
	company_heat: float,
	title_weights: list[int],
	page_paths: list[str],
	page_weights: list[int],
) -> dict:
	r = g.rng
	contact_id = str(1200000000 + seq)
	first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
	title = r.choices(TITLES, cum_weights=title_weights)[0][0]
	# A contact's heat follows its account's (people of an in-market account research together).
	heat = min(1.0, max(0.6 * company_heat + 0.4 * r.random() ** 2, company_heat - 0.2 * r.random()))
	created = g.ago(r.uniform(20, 1200))
	props: dict[str, str | None] = {
		"email": f"{first.lower()}.{last.lower()}{seq % 97}@{domain}",
		"firstname": first,
		"lastname": last,
		"jobtitle": title or None,
		"company": company_name or None,
		"industry": None,
		"annualrevenue": None,
		"numemployees": None,
		"country": None,
		"state": None,
		"hubspot_owner_id": None,
		"lifecyclestage": g.pick(_LIFECYCLE)[0],
		"hs_lead_status": r.choice(["NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", None]),
		"associatedcompanyid": company_id,
		"createdate": _iso_ms(created),
		"hs_object_id": contact_id,
	}
	# Web activity: hotter contacts visit more and more recently (mean age ~150 days cold, ~2 days hot).
	coldness = (1 - heat) ** 2
	visits = int(r.expovariate(1.0) * (1 + 12 * heat))
	if visits:
		last_visit = g.ago(r.expovariate(1.0 / (1 + 150 * coldness)))
		views = visits + int(r.expovariate(1.0) * visits * 2)
		pages = r.choices(page_paths, cum_weights=page_weights, k=min(5, 1 + visits // 2))
		props["hs_analytics_num_visits"] = str(visits)
		props["hs_analytics_num_page_views"] = str(views)
		props["hs_analytics_last_visit_timestamp"] = _iso_ms(last_visit)
		props["hs_analytics_last_url"] = SITE + pages[-1]
		props["hs_analytics_first_url"] = SITE + pages[0]
		props["revops_recent_page_urls"] = ";".join(SITE + p for p in sorted(set(pages)))
		pricing = sum(1 for p in pages if p == "/pricing") + (
			int(r.expovariate(1.0) * 4 * heat) if heat > 0.3 else 0
		)
		if pricing:
			props["revops_pricing_page_views"] = str(pricing)
			props["revops_pricing_page_last_visit"] = _iso_ms(last_visit - timedelta(hours=r.randint(0, 72)))
		service = sum(1 for p in pages if p.startswith("/services")) + (
			1 if heat > 0.5 and r.random() < 0.5 else 0
		)
		if service:
			props["revops_service_page_views"] = str(service)
			props["revops_service_page_last_visit"] = _iso_ms(last_visit - timedelta(hours=r.randint(0, 240)))
	if r.random() < 0.15 + 0.4 * heat:
		props["revops_webinars_attended"] = str(1 + int(r.expovariate(2.0)))
		props["revops_webinar_last_attended"] = _iso_ms(
			g.ago(r.uniform(1, 10 + 190 * coldness)).replace(hour=16, minute=0, second=0, microsecond=0)
		)
	opens = int(r.expovariate(1.0) * (1 + 8 * heat))
	if opens:
		props["hs_email_open"] = str(opens)
		props["hs_email_last_open_date"] = _iso_ms(g.ago(r.expovariate(1.0 / (2 + 120 * coldness))))
		clicks = int(opens * r.random() * heat)
		if clicks:
			props["hs_email_click"] = str(clicks)
			props["hs_email_last_click_date"] = _iso_ms(g.ago(r.expovariate(1.0 / (3 + 120 * coldness))))
		if r.random() < 0.1 * heat:
			props["hs_email_replied"] = "1"
			props["hs_email_last_reply_date"] = _iso_ms(g.ago(r.uniform(0, 60)))
	if r.random() < 0.1 + 0.3 * heat:
		props["num_conversion_events"] = str(1 + int(r.expovariate(1.5)))
		props["recent_conversion_date"] = _iso_ms(g.ago(r.uniform(0, 20 + 380 * coldness)))
	for key in ("hs_analytics_num_page_views", "hs_analytics_num_visits", "hs_email_open", "hs_email_click"):
		props.setdefault(key, "0")
	# Same fixed-width format everywhere, so the latest timestamp is the greatest string.
	last_modified = max(v for v in props.values() if v and len(v) == 24 and v.endswith("Z"))
	props["lastmodifieddate"] = last_modified
	contact: dict[str, Any] = {
		"id": contact_id,
		"properties": props,
		"createdAt": _iso_ms(created),
		"updatedAt": last_modified,
		"archived": False,
	}
	contact["associations"] = {
		"companies": {"results": [{"id": company_id, "type": "contact_to_company"}] if company_id else []}
	}
	return contact


def _erp_record(
	g: _Gen,
	seq: int,
	name: str,
	domain: str,
	emails: list[str],
	territory: str,
	currency: str,
	industry: str,
	size: int,
	group_names: list[str],
	group_weights: list[int],
) -> dict:
	r = g.rng
	fx = FX_FROM_USD[currency]
	today = AS_OF.date()
	invoices = int(r.expovariate(1.0) * (2 + min(size, 5000) / 400)) if r.random() > 0.1 else 0
	lifetime = 0.0
	first_invoice = last_invoice = None
	open_count = overdue_count = max_days = 0
	open_amount = overdue_amount = 0.0
	if invoices:
		avg = r.uniform(800, 9000) * (1 + min(size, 5000) / 1000)
		lifetime = round(invoices * avg * fx, 2)
		first_invoice = today - timedelta(days=r.randint(60, 1400))
		last_invoice = min(today, first_invoice + timedelta(days=r.randint(0, (today - first_invoice).days)))
		open_count = min(invoices, int(r.expovariate(1.2)))
		if open_count:
			open_amount = round(open_count * avg * r.uniform(0.5, 1.2) * fx, 2)
			if r.random() < 0.45:
				overdue_count = r.randint(1, open_count)
				overdue_amount = round(open_amount * overdue_count / open_count, 2)
				max_days = r.choice([3, 12, 25, 38, 47, 66, 95, 140])
	contract_end = None
	if r.random() < 0.35:
		contract_end = (today + timedelta(days=r.randint(1, 540))).isoformat()
	quotes: dict[str, int] = {}
	for _ in range(int(r.expovariate(0.7))):
		group = r.choices(group_names, cum_weights=group_weights)[0]
		quotes[group] = quotes.get(group, 0) + r.randint(1, 4)
	open_issues = int(r.expovariate(2.5))
	modified = g.ago(r.uniform(0, 400))
	payment = _payment_behaviour(seq, invoices, overdue_count)
	oldest_due = None
	if open_count:
		oldest_due = (today - timedelta(days=max_days if overdue_count else -14)).isoformat()
	return {
		"customer": f"CUST-{seq:05d}",
		"customer_name": name,
		"modified": _erp_modified(modified),
		"disabled": r.random() < 0.02,
		"customer_group": g.pick(_CUSTOMER_GROUPS)[0],
		"territory": territory,
		"industry": industry if r.random() > 0.15 else None,
		"emails": sorted(e.lower() for e in emails),
		"domains": [domain.lower()],
		"currency": currency,
		"lifetime_revenue": lifetime,
		"first_invoice_date": first_invoice.isoformat() if first_invoice else None,
		"last_invoice_date": last_invoice.isoformat() if last_invoice else None,
		# outcomes (no random draws, so the rest of the dataset is unchanged): the first invoice as first order
		"first_order": {
			"doctype": "Sales Invoice",
			"name": f"SINV-{seq:05d}-1",
			"date": first_invoice.isoformat(),
			"amount": round(lifetime / invoices, 2),
		}
		if first_invoice
		else None,
		"handoff_orders": [],  # the demo's ERPNext has recorded no handoffs
		"open_invoice_count": open_count,
		"open_amount": open_amount,
		"overdue_invoice_count": overdue_count,
		"overdue_amount": overdue_amount,
		"max_days_overdue": max_days,
		"oldest_due_date": oldest_due,
		"account_manager": _demo_user("am", seq) if seq % 3 == 0 else None,
		"collector": _demo_user("ar", seq % 4) if open_count else None,
		"contract_end_date": contract_end,
		"quotation_item_groups": dict(sorted(quotes.items())),
		"open_opportunity_count": int(r.expovariate(2.0)),
		"open_issue_count": open_issues,
		"issues_last_90d": open_issues + int(r.expovariate(1.5)),
		**payment,
	}


def _demo_user(role: str, n: int) -> str:
	return f"{role}{n % 7}@finance.example"


def _payment_behaviour(seq: int, invoices: int, overdue_count: int) -> dict:
	# Own generator (a str seed is stable across processes), so the rest of the dataset is unchanged.
	r = random.Random(f"payment-{seq}")
	paid = min(invoices, int(r.expovariate(0.3))) if invoices else 0
	average = trend = None
	if paid:
		average = round(r.uniform(5, 45) + overdue_count * 8, 1)
		if paid >= 2:
			trend = round(r.gauss(2 * overdue_count, 6), 1)
	late = overdue_count > 0
	return {
		"payment_window_days": 365,
		"paid_invoice_count": paid,
		"avg_days_to_pay": average,
		"days_to_pay_trend": trend,
		"failed_payment_count": int(r.expovariate(3.0 if late else 8.0)) if paid else 0,
		"broken_promise_count": int(r.expovariate(2.5)) if late else 0,
		"dispute_count": int(r.expovariate(9.0)) if paid else 0,
	}


class _Gen:
	def __init__(self, seed: int) -> None:
		self.rng = random.Random(seed)
		r = self.rng
		self.choices = r.choices

	def pick(self, table: tuple[list[tuple], list[int]]) -> tuple:
		"""One weighted draw from a `_weighted(...)` table."""
		items, cum = table
		return self.choices(items, cum_weights=cum)[0]

	def ago(self, days: float) -> datetime:
		return AS_OF - timedelta(seconds=int(days * 86400))
