"""The CX commands end to end through `revops-sidecar`: CSV import, status, sync to a Frappe-like server,
and `cx-serve` as a real process receiving a signed webhook."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests

from sidecar.cli import main
from tests.sidecar.test_cx_delivery import FakeIngest
from tests.sidecar.test_cx_webhook import revops_headers
from tests.sidecar.test_erp_fake_server import API_KEY, API_SECRET, FrappeLikeServer

CSV = """source,external_id,metric,score,respondent_email,submitted_at
survey,1,NPS,2,ana@example.com,2026-11-01T10:00:00Z
survey,2,NPS,10,stranger@nowhere.example,2026-11-01T11:00:00Z
"""


@pytest.fixture
def env(tmp_path, monkeypatch):
	monkeypatch.setenv("REVOPS_STORE_PATH", str(tmp_path / "sidecar.sqlite3"))
	(tmp_path / "sidecar.toml").write_text("# defaults only\n")
	monkeypatch.setenv("REVOPS_CONFIG", str(tmp_path / "sidecar.toml"))
	for key in list(os.environ):
		if key.startswith(("REVOPS_ERP_", "REVOPS_CX_", "REVOPS_HUBSPOT_")):
			monkeypatch.delenv(key)
	return tmp_path


def test_import_status_and_sync(env, monkeypatch, capsys):
	path = env / "responses.csv"
	path.write_text(CSV)
	assert main(["cx-import-csv", str(path)]) == 0
	assert "2 stored" in capsys.readouterr().out
	bad = env / "bad.csv"
	bad.write_text("source,external_id,metric,score,submitted_at\nsurvey,3,NPS,99,2026-11-01\n")
	assert main(["cx-import-csv", str(bad)]) == 1
	captured = capsys.readouterr()
	assert "line 2: score: 99 is outside the scale 0-10" in captured.err and "nothing stored" in captured.out

	ingest = FakeIngest()
	with FrappeLikeServer() as server:
		server.responder = ingest
		monkeypatch.setenv("REVOPS_ERP_BASE_URL", server.url)
		monkeypatch.setenv("REVOPS_ERP_API_KEY", API_KEY)
		monkeypatch.setenv("REVOPS_ERP_API_SECRET", API_SECRET)
		assert main(["cx-sync", "--json", "--no-hubspot"]) == 0
		summary = json.loads(capsys.readouterr().out)
		assert summary["delivery"] == {"sent": 2, "calls": 1, "created": 1, "unmatched": 1}
		assert summary["outbox"] == {"created": 1, "unmatched": 1}
		assert main(["cx-sync", "--json", "--no-hubspot"]) == 0
		assert json.loads(capsys.readouterr().out)["delivery"]["sent"] == 0
	assert ingest.items_seen == [("survey", "1"), ("survey", "2")]

	assert main(["cx-status", "--json"]) == 0
	status = json.loads(capsys.readouterr().out)
	assert status["attention"] == [
		{
			"source": "survey",
			"external_id": "2",
			"status": "unmatched",
			"attempts": 1,
			"message": None,
			"erp_name": "CX-00002",
		}
	]


def test_sync_without_erp_settings_is_a_config_error(env, capsys):
	assert main(["cx-sync", "--no-hubspot"]) == 2
	assert "erp.base_url" in capsys.readouterr().err


def test_cx_serve_process_accepts_signed_and_refuses_unsigned(env):
	child_env = {**os.environ, "REVOPS_CX_WEBHOOK_SECRET": "serve-secret"}
	proc = subprocess.Popen(
		[sys.executable, "-m", "sidecar.cli", "cx-serve", "--port", "0"],
		env=child_env,
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
	)
	try:
		line = proc.stdout.readline()
		assert "listening on http://127.0.0.1:" in line, line + proc.stderr.read()
		url = line.split("listening on ")[1].split(" ")[0]
		body = json.dumps(
			{
				"source": "s",
				"external_id": "x1",
				"metric": "CSAT",
				"score": 1,
				"submitted_at": "2026-11-01T10:00:00Z",
			}
		).encode()
		ok = requests.post(
			f"{url}/webhooks/survey", data=body, headers=revops_headers(body, "serve-secret"), timeout=5
		)
		assert ok.status_code == 202, ok.text
		refused = requests.post(f"{url}/webhooks/survey", data=body, timeout=5)
		assert refused.status_code == 401
		assert requests.get(f"{url}/healthz", timeout=5).json()["outbox"] == {"pending": 1}
	finally:
		proc.terminate()
		try:
			proc.wait(timeout=10)
		except subprocess.TimeoutExpired:
			proc.kill()
			proc.wait()
		proc.stdout.close()
		proc.stderr.close()


def test_cx_serve_refuses_to_start_without_secrets(env, capsys):
	assert main(["cx-serve", "--port", "0"]) == 2
	assert "unsigned survey webhooks are never accepted" in capsys.readouterr().err
