"""The demo's fixed vocabulary: industries, territories, titles, names, pages, item groups, stages, owners.

Pure data (plus the weighted draw tables built from it); generation is in dataset.py and records.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import accumulate

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
