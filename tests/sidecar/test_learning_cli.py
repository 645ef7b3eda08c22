"""The learning loop from the console: outcomes in a store file, `model fit` (and its guard), `compare`,
`promote`, `rollback`, `history`, and the ROI report as JSON, CSV and a self-contained HTML file (checked in
headless Chromium when it is installed, else by parsing its structure)."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sidecar.cli import main
from sidecar.demo.dataset import generate
from sidecar.demo.outcomes import simulate_outcomes
from sidecar.scoring.model import DEFAULT_MODEL_FILE, ScoringModel
from sidecar.store import open_store


@cache
def _dataset():
	return generate(companies=1200)


@pytest.fixture
def world(tmp_path: Path, monkeypatch):
	"""A store with demo outcomes (entry dates end today) and a config whose live model is a copy of the default."""
	dataset = _dataset()
	live = tmp_path / "live.toml"
	shutil.copy(DEFAULT_MODEL_FILE, live)
	store_path = tmp_path / "store.sqlite3"
	store = open_store(f"sqlite:///{store_path}")
	from datetime import datetime, timezone

	# move the demo's clock to now, so the report window and `model fit` (as of today) see the leads
	shifted = dataset.__class__(**{**dataset.__dict__, "as_of": datetime.now(timezone.utc)})
	simulate_outcomes(shifted, ScoringModel.from_file(live), store)
	store.close()
	cfg = tmp_path / "c.toml"
	cfg.write_text(
		f'[store]\npath = "{store_path}"\n[scoring]\nmodel_file = "{live}"\n[learning]\nmin_leads = 150\n'
	)
	return {"cfg": str(cfg), "live": live, "tmp": tmp_path, "store": store_path}


def test_fit_compare_promote_rollback(world, capsys):
	cfg, live, cand = world["cfg"], world["live"], world["tmp"] / "cand.toml"
	original = live.read_text()
	assert main(["--config", cfg, "model", "fit", "--output", str(cand)]) == 0
	out = capsys.readouterr().out
	assert "per-signal multipliers" in out and "AUC" in out and str(cand) in out
	ScoringModel.from_file(cand)
	assert main(["--config", cfg, "model", "compare", str(cand), "--json"]) == 0
	metrics = json.loads(capsys.readouterr().out)
	assert metrics["candidate"]["auc"] > metrics["live"]["auc"]
	assert [b["band"] for b in metrics["live"]["bands"]] == ["hot", "warm", "cool", "cold"]
	assert main(["--config", cfg, "model", "promote", str(cand)]) == 0
	assert live.read_text() == cand.read_text()
	assert "is live" in capsys.readouterr().out
	assert main(["--config", cfg, "model", "history", "--json"]) == 0
	history = json.loads(capsys.readouterr().out)
	assert history[0]["status"] == "live" and history[0]["provenance"]["base_version"]
	assert main(["--config", cfg, "model", "rollback"]) == 0
	assert live.read_text() == original
	assert main(["--config", cfg, "model", "promote", str(cand)]) == 0
	assert main(["--config", cfg, "model", "promote", str(cand)]) == 2  # already live: said, nothing changes
	assert "already the live model" in capsys.readouterr().out


def test_fit_refuses_too_little_data(tmp_path, capsys):
	cfg = tmp_path / "c.toml"
	cfg.write_text(f'[store]\npath = "{tmp_path / "empty.sqlite3"}"\n')
	assert main(["--config", str(cfg), "model", "fit", "--output", str(tmp_path / "x.toml")]) == 1
	out = capsys.readouterr().out
	assert "not enough outcomes to fit a model" in out and "minimum 200" in out
	assert not (tmp_path / "x.toml").exists()


def test_promote_needs_a_live_model_path_and_a_valid_file(tmp_path, capsys):
	cfg = tmp_path / "c.toml"
	cfg.write_text(f'[store]\npath = "{tmp_path / "s.sqlite3"}"\n')
	assert main(["--config", str(cfg), "model", "promote", str(DEFAULT_MODEL_FILE)]) == 2
	assert "model_file is empty" in capsys.readouterr().out
	bad = tmp_path / "bad.toml"
	bad.write_text(DEFAULT_MODEL_FILE.read_text().replace("breadth_weight = 0.25", "breadth_weight = 7"))
	live = tmp_path / "live.toml"
	shutil.copy(DEFAULT_MODEL_FILE, live)
	cfg.write_text(f'[store]\npath = "{tmp_path / "s.sqlite3"}"\n[scoring]\nmodel_file = "{live}"\n')
	assert main(["--config", str(cfg), "model", "promote", str(bad)]) == 2
	assert "company.breadth_weight" in capsys.readouterr().out
	assert live.read_text() == DEFAULT_MODEL_FILE.read_text()  # the live file is untouched


class _Structure(HTMLParser):
	def __init__(self):
		super().__init__()
		self.tags: dict[str, int] = {}
		self.external: list[str] = []

	def handle_starttag(self, tag, attrs):
		self.tags[tag] = self.tags.get(tag, 0) + 1
		for name, value in attrs:
			if name in ("src", "href") and value and not value.startswith("#"):
				self.external.append(value)


def test_report_formats(world, capsys):
	cfg, tmp = world["cfg"], world["tmp"]
	assert main(["--config", cfg, "report", "--format", "json", "--days", "500"]) == 0
	report = json.loads(capsys.readouterr().out)
	assert [b["band"] for b in report["bands"]] == ["hot", "warm", "cool", "cold"]
	hot, cold = report["bands"][0], report["bands"][-1]
	assert hot["conversion_rate"] > cold["conversion_rate"] and hot["won_value"] > 0
	matched = report["erp_match"]["matched"]
	assert matched["contacts"] + report["erp_match"]["unmatched"]["contacts"] == sum(
		b["contacts"] for b in report["bands"]
	)
	assert report["lift_curve"][-1]["conversions_share"] == 1.0
	assert (
		main(["--config", cfg, "report", "--format", "csv", "--days", "500", "--output", str(tmp / "r.csv")])
		== 0
	)
	rows = (tmp / "r.csv").read_text().splitlines()
	assert rows[0] == "section,name,metric,value" and any(r.startswith("band,hot,won_value,") for r in rows)
	html_path = tmp / "r.html"
	assert (
		main(["--config", cfg, "report", "--format", "html", "--days", "500", "--output", str(html_path)])
		== 0
	)
	parser = _Structure()
	parser.feed(html_path.read_text())
	assert parser.tags.get("svg") == 4 and parser.tags.get("table") == 2 and parser.external == []
	assert parser.tags.get("polyline", 0) >= 2 and parser.tags.get("rect", 0) >= 10
	chromium = shutil.which("chromium") or shutil.which("chromium-browser")
	if chromium:  # the browser's own parse and layout of the file
		dom = subprocess.run(
			[chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", html_path.as_uri()],
			capture_output=True,
			text=True,
			timeout=60,
		).stdout
		assert dom.count("<svg") == 4 and "Lead scoring ROI" in dom
