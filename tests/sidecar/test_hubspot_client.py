"""HubSpotClient over real HTTP against the local spec-checking server: shapes, batches, faults, paging."""

from __future__ import annotations

import json
import time

import pytest

from sidecar.hubspot import AmbiguousWrite, DailyBudgetExhausted, HubSpotClient, HubSpotError, RateLimiter
from sidecar.hubspot.client import SEARCH_RESULT_CAP, hubspot_retry
from tests.sidecar.hubspot_server import HubSpotServer, validate


@pytest.fixture
def server():
	srv = HubSpotServer()
	yield srv
	srv.close()


def make_client(server: HubSpotServer, **kwargs) -> HubSpotClient:
	kwargs.setdefault("limiter", RateLimiter(burst=10_000, searches_per_second=5))
	kwargs.setdefault("retry", hubspot_retry({"backoff_seconds": 0.01}))
	kwargs.setdefault("timeout", (2.0, 5.0))
	return HubSpotClient("test-token", server.url, **kwargs)


def seed(server: HubSpotServer, n: int) -> None:
	for i in range(1, n + 1):
		server.add(
			"contacts", {"id": str(i), "properties": {"email": f"p{i}@acme.example", "firstname": f"P{i}"}}
		)


def test_validator_catches_shape_errors(hubspot_specs):
	# the server's checks must be able to fail: a search without `sorts`, an unknown key, a wrong enum
	schemas = hubspot_specs["crm_objects_v3"]["components"]["schemas"]
	ref = {"$ref": "#/components/schemas/PublicObjectSearchRequest"}
	good = {"filterGroups": [], "sorts": ["hs_object_id"], "properties": [], "limit": 10, "after": "0"}
	assert validate(ref, good, schemas) == []
	assert any("sorts" in e for e in validate(ref, {k: v for k, v in good.items() if k != "sorts"}, schemas))
	assert any("unknown key" in e for e in validate(ref, dict(good, bogus=1), schemas))
	tasks = hubspot_specs["crm_tasks_v3"]["components"]["schemas"]
	spec = {"$ref": "#/components/schemas/AssociationSpec"}
	assert validate(spec, {"associationCategory": "NOPE", "associationTypeId": 204}, tasks)


def test_unknown_token_is_a_hard_error(server):
	client = HubSpotClient("wrong", server.url, limiter=RateLimiter(burst=100, searches_per_second=5))
	with pytest.raises(HubSpotError) as exc:
		client.batch_read("contacts", ["1"], ["email"])
	assert exc.value.status == 401
	assert len(server.requests()) == 1  # never retried


def test_properties_created_once_in_own_group(server):
	client = make_client(server)
	created = client.ensure_properties()
	assert "revops_score" in created["contacts"] and created["tasks"] == ["revops_handoff_key"]
	assert server.groups["contacts"] == {"revops_scoring"}
	assert all(p["groupName"] == "revops_scoring" for p in server.properties["contacts"].values())
	assert server.properties["contacts"]["revops_score"]["type"] == "number"
	again = client.ensure_properties()  # group POST answers 409: exists, nothing else created
	assert again == {"companies": [], "contacts": [], "tasks": []}
	assert len(server.requests(method="POST", path=r"/properties/.*/batch/create")) == 3
	assert server.violations == []


def test_batch_update_never_exceeds_100_and_reports_each_record(server):
	seed(server, 250)
	client = make_client(server)
	updates = {str(i): {"revops_score": i % 100, "revops_score_band": "A"} for i in range(1, 254)}
	result = client.batch_update("contacts", updates)
	calls = server.requests(method="POST", path="/batch/update")
	assert len(calls) == 3
	assert set(result.ok) == {str(i) for i in range(1, 251)}
	assert set(result.failed) == {"251", "252", "253"}  # 207: not found, recorded not retried
	assert all("OBJECT_NOT_FOUND" in e for e in result.failed.values())
	assert server.objects["contacts"]["7"]["properties"]["revops_score"] == "7"
	assert server.violations == []


