"""A real pass (CLI backfill over HTTP against the local HubSpot and ERP servers): score history records each
contact's per-signal points and the model version (the fit's features), and a candidate on trial is written to
its own HubSpot property while the live model keeps scoring, banding and handing off."""

from __future__ import annotations

import json
from datetime import timezone

from sidecar.cli import main
from sidecar.demo.dataset import primary_company_id
from sidecar.scoring import build_signals
from sidecar.scoring.learning.modelfile import scale_model
from sidecar.scoring.model import DEFAULT_MODEL_FILE, ScoringModel
from sidecar.store import open_store


def test_backfill_records_features_and_writes_the_shadow_score(world, tmp_path, monkeypatch):
	candidate = tmp_path / "candidate.toml"
	candidate.write_text(
		scale_model(
			DEFAULT_MODEL_FILE.read_text(), {"pricing_page": 3.0, "seniority": 0.2}, {}, {"origin": "test"}
		)
	)
	monkeypatch.setenv("REVOPS_LEARNING_SHADOW_MODEL_FILE", str(candidate))
	assert main(["--config", str(world.config_path), "backfill", "--no-progress"]) == 0
	live, shadow = ScoringModel.from_file(DEFAULT_MODEL_FILE), ScoringModel.from_file(candidate)
	contacts = world.hubspot.objects["contacts"]
	assert "revops_shadow_score" in world.hubspot.properties.get("contacts", {})
	store = open_store(world.store_url)
	rows = {r["contact_id"]: r for r in store.iter_table("revops_score_history")}
	erp_by_name = {r["customer"]: r for r in world.dataset.erp_records}
	differ = 0
	for contact in world.dataset.hubspot_contacts:
		company = world.dataset.company(primary_company_id(contact))
		props = contacts[contact["id"]]["properties"]
		row = rows[contact["id"]]
		as_of = row["scored_at"].replace(tzinfo=timezone.utc)  # the pass's own clock
		signals = build_signals(contact, company, erp_by_name.get(props["revops_erp_customer"]), as_of)
		assert int(props["revops_score"]) == live.score(signals, as_of).total == row["total"]
		assert int(props["revops_shadow_score"]) == shadow.score(signals, as_of).total
		differ += props["revops_shadow_score"] != props["revops_score"]
		features = json.loads(row["contributions"])
		assert features == {c.signal: c.points for c in live.score(signals, as_of).contributions}
		assert row["model_version"] == live.version
	assert differ > 0  # the candidate really scores differently, and only into its own property
