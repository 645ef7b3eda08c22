"""The demo dataset: deterministic for a seed, ERP records exactly in the contract's shape, HubSpot objects
in the shapes the OpenAPI specs (tests/reference/hubspot/specs) describe, and links that hold together."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime

import pytest

from sidecar.demo.dataset import AS_OF, generate, primary_company_id
from sidecar.scoring import COMPANY_PROPERTIES, CONTACT_PROPERTIES
from tests.conftest import REPO_ROOT

# The ERP signals record of the sidecar contract: key -> allowed types.
ERP_RECORD = {
	"customer": (str,),
	"customer_name": (str,),
	"modified": (str,),
	"disabled": (bool,),
	"customer_group": (str, type(None)),
	"territory": (str, type(None)),
	"industry": (str, type(None)),
	"emails": (list,),
	"domains": (list,),
	"currency": (str,),
	"lifetime_revenue": (float,),
	"first_invoice_date": (str, type(None)),
	"last_invoice_date": (str, type(None)),
	"open_invoice_count": (int,),
	"open_amount": (float,),
	"overdue_invoice_count": (int,),
	"overdue_amount": (float,),
	"max_days_overdue": (int,),
	"oldest_due_date": (str, type(None)),
	"account_manager": (str, type(None)),
	"collector": (str, type(None)),
	"contract_end_date": (str, type(None)),
	"quotation_item_groups": (dict,),
	"open_opportunity_count": (int,),
	"open_issue_count": (int,),
	"issues_last_90d": (int,),
	# payment behaviour (revops_app.core.collections.payment_behaviour.RECORD_KEYS)
	"payment_window_days": (int,),
	"paid_invoice_count": (int,),
	"avg_days_to_pay": (float, type(None)),
	"days_to_pay_trend": (float, type(None)),
	"failed_payment_count": (int,),
	"broken_promise_count": (int,),
	"dispute_count": (int,),
	# outcomes (revops_app/revops/signals/first_orders.py)
	"first_order": (dict, type(None)),
	"handoff_orders": (list,),
}
EXTRA_HUBSPOT_PROPERTIES = {"createdate", "lastmodifieddate", "hs_lastmodifieddate", "hs_object_id"}


@pytest.fixture(scope="module")
def data():
	return generate()


def test_same_seed_same_data_other_seed_other_data(data):
	again = generate()
	assert json.dumps(again.__dict__, default=str, sort_keys=True) == json.dumps(
		data.__dict__, default=str, sort_keys=True
	)
	other = generate(seed=8)
	assert other.hubspot_contacts != data.hubspot_contacts and other.erp_records != data.erp_records


def test_deterministic_across_processes_with_different_hash_seeds():
	# Set iteration order depends on PYTHONHASHSEED; the dataset must not.
	script = "import json,sys; from sidecar.demo.dataset import generate; d=generate(seed=3, companies=150); sys.stdout.write(json.dumps([d.hubspot_contacts, d.erp_records, d.hubspot_companies]))"
	outputs = set()
	for hash_seed in ("1", "2"):
		done = subprocess.run(
			[sys.executable, "-c", script],
			cwd=REPO_ROOT,
			env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"},
			capture_output=True,
			text=True,
			check=True,
		)
		outputs.add(done.stdout)
	assert len(outputs) == 1


def test_sizes(data):
	assert len(data.hubspot_companies) == 2000
	assert 4000 <= len(data.hubspot_contacts) <= 8000  # ~2 per company
	assert 900 <= len(data.erp_records) <= 1300  # ~55 % of companies are ERPNext customers
	assert data.as_of == AS_OF and data.as_of.tzinfo is not None
	small = generate(seed=1, companies=10)
	assert len(small.hubspot_companies) == 10
	with pytest.raises(ValueError):
		generate(companies=0)


def test_erp_records_match_the_contract_exactly(data):
	for record in data.erp_records:
		assert set(record) == set(ERP_RECORD), record["customer"]
		for key, types in ERP_RECORD.items():
			assert isinstance(record[key], types), (record["customer"], key, record[key])
		datetime.strptime(record["modified"], "%Y-%m-%d %H:%M:%S.%f")
		for key in ("first_invoice_date", "last_invoice_date", "contract_end_date"):
			if record[key] is not None:
				date.fromisoformat(record[key])
		assert all(e == e.lower() and "@" in e for e in record["emails"])
		assert all(d == d.lower() for d in record["domains"])
		assert all(
			isinstance(k, str) and isinstance(v, int) and v > 0
			for k, v in record["quotation_item_groups"].items()
		)
		# internal consistency an ERPNext ledger would have
		assert 0 <= record["overdue_invoice_count"] <= record["open_invoice_count"]
		assert 0 <= record["overdue_amount"] <= record["open_amount"] + 0.01
		assert (record["max_days_overdue"] > 0) == (record["overdue_invoice_count"] > 0)
		assert (record["lifetime_revenue"] > 0) == (record["first_invoice_date"] is not None)
		if record["first_invoice_date"]:
			assert record["first_invoice_date"] <= record["last_invoice_date"] <= AS_OF.date().isoformat()
		if record["contract_end_date"]:
			assert record["contract_end_date"] > AS_OF.date().isoformat()  # nearest *future* end date


def test_erp_records_are_in_cursor_order_with_unique_names(data):
	keys = [(r["modified"], r["customer"]) for r in data.erp_records]
	assert keys == sorted(keys)
	assert len({r["customer"] for r in data.erp_records}) == len(data.erp_records)


def _required(spec: dict, schema: str) -> list[str]:
	return spec["components"]["schemas"][schema]["required"]


def test_hubspot_objects_have_the_spec_shape(data, hubspot_specs):
	contact_required = _required(hubspot_specs["crm_contacts_v3"], "SimplePublicObjectWithAssociations")
	company_required = _required(hubspot_specs["crm_companies_v3"], "SimplePublicObjectWithAssociations")
	assoc_required = _required(hubspot_specs["crm_contacts_v3"], "AssociatedId")
	allowed_contact = set(CONTACT_PROPERTIES) | EXTRA_HUBSPOT_PROPERTIES
	allowed_company = set(COMPANY_PROPERTIES) | EXTRA_HUBSPOT_PROPERTIES
	for contact in data.hubspot_contacts:
		assert set(contact_required) <= set(contact)
		assert contact["id"] == contact["properties"]["hs_object_id"] and contact["id"].isdigit()
		assert set(contact["properties"]) <= allowed_contact
		assert all(
			v is None or isinstance(v, str) for v in contact["properties"].values()
		)  # the API sends strings
		for assoc in contact["associations"]["companies"]["results"]:
			assert set(assoc_required) <= set(assoc)
		datetime.fromisoformat(contact["createdAt"].replace("Z", "+00:00"))
	for company in data.hubspot_companies:
		assert set(company_required) <= set(company)
		assert set(company["properties"]) <= allowed_company
		assert all(v is None or isinstance(v, str) for v in company["properties"].values())
	assert len({c["id"] for c in data.hubspot_contacts}) == len(data.hubspot_contacts)
	assert len({c["properties"]["email"] for c in data.hubspot_contacts}) == len(data.hubspot_contacts)


def test_owners_have_the_public_owner_shape_and_routing_points_at_them(data, hubspot_specs):
	schema = hubspot_specs["crm_owners_v3"]["components"]["schemas"]["PublicOwner"]
	team_required = hubspot_specs["crm_owners_v3"]["components"]["schemas"]["PublicTeam"]["required"]
	for owner in data.hubspot_owners:
		assert set(schema["required"]) <= set(owner) <= set(schema["properties"])
		assert owner["type"] in schema["properties"]["type"]["enum"]
		assert isinstance(owner["userId"], int)
		for team in owner["teams"]:
			assert set(team_required) <= set(team)
	owner_ids = {o["id"] for o in data.hubspot_owners}
	assert {r["owner_id"] for r in data.owner_routing} == owner_ids
	assert sum(o["archived"] for o in data.hubspot_owners) == 1
	territories = {r["territory"] for r in data.erp_records}
	covered = {t for r in data.owner_routing for t in r["territories"]}
	assert territories <= covered


def test_links_between_hubspot_and_erp_hold(data):
	linked = 0
	for company in data.hubspot_companies:
		record = data.erp_for_company(company)
		if record is not None:
			linked += 1
			assert company["properties"]["domain"] in record["domains"]
			contact_emails = {c["properties"]["email"] for c in data.contacts_of(company["id"])}
			assert set(record["emails"]) == contact_emails
	assert linked == len(data.erp_records)
	orphans = [c for c in data.hubspot_contacts if primary_company_id(c) is None]
	assert 0 < len(orphans) < len(data.hubspot_contacts) * 0.05
	for contact in data.hubspot_contacts:
		company_id = primary_company_id(contact)
		assert company_id is None or data.company(company_id) is not None
		assert contact["properties"]["associatedcompanyid"] == company_id


def test_the_data_exercises_every_scoring_signal(data):
	from sidecar.scoring import build_signals, load_default_model

	model = load_default_model()
	seen = set()
	for contact, company, erp in data.scoring_inputs():
		for c in model.score(build_signals(contact, company, erp, data.as_of), data.as_of).contributions:
			seen.add(c.signal)
	expected = {s.name for s in model.config.behaviour} | {
		"seniority",
		"industry",
		"revenue",
		"employees",
		"intent_pages",
		"lifetime_value",
		"open_invoices",
		"overdue_invoices",
		"renewal_window",
		"product_interest",
		"open_opportunities",
		"support_issues",
		"payment_behaviour",
	}
	assert expected <= seen, sorted(expected - seen)


def test_erp_record_keys_are_the_ones_the_app_endpoint_builds():
	# The app side (revops_app/revops/signals/records.py) builds each record as one dict literal; the demo data and
	# the scoring inputs must use exactly its keys.
	import ast

	source = (REPO_ROOT / "revops_app" / "revops" / "signals" / "records.py").read_text()
	literals = [
		{k.value for k in node.keys if isinstance(k, ast.Constant)}
		for node in ast.walk(ast.parse(source))
		if isinstance(node, ast.Dict)
	]
	records = [keys for keys in literals if {"customer", "quotation_item_groups"} <= keys]
	assert len(records) == 1
	assert records[0] == set(ERP_RECORD)
