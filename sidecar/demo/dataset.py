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

Domains use the reserved `.example` TLD, so no real company or person is named. The vocabulary is in
pools.py, the per-record builders in records.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

# the vocabulary stays importable from here (sidecar.demo.dataset.AS_OF, ...)
from sidecar.demo.pools import (
	_PROSPECT_STAGES,
	AS_OF,
	INDUSTRIES,
	ITEM_GROUPS,
	LEGAL,
	NAME_KINDS,
	NAME_STEMS,
	OWNERS,
	PAGES,
	TERRITORIES,
	TERRITORY_WEIGHTS,
	TITLES,
)
from sidecar.demo.records import _contact, _erp_record, _Gen, _iso_ms


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


__all__ = ["AS_OF", "DemoDataset", "generate", "primary_company_id"]
