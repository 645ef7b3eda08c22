"""SQL handoff: crossing rules, routing, task shape, and exactly one task per crossing across crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from sidecar.config import HandoffRule, Team
from sidecar.handoff import OwnerRouter, add_business_days, build_task_properties, crossing_decision
from sidecar.store import ContactState, open_store

T, M = 70.0, 10.0


@pytest.mark.parametrize(
	("prev", "armed", "new", "expected"),
	[
		(None, True, 75, (True, False)),  # first score above counts
		(None, True, 69, (False, False)),
		(60, True, 70, (True, False)),  # at the threshold counts
		(70, True, 90, (False, False)),  # previous was not below
		(75, False, 65, (False, False)),  # below, but inside the hysteresis band: stays disarmed
		(65, False, 75, (False, False)),  # back above without re-arming: no second task
		(65, False, 59, (False, True)),  # dropped below threshold - margin: re-armed
	],
)
def test_crossing_rules(prev, armed, new, expected):
	state = ContactState("c", score=prev, armed=armed)
	assert crossing_decision(state, new, T, M) == expected


def test_first_score_can_be_excluded():
	assert crossing_decision(ContactState("c"), 90, T, M, first_score_counts=False) == (False, False)


def test_rearmed_then_crosses_again():
	state = ContactState("c", score=75, armed=False)
	crossed, rearm = crossing_decision(state, 50, T, M)
	assert (crossed, rearm) == (False, True)
	assert crossing_decision(ContactState("c", score=50, armed=True), 71, T, M) == (True, False)


def test_business_days():
	assert add_business_days(date(2026, 11, 27), 2) == date(2026, 12, 1)  # Fri + 2 -> Tue
	assert add_business_days(date(2026, 11, 30), 0) == date(2026, 11, 30)
	assert add_business_days(date(2026, 11, 29), 0) == date(2026, 11, 30)  # Sunday -> Monday


OWNERS = [
	{"id": "1", "email": "ann@x.example", "archived": False, "teams": [{"id": "9", "name": "DACH"}]},
	{"id": "2", "email": "bob@x.example", "archived": False, "teams": [{"id": "9", "name": "DACH"}]},
	{"id": "3", "email": "cy@x.example", "archived": True, "teams": [{"id": "9", "name": "DACH"}]},
	{"id": "4", "email": "dee@x.example", "archived": False, "teams": [{"id": "8", "name": "Industrial"}]},
]


def test_router_rules_then_round_robin(tmp_path):
	store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
	router = OwnerRouter(
		rules=(
			HandoffRule(team="dach", territory="Germany"),
			HandoffRule(team="industry", industry="Machinery", product_line="Spare Parts"),
		),
		teams={
			"dach": Team("dach", hubspot_team="DACH"),
			"industry": Team("industry", owners=("dee@x.example", "999")),
		},
		default_team="dach",
		owners=OWNERS,
		store=store,
	)
	assert [router.route("germany", None, set())[1] for _ in range(3)] == [
		"1",
		"2",
		"1",
	]  # archived 3 skipped
	assert router.route("France", "machinery", {"Spare Parts"}) == ("industry", "4")
	assert router.route("France", "machinery", {"Tools"}) == ("dach", "2")  # product line must match too
	# the pointer survives a restart: the 5th dach lead goes to the first owner again, the 6th to the second
	again = OwnerRouter(router.rules, router.teams, "dach", OWNERS, store)
	assert [again.route("Germany", None, set())[1] for _ in range(2)] == ["1", "2"]


def test_task_properties_carry_breakdown_and_due_date():
	result = {
		"total": 81,
		"band": "hot",
		"tiers": {"fit": 40, "behaviour": 25, "erp": 16},
		"reasons": ["CIO (C-level) +18", "Contract ends in 19 days +10"],
		"contributions": [
			{"tier": "erp", "signal": "renewal", "points": 10, "explanation": "Contract ends in 19 days"}
		],
		"facts": {"last_activity": "2026-11-27T10:00:00+00:00"},
	}
	props = build_task_properties(
		key="42:1",
		contact={"id": "42", "properties": {"firstname": "Ada", "lastname": "L", "jobtitle": "CIO"}},
		company={
			"id": "7",
			"properties": {"name": "Acme", "industry": "MACHINERY", "domain": "acme.example"},
		},
		erp={
			"customer": "CUST-1",
			"customer_name": "Acme",
			"currency": "EUR",
			"lifetime_revenue": 120000,
			"contract_end_date": "2026-12-19",
		},
		result=result,
		owner_id="5",
		team="dach",
		threshold=70,
		as_of=datetime(2026, 11, 27, 12, tzinfo=timezone.utc),
		due_business_days=2,
		priority="HIGH",
	)
	assert props["hs_task_subject"] == "SQL: Ada L (Acme) scored 81"
	assert props["hs_timestamp"] == int(datetime(2026, 12, 1, 16, tzinfo=timezone.utc).timestamp() * 1000)
	assert props["hs_task_priority"] == "HIGH" and props["hubspot_owner_id"] == "5"
	assert props["revops_handoff_key"] == "42:1"
	body = props["hs_task_body"]
	for text in (
		"fit 40",
		"CIO (C-level) +18",
		"2026-11-27",
		"MACHINERY",
		"CUST-1",
		"120,000 EUR",
		"+10: Contract ends in 19 days",
	):
		assert text in body


# --- crash and restart ---------------------------------------------------------------------------
def _cli(world, *args: str) -> subprocess.Popen:
	exe = Path(sys.executable).parent / "revops-sidecar"
	env = dict(os.environ, **world.env)
	return subprocess.Popen(
		[str(exe), "--config", str(world.config_path), *args],
		env=env,
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
	)


def _crash_during_task_create(world, phase: str) -> None:
	"""Run a backfill, SIGKILL it while the tasks' batch create is at the server (`phase` before/after creation)."""
	reached, release = threading.Event(), threading.Event()

	def hook(method: str, path: str, when: str) -> None:
		if method == "POST" and path == "/crm/v3/objects/tasks/batch/create" and when == phase:
			reached.set()
			release.wait(30)
			if phase == "before":
				raise ConnectionAbortedError("client died before the task was created")

	world.hubspot.hooks.append(hook)
	proc = _cli(world, "backfill", "--no-progress")
	try:
		assert reached.wait(60), proc.communicate(timeout=5)
		proc.send_signal(signal.SIGKILL)
		proc.wait(10)
	finally:
		world.hubspot.hooks.remove(hook)
		release.set()


