"""The pipeline over real HTTP (local HubSpot + ERP servers): backfill, incremental, only-changed writes, plan."""

from __future__ import annotations

import pytest

from sidecar.erp import ErpClient
from sidecar.hubspot import DryRunHubSpot, HubSpotClient
from sidecar.scoring import load_default_model
from sidecar.store import open_store
from sidecar.sync import CURSOR_CONTACTS, CURSOR_ERP, Pipeline


def pipeline(world, dry_run: bool = False) -> tuple[Pipeline, object]:
	cfg = world.config()
	store = open_store(world.store_url)
	hubspot = HubSpotClient.from_config(cfg)
	if dry_run:
		hubspot = DryRunHubSpot(hubspot)
	return Pipeline(
		cfg, store, hubspot, ErpClient.from_config(cfg.erp), load_default_model(), dry_run=dry_run
	), store


def erp_matches(world) -> tuple[dict[str, str | None], str]:
	"""Each HubSpot contact's ERP customer (after a pass) and the first customer some contact matched."""
	matched = {
		c["id"]: c["properties"].get("revops_erp_customer")
		for c in world.hubspot.objects["contacts"].values()
	}
	return matched, next(v for v in matched.values() if v)


def writes(world) -> list[dict]:
	return world.hubspot.requests(kind="write")


def test_incremental_needs_a_backfill_first(world):
	p, _ = pipeline(world)
	with pytest.raises(RuntimeError, match="backfill"):
		p.run_pass("incremental")


