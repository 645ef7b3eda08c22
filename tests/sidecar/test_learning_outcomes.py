"""Outcomes in the store: migration 3 on an old store, deals and lifecycle dates read from the local HubSpot
stand-in over real HTTP (spec-checked), incrementally, and a cursor that never passes a failed read."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from sidecar.hubspot import HubSpotClient, HubSpotError, RateLimiter
from sidecar.hubspot.client import hubspot_retry
from sidecar.scoring.learning.outcomes import DEALS_CURSOR, sync_outcomes
from sidecar.store import open_store
from sidecar.store.schema import LATEST
from tests.sidecar.hubspot_server import HubSpotServer


@pytest.fixture
def server():
	srv = HubSpotServer()
	yield srv
	srv.close()


def make_client(server: HubSpotServer) -> HubSpotClient:
	return HubSpotClient(
		"test-token",
		server.url,
		limiter=RateLimiter(burst=10_000, searches_per_second=5),
		retry=hubspot_retry({"backoff_seconds": 0.01, "max_retries": 1}),
		timeout=(2.0, 5.0),
	)


def add_deal(server: HubSpotServer, deal_id: str, contacts: list[str], companies: list[str], **props) -> None:
	base = {
		"dealname": f"Deal {deal_id}",
		"pipeline": "default",
		"dealstage": "closedwon",
		"amount": "12500.50",
		"closedate": "2026-10-01T00:00:00.000Z",
		"createdate": "2026-08-01T00:00:00.000Z",
		"hs_is_closed": "true",
		"hs_is_closed_won": "true",
	}
	server.add(
		"deals",
		{
			"id": deal_id,
			"properties": base | props,
			"associations": {
				"contacts": {"results": [{"id": c} for c in contacts]},
				"companies": {"results": [{"id": c} for c in companies]},
			},
		},
	)


def test_migration_3_upgrades_a_v2_store_in_place(tmp_path):
	url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
	engine = create_engine(url)
	with engine.begin() as conn:  # a v2 store: score history without the migration-3 columns, with a row
		conn.execute(
			text(
				"CREATE TABLE revops_schema_version (version INTEGER PRIMARY KEY, description VARCHAR(200) NOT NULL, applied_at DATETIME NOT NULL)"
			)
		)
		conn.execute(
			text(
				"INSERT INTO revops_schema_version VALUES (1, 'initial', '2026-01-01'), (2, 'cx', '2026-01-01')"
			)
		)
		conn.execute(
			text(
				"CREATE TABLE revops_score_history (id INTEGER PRIMARY KEY, contact_id VARCHAR(40) NOT NULL, company_id VARCHAR(40), erp_customer VARCHAR(140), scored_at DATETIME NOT NULL, total FLOAT NOT NULL, fit FLOAT NOT NULL, behaviour FLOAT NOT NULL, erp FLOAT NOT NULL)"
			)
		)
		conn.execute(
			text(
				"INSERT INTO revops_score_history (contact_id, scored_at, total, fit, behaviour, erp) VALUES ('1', '2026-02-01 00:00:00', 55, 30, 20, 5)"
			)
		)
	engine.dispose()
	store = open_store(url)
	assert store.migrate() == LATEST >= 3
	columns = {c["name"] for c in inspect(store.engine).get_columns("revops_score_history")}
	assert {"contributions", "model_version"} <= columns
	rows = list(store.iter_table("revops_score_history"))
	assert len(rows) == 1 and rows[0]["total"] == 55 and rows[0]["contributions"] is None
	assert {"revops_deals", "revops_deal_contacts", "revops_model_versions"} <= set(
		inspect(store.engine).get_table_names()
	)


def test_deals_with_associations_and_lifecycle_dates_are_read_into_the_store(server, store_url):
	server.association_page_size = 2  # three contacts on deal 11: the per-id `after` paging is followed
	add_deal(server, "11", ["101", "102", "103"], ["501"])
	add_deal(server, "12", [], ["502"], dealstage="closedlost", hs_is_closed_won="false", amount="")
	add_deal(
		server,
		"13",
		["104"],
		[],
		dealstage="qualifiedtobuy",
		hs_is_closed="false",
		hs_is_closed_won="false",
		closedate="",
	)
	server.add(
		"contacts",
		{
			"id": "101",
			"properties": {
				"email": "a@x.example",
				"hs_lifecyclestage_customer_date": "2026-10-01T00:00:00.000Z",
				"hs_lifecyclestage_salesqualifiedlead_date": "1751328000000",
			},
		},
	)
	store = open_store(store_url)
	stats = sync_outcomes(make_client(server), store)
	assert stats == {"deals": 3, "won": 1, "lifecycle_changes": 2}
	assert server.violations == []
	deals = {d["deal_id"]: d for d in store.deals()}
	assert deals["11"]["contacts"] == ["101", "102", "103"] and deals["11"]["companies"] == ["501"]
	assert (
		deals["11"]["amount"] == 12500.5 and deals["11"]["is_won"] and deals["11"]["close_date"].month == 10
	)
	assert deals["12"]["amount"] is None and deals["12"]["is_closed"] and not deals["12"]["is_won"]
	assert deals["13"]["close_date"] is None and not deals["13"]["is_closed"]
	stages = {(r["contact_id"], r["stage"]): r["entered_at"] for r in store.lifecycle_changes()}
	assert stages[("101", "customer")].isoformat() == "2026-10-01T00:00:00"
	assert stages[("101", "salesqualifiedlead")].isoformat() == "2025-07-01T00:00:00"
	assert server.requests(path=r"/crm/v4/associations/deals/contacts/batch/read")


def test_second_read_is_incremental_and_updates_changed_deals(server, store_url):
	add_deal(
		server,
		"21",
		["201"],
		[],
		dealstage="qualifiedtobuy",
		hs_is_closed="false",
		hs_is_closed_won="false",
		hs_lastmodifieddate="2026-01-01T00:00:00.000Z",
	)
	add_deal(server, "22", ["202"], [], hs_lastmodifieddate="2026-01-01T00:00:00.000Z")
	store = open_store(store_url)
	client = make_client(server)
	assert sync_outcomes(client, store)["deals"] == 2
	server.touch("deals", "21", dealstage="closedwon", hs_is_closed="true", hs_is_closed_won="true")
	before = len(server.requests(path=r"/batch/read"))
	stats = sync_outcomes(client, store)
	assert stats["deals"] == 1  # only the deal modified since the cursor (minus the overlap)
	assert len(server.requests(path=r"/batch/read")) - before == 2  # one association read per type
	assert {d["deal_id"]: d["is_won"] for d in store.deals()} == {"21": True, "22": True}


def test_a_failed_read_leaves_the_cursor_where_it_was(server, store_url):
	add_deal(server, "31", ["301"], [])
	store = open_store(store_url)
	server.inject("POST", r"/crm/v4/associations/deals/companies/batch/read", 500, times=2)
	with pytest.raises(HubSpotError):
		sync_outcomes(make_client(server), store)
	assert store.get_cursor(DEALS_CURSOR) is None and store.deals() == []
	sync_outcomes(make_client(server), store)
	assert [d["deal_id"] for d in store.deals()] == ["31"] and store.get_cursor(DEALS_CURSOR) > 0


def test_lifecycle_dates_keep_other_contacts_stages(store_url):
	from datetime import datetime

	store = open_store(store_url)
	store.record_lifecycle(
		[("x", "customer", datetime(2026, 3, 1)), ("x", "opportunity", datetime(2026, 2, 1))]
	)
	# a later batch with x's SQL date and y's customer date must not drop x's customer date
	store.record_lifecycle(
		[("x", "salesqualifiedlead", datetime(2026, 1, 1)), ("y", "customer", datetime(2026, 4, 1))]
	)
	store.record_lifecycle([("x", "customer", datetime(2026, 5, 1))])  # re-entered: the newer date wins
	rows = {(r["contact_id"], r["stage"]): r["entered_at"] for r in store.lifecycle_changes()}
	assert rows == {
		("x", "customer"): datetime(2026, 5, 1),
		("x", "opportunity"): datetime(2026, 2, 1),
		("x", "salesqualifiedlead"): datetime(2026, 1, 1),
		("y", "customer"): datetime(2026, 4, 1),
	}


def test_report_counts_won_deals_and_hubspot_stage_dates(tmp_path):
	from datetime import datetime, timedelta

	from sidecar.report import build_report

	store = open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}")
	now = datetime(2026, 11, 30)
	entry = now - timedelta(days=60)
	rows = [("w", 80, "CUST-1"), ("l", 40, None), ("s", 55, None), ("o", 20, "CUST-2")]
	store.add_score_history(
		[
			{
				"contact_id": c,
				"company_id": f"co-{c}",
				"erp_customer": erp,
				"scored_at": entry,
				"total": t,
				"fit": t,
				"behaviour": 0,
				"erp": 0,
			}
			for c, t, erp in rows
		]
	)
	won = {
		"amount": 9000.0,
		"close_date": entry + timedelta(days=20),
		"created_at": entry,
		"is_closed": True,
		"is_won": True,
	}
	store.upsert_deals(
		[
			{"deal_id": "1", "contacts": ["w"], "companies": [], **won},
			{
				"deal_id": "2",
				"contacts": [],
				"companies": ["co-o"],
				**won,
				"amount": 1000.0,
			},  # via the company
			{"deal_id": "3", "contacts": ["l"], "companies": [], **won, "is_won": False, "amount": 500.0},
		]
	)
	store.record_lifecycle([("s", "customer", entry + timedelta(days=3))])  # no deal: HubSpot's stage date
	report = build_report(store, days=90, now=now)
	bands = {b["band"]: b for b in report["bands"]}
	assert (bands["hot"]["converted"], bands["hot"]["won_value"], bands["hot"]["median_days_to_close"]) == (
		1,
		9000.0,
		20.0,
	)
	assert bands["cool"]["converted"] == 0 and bands["cool"]["pipeline_value"] == 500.0
	assert bands["warm"]["converted"] == 1 and bands["cold"]["won_value"] == 1000.0
	assert (
		report["erp_match"]["matched"]["converted"] == 2
		and report["erp_match"]["unmatched"]["converted"] == 1
	)


def test_report_erp_invoices_after_handoff(tmp_path):
	from datetime import datetime

	from sidecar.report import build_report
	from sidecar.store import ContactState

	store = open_store(f"sqlite:///{tmp_path / 'e.sqlite3'}")
	store.save_states([ContactState(c, score=80, erp_customer=f"C-{c}") for c in ("new", "old", "idle")])
	store.upsert_erp(
		[
			{
				"customer": "C-new",
				"modified": "1",
				"domains": [],
				"first_invoice_date": "2026-11-11",
				"last_invoice_date": "2026-11-11",
			},
			{
				"customer": "C-old",
				"modified": "1",
				"domains": [],
				"first_invoice_date": "2024-01-01",
				"last_invoice_date": "2026-11-20",
			},
			{
				"customer": "C-idle",
				"modified": "1",
				"domains": [],
				"first_invoice_date": "2024-01-01",
				"last_invoice_date": "2025-06-01",
			},
		]
	)
	for contact_id in ("new", "old", "idle"):
		assert store.decide_handoff(contact_id, 0, 80.0, {"contact_id": contact_id}, {})
	crossed = store.handoff_rows()[0]["crossed_at"]
	with store.engine.begin() as conn:  # the handoffs happened on 2026-11-01
		from sqlalchemy import update

		from sidecar.store import schema as s

		conn.execute(update(s.handoffs).values(crossed_at=datetime(2026, 11, 1)))
	assert crossed
	report = build_report(store, days=90, now=datetime(2026, 11, 30))
	assert report["erp_after_handoff"] == {
		"handoffs_with_erp_customer": 3,
		# records of an app without the order fields: nothing reported, nothing exact
		"reported_to_erp": 0,
		"ordered_after_handoff": 0,
		"became_customer_after_handoff": 0,
		"first_order_value": 0.0,
		"median_days_to_first_order": None,
		"invoiced_after_handoff": 2,
		"first_invoice_after_handoff": 1,
		"median_days_to_first_invoice": 10.0,
	}


def test_model_versions_one_live_at_a_time(store_url):
	store = open_store(store_url)
	assert store.add_model_version("aaa", "x = 1", {"origin": "hand"})
	assert not store.add_model_version("aaa", "x = 1", {"origin": "again"})  # one row per content hash
	assert store.add_model_version("bbb", "x = 2", {"fitted_by": "fit"})
	store.set_live_model("aaa")
	store.set_live_model("bbb")
	with pytest.raises(KeyError):
		store.set_live_model("nope")  # rolled back: bbb stays live
	status = {v["version"]: v["status"] for v in store.model_versions()}
	assert status == {"aaa": "retired", "bbb": "live"}
	assert store.model_versions()[0]["provenance"] == {"origin": "hand"}
