"""CX state pushed back to HubSpot: ERPNext (Frappe-like server) -> HubSpot stand-in (spec-checked), only
changed values written, cursor kept when a write fails."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from sidecar.cx.pushback import CURSOR_NAME, push_cx_state
from sidecar.cx.store import CxStore
from sidecar.erp import CX_STATE_METHOD, ErpClient, RetryPolicy
from sidecar.hubspot.client import hubspot_retry
from tests.sidecar.hubspot_server import HubSpotServer
from tests.sidecar.test_erp_fake_server import API_KEY, API_SECRET, FrappeLikeServer, Reply

hubspot_module = pytest.importorskip("sidecar.hubspot")

STATES = [
	{
		"customer": "CUST-1",
		"latest_nps": 3,
		"cx_segment": "Detractor",
		"churn_risk": True,
		"cx_updated_on": "2026-11-29 10:00:00",
	},
	{
		"customer": "CUST-2",
		"latest_nps": None,
		"cx_segment": "Promoter",
		"churn_risk": False,
		"cx_updated_on": "2026-11-29 11:00:00",
	},
]


@pytest.fixture
def hubspot():
	srv = HubSpotServer()
	srv.add("companies", {"id": "11", "properties": {"name": "One", "revops_erp_customer": "CUST-1"}})
	srv.add("companies", {"id": "12", "properties": {"name": "Two", "revops_erp_customer": "CUST-2"}})
	srv.add("companies", {"id": "13", "properties": {"name": "Other", "revops_erp_customer": "CUST-9"}})
	srv.add(
		"contacts", {"id": "21", "properties": {"email": "a@one.example", "revops_erp_customer": "CUST-1"}}
	)
	yield srv
	srv.close()


@pytest.fixture
def erp():
	asked = []

	def responder(seen):
		assert seen.path == f"/api/method/{CX_STATE_METHOD}"
		asked.append(seen.query.get("modified_after"))
		after = seen.query.get("modified_after") or ""
		customers = [s for s in STATES if s["cx_updated_on"] > after]
		return Reply(200, {"message": {"customers": customers, "next_modified_after": after or None}})

	with FrappeLikeServer() as server:
		server.responder = responder
		yield ErpClient(server.url, API_KEY, API_SECRET, retry=RetryPolicy(retries=0)), asked


def test_push_writes_changed_values_once(hubspot, erp, tmp_path):
	client, asked = erp
	store = CxStore(create_engine(f"sqlite:///{tmp_path / 'cx.sqlite3'}"))
	hs = hubspot_module.HubSpotClient(hubspot.token, base_url=hubspot.url, sleep=lambda s: None)
	stats = push_cx_state(client, hs, store)
	assert stats == {"customers": 2, "updated": 3, "unchanged": 0, "failed": 0}
	assert hubspot.violations == []
	one = hubspot.objects["companies"]["11"]["properties"]
	assert (one["revops_cx_segment"], one["revops_cx_churn_risk"], one["revops_cx_latest_nps"]) == (
		"Detractor",
		"true",
		"3",
	)
	assert hubspot.objects["contacts"]["21"]["properties"]["revops_cx_churn_risk"] == "true"
	assert "revops_cx_segment" not in hubspot.objects["companies"]["13"]["properties"]
	assert {"revops_cx_segment", "revops_cx_churn_risk", "revops_cx_latest_nps"} <= set(
		hubspot.properties["companies"]
	)
	assert store.get_cursor(CURSOR_NAME) == "2026-11-29 11:00:00"

	# nothing changed since the cursor: one ERP call, no HubSpot writes
	hubspot.log.clear()
	assert push_cx_state(client, hs, store)["customers"] == 0
	assert asked[-1] == "2026-11-29 11:00:00"
	assert not [r for r in hubspot.log if r["kind"] == "write"]

	# a forced re-read of the same states writes nothing (values already equal)
	store.set_cursor(CURSOR_NAME, "")
	stats = push_cx_state(client, hs, store)
	assert (stats["updated"], stats["unchanged"]) == (0, 3)


def test_failed_write_keeps_the_cursor(hubspot, erp, tmp_path):
	client, _asked = erp
	store = CxStore(create_engine(f"sqlite:///{tmp_path / 'cx.sqlite3'}"))
	hs = hubspot_module.HubSpotClient(
		hubspot.token, base_url=hubspot.url, sleep=lambda s: None, retry=hubspot_retry({"max_retries": 0})
	)
	hubspot.inject(
		"POST",
		r"/crm/v3/objects/contacts/batch/update",
		400,
		body={"status": "error", "message": "bad"},
		times=5,
	)
	stats = push_cx_state(client, hs, store)
	assert stats["failed"] == 1 and stats["updated"] == 2
	assert store.get_cursor(CURSOR_NAME) is None
