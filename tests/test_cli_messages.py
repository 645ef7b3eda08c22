"""The exact text `revops-sidecar` prints for help, failures and empty states (the input and the words)."""

from __future__ import annotations

import argparse
import socket
import threading

import pytest

from sidecar.cli import build_parser, main
from sidecar.commands.failures import cause_of, shorten
from sidecar.erp import ErpClient
from sidecar.erp.errors import ErpConnectionError
from sidecar.retry import RetryPolicy


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
	config = tmp_path / "sidecar.toml"
	config.write_text(f'[store]\npath = "{tmp_path / "empty.sqlite3"}"\n')
	return str(config)


def subcommands() -> dict[str, argparse.ArgumentParser]:
	parser = build_parser()
	action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
	return dict(action.choices)


def test_every_subcommand_is_described_and_every_option_helped():
	commands = subcommands()
	assert {"run", "sync", "plan", "backfill", "status", "report", "demo", "config", "cx-status"} <= set(
		commands
	)
	for name, parser in commands.items():
		assert parser.description and len(parser.description) > 40, name
		for action in parser._actions:
			if action.dest != "help":
				assert action.help, f"{name} {action.option_strings or action.dest} has no help"
	assert "--limit LIMIT  responses listed per state" in commands["cx-status"].format_help()


def closed_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def test_an_unreachable_erp_is_one_line_naming_the_host_and_what_to_check(tmp_path, monkeypatch, capsys):
	from tests.sidecar.conftest import SidecarWorld

	world = SidecarWorld(tmp_path, companies=5)
	try:
		port = closed_port()
		for key, value in world.env.items():
			monkeypatch.setenv(key, value)
		monkeypatch.setenv("REVOPS_ERP_BASE_URL", f"http://127.0.0.1:{port}")
		monkeypatch.setenv("REVOPS_ERP_MAX_RETRIES", "0")
		assert main(["--config", str(world.config_path), "sync"]) == 1
	finally:
		world.close()
	assert capsys.readouterr().err == (
		f"revops-sidecar: sync failed: cannot reach ERPNext at 127.0.0.1:{port} (connection refused): check "
		f"erp.base_url (REVOPS_ERP_BASE_URL, now http://127.0.0.1:{port}), that the site is running, and that "
		"this host can reach it (DNS, firewall, proxy)\n"
	)


def test_an_erp_that_never_answers_is_named_as_such():
	server = socket.socket()
	server.bind(("127.0.0.1", 0))
	server.listen(1)
	held: list[socket.socket] = []
	threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
	port = server.getsockname()[1]
	client = ErpClient(f"http://127.0.0.1:{port}", "k", "s", timeout=(2, 0.3), retry=RetryPolicy(retries=0))
	try:
		with pytest.raises(ErpConnectionError) as caught:
			client.call("revops_app.api.signals.customer_signals")
	finally:
		server.close()
	assert cause_of(str(caught.value)) == "no answer in time"


def test_long_details_are_cut_at_a_word():
	assert shorten("word " * 100, 22) == "word word word word ..."
	assert shorten("short\nand two lines") == "short and two lines"


def test_status_of_an_empty_store_says_what_is_empty_and_what_to_run(empty_store, capsys):
	assert main(["--config", empty_store, "status"]) == 0
	lines = capsys.readouterr().out.splitlines()
	assert lines[1:] == [
		"cursors: none yet (no pass has run; `revops-sidecar backfill` scores every contact the first time)",
		"outbox: empty (no handoff waiting to be sent)   ledger: empty (nothing written to HubSpot yet)   "
		"ERP customers cached: 0",
		"HubSpot requests today: 0   lock: free",
		"pending writes: none (every score write went through)   push queue: empty (no ERP push waiting)",
		"last runs: none yet (run `revops-sidecar sync`, or `backfill` for the first full pass)",
	]


def test_report_of_an_empty_store(empty_store, capsys):
	assert main(["--config", empty_store, "report"]) == 0
	assert capsys.readouterr().out == (
		"No scores recorded in the last 180 days, so nothing to report yet: run "
		"`revops-sidecar backfill` (first time) or `sync`, then `report` again.\n"
	)


def test_cx_status_of_an_empty_outbox(empty_store, capsys):
	assert main(["--config", empty_store, "cx-status"]) == 0
	assert capsys.readouterr().out == (
		"CX outbox: empty (no survey responses received yet: run `revops-sidecar cx-serve` for webhooks, "
		"`cx-import-csv` for a file, or `cx-sync` with cx.hubspot_feedback on)\n"
	)


def test_one_problem_is_singular(empty_store, tmp_path, capsys):
	bad = tmp_path / "bad.csv"
	bad.write_text("source,external_id,metric,score,submitted_at\nsurvey,3,NPS,99,2026-11-01\n")
	assert main(["--config", empty_store, "cx-import-csv", str(bad)]) == 1
	assert capsys.readouterr().out == (
		"cx-import-csv: nothing stored (1 problem; fix them or use --skip-invalid)\n"
	)
