"""Parsing HubSpot / ERPNext values into LeadSignals: lenient, exact where it matters, never raising."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from sidecar.scoring import build_company_signals, build_signals
from sidecar.scoring.signals import (
	industry_label,
	normalise_industry,
	parse_employees,
	parse_number,
	parse_ordinal,
	parse_timestamp,
)

T = datetime(2026, 11, 27, 10, 15, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("2026-11-27T10:15:00.000Z", T),  # HubSpot v3 datetime properties
		("2026-11-27T10:15:00Z", T),
		("2026-11-27T10:15:00+00:00", T),
		("2026-11-27T11:15:00+01:00", T),
		("2026-11-27 10:15:00.000000", T),  # ERPNext, naive -> UTC
		(str(int(T * 1000)), T),  # epoch milliseconds (v1 style)
		(int(T * 1000), T),
		(datetime(2026, 11, 27, 10, 15), T),
		("2026-11-27", datetime(2026, 11, 27, tzinfo=timezone.utc).timestamp()),
		(date(2026, 11, 27), datetime(2026, 11, 27, tzinfo=timezone.utc).timestamp()),
		("", None),
		(None, None),
		("yesterday", None),
		("2026-13-01T00:00:00Z", None),
	],
)
def test_parse_timestamp(value, expected):
	assert parse_timestamp(value) == expected


def test_parse_numbers_and_counts():
	assert parse_number("1,200") == 1200.0 and parse_number(" 5 ") == 5.0 and parse_number(7) == 7.0
	assert parse_number("nan") is None and parse_number("inf") is None and parse_number("abc") is None
	assert parse_number(True) is None and parse_number(None) is None and parse_number("") is None
	assert (
		parse_employees("250") == 250 and parse_employees("25-50") == 25 and parse_employees("1000+") == 1000
	)
	assert parse_employees("1,000-5,000") == 1000 and parse_employees("many") is None
	assert parse_ordinal("2027-01-29") == date(2027, 1, 29).toordinal()
	assert (
		parse_ordinal("2027-01-29 00:00:00") == date(2027, 1, 29).toordinal()
		and parse_ordinal("soon") is None
	)


def test_industry_keys_and_labels():
	assert (
		normalise_industry("COMPUTER_SOFTWARE")
		== normalise_industry("Computer Software")
		== "computer_software"
	)
	assert normalise_industry("Logistics & Supply-Chain") == "logistics_supply_chain"
	assert industry_label("INFORMATION_TECHNOLOGY_AND_SERVICES") == "Information Technology and Services"
	assert industry_label("Machinery") == "Machinery"


def test_build_signals_reads_objects_and_bare_property_maps():
	props = {
		"hs_object_id": "42",
		"firstname": "Ann",
		"lastname": "Lee",
		"email": "Ann@Acme.Example",
		"jobtitle": "  CTO ",
		"associatedcompanyid": "9",
		"hs_analytics_last_url": "https://www.vendor.example/Pricing",
		"revops_recent_page_urls": "https://www.vendor.example/demo; https://www.vendor.example/pricing\nhttps://www.vendor.example/blog",
		"hs_email_open": "3",
		"hs_email_last_open_date": "2026-11-27T10:15:00.000Z",
		"hs_email_click": "0",
		"numemployees": "25-50",
		"industry": "RETAIL",
	}
	as_object = build_signals({"id": "42", "properties": props})
	as_map = build_signals(props)
	assert as_object == as_map
	s = as_object
	assert (s.contact_id, s.company_id, s.name, s.email, s.title) == (
		"42",
		"9",
		"Ann Lee",
		"ann@acme.example",
		"CTO",
	)
	assert s.urls == (
		"https://www.vendor.example/blog",
		"https://www.vendor.example/demo",
		"https://www.vendor.example/pricing",
	)
	assert s.events == {"email_open": (3, T)}  # zero counts are no event
	assert (s.employees, s.industry, s.industry_label) == (25, "retail", "Retail")
	assert s.last_activity_iso == "2026-11-27T10:15:00+00:00" and not s.has_erp


def test_company_firmographics_win_over_the_contacts_own():
	contact = {"id": "1", "properties": {"industry": "RETAIL", "annualrevenue": "100", "numemployees": "1-5"}}
	company = {
		"id": "9",
		"properties": {
			"name": "Acme",
			"industry": "MACHINERY",
			"annualrevenue": "2000000",
			"numberofemployees": "80",
		},
	}
	s = build_signals(contact, company)
	assert (s.company_id, s.company_name, s.industry, s.annual_revenue, s.employees) == (
		"9",
		"Acme",
		"machinery",
		2e6,
		80,
	)
	c = build_company_signals(
		company, {"customer": "CUST-1", "territory": "EMEA", "currency": "EUR", "lifetime_revenue": 10.0}
	)
	assert (c.company_id, c.erp_customer, c.territory, c.has_erp, c.currency) == (
		"9",
		"CUST-1",
		"EMEA",
		True,
		"EUR",
	)
