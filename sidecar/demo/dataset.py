"""Deterministic synthetic data for `revops-sidecar demo`, the benchmarks and the tests.

Contract: `generate(seed=7, companies=2000)` returns a `DemoDataset` that is a pure function of its
arguments (only `random.Random(seed)` is used; no clock, no environment, no hash-order dependence), so
two calls give equal datasets and the demo prints the same leads everywhere. Shapes:

- `hubspot_companies` / `hubspot_contacts`: HubSpot CRM v3 objects (`SimplePublicObjectWithAssociations`:
  "id", "properties" (every value a string or None, as the API returns them), "createdAt", "updatedAt",
  "archived"; contacts carry "associations": {"companies": {"results": [{"id", "type"}]}}). Contact
  properties are `sidecar.scoring.CONTACT_PROPERTIES` (+ createdate, lastmodifieddate, hs_object_id), company
  properties `COMPANY_PROPERTIES` (+ the same three). About 2 % of contacts have no company.
- `hubspot_owners`: the owners API `PublicOwner` shape (id, email, firstName, lastName, userId,
  userIdIncludingInactive, createdAt, updatedAt, archived, type, teams[{id, name, primary}]); one owner is
  archived so routing can be seen to skip it. `owner_routing` says who covers which territories,
  industries (normalised keys) and product lines.
- `erp_records`: ERP signals records exactly as the app endpoint returns them (see the sidecar contract),
  in cursor order (modified, customer). They link to HubSpot companies by domain (and contact emails).
- `as_of`: the moment the data describes (fixed, 2026-11-30 12:00 UTC); score with it.

Domains use the reserved `.example` TLD, so no real company or person is named.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Any

AS_OF = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
SITE = "https://www.revops-demo.example"

# (HubSpot industry enum value, ERPNext Industry Type name, weight)
INDUSTRIES = [
	("COMPUTER_SOFTWARE", "Computer Software", 12),
	("INFORMATION_TECHNOLOGY_AND_SERVICES", "Information Technology and Services", 10),
	("MACHINERY", "Machinery", 10),
	("INDUSTRIAL_AUTOMATION", "Industrial Automation", 8),
	("ELECTRICAL_ELECTRONIC_MANUFACTURING", "Electrical Electronic Manufacturing", 6),
	("WHOLESALE", "Wholesale", 8),
	("RETAIL", "Retail", 8),
	("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain", 7),
	("CONSUMER_GOODS", "Consumer Goods", 5),
	("FOOD_PRODUCTION", "Food Production", 5),
	("AUTOMOTIVE", "Automotive", 5),
	("MEDICAL_DEVICES", "Medical Devices", 4),
	("CONSTRUCTION", "Construction", 4),
	("HIGHER_EDUCATION", "Higher Education", 3),
	("GOVERNMENT_ADMINISTRATION", "Government Administration", 2),
	("NON_PROFIT_ORGANIZATION_MANAGEMENT", "Non Profit Organization Management", 2),
	("HOSPITALITY", "Hospitality", 3),
]

# territory -> [(country, state/region, city, currency)]
TERRITORIES = {
	"North America": [
		("United States", "CA", "San Jose", "USD"),
		("United States", "TX", "Austin", "USD"),
		("United States", "IL", "Chicago", "USD"),
		("Canada", "ON", "Toronto", "USD"),
	],
	"EMEA": [
		("Germany", "BY", "Munich", "EUR"),
		("France", "IDF", "Paris", "EUR"),
		("United Kingdom", "ENG", "Manchester", "GBP"),
		("Netherlands", "NH", "Amsterdam", "EUR"),
	],
	"APAC": [
		("India", "MH", "Pune", "INR"),
		("Australia", "NSW", "Sydney", "USD"),
		("Singapore", "", "Singapore", "USD"),
	],
	"LATAM": [("Brazil", "SP", "Sao Paulo", "USD"), ("Mexico", "NL", "Monterrey", "USD")],
}
TERRITORY_WEIGHTS = {"North America": 40, "EMEA": 35, "APAC": 15, "LATAM": 10}

# (title, weight) - realistic spread, including the hard cases the title parser must get right.
TITLES = [
	("CEO", 3),
	("Founder & CEO", 2),
	("CTO", 3),
	("Chief Technology Officer", 2),
	("CFO", 3),
	("Chief Operating Officer", 2),
	("CIO", 2),
	("Managing Director", 2),
	("VP Engineering", 3),
	("VP Eng", 1),
	("Vice President of Sales", 3),
	("SVP Operations", 1),
	("Assistant Vice President, Finance", 1),
	("Director of IT", 4),
	("Director of Procurement", 3),
	("Head of Operations", 3),
	("Head of Supply Chain", 2),
	("IT Manager", 6),
	("Purchasing Manager", 4),
	("Operations Manager", 5),
	("Plant Manager", 3),
	("Finance Manager", 4),
	("Controller", 3),
	("Team Lead, ERP", 2),
	("Software Engineer", 8),
	("Sr. Software Engineer", 5),
	("Business Analyst", 6),
	("Accountant", 5),
	("Supply Chain Analyst", 4),
	("Senior Buyer", 3),
	("Product Owner", 3),
	("Executive Assistant to the CEO", 2),
	("Marketing Intern", 3),
	("Intern", 2),
	("Working Student", 1),
	("Chief of Staff", 1),
	("", 6),
]

FIRST_NAMES = (
	"Ada Alan Amara Ana Ben Bruno Carla Chen Dana David Elena Emil Fatima Femi Grace Hana Hugo Ines Ivan Jana "
	"Jonas Julia Kai Kenji Lara Leo Lina Luca Maya Mei Mila Nadia Noah Nora Omar Paula Priya Rafael Rosa Sam "
	"Sara Sofia Tariq Theo Uma Vera Wei Yara Yusuf Zoe"
).split()
LAST_NAMES = (
	"Adams Ahmed Alvarez Bauer Becker Bianchi Brown Chen Costa Dubois Evans Fischer Garcia Gupta Hansen Ito "
	"Jensen Khan Kim Kowalski Larsen Lee Lopez Martin Meyer Moreau Muller Nakamura Nguyen Novak Okafor Patel "
	"Perez Rossi Santos Schmidt Silva Singh Smith Suzuki Tanaka Taylor Torres Wagner Walker Weber Wilson Wong "
	"Yamamoto Zimmermann"
).split()
NAME_STEMS = (
	"Acme Apex Arc Aurora Beacon Birch Blue Bright Cedar Cobalt Crest Delta Ember Falcon Forge Granite Harbor "
	"Helix Iron Juniper Keystone Lumen Maple Meridian Nimbus Nord Northwind Oak Orbit Pioneer Prism Quartz "
	"Redwood Ridge Sierra Summit Terra Titan Union Vector Vista Willow Zenith"
).split()
NAME_KINDS = (
	"Robotics Systems Industries Logistics Software Analytics Foods Devices Machines Automation Works Trading "
	"Supply Components Labs Technologies Manufacturing Distribution Solutions"
).split()
LEGAL = ["Inc", "GmbH", "Ltd", "BV", "SAS", "Pvt Ltd", "LLC", "AG"]

PAGES = [
	("/", 20),
	("/blog/erp-automation", 10),
	("/blog/inventory-tips", 8),
	("/docs/getting-started", 6),
	("/pricing", 8),
	("/demo", 3),
	("/contact-sales", 2),
	("/integrations/erpnext", 5),
	("/case-studies/manufacturing", 4),
	("/services/implementation", 4),
	("/careers", 3),
]
# ERPNext item groups seen on quotations; the first four families are mapped to product lines by the
# default model, "Consumables" and "Products" are deliberately unmapped.
ITEM_GROUPS = [
	("Analytics", 6),
	("BI Licences", 3),
	("Automation", 6),
	("Controllers", 3),
	("Services", 5),
	("Implementation", 4),
	("Training", 2),
	("Hardware", 5),
	("Sensors", 4),
	("Spare Parts", 3),
	("Consumables", 4),
	("Products", 3),
]
LIFECYCLE = [
	("subscriber", 10),
	("lead", 45),
	("marketingqualifiedlead", 20),
	("salesqualifiedlead", 8),
	("opportunity", 7),
	("customer", 10),
]
CUSTOMER_GROUPS = [("Commercial", 80), ("Government", 5), ("Non Profit", 5), ("Individual", 10)]
FX_FROM_USD = {"USD": 1.0, "EUR": 0.93, "GBP": 0.79, "INR": 83.0}


def _weighted(items: list[tuple]) -> tuple[list[tuple], list[int]]:
	"""(items, cumulative weights) for `_Gen.pick`; the weight is each item's last element."""
	return items, list(accumulate(item[-1] for item in items))