def test_207_retryable_errors_are_retried_alone(server):
	seed(server, 10)
	client = make_client(server)
	body = {
		"status": "COMPLETE",
		"results": [
			{"id": str(i), "properties": {}, "createdAt": "x", "updatedAt": "x", "archived": False}
			for i in range(1, 9)
		],
		"errors": [
			{
				"status": "error",
				"category": "RATE_LIMITS",
				"message": "secondly",
				"context": {"ids": ["9", "10"]},
			}
		],
		"startedAt": "x",
		"completedAt": "x",
	}
	server.inject("POST", "/contacts/batch/update", 207, body=body)
	result = client.batch_update("contacts", {str(i): {"revops_score": 1} for i in range(1, 11)})
	assert set(result.ok) == {str(i) for i in range(1, 11)} and not result.failed
	retry = server.requests(method="POST", path="/batch/update")
	assert len(retry) == 2


def test_400_on_a_batch_is_bisected_to_the_bad_record(server):
	seed(server, 40)
	client = make_client(server)
	updates = {str(i): {"revops_score": i} for i in range(1, 41)}
	updates["17"] = {"revops_score": "seventeen"}
	result = client.batch_update("contacts", updates)
	assert set(result.failed) == {"17"}
	assert len(result.ok) == 39
	assert server.objects["contacts"]["18"]["properties"]["revops_score"] == "18"


def test_429_honours_retry_after(server):
	seed(server, 3)
	client = make_client(server)
	server.inject(
		"POST",
		"/batch/read",
		429,
		body={"status": "error", "policyName": "TEN_SECONDLY_ROLLING", "message": "slow down"},
		headers={"Retry-After": "1"},
	)
	out = client.batch_read("contacts", ["1", "2"], ["email"])
	assert set(out) == {"1", "2"}
	t = [r["t"] for r in server.requests(path="/batch/read")]
	assert len(t) == 2 and t[1] - t[0] >= 0.95


def test_429_daily_policy_stops_instead_of_hammering(server):
	client = make_client(server)
	server.inject(
		"POST",
		"/batch/read",
		429,
		body={"status": "error", "policyName": "DAILY", "message": "daily limit"},
		times=5,
	)
	with pytest.raises(DailyBudgetExhausted):
		client.batch_read("contacts", ["1"], ["email"])
	assert len(server.requests(path="/batch/read")) == 1


def test_423_locked_waits_and_retries(server):
	seed(server, 2)
	client = make_client(server)
	server.inject(
		"POST",
		"/batch/update",
		423,
		body={"status": "error", "category": "LOCKED", "message": "locked"},
		headers={"Retry-After": "0.2"},
		times=2,
	)
	result = client.batch_update("contacts", {"1": {"revops_score": 3}})
	assert result.ok and not result.failed
	assert len(server.requests(path="/batch/update")) == 3


def test_5xx_retried_for_updates_but_not_for_task_create(server):
	seed(server, 2)
	client = make_client(server)
	server.inject("POST", "/batch/update", 502, times=2)
	assert client.batch_update("contacts", {"1": {"revops_score": 3}}).ok
	assert len(server.requests(path="/batch/update")) == 3
	server.inject("POST", r"/objects/tasks$", 503)
	with pytest.raises(AmbiguousWrite):
		client.create_task({"hs_task_subject": "x", "revops_handoff_key": "1:1", "hs_timestamp": 1}, "1")
	assert len(server.requests(method="POST", path=r"/objects/tasks$")) == 1


def test_retries_give_up_after_max(server):
	client = make_client(server, retry=hubspot_retry({"backoff_seconds": 0.01, "max_retries": 2}))
	server.inject("POST", "/batch/read", 500, times=10)
	with pytest.raises(HubSpotError) as exc:
		client.batch_read("contacts", ["1"], ["email"])
	assert exc.value.status == 500
	assert len(server.requests(path="/batch/read")) == 3


