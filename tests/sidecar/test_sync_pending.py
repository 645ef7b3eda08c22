"""Nothing lost between passes: failed writes stay pending until written, the ledger commits per batch, and
every value is rounded by one rule. Over real HTTP against the local HubSpot and ERP servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from sidecar.cli import main
from sidecar.scoring import ScoreResult
from sidecar.sync.result import score_values, values_hash
from tests.sidecar.test_sync import erp_matches, pipeline

NAMES = {"total": "t", "fit": "f", "behaviour": "b", "erp": "e", "band": "band", "reasons": "r"}


def _hubspot_score(world, contact_id: str) -> str:
	return world.hubspot.objects["contacts"][contact_id]["properties"].get("revops_score")


def _overdue(world, customer: str) -> None:
	record = next(r for r in world.erp.records if r["customer"] == customer)
	record.update(
		modified="2099-01-01 00:00:00.000000",
		overdue_invoice_count=9,
		overdue_amount=10_000_000.0,
		max_days_overdue=300,
	)


def test_writes_failing_after_an_erp_change_are_written_by_the_next_pass(world):
	p, store = pipeline(world)
	p.run_pass("full")
	matched, customer = erp_matches(world)
	ids = sorted(cid for cid, c in matched.items() if c == customer)
	before = {i: _hubspot_score(world, i) for i in ids}
	_overdue(world, customer)
	# a 503 outage outlasting every retry of the batch that carries the ERP change
	world.hubspot.inject("POST", "/contacts/batch/update", 503, times=50)
	res = p.run_pass("incremental")
	assert res.stats["write_failed"] >= 1 and res.errors
	failed = sorted(k.split("/", 1)[1] for k in res.errors)
	pending = {r["object_id"]: r for r in store.pending_rows(100)}
	assert set(failed) <= set(pending) and all("503" in pending[i]["reason"] for i in failed)
	assert all(_hubspot_score(world, i) == before[i] for i in ids)
	world.hubspot.faults.clear()
	again = p.run_pass("incremental")
	assert again.stats.get("pending_contacts") == len(failed)
	states = store.contact_states(ids)
	moved = [i for i in ids if _hubspot_score(world, i) != before[i]]
	assert moved, "the overdue invoices must reach HubSpot"
	for i in ids:
		assert _hubspot_score(world, i) == str(round(states[i].score))
	assert store.pending_rows(100) == []
	assert world.hubspot.violations == []


def test_a_rejected_write_is_retried_by_incremental_passes_and_shown_in_status(world, capsys):
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
	world.hubspot.inject("POST", "/contacts/batch/update", 207, body=body)
	first = p.run_pass("full")
	failed = {k.split("/", 1)[1] for k in first.errors}
	assert victim in failed
	assert main(["--config", str(world.config_path), "status", "--json"]) == 0
	status = json.loads(capsys.readouterr().out)
	reasons = {r["object_id"]: r["reason"] for r in status["pending_writes"]["oldest"]}
	assert status["pending_writes"]["counts"] == {"contacts": len(failed)}
	assert reasons[victim].startswith("VALIDATION_ERROR: nope")
	# an incremental pass, not only the daily full pass, retries them
	again = p.run_pass("incremental")
	assert again.stats["written"] >= len(failed) and not again.errors
	assert victim in store.ledger_hashes("contacts", [victim])
	assert store.pending_rows() == []


def test_a_record_hubspot_says_is_gone_is_dropped_with_a_log_line(world, caplog):
	p, store = pipeline(world)
	victim = world.dataset.hubspot_contacts[5]["id"]

	def delete_before_write(method: str, path: str, when: str) -> None:
		if when == "before" and path.endswith("/contacts/batch/update"):
			world.hubspot.objects["contacts"].pop(victim, None)

	world.hubspot.hooks.append(delete_before_write)
	res = p.run_pass("full")
	assert f"contacts/{victim}" not in res.errors and res.stats["contacts_gone"] == 1
	assert f"contacts {victim} is gone from HubSpot" in caplog.text
	assert store.pending_rows() == []
	assert store.last_runs(1)[0]["status"] == "ok"


def test_a_pending_record_deleted_in_hubspot_before_its_retry_is_dropped(world, caplog):
	p, store = pipeline(world)
	p.run_pass("full")
	victim = world.dataset.hubspot_contacts[7]["id"]
	store.add_pending("contacts", {victim: "SERVICE_UNAVAILABLE: outage"})
	world.hubspot.objects["contacts"].pop(victim)
	res = p.run_pass("incremental")
	assert not res.errors and store.pending_rows() == []
	assert f"pending contacts {victim} is gone from HubSpot" in caplog.text


def test_pending_retries_back_off(sqlite_url):
	from sidecar.store import open_store

	store = open_store(sqlite_url)
	store.add_pending("contacts", {"1": "x"}, now=1000.0)
	assert store.due_pending("contacts", now=1000.0) == ["1"]  # the next pass retries at once
	store.add_pending("contacts", {"1": "y"}, now=1000.0)
	assert store.due_pending("contacts", now=1059.0) == [] and store.due_pending("contacts", now=1060.0) == [
		"1"
	]
	store.add_pending("contacts", {"1": "z"}, now=1060.0)
	assert store.due_pending("contacts", now=1179.0) == [] and store.due_pending("contacts", now=1180.0) == [
		"1"
	]
	row = store.pending_rows()[0]
	assert (row["attempts"], row["reason"], row["first_failed_at"]) == (3, "z", 1000.0)


def test_a_crash_mid_pass_resends_at_most_the_batch_in_flight(world):
	"""kill -9 a real backfill while its 5th batch is in flight; the restart re-sends only unwritten batches."""
	batch = 10
	world.config_path.write_text(
		world.config_path.read_text().replace("[hubspot]\n", f"[hubspot]\nbatch_size = {batch}\n", 1)
	)
	n_contacts = len(world.dataset.hubspot_contacts)
	assert n_contacts > 6 * batch
	proc_box: dict[str, subprocess.Popen] = {}
	seen = {"updates": 0}

	def kill_on_fifth(method: str, path: str, when: str) -> None:
		if when == "before" and path.endswith("/contacts/batch/update"):
			seen["updates"] += 1
			if seen["updates"] == 5:
				os.kill(proc_box["p"].pid, signal.SIGKILL)

	world.hubspot.hooks.append(kill_on_fifth)
	env = dict(os.environ, **world.env)
	proc_box["p"] = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"sidecar.cli",
			"--config",
			str(world.config_path),
			"backfill",
			"--no-progress",
		],
		env=env,
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
	)
	proc_box["p"].wait(timeout=120)
	assert proc_box["p"].returncode == -signal.SIGKILL
	world.hubspot.hooks.clear()
	first_run = len(world.hubspot.log)
	p, store = pipeline(world)
	assert sum(store.ledger_count().values()) == 4 * batch
	p.run_pass("full")
	resent = [
		r
		for r in world.hubspot.log[first_run:]
		if r["path"].endswith("/contacts/batch/update") and r["method"] == "POST"
	]
	owner_updates = len(store.handoff_rows())
	assert sum(r["size"] for r in resent) <= n_contacts - 4 * batch + owner_updates


def _result(fit: float, total: int = 50) -> ScoreResult:
	tiers = {"fit": fit, "behaviour": 2.5, "erp": -2.5}
	return ScoreResult(total=total, tiers=tiers, band="B", reasons=[], contributions=[])


def test_every_written_value_rounds_half_away_from_zero():
	values = score_values(NAMES, _result(8.5), None)
	assert (values["f"], values["b"], values["e"]) == (9, 3, -3)
	# a tier decaying from 8.51 to 8.50 writes the same value: no spurious write
	assert values_hash(score_values(NAMES, _result(8.51), None)) == values_hash(values)