_LIFECYCLE = _weighted(LIFECYCLE)
_PROSPECT_STAGES = _weighted([stage for stage in LIFECYCLE if stage[0] != "customer"])
_CUSTOMER_GROUPS = _weighted(CUSTOMER_GROUPS)

OWNERS = [
	# (first, last, team, territories, industries (HubSpot enum values), product lines)
	(
		"Alex",
		"Morgan",
		"Enterprise NA",
		["North America"],
		["COMPUTER_SOFTWARE", "INFORMATION_TECHNOLOGY_AND_SERVICES"],
		["Analytics"],
	),
	(
		"Jordan",
		"Blake",
		"Enterprise NA",
		["North America"],
		["MACHINERY", "INDUSTRIAL_AUTOMATION", "ELECTRICAL_ELECTRONIC_MANUFACTURING"],
		["Automation", "Hardware"],
	),
	("Casey", "Reed", "Enterprise NA", ["North America"], [], ["Services"]),
	("Sam", "Rivera", "Mid-Market NA", ["North America"], [], []),
	(
		"Charlie",
		"Hughes",
		"EMEA",
		["EMEA"],
		["MACHINERY", "INDUSTRIAL_AUTOMATION", "AUTOMOTIVE"],
		["Automation", "Hardware"],
	),
	(
		"Robin",
		"Schulz",
		"EMEA",
		["EMEA"],
		["COMPUTER_SOFTWARE", "WHOLESALE", "RETAIL"],
		["Analytics", "Services"],
	),
	("Elif", "Demir", "EMEA", ["EMEA"], [], []),
	("Ravi", "Iyer", "APAC", ["APAC"], [], ["Analytics", "Automation", "Services", "Hardware"]),
	("Mei", "Lin", "APAC", ["APAC"], [], []),
	("Lucia", "Ramos", "LATAM", ["LATAM"], [], []),
	("Pat", "Quinn", "Mid-Market NA", ["North America"], [], []),  # archived: must never be routed to
]


