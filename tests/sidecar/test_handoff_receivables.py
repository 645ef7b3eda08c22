"""Receivables-aware handoff (sidecar/handoff/receivables.py): routing modes, the task body, and the
collector's own task created exactly once through the pipeline over real HTTP (local HubSpot + ERP servers)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from sidecar.handoff import build_task_properties
from sidecar.handoff.receivables import BOTH, INSTEAD, OFF, owes, receivables_lines, route_receivables
from tests.sidecar.test_sync import pipeline

OWNERS = [
	{"id": "11", "email": "bdr@sales.example"},
	{"id": "22", "email": "Ann.Collector@finance.example"},
	{"id": "33", "email": "am@finance.example"},
	{"id": "44", "email": "gone@finance.example", "archived": True},
]
OWING = {
	"customer": "CUST-9",
	"customer_name": "Acme",
	"currency": "EUR",
	"open_invoice_count": 3,
	"open_amount": 4500.0,
	"overdue_invoice_count": 2,
	"overdue_amount": 3000.5,
	"max_days_overdue": 41,
	"oldest_due_date": "2026-10-20",
	"dispute_count": 0,
	"collector": "ann.collector@finance.example",
	"account_manager": "am@finance.example",
}


def test_modes_route_to_the_collector_instead_or_beside_the_bdr():
	assert route_receivables(BOTH, OWING, OWNERS, "collector", "11").owner_id == "11"
	both = route_receivables(BOTH, OWING, OWNERS, "collector", "11")
	assert (both.owner_id, both.extra_owner_id) == ("11", "22")
	instead = route_receivables(INSTEAD, OWING, OWNERS, "collector", "11")
	assert (instead.owner_id, instead.extra_owner_id) == ("22", None)
	assert instead.note == "Routed to the collector ann.collector@finance.example: the customer owes money."
	assert route_receivables(INSTEAD, OWING, OWNERS, "account_manager", "11").owner_id == "33"
	assert route_receivables(OFF, OWING, OWNERS, "collector", "11") == route_receivables(
		BOTH, {**OWING, "overdue_invoice_count": 0}, OWNERS, "collector", "11"
	)
	# nobody routed yet: the collector simply gets the lead (no second task for the same person)
	assert route_receivables(BOTH, OWING, OWNERS, "collector", None).owner_id == "22"
	# a collector who is not an active HubSpot owner changes nothing, but says so
	gone = route_receivables(BOTH, {**OWING, "collector": "gone@finance.example"}, OWNERS, "collector", "11")
	assert (gone.owner_id, gone.extra_owner_id) == ("11", None) and "not an active HubSpot owner" in gone.note
	assert owes({"overdue_invoice_count": 0, "dispute_count": 1}) and not owes({"open_invoice_count": 4})


def test_task_body_states_open_and_overdue_amounts_and_the_oldest_due_date():
	props = build_task_properties(
		key="42:1",
		contact={"id": "42", "properties": {"firstname": "Ada"}},
		company=None,
		erp={**OWING, "dispute_count": 1, "payment_window_days": 365},
		result={"total": 80, "band": "hot", "tiers": {}, "reasons": [], "contributions": [], "facts": {}},
		owner_id="11",
		team="emea",
		threshold=70,
		as_of=datetime(2026, 11, 27, 12, tzinfo=timezone.utc),
		due_business_days=2,
		priority="HIGH",
		receivables_note="The collector ann.collector@finance.example has a task of their own.",
	)
	body = props["hs_task_body"]
	assert "<p>Money owed:</p>" in body
	for text in (
		"Open: 4,500.00 EUR in 3 invoice(s)",
		"Overdue: 3,000.50 EUR in 2 invoice(s), up to 41 days late",
		"Oldest due date: 2026-10-20",
		"Payment disputes (last 365 days): 1",
		"has a task of their own",
	):
		assert text in body, text
	assert receivables_lines({"open_invoice_count": 0})[2] == "Oldest due date: -"


@pytest.mark.parametrize("mode", ["both", "instead"])
def test_pipeline_creates_the_collector_task_once(world, mode):
	dry, _ = pipeline(world, dry_run=True)
	planned = [p for p in dry.run_pass("full").handoffs if p.get("erp_customer") and p.get("owner_id")]
	target = planned[0]
	routed = {p["owner_id"] for p in planned}  # the default team's round-robin (both members show up)
	collector = next(o for o in world.hubspot.owners if not o.get("archived") and str(o["id"]) not in routed)
	record = next(r for r in world.erp.records if r["customer"] == target["erp_customer"])
	record.update(collector=collector["email"].upper(), overdue_invoice_count=1, overdue_amount=10.0)
	record["open_invoice_count"] = max(record["open_invoice_count"], 1)
	record["open_amount"] = max(record["open_amount"], 10.0)
	record["max_days_overdue"], record["oldest_due_date"] = 3, "2026-11-25"
	# the overdue invoice costs points: keep the threshold low enough for the lead to still cross
	text = world.config_path.read_text()
	found = re.search(r"sql_threshold = ([\d.]+)", text)
	text = text.replace(found.group(0), f"sql_threshold = {float(found.group(1)) - 25}")
	world.config_path.write_text(text.replace("[handoff]\n", f'[handoff]\nreceivables_routing = "{mode}"\n'))

	p, store = pipeline(world)
	p.run_pass("full")
	rows = {r["contact_id"]: r for r in store.handoff_rows()}
	row = rows[target["contact_id"]]
	by_key = world.hubspot.tasks_by_key()
	sql_task = world.hubspot.objects["tasks"][row["task_id"]]["properties"]
	assert (
		"Overdue: 10.00" in sql_task["hs_task_body"]
		and "Oldest due date: 2026-11-25" in sql_task["hs_task_body"]
	)
	extra_key = f"{row['handoff_key']}:receivables"
	if mode == "both":
		assert sql_task["hubspot_owner_id"] == row["owner_id"] and row["owner_id"] in routed
		assert len(by_key[extra_key]) == 1
		extra = world.hubspot.objects["tasks"][by_key[extra_key][0]]["properties"]
		assert extra["hubspot_owner_id"] == str(collector["id"])
		assert extra["hs_task_subject"].startswith("SQL with money owed: ")
	else:
		assert sql_task["hubspot_owner_id"] == str(collector["id"]) and extra_key not in by_key
		assert world.hubspot.objects["contacts"][target["contact_id"]]["properties"][
			"hubspot_owner_id"
		] == str(collector["id"])
	# a second pass creates nothing more
	tasks = len(world.hubspot.objects["tasks"])
	pipeline(world)[0].run_pass("full")
	assert len(world.hubspot.objects["tasks"]) == tasks
	assert world.hubspot.violations == []
