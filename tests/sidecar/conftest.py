"""Fixtures shared by the sidecar tests (scoring, dataset, ERP/CX clients, HubSpot, store, CLI).

- `hubspot_specs`: the HubSpot OpenAPI specs from tests/reference/hubspot/specs, keyed by file stem.
- `sqlite_url`: a fresh SQLite database file in a temp dir, as a SQLAlchemy URL.
- `pg_url`: the PostgreSQL test server (REVOPS_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test);
  tests using it are skipped only when the server is unreachable.
"""

from __future__ import annotations

import json
import os
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