@dataclass
class DemoDataset:
	seed: int
	as_of: datetime
	hubspot_companies: list[dict[str, Any]]
	hubspot_contacts: list[dict[str, Any]]
	hubspot_owners: list[dict[str, Any]]
	owner_routing: list[dict[str, Any]]
	erp_records: list[dict[str, Any]]
	_companies_by_id: dict[str, dict] = field(default_factory=dict, repr=False)
	_erp_by_domain: dict[str, dict] = field(default_factory=dict, repr=False)
	_contacts_by_company: dict[str, list[dict]] = field(default_factory=dict, repr=False)

	def __post_init__(self) -> None:
		self._companies_by_id = {c["id"]: c for c in self.hubspot_companies}
		for record in self.erp_records:
			for domain in record["domains"]:
				self._erp_by_domain[domain] = record
		for contact in self.hubspot_contacts:
			company_id = primary_company_id(contact)
			if company_id is not None:
				self._contacts_by_company.setdefault(company_id, []).append(contact)

	def company(self, company_id: str | None) -> dict | None:
		return self._companies_by_id.get(company_id) if company_id else None

	def contacts_of(self, company_id: str) -> list[dict]:
		return self._contacts_by_company.get(company_id, [])

	def erp_for_company(self, company: dict | None) -> dict | None:
		"""The ERP record whose `domains` contain the company's domain (how the sync links them)."""
		if not company:
			return None
		domain = (company["properties"].get("domain") or "").lower()
		return self._erp_by_domain.get(domain)

	def scoring_inputs(self) -> list[tuple[dict, dict | None, dict | None]]:
		"""(contact, company, erp record) for every contact, in contact order."""
		rows = []
		for contact in self.hubspot_contacts:
			company = self.company(primary_company_id(contact))
			rows.append((contact, company, self.erp_for_company(company)))
		return rows


