"""Shared pytest fixtures: paths to the app and to the reference schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_DIR = REPO_ROOT / "revops_app"
# A copy of ../shared/reference (ERPNext v15 and v16 / Frappe schemas, Stripe fixtures, HubSpot specs),
# vendored so a clean clone tests the same data; test_reference_copy guards against drift.
REFERENCE_DIR = REPO_ROOT / "tests" / "reference"
# the ERPNext versions the app supports, and where their compact DocType schemas are
ERPNEXT_VERSIONS = {"v15": "erpnext", "v16": "erpnext-v16"}


@cache
def load_reference_doctypes(version: str = "v15") -> dict[str, dict]:
	doctypes = {}
	for path in (REFERENCE_DIR / ERPNEXT_VERSIONS[version] / "doctypes").glob("*.json"):
		if path.name.startswith("_"):
			continue
		data = json.loads(path.read_text())
		doctypes[data["doctype"]] = data
	return doctypes


@cache
def load_frappe_meta() -> dict:
	return json.loads((REFERENCE_DIR / "frappe" / "docfield_fieldtypes.json").read_text())


@cache
def load_stripe_fixtures() -> dict:
	return json.loads((REFERENCE_DIR / "stripe" / "fixtures3.json").read_text())["resources"]


@pytest.fixture
def reference_doctypes() -> dict[str, dict]:
	return load_reference_doctypes()


@pytest.fixture
def frappe_meta() -> dict:
	return load_frappe_meta()


@pytest.fixture
def stripe_fixtures() -> dict:
	return load_stripe_fixtures()