def test_read_timeout_is_retried(server):
	seed(server, 1)
	client = make_client(
		server, timeout=(1.0, 0.3), retry=hubspot_retry({"backoff_seconds": 0.01, "max_retries": 1})
	)
	server.response_delay = 0.6
	with pytest.raises(HubSpotError):
		client.batch_read("contacts", ["1"], ["email"])
	assert len(server.requests(path="/batch/read")) == 2
	server.response_delay = 0.0
	assert client.batch_read("contacts", ["1"], ["email"])


def test_search_pages_past_the_10k_cap_by_id(server):
	n = SEARCH_RESULT_CAP + 2_345
	for i in range(1, n + 1):
		server.objects["contacts"][str(i * 3)] = {
			"id": str(i * 3),
			"properties": {"email": f"x{i}@a.example", "lifecyclestage": "lead"},
		}
	client = make_client(server, limiter=RateLimiter(burst=100_000, searches_per_second=1000))
	seen = [
		c["id"]
		for c in client.search_all(
			"contacts", [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}], ["email"]
		)
	]
	assert len(seen) == n and len(set(seen)) == n
	assert [int(x) for x in seen] == sorted(int(x) for x in seen)
	searches = server.requests(kind="search")
	assert len(searches) > SEARCH_RESULT_CAP // 200  # more than one query was needed
	assert server.violations == []  # and the server never had to refuse an after beyond the cap


def test_task_created_with_contact_association_and_found_by_key(server, hubspot_specs):
	seed(server, 1)
	client = make_client(server)
	task_id = client.create_task(
		{"hs_task_subject": "Call", "hs_timestamp": 1767225600000, "revops_handoff_key": "1:1"}, "1"
	)
	assoc = server.associations[-1]
	assert assoc["from"] == ("tasks", task_id) and assoc["to"] == "1"
	assert assoc["types"] == [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}]
	assert server.objects["tasks"][task_id]["properties"]["hs_timestamp"] == "1767225600000"
	assert client.find_task_by_key("1:1") == task_id
	assert client.find_task_by_key("1:2") is None
	assert server.violations == []


def test_owners_paged(server):
	server.owners = [
		{"id": str(100 + i), "email": f"o{i}@x.example", "archived": False, "teams": []} for i in range(230)
	]
	client = make_client(server)
	owners = client.list_owners()
	assert len(owners) == 230
	assert len(server.requests(path="/crm/v3/owners")) == 3


def test_list_endpoint_returns_every_object(server):
	seed(server, 345)
	client = make_client(server)
	got = list(client.iter_objects("contacts", ["email"]))
	assert len(got) == 345 and got[0]["properties"]["email"] == "p1@acme.example"
	assert len(server.requests(method="GET", path="/objects/contacts")) == 4
	assert json.dumps(server.violations) == "[]"


def test_rate_limiter_penalty_blocks_all_callers():
	clock = [0.0]
	slept: list[float] = []

	def sleep(s: float) -> None:
		slept.append(s)
		clock[0] += s

	limiter = RateLimiter(burst=5, searches_per_second=2, clock=lambda: clock[0], sleep=sleep)
	limiter.penalise(3.0)
	limiter.acquire()
	assert clock[0] >= 3.0
	start = time.monotonic()
	assert time.monotonic() - start < 1


def test_task_found_through_contact_associations_when_search_lags(server):
	seed(server, 1)
	client = make_client(server)
	task_id = client.create_task(
		{"hs_task_subject": "Call", "hs_timestamp": 1, "revops_handoff_key": "1:1"}, "1"
	)
	# a search index that has not caught up yet: the task is not searchable, the association is there
	server.inject("POST", "/tasks/search", 200, body={"total": 0, "results": []}, times=5)
	assert client.find_task_by_key("1:1", contact_id="1") == task_id
	assert server.requests(method="GET", path="/crm/v4/objects/contacts/1/associations/tasks")
	assert client.find_task_by_key("1:2", contact_id="1") is None
	assert server.violations == []