def primary_company_id(contact: dict) -> str | None:
	results = contact.get("associations", {}).get("companies", {}).get("results", [])
	return results[0]["id"] if results else None


def _iso_ms(moment: datetime) -> str:
	"""HubSpot's datetime property format: 2026-11-27T10:15:00.000Z."""
	# isoformat is several times faster than strftime; every moment here is UTC-aware ("+00:00" -> "Z").
	return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def _erp_modified(moment: datetime) -> str:
	return moment.isoformat(sep=" ", timespec="microseconds")[:-6]


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


def _owners() -> tuple[list[dict], list[dict]]:
	owners, routing = [], []
	teams = {}
	for i, (first, last, team, territories, industries, lines) in enumerate(OWNERS):
		team_id = teams.setdefault(team, str(310000 + len(teams)))
		archived = i == len(OWNERS) - 1
		owner_id = str(71000100 + i)
		created = AS_OF - timedelta(days=900 - 40 * i)
		owners.append(
			{
				"id": owner_id,
				"email": f"{first.lower()}.{last.lower()}@revops-demo.example",
				"firstName": first,
				"lastName": last,
				"userId": 9100100 + i,
				"userIdIncludingInactive": 9100100 + i,
				"createdAt": _iso_ms(created),
				"updatedAt": _iso_ms(created + timedelta(days=30)),
				"archived": archived,
				"type": "PERSON",
				"teams": [{"id": team_id, "name": team, "primary": True}],
			}
		)
		routing.append(
			{
				"owner_id": owner_id,
				"team": team,
				"territories": list(territories),
				"industries": [value.lower() for value in industries],
				"product_lines": list(lines),
			}
		)
	return owners, routing


