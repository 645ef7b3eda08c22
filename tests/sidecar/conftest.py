"""Fixtures shared by the sidecar tests (scoring, dataset, ERP/CX clients, HubSpot, store, CLI).

- `hubspot_specs`: the HubSpot OpenAPI specs from tests/reference/hubspot/specs, keyed by file stem.
- `sqlite_url`: a fresh SQLite database file in a temp dir, as a SQLAlchemy URL.
- `pg_url`: the PostgreSQL test server (REVOPS_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test);
  tests using it are skipped only when the server is unreachable.
- `pg_schema_url`: `pg_url` with its own fresh schema as search_path (dropped afterwards), so a test sees an
  empty database whatever other tests or runs left behind.
- `store_url`: a fresh store database, once on SQLite and once (marked `postgres`) in a fresh PostgreSQL schema.
"""

from __future__ import annotations

import json
import os
import uuid
from functools import cache
from pathlib import Path

import pytest

HUBSPOT_SPECS_DIR = Path(__file__).resolve().parent.parent / "reference" / "hubspot" / "specs"
PG_URL = os.environ.get("REVOPS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@cache
def load_hubspot_specs() -> dict[str, dict]:
	return {path.stem: json.loads(path.read_text()) for path in sorted(HUBSPOT_SPECS_DIR.glob("*.json"))}


@pytest.fixture
def hubspot_specs() -> dict[str, dict]:
	return load_hubspot_specs()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
	return f"sqlite:///{tmp_path / 'sidecar.sqlite3'}"


@cache
def _pg_reachable() -> str | None:
	"""None when the PostgreSQL test server answers, else the reason it does not."""
	try:
		import psycopg
	except ImportError as exc:  # pragma: no cover - psycopg is a sidecar dependency
		return f"psycopg not installed: {exc}"
	try:
		with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
			return None
	except Exception as exc:
		return f"PostgreSQL at {PG_URL} unreachable: {exc}"


@pytest.fixture
def pg_url() -> str:
	reason = _pg_reachable()
	if reason:
		pytest.skip(reason)
	return PG_URL


@pytest.fixture
def pg_schema_url(pg_url: str):
	import psycopg

	schema = f"revops_test_{uuid.uuid4().hex[:10]}"
	plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
	with psycopg.connect(plain, autocommit=True) as conn:
		conn.execute(f'CREATE SCHEMA "{schema}"')
	try:
		yield f"{plain}?options=-csearch_path%3D{schema}"
	finally:
		with psycopg.connect(plain, autocommit=True) as conn:
			conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path: Path) -> str:
	if request.param == "sqlite":
		return f"sqlite:///{tmp_path / 'store.sqlite3'}"
	return request.getfixturevalue("pg_schema_url")


class SidecarWorld:
	"""Local HubSpot + ERP servers seeded with the demo dataset, and a config file pointing at them."""

	def __init__(self, tmp_path: Path, companies: int = 40, threshold_rank: int = 5):
		from sidecar.demo.dataset import generate
		from sidecar.scoring import build_signals, load_default_model
		from tests.sidecar.hubspot_server import ErpServer, HubSpotServer

		self.dataset = generate(seed=7, companies=companies)
		self.hubspot = HubSpotServer(token="hs-test-token")
		for company in self.dataset.hubspot_companies:
			self.hubspot.add("companies", company)
		for contact in self.dataset.hubspot_contacts:
			self.hubspot.add("contacts", contact)
		self.hubspot.owners = list(self.dataset.hubspot_owners)
		self.erp = ErpServer(self.dataset.erp_records, token="erp-key:erp-secret")
		# a threshold the top `threshold_rank` contacts reach with whatever model S1 ships
		model = load_default_model()
		scores = sorted(
			(
				model.score(build_signals(c, co, e, self.dataset.as_of), self.dataset.as_of).total
				for c, co, e in self.dataset.scoring_inputs()
			),
			reverse=True,
		)
		self.threshold = scores[threshold_rank - 1]
		teams = sorted({r["team"] for r in self.dataset.owner_routing})
		self.store_path = tmp_path / "state.sqlite3"
		self.config_path = tmp_path / "sidecar.toml"
		team_tables = "\n".join(f'[handoff.teams."{t}"]\nhubspot_team = "{t}"\n' for t in teams)
		self.config_path.write_text(
			f"""
[erp]
base_url = "{self.erp.url}"
backoff_seconds = 0.01
[hubspot]
base_url = "{self.hubspot.url}"
backoff_seconds = 0.01
search_settle_seconds = 0
searches_per_second = 5
burst_per_10s = 2000
[store]
path = "{self.store_path}"
[scoring]
sql_threshold = {self.threshold}
[handoff]
default_team = "{teams[0]}"
[run]
interval_seconds = 1
{team_tables}
"""
		)
		self.env = {
			"REVOPS_HUBSPOT_TOKEN": "hs-test-token",
			"REVOPS_ERP_API_KEY": "erp-key",
			"REVOPS_ERP_API_SECRET": "erp-secret",
		}

	@property
	def store_url(self) -> str:
		return f"sqlite:///{self.store_path}"

	def config(self):
		from sidecar.config import load_config

		return load_config(self.config_path, env=self.env)

	def close(self) -> None:
		self.hubspot.close()
		self.erp.close()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
	w = SidecarWorld(tmp_path)
	for key, value in w.env.items():
		monkeypatch.setenv(key, value)
	yield w
	w.close()
