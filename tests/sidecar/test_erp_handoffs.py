"""Handoffs of ERP customers told to ERPNext, and the first order after them back as an outcome.

Over real HTTP: the pipeline against the local HubSpot and ERP stand-ins (tests/sidecar/hubspot_server.py;
the ERP stand-in answers record_handoff as the app does and refuses a request of another shape). Checked:
every handoff of a lead whose company matched an ERP customer is recorded once, with the task and contact
links; ERPNext being down leaves the notes pending with their error and the next pass delivers them, once;
a first order the feed reports after a handoff lands in the outcome store and counts in `model fit`'s
examples and the ROI report (conversion, deal value, days). Plus the conversion rule on plain values.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import requests

from sidecar.erp import ErpClient
from sidecar.handoff.erp_notes import KIND
from sidecar.hubspot import HubSpotClient
from sidecar.report import build_report
from sidecar.scoring import load_default_model
from sidecar.scoring.learning.examples import ErpOrder, build_examples, erp_conversion
from sidecar.store import open_store
from sidecar.sync import Pipeline
from tests.sidecar.conftest import SidecarWorld
from tests.sidecar.hubspot_server import HANDOFF_PATH


@pytest.fixture
def erp_world(tmp_path, monkeypatch):
	w = SidecarWorld(tmp_path, threshold_rank=15)  # enough crossings that several are ERP customers
	w.env["REVOPS_HUBSPOT_PORTAL_ID"] = "4242"
	w.erp.move_on_handoff = True  # as the app's feed: a recorded handoff serves its customer again
	for key, value in w.env.items():
		monkeypatch.setenv(key, value)
	yield w
	w.close()


def pipeline(world) -> tuple[Pipeline, object]:
	cfg = world.config()
	store = open_store(world.store_url)
	return Pipeline(
		cfg, store, HubSpotClient.from_config(cfg), ErpClient.from_config(cfg.erp), load_default_model()
	), store


def erp_handoffs(store) -> list[dict]:
	rows = [h for h in store.handoff_rows() if '"erp_customer": "' in (h["details"] or "")]
	assert rows, "the world must hand off some leads of ERP customers, or this test proves nothing"
	return rows


def handoff_calls(world) -> list[dict]:
	return [c for c in world.erp.calls if c["path"] == HANDOFF_PATH]


def test_each_erp_customer_handoff_is_recorded_once_with_its_links(erp_world):
	p, store = pipeline(erp_world)
	res = p.run_pass("full")
	wanted = erp_handoffs(store)
	assert res.stats["erp_handoffs_recorded"] == len(wanted) and not res.errors
	assert set(erp_world.erp.handoffs) == {h["handoff_key"] for h in wanted}
	for h in wanted:
		sent = erp_world.erp.handoffs[h["handoff_key"]]
		assert sent["contact_id"] == h["contact_id"] and sent["task_id"] == h["task_id"]
		assert sent["contact_url"] == f"https://app.hubspot.com/contacts/4242/record/0-1/{h['contact_id']}"
		assert sent["task_url"] == f"https://app.hubspot.com/tasks/4242/view/all/task/{h['task_id']}"
		assert sent["handed_off_at"] == h["crossed_at"].replace(microsecond=0).isoformat() + "Z"
		assert sent["subject"].startswith("SQL: ") and 0 < float(sent["score"]) <= 100
		assert sent["customer"] in {r["customer"] for r in erp_world.erp.records}
	assert all(c["method"] == "POST" for c in handoff_calls(erp_world))
	assert store.pending_outbox(KIND) == []
	calls = len(handoff_calls(erp_world))
	p.run_pass("incremental")  # nothing new to tell
	assert len(handoff_calls(erp_world)) == calls


def test_erpnext_down_keeps_the_notes_pending_and_the_next_pass_delivers_them_once(erp_world):
	erp_world.erp.handoff_failures = [503] * 5  # the client's own retries (4) all fail too
	p, store = pipeline(erp_world)
	res = p.run_pass("full")
	pending = store.pending_outbox(KIND)
	assert pending and erp_world.erp.handoffs == {}
	assert any(k.startswith("erp_handoff/") and "503" in v for k, v in res.errors.items())
	assert all(r["attempts"] >= 1 for r in pending[:1]) and "503" in pending[0]["last_error"]
	res = p.run_pass("incremental")
	assert store.pending_outbox(KIND) == [] and not res.errors
	assert set(erp_world.erp.handoffs) == {h["handoff_key"] for h in erp_handoffs(store)}


def test_the_server_answers_a_redelivery_as_duplicate_and_refuses_other_shapes(erp_world):
	client = ErpClient.from_config(erp_world.config().erp)
	customer = erp_world.erp.records[0]["customer"]
	note = {"handoff_key": "77:1", "customer": customer, "handed_off_at": "2026-11-30T09:00:00Z", "score": 80}
	assert client.record_handoff(note)["status"] == "created"
	assert client.record_handoff(note)["status"] == "duplicate"
	auth = {"Authorization": "token erp-key:erp-secret"}
	url = erp_world.erp.url + HANDOFF_PATH
	assert requests.get(url, params=note, headers=auth, timeout=5).status_code == 403
	assert requests.post(url, json=note, headers=auth, timeout=5).status_code == 417
	assert (
		requests.post(
			url, data={**note, "handed_off_at": "2026-11-30 09:00"}, headers=auth, timeout=5
		).status_code
		== 417
	)
	assert requests.post(url, data={**note, "extra": "x"}, headers=auth, timeout=5).status_code == 417


def test_a_first_order_after_a_handoff_is_an_outcome_for_fit_and_report(erp_world):
	p, store = pipeline(erp_world)
	p.run_pass("full")
	h = erp_handoffs(store)[0]
	day = h["crossed_at"].date() + timedelta(days=5)
	order = {"doctype": "Sales Order", "name": "SAL-ORD-0001", "date": day.isoformat(), "amount": 1234.5}
	erp_world.erp.order_after_handoff(h["handoff_key"], order, modified="2099-01-01 00:00:00.000000")
	p.run_pass("incremental")
	(row,) = [r for r in store.erp_orders() if r["kind"] == "handoff"]
	assert (row["handoff_key"], row["order_name"], row["order_date"], row["amount"]) == (
		h["handoff_key"],
		"SAL-ORD-0001",
		day,
		1234.5,
	)
	report = build_report(store, days=30)
	after = report["erp_after_handoff"]
	assert (
		after["ordered_after_handoff"],
		after["first_order_value"],
		after["median_days_to_first_order"],
	) == (
		1,
		1234.5,
		5,
	)
	assert after["reported_to_erp"] == len(erp_handoffs(store))
	examples = build_examples(store, as_of=datetime.now() + timedelta(days=200), horizon_days=90)
	(converted,) = [e for e in examples.examples if e.converted]
	assert (converted.contact_id, converted.won_value, converted.erp_order) == (h["contact_id"], 1234.5, True)
	assert (
		4 <= converted.days_to_close <= 5
	)  # from the entry score (a few ms before the crossing) to the order day


def test_conversion_rule_on_plain_values():
	entered = datetime(2026, 6, 1, 15, 0)
	horizon = timedelta(days=90)
	first_ever = ErpOrder(date(2026, 7, 1), 500.0, False)
	after = [ErpOrder(date(2026, 6, 20), 90.0, True), ErpOrder(date(2026, 12, 1), 10.0, True)]
	assert erp_conversion(entered, horizon, first_ever, after) == after[0]  # the earliest in the window
	assert erp_conversion(entered, horizon, first_ever, []) == first_ever  # became an ERP customer
	# a first-ever order on the entry day may have come before the lead: not counted; a later one is
	assert erp_conversion(entered, horizon, ErpOrder(date(2026, 6, 1), 1.0, False), []) is None
	assert erp_conversion(entered, horizon, None, after[1:]) is None  # outside the horizon
	assert erp_conversion(entered, None, None, after[1:]) == after[1]  # the report has no horizon


def test_what_the_sidecar_sends_is_what_the_endpoint_takes():
	# the sidecar's fields and the stand-in's accepted arguments are kept apart on purpose (the stand-in
	# checks the request independently); both must equal the real endpoint's parameters
	import ast

	from sidecar.erp.endpoints import HANDOFF_FIELDS, HANDOFF_METHOD
	from tests.conftest import APP_DIR
	from tests.sidecar.hubspot_server import HANDOFF_ARGS

	module, function = HANDOFF_METHOD.removeprefix("revops_app.").rsplit(".", 1)
	tree = ast.parse((APP_DIR / (module.replace(".", "/") + ".py")).read_text())
	endpoint = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
	parameters = [arg.arg for arg in endpoint.args.args]
	assert list(HANDOFF_FIELDS) == parameters
	assert HANDOFF_ARGS == set(parameters)
	assert HANDOFF_PATH == f"/api/method/{HANDOFF_METHOD}"