def test_backfill_then_incremental_writes_only_changes(world):
	p, store = pipeline(world)
	n_contacts = len(world.dataset.hubspot_contacts)
	first = p.run_pass("full")
	assert first.stats["contacts_scored"] == n_contacts
	assert first.stats["written"] == n_contacts
	updates = world.hubspot.requests(method="POST", path="/contacts/batch/update")
	owners = first.stats.get("owner_updates", 0)
	assert all(r["size"] <= 100 for r in updates)
	assert sum(r["size"] for r in updates) == n_contacts + owners
	assert len(updates) == -(-n_contacts // 100) + -(-owners // 100)
	contact = world.hubspot.objects["contacts"][world.dataset.hubspot_contacts[0]["id"]]["properties"]
	assert contact["revops_score"].isdigit() and "revops_score_reasons" in contact
	# ERP matching by domain: some contacts carry their ERP customer
	assert any(c["properties"].get("revops_erp_customer") for c in world.hubspot.objects["contacts"].values())
	assert store.get_cursor(CURSOR_ERP)["name"]
	# handoffs: one task per crossing, associated with the contact, owner set
	rows = store.handoff_rows()
	assert rows and all(r["status"] == "done" for r in rows)
	assert len(world.hubspot.objects["tasks"]) == len(rows)
	assoc_contacts = {a["to"] for a in world.hubspot.associations}
	assert assoc_contacts == {r["contact_id"] for r in rows}
	# an immediate incremental pass re-reads our own echo but writes nothing
	before = len(writes(world))
	second = p.run_pass("incremental")
	assert second.stats["changed"] == 0 and len(writes(world)) == before
	assert second.stats["handoffs_decided"] == 0
	# one contact changes in HubSpot: exactly one batch call carrying only changed records
	target = next(c for c in world.dataset.hubspot_contacts if c["properties"].get("jobtitle"))["id"]
	world.hubspot.touch(
		"contacts", target, jobtitle="Chief Executive Officer", hs_analytics_num_page_views="400"
	)
	third = p.run_pass("incremental")
	new_writes = writes(world)[before:]
	assert third.stats["changed"] <= 1
	assert len([w for w in new_writes if "batch/update" in w["path"]]) == third.stats["changed"]
	assert world.hubspot.violations == []


def test_erp_change_rescores_the_matched_contacts(world):
	p, store = pipeline(world)
	p.run_pass("full")
	matched, customer = erp_matches(world)
	record = next(r for r in world.erp.records if r["customer"] == customer)
	record["modified"] = "2099-01-01 00:00:00.000000"
	record["overdue_invoice_count"] = 9
	record["overdue_amount"] = 10_000_000.0
	record["max_days_overdue"] = 300
	res = p.run_pass("incremental")
	assert res.stats["erp_records"] == 1
	ids = {cid for cid, c in matched.items() if c == customer}
	assert ids <= set(store.contacts_for_customers([customer]))
	assert store.get_cursor(CURSOR_ERP)["modified"] == "2099-01-01 00:00:00.000000"


def test_first_erp_pull_is_a_full_pass_that_hands_over_without_losing_a_mid_pass_change(world):
	world.erp.full_pass = True
	snapshot = world.erp.full_snapshot
	world.config_path.write_text(
		world.config_path.read_text().replace("[erp]\n", "[erp]\npage_size = 5\n", 1)
	)
	by_name = sorted(world.erp.records, key=lambda r: r["customer"])
	assert len(by_name) > 10 and all(r["modified"] < snapshot for r in by_name)
	first, later = by_name[0], by_name[-1]

	def mid_pass(args):
		if len(world.erp.calls) == 2:  # after the first page: a served and a not yet served customer change
			for record in (first, later):
				record["modified"] = "2099-01-01 00:00:00.000000"
				record["open_invoice_count"] = 7

	world.erp.before_answer = mid_pass
	p, store = pipeline(world)
	res = p.run_pass("full")
	args = [c["args"] for c in world.erp.calls]
	assert args[0].get("full") == "1" and "snapshot" not in args[0]
	full_pages = -(-len(by_name) // 5)
	assert all(a.get("snapshot") == snapshot for a in args[1:full_pages])
	assert args[full_pages].get("modified_after") == snapshot and "snapshot" not in args[full_pages]
	# served: everyone once in the pass except `later` (changed before its page), then both after the hand-over
	assert res.stats["erp_records"] == len(by_name) + 1
	cached = store.erp_records([r["customer"] for r in by_name])
	assert set(cached) == {r["customer"] for r in by_name}
	assert cached[first["customer"]]["open_invoice_count"] == 7
	assert cached[later["customer"]]["open_invoice_count"] == 7
	assert store.get_cursor(CURSOR_ERP) == {
		"modified": "2099-01-01 00:00:00.000000",
		"name": later["customer"],
	}
	# the next pass goes on from the stored (modified, name) cursor
	world.erp.calls.clear()
	p.run_pass("incremental")
	assert world.erp.calls[0]["args"]["modified_after"] == "2099-01-01 00:00:00.000000"


def test_failed_records_are_recorded_and_retried_next_pass(world):
	p, store = pipeline(world)
	victim = world.dataset.hubspot_contacts[3]["id"]
	body = {
		"status": "COMPLETE",
		"results": [],
		"errors": [
			{
				"status": "error",
				"category": "VALIDATION_ERROR",
				"message": "nope",
				"context": {"ids": [victim]},
			}
		],
		"startedAt": "x",
		"completedAt": "x",
	}
	# first batch answers 207 with one failure and no results: all other ids of that batch count as failed too
	world.hubspot.inject("POST", "/contacts/batch/update", 207, body=body)
	res = p.run_pass("full")
	assert f"contacts/{victim}" in res.errors
	assert victim not in store.ledger_hashes("contacts", [victim])
	assert any(e["object_id"] == victim for e in store.recent_errors(200))
	assert store.last_runs(1)[0]["status"] == "partial"
	again = p.run_pass("full")
	assert victim in store.ledger_hashes("contacts", [victim])
	assert again.stats["written"] == res.stats["write_failed"]


def test_plan_writes_nothing(world):
	p, store = pipeline(world)
	p.run_pass("full")
	cursor = store.get_cursor(CURSOR_CONTACTS)
	world.hubspot.touch(
		"contacts", world.dataset.hubspot_contacts[0]["id"], hs_analytics_num_page_views="900"
	)
	record = world.erp.records[0]
	record["modified"] = "2099-01-01 00:00:00.000000"
	before_writes = len(writes(world))
	before_tasks = len(world.hubspot.objects["tasks"])
	dry, _ = pipeline(world, dry_run=True)
	res = dry.run_pass("incremental")
	assert res.dry_run and res.stats["contacts_scored"] >= 1
	assert len(writes(world)) == before_writes and len(world.hubspot.objects["tasks"]) == before_tasks
	assert store.get_cursor(CURSOR_CONTACTS) == cursor
	assert store.get_cursor(CURSOR_ERP)["modified"] != "2099-01-01 00:00:00.000000"
	assert len(store.last_runs(100)) == 1  # the dry run recorded no run either


def test_first_touch_after_handoff_is_recorded_for_the_report(world):
	from datetime import datetime, timedelta, timezone

	from sidecar.report import build_report

	p, store = pipeline(world)
	p.run_pass("full")
	row = store.handoff_rows()[0]
	touched_at = datetime.now(timezone.utc) + timedelta(minutes=1)
	world.hubspot.touch(
		"contacts",
		row["contact_id"],
		hs_last_sales_activity_timestamp=touched_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
	)
	p.run_pass("incremental")
	after = next(r for r in store.handoff_rows() if r["handoff_key"] == row["handoff_key"])
	assert after["first_touch_at"] == touched_at.replace(tzinfo=None, microsecond=0)
	report = build_report(store, threshold=world.threshold)
	assert report["first_touch"]["touched"] == 1
	assert report["first_touch"]["untouched"] == len(store.handoff_rows()) - 1


def test_owned_contact_keeps_its_owner_who_gets_the_task(world):
	dry, _ = pipeline(world, dry_run=True)
	planned = dry.run_pass("full").handoffs
	assert len(planned) >= 2
	owned = planned[0]["contact_id"]
	world.hubspot.touch("contacts", owned, hubspot_owner_id="71000199")
	p, store = pipeline(world)
	p.run_pass("full")
	rows = {r["contact_id"]: r for r in store.handoff_rows()}
	assert rows[owned]["owner_id"] == "71000199"
	task = world.hubspot.objects["tasks"][rows[owned]["task_id"]]["properties"]
	assert task["hubspot_owner_id"] == "71000199"
	assert world.hubspot.objects["contacts"][owned]["properties"]["hubspot_owner_id"] == "71000199"
	other = next(r for c, r in rows.items() if c != owned and r["owner_id"])
	assert (
		world.hubspot.objects["contacts"][other["contact_id"]]["properties"]["hubspot_owner_id"]
		== other["owner_id"]
	)


@pytest.mark.postgres
def test_pipeline_on_postgresql(world, pg_url):
	import uuid

	import psycopg

	schema = f"revops_sync_{uuid.uuid4().hex[:10]}"
	plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
	with psycopg.connect(plain, autocommit=True) as conn:
		conn.execute(f'CREATE SCHEMA "{schema}"')
	try:
		world.env["REVOPS_STORE_URL"] = f"{plain}?options=-csearch_path%3D{schema}"
		cfg = world.config()
		assert cfg.store_url().startswith("postgresql")
		store = open_store(cfg.store_url())
		assert store.dialect == "postgresql"
		p = Pipeline(
			cfg, store, HubSpotClient.from_config(cfg), ErpClient.from_config(cfg.erp), load_default_model()
		)
		first = p.run_pass("full")
		second = p.run_pass("incremental")
		rows = store.handoff_rows()
		assert first.stats["written"] == len(world.dataset.hubspot_contacts) and second.stats["changed"] == 0
		assert rows and all(r["status"] == "done" for r in rows)
		assert len(world.hubspot.objects["tasks"]) == len(rows)
		assert store.ledger_count()["contacts"] == len(world.dataset.hubspot_contacts)
		store.close()
	finally:
		with psycopg.connect(plain, autocommit=True) as conn:
			conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_report_bands_vs_later_conversion(tmp_path):
	from datetime import datetime, timedelta

	from sidecar.report import build_report
	from sidecar.store import ContactState

	store = open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}")
	now = datetime(2026, 11, 30, 12)
	t0 = now - timedelta(days=30)
	history = [("a", 90), ("b", 88), ("c", 20), ("d", 55)]
	store.add_score_history(
		[
			{
				"contact_id": c,
				"company_id": None,
				"erp_customer": None,
				"scored_at": t0,
				"total": s,
				"fit": s,
				"behaviour": 0,
				"erp": 0,
			}
			for c, s in history
		]
	)
	# a later, higher score does not move the entry band
	store.add_score_history(
		[
			{
				"contact_id": "c",
				"company_id": None,
				"erp_customer": None,
				"scored_at": now,
				"total": 95,
				"fit": 0,
				"behaviour": 0,
				"erp": 0,
			}
		]
	)
	store.save_states(
		[
			ContactState("a", score=90, converted_at=now - timedelta(days=5)),
			ContactState(
				"b", score=88, converted_at=t0 - timedelta(days=1)
			),  # converted before it was scored
			ContactState("c", score=95),
			ContactState("d", score=55, converted_at=now - timedelta(days=1)),
		]
	)
	report = build_report(store, threshold=70, days=90, now=now)
	bands = {b["band"]: b for b in report["bands"]}
	assert (
		bands["hot"]["contacts"],
		bands["hot"]["converted"],
		bands["hot"]["converted_before"],
	) == (2, 1, 1)
	assert bands["hot"]["conversion_rate"] == 0.5
	assert (bands["cold"]["contacts"], bands["cold"]["converted"]) == (1, 0)
	assert bands["warm"]["converted"] == 1 and bands["cool"]["contacts"] == 0
	assert report["handoffs"]["count"] == 0 and report["first_touch"]["median_hours"] is None


def test_deleted_erp_customer_unmatches_its_contacts(world):
	p, store = pipeline(world)
	p.run_pass("full")
	matched, customer = erp_matches(world)
	ids = {cid for cid, c in matched.items() if c == customer}
	world.erp.records = [r for r in world.erp.records if r["customer"] != customer]
	world.erp.deleted = [customer]
	res = p.run_pass("incremental")
	assert res.stats["erp_deleted"] == 1
	assert store.erp_records([customer]) == {}
	for cid in ids:
		assert world.hubspot.objects["contacts"][cid]["properties"]["revops_erp_customer"] == ""
	assert store.contacts_for_customers([customer]) == set()