@pytest.mark.parametrize("phase", ["before", "after"])
def test_crash_between_steps_never_duplicates_tasks(world, phase):
	_crash_during_task_create(world, phase)
	store = open_store(world.store_url)
	pending = store.pending_outbox()
	assert pending, "the crossing decisions were committed before the crash"
	tasks_after_crash = len(world.hubspot.objects["tasks"])
	assert tasks_after_crash == (len(pending) if phase == "after" else 0)
	# restart: the same pass again, to completion
	proc = _cli(world, "backfill", "--no-progress")
	out, err = proc.communicate(timeout=120)
	assert proc.returncode == 0, err
	rows = store.handoff_rows()
	by_key = world.hubspot.tasks_by_key()
	assert rows and all(r["status"] == "done" for r in rows)
	assert sorted(by_key) == sorted(r["handoff_key"] for r in rows)
	assert all(len(ids) == 1 for ids in by_key.values()), by_key
	assert {r["task_id"] for r in rows} == {ids[0] for ids in by_key.values()}
	if phase == "after":  # the tasks made before the kill were found by their keys, not made again
		assert f"tasks_reconciled={tasks_after_crash}" in out
	# a third pass decides nothing new and creates nothing
	proc = _cli(world, "sync")
	out, err = proc.communicate(timeout=120)
	assert proc.returncode == 0, err
	assert len(world.hubspot.objects["tasks"]) == len(rows)
	assert world.hubspot.violations == []


def test_rules_match_any_spelling_of_industry_and_territory():
	rule = HandoffRule(team="x", territory="Germany", industry="Industrial Automation")
	assert rule.matches({"EMEA", "Germany"}, {"INDUSTRIAL_AUTOMATION"}, set())
	assert rule.matches("germany", "industrial-automation", set())
	assert not rule.matches({"EMEA"}, {"INDUSTRIAL_AUTOMATION"}, set())
	assert not HandoffRule(team="x", product_line="Spare Parts").matches(None, None, {"Tools"})