def generate(seed: int = 7, companies: int = 2000) -> DemoDataset:
	"""Build the demo dataset; deterministic for (seed, companies)."""
	if companies < 1:
		raise ValueError("companies must be >= 1")
	g = _Gen(seed)
	r = g.rng
	owners, routing = _owners()
	active_owner_ids = [o["id"] for o in owners if not o["archived"]]
	territory_names = list(TERRITORY_WEIGHTS)
	# Cumulative weights, computed once: random.choices then skips re-summing them on every draw.
	territory_weights = list(accumulate(TERRITORY_WEIGHTS.values()))
	industry_weights = list(accumulate(w for _, _, w in INDUSTRIES))
	title_weights = list(accumulate(w for _, w in TITLES))
	page_paths = [p for p, _ in PAGES]
	page_weights = list(accumulate(w for _, w in PAGES))
	group_names = [n for n, _ in ITEM_GROUPS]
	group_weights = list(accumulate(w for _, w in ITEM_GROUPS))

	hs_companies: list[dict] = []
	hs_contacts: list[dict] = []
	erp_records: list[dict] = []
	used_names: set[str] = set()
	contact_seq = 0
	customer_seq = 0

	for i in range(companies):
		company_id = str(5100000001 + i)
		stem, kind = r.choice(NAME_STEMS), r.choice(NAME_KINDS)
		base_name = f"{stem} {kind}"
		if base_name in used_names:
			base_name = f"{base_name} {i + 1}"
		used_names.add(base_name)
		name = f"{base_name} {r.choice(LEGAL)}"
		domain = base_name.lower().replace(" ", "-") + ".example"
		hs_industry, erp_industry, _ = r.choices(INDUSTRIES, cum_weights=industry_weights)[0]
		territory = r.choices(territory_names, cum_weights=territory_weights)[0]
		country, state, city, currency = r.choice(TERRITORIES[territory])
		size = int(10 ** r.uniform(0.7, 4.3))  # 5 .. 20,000 employees, log-uniform
		revenue = int(size * r.uniform(60_000, 260_000) / 1000) * 1000
		created = g.ago(r.uniform(30, 1500))
		modified = g.ago(r.uniform(0, 30))
		is_customer = r.random() < 0.55
		props = {
			"name": name,
			"domain": domain,
			"industry": hs_industry if r.random() > 0.06 else None,
			"annualrevenue": str(revenue) if r.random() > 0.1 else None,
			"numberofemployees": str(size) if r.random() > 0.08 else None,
			"country": country,
			"state": state or None,
			"city": city,
			"hubspot_owner_id": r.choice(active_owner_ids) if r.random() < 0.3 else None,
			"lifecyclestage": "customer" if is_customer else g.pick(_PROSPECT_STAGES)[0],
			"createdate": _iso_ms(created),
			"hs_lastmodifieddate": _iso_ms(modified),
			"hs_object_id": company_id,
		}
		hs_companies.append(
			{
				"id": company_id,
				"properties": props,
				"createdAt": _iso_ms(created),
				"updatedAt": _iso_ms(modified),
				"archived": False,
			}
		)

		# Contacts: 1-6 per company, more at bigger companies.
		n_contacts = min(6, 1 + int(r.expovariate(1.0) * (1.2 + min(size, 5000) / 2500)))
		# Most accounts are quiet; about 4 % are in an active buying cycle (their people research hard).
		company_heat = r.uniform(0.8, 1.0) if r.random() < 0.04 else r.random() ** 2
		emails = []
		for _ in range(n_contacts):
			contact_seq += 1
			contact = _contact(
				g,
				contact_seq,
				company_id,
				name,
				domain,
				company_heat,
				title_weights,
				page_paths,
				page_weights,
			)
			if contact["properties"]["email"]:
				emails.append(contact["properties"]["email"])
			hs_contacts.append(contact)

		if is_customer:
			customer_seq += 1
			erp_records.append(
				_erp_record(
					g,
					customer_seq,
					name,
					domain,
					emails,
					territory,
					currency,
					erp_industry,
					size,
					group_names,
					group_weights,
				)
			)

	# A few contacts with no company association (freelancers, personal e-mail addresses).
	for _ in range(max(1, companies // 50)):
		contact_seq += 1
		contact = _contact(
			g, contact_seq, None, "", "mail.example", r.random() ** 2, title_weights, page_paths, page_weights
		)
		hs_contacts.append(contact)

	erp_records.sort(key=lambda rec: (rec["modified"], rec["customer"]))
	return DemoDataset(seed, AS_OF, hs_companies, hs_contacts, owners, routing, erp_records)


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
		"open_invoice_count": open_count,
		"open_amount": open_amount,
		"overdue_invoice_count": overdue_count,
		"overdue_amount": overdue_amount,
		"max_days_overdue": max_days,
		"contract_end_date": contract_end,
		"quotation_item_groups": dict(sorted(quotes.items())),
		"open_opportunity_count": int(r.expovariate(2.0)),
		"open_issue_count": open_issues,
		"issues_last_90d": open_issues + int(r.expovariate(1.5)),
	}


__all__ = ["AS_OF", "DemoDataset", "generate", "primary_company_id"]
