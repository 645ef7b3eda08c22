"""The console script: help, config, demo, plan (table and JSON), sync, status, report, run and its lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sidecar.cli import main
from sidecar.store import open_store
from tests.sidecar.conftest import SidecarWorld


@pytest.fixture
def world(tmp_path, monkeypatch):
	w = SidecarWorld(tmp_path)
	for key, value in w.env.items():
		monkeypatch.setenv(key, value)
	yield w
	w.close()


def test_console_script_is_installed():
	exe = Path(sys.executable).parent / "revops-sidecar"
	result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
	assert result.returncode == 0
	assert "revops-sidecar" in result.stdout


def test_no_command_prints_help_and_fails(capsys):
	assert main([]) == 2
	out = capsys.readouterr().out
	assert "COMMAND" in out
	for command in ("run", "sync", "plan", "backfill", "status", "report", "demo", "config"):
		assert command in out


def test_config_describes_every_setting_and_masks_secrets(tmp_path, capsys, monkeypatch):
	monkeypatch.setenv("REVOPS_HUBSPOT_TOKEN", "pat-na1-very-secret")
	cfg = tmp_path / "c.toml"
	cfg.write_text('[hubspot]\ntier = "enterprise"\n')
	assert main(["--config", str(cfg), "config"]) == 0
	out = capsys.readouterr().out
	assert "pat-na1-very-secret" not in out
	assert "token = <set>" in out and "REVOPS_HUBSPOT_TOKEN" in out and "tier = 'enterprise'" in out


def test_bad_config_names_the_key(tmp_path, capsys):
	cfg = tmp_path / "c.toml"
	cfg.write_text("[hubspot]\nbatch_size = 250\n")
	assert main(["--config", str(cfg), "config"]) == 2
	assert "hubspot.batch_size" in capsys.readouterr().err


def test_demo_runs_and_prints_leads_and_handoffs(capsys):
	assert main(["demo", "--companies", "300", "--top", "5"]) == 0
	out = capsys.readouterr().out
	assert (
		"Top 5 leads (score 0-100; bands:" in out
		and "Handoffs it would make" in out
		and "nothing sent" in out
	)
	assert main(["demo", "--companies", "300", "--json"]) == 0
	data = json.loads(capsys.readouterr().out)
	assert data["top"][0]["total"] >= data["top"][-1]["total"]
	assert data["stats"]["hubspot_write_calls"] == 0


def test_make_demo_target_exists():
	makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
	assert "revops-sidecar demo" in makefile


def test_plan_table_and_json_write_nothing(world, capsys):
	cfg = str(world.config_path)
	assert main(["--config", cfg, "plan", "--full", "--limit", "5"]) == 0
	out = capsys.readouterr().out
	assert "record(s) would change" in out and "handoff(s) would be made" in out
	assert main(["--config", cfg, "plan", "--full", "--json"]) == 0
	data = json.loads(capsys.readouterr().out)
	assert data["mode"] == "full" and len(data["changes"]) >= len(world.dataset.hubspot_contacts)
	assert data["handoffs"] and all("subject" in h for h in data["handoffs"])
	assert world.hubspot.requests(kind="write") == []
	assert world.hubspot.objects["tasks"] == {}


def test_backfill_sync_status_report(world, capsys):
	cfg = str(world.config_path)
	assert main(["--config", cfg, "backfill"]) == 0
	err = capsys.readouterr().err
	assert "reading contacts" not in err  # stderr is not a terminal here: no bar (test_progress_bar_stages)
	assert main(["--config", cfg, "sync"]) == 0
	capsys.readouterr()
	assert main(["--config", cfg, "status"]) == 0
	out = capsys.readouterr().out
	assert "erp_signals" in out and "outbox: done=" in out and "full" in out and "incremental" in out
	assert main(["--config", cfg, "status", "--json"]) == 0
	data = json.loads(capsys.readouterr().out)
	assert data["lock"] is None and data["ledger"]["contacts"] == len(world.dataset.hubspot_contacts)
	assert main(["--config", cfg, "report", "--json"]) == 0
	report = json.loads(capsys.readouterr().out)
	assert sum(b["contacts"] for b in report["bands"]) == len(world.dataset.hubspot_contacts)
	assert report["handoffs"]["count"] == report["handoffs"]["delivered"] >= 1
	assert main(["--config", cfg, "report"]) == 0
	assert "Time to first touch" in capsys.readouterr().out


def test_run_loop_and_lock(world, capsys):
	cfg = str(world.config_path)
	assert main(["--config", cfg, "run", "--max-passes", "2", "--interval", "0"]) == 0
	out = capsys.readouterr().out
	assert out.count("pass:") == 2 and "full pass" in out and "incremental pass" in out
	# a live holder (this test process, under another holder id) blocks a second instance
	store = open_store(world.store_url)
	assert store.acquire_lock("elsewhere:1:x", ttl=60)
	assert main(["--config", cfg, "sync"]) == 3
	assert "run lock" in capsys.readouterr().err
	store.release_lock("elsewhere:1:x")


def test_run_stops_gracefully_on_sigterm(world):
	import os
	import signal
	import time

	exe = Path(sys.executable).parent / "revops-sidecar"
	proc = subprocess.Popen(
		[str(exe), "--config", str(world.config_path), "run", "--interval", "60"],
		env=dict(os.environ, **world.env),
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
	)
	try:
		line = proc.stdout.readline()  # the first pass has finished
		assert "full pass" in line, proc.stderr.read()
		store = open_store(world.store_url)
		assert store.lock_holder() is not None
		started = time.monotonic()
		proc.send_signal(signal.SIGTERM)
		assert proc.wait(20) == 0
		assert time.monotonic() - started < 10  # did not sit out the 60 s interval
		assert store.lock_holder() is None  # lease released on the way out
	finally:
		if proc.poll() is None:
			proc.kill()


def test_progress_bar_stages():
	import io

	from sidecar.cli import Progress

	out = io.StringIO()
	bar = Progress(stream=out, min_interval=0, enabled=True)
	for i in range(1, 4):
		bar("reading contacts", i, None)
	for i in range(1, 5):
		bar("scoring contacts", i, 4)
	bar.close()
	text = out.getvalue()
	assert "reading contacts: 3 rows" in text
	assert "scoring contacts: 100%|##########| 4/4" in text and text.endswith("\n")
	quiet = io.StringIO()
	auto = Progress(stream=quiet)  # not a terminal: no bar
	auto("scoring contacts", 1, 4)
	auto.close()
	assert quiet.getvalue() == ""
