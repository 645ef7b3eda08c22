"""sidecar.erp.ErpClient over real HTTP against a local Frappe-like server.

The server checks the Authorization header, path, method and parameters, and can answer 401/404/417/429/5xx
with Frappe-style error bodies, slow responses, or non-JSON pages.
"""

from __future__ import annotations

import json
import logging
import socket

import pytest

from sidecar.erp import (
	CX_INGEST_METHOD,
	SIGNALS_METHOD,
	Cursor,
	ErpAuthError,
	ErpClient,
	ErpConnectionError,
	ErpError,
	ErpNotFound,
	RetryPolicy,
)
from tests.sidecar.test_erp_fake_server import (
	API_KEY,
	API_SECRET,
	FrappeLikeServer,
	Reply,
	SignalsFeed,
	frappe_error,
)


@pytest.fixture
def server():
	with FrappeLikeServer() as srv:
		yield srv


@pytest.fixture
def sleeps():
	return []


def make_client(server, sleeps, **kwargs) -> ErpClient:
	kwargs.setdefault("retry", RetryPolicy(retries=3, backoff=0.01))
	kwargs.setdefault("timeout", (2.0, 5.0))
	return ErpClient(server.url, API_KEY, API_SECRET, sleep=sleeps.append, **kwargs)


def signal_record(name: str, modified: str) -> dict:
	return {"customer": name, "customer_name": name.title(), "modified": modified, "disabled": False}


# --- auth and errors ------------------------------------------------------------------------


def test_token_header_and_method_path(server, sleeps):
	server.responder = lambda seen: Reply(200, {"message": {"ok": seen.query}})
	client = make_client(server, sleeps)
	assert client.call("frappe.ping", {"x": [1, 2], "flag": True}) == {"ok": {"x": "[1,2]", "flag": "1"}}
	seen = server.requests[-1]
	assert seen.method == "GET" and seen.path == "/api/method/frappe.ping"
	assert seen.headers["authorization"] == f"token {API_KEY}:{API_SECRET}"
	assert seen.headers["accept"] == "application/json"


def test_wrong_secret_is_401_not_retried_and_secret_not_in_error(server, sleeps, caplog):
	client = ErpClient(server.url, API_KEY, "wrong-secret", sleep=sleeps.append, retry=RetryPolicy(retries=3))
	caplog.set_level(logging.DEBUG)
	with pytest.raises(ErpAuthError) as info:
		client.call("frappe.ping")
	assert info.value.status == 401
	assert info.value.exc_type == "AuthenticationError"
	assert "Invalid API key or secret" in str(info.value)
	assert len(server.requests) == 1 and sleeps == []
	for text in (str(info.value), repr(client), caplog.text):
		assert "wrong-secret" not in text and API_SECRET not in text


def test_missing_credentials_refused_before_any_call():
	with pytest.raises(ValueError, match="API key and secret"):
		ErpClient("http://127.0.0.1:1", "", "")
	with pytest.raises(ValueError, match="base URL"):
		ErpClient.from_env({"REVOPS_ERP_API_KEY": "a", "REVOPS_ERP_API_SECRET": "b"})


def test_404_is_not_found(server, sleeps):
	server.responder = lambda seen: frappe_error(404, "DoesNotExistError", "Customer CUST-X not found")
	with pytest.raises(ErpNotFound) as info:
		make_client(server, sleeps).get_doc("Customer", "CUST-X")
	assert info.value.status == 404 and info.value.server_messages == ["Customer CUST-X not found"]
	assert server.requests[0].path == "/api/resource/Customer/CUST-X"
	assert len(server.requests) == 1


def test_417_validation_error_decodes_server_messages_and_keeps_traceback_out_of_str(server, sleeps):
	server.responder = lambda seen: frappe_error(
		417, "ValidationError", "Limit must be <= 1000", traceback=True
	)
	with pytest.raises(ErpError) as info:
		make_client(server, sleeps).call(SIGNALS_METHOD, {"limit": 5000})
	err = info.value
	assert err.status == 417 and err.exc_type == "ValidationError" and not err.retryable
	assert err.server_messages == ["Limit must be <= 1000"]  # JSON-in-JSON decoded, HTML stripped
	assert "Limit must be <= 1000" in str(err) and "Traceback" not in str(err)
	assert "Traceback" in err.traceback
	assert len(server.requests) == 1


def test_429_honours_retry_after_then_succeeds(server, sleeps):
	replies = [
		Reply(429, {"exc_type": "RateLimitExceededError"}, {"Retry-After": "7"}),
		Reply(200, {"message": 1}),
	]
	server.responder = lambda seen: replies.pop(0)
	assert make_client(server, sleeps).call("frappe.ping") == 1
	assert sleeps == [7.0] and len(server.requests) == 2


def test_5xx_retried_with_growing_backoff_then_raised(server, sleeps):
	server.responder = lambda seen: Reply(503, {"exception": "down for maintenance"})
	with pytest.raises(ErpError) as info:
		make_client(server, sleeps, retry=RetryPolicy(retries=3, backoff=1.0, max_backoff=100)).call(
			"frappe.ping"
		)
	assert info.value.status == 503 and info.value.retryable
	assert len(server.requests) == 4
	assert len(sleeps) == 3 and sleeps[0] < sleeps[1] < sleeps[2]  # 1, 2, 4 with jitter in [0.5, 1]x


def test_non_idempotent_post_not_retried_on_500(server, sleeps):
	server.responder = lambda seen: Reply(500, {"exc_type": "Exception"})
	with pytest.raises(ErpError):
		make_client(server, sleeps).call(
			"frappe.client.insert", {"doc": {"doctype": "ToDo"}}, http_method="POST"
		)
	assert len(server.requests) == 1 and sleeps == []


def test_read_timeout_retried_for_get_then_connection_error(server, sleeps):
	server.responder = lambda seen: Reply(200, {"message": 1}, delay=0.6)
	client = make_client(server, sleeps, timeout=(1.0, 0.2), retry=RetryPolicy(retries=1, backoff=0.01))
	with pytest.raises(ErpConnectionError) as info:
		client.call("frappe.ping")
	assert info.value.status is None and info.value.retryable
	assert len(sleeps) == 1


def test_connection_refused_is_a_connection_error():
	with socket.socket() as sock:  # a port nobody listens on
		sock.bind(("127.0.0.1", 0))
		port = sock.getsockname()[1]
	sleeps: list[float] = []
	client = ErpClient(
		f"http://127.0.0.1:{port}", "k", "s", sleep=sleeps.append, retry=RetryPolicy(retries=2)
	)
	with pytest.raises(ErpConnectionError) as info:
		client.call("frappe.ping")
	assert len(sleeps) == 2
	assert "after 3 attempt(s)" in str(info.value) and str(port) in str(info.value)
	assert "token" not in str(info.value)


def test_html_200_is_a_clear_error(server, sleeps):
	server.responder = lambda seen: Reply(200, raw=b"<html>login</html>")
	with pytest.raises(ErpError, match="not JSON"):
		make_client(server, sleeps).call("frappe.ping")


# --- paging -----------------------------------------------------------------------------------


def test_get_list_pages_with_limit_start(server, sleeps):
	rows = [{"name": f"CUST-{i:03d}"} for i in range(7)]

	def responder(seen):
		assert seen.method == "GET" and seen.path == "/api/resource/Sales%20Invoice"
		assert json.loads(seen.query["fields"]) == ["name", "customer"]
		assert json.loads(seen.query["filters"]) == [["docstatus", "=", 1]]
		assert seen.query["order_by"] == "name asc"
		start, length = int(seen.query["limit_start"]), int(seen.query["limit_page_length"])
		return Reply(200, {"data": rows[start : start + length]})

	server.responder = responder
	client = make_client(server, sleeps)
	got = list(client.get_list("Sales Invoice", ["name", "customer"], [["docstatus", "=", 1]], page_length=3))
	assert got == rows
	assert [(r.query["limit_start"], r.query["limit_page_length"]) for r in server.requests] == [
		("0", "3"),
		("3", "3"),
		("6", "3"),
	]
	server.requests.clear()
	assert (
		len(
			list(
				client.get_list(
					"Sales Invoice", ["name", "customer"], [["docstatus", "=", 1]], limit=4, page_length=3
				)
			)
		)
		== 4
	)
	assert [r.query["limit_page_length"] for r in server.requests] == ["3", "1"]


def test_signals_cursor_paging_loses_and_repeats_nothing_with_ties(server, sleeps):
	tie = "2026-11-20 10:00:00.000000"
	records = [signal_record(f"CUST-{i:02d}", tie) for i in range(5)] + [
		signal_record("CUST-A", "2026-11-19 09:00:00.000000"),
		signal_record("CUST-Z", "2026-11-21 08:00:00.500000"),
		signal_record("CUST-B", "2026-11-21 08:00:00.500000"),
	]
	feed = SignalsFeed(records, deleted=[("2026-11-20 11:00:00.000000", "CUST-GONE")])

	def responder(seen):
		assert seen.method == "GET" and seen.path == f"/api/method/{SIGNALS_METHOD}"
		assert set(seen.query) == {"modified_after", "after_name", "limit"}
		return Reply(
			200,
			{
				"message": feed.page(
					seen.query["modified_after"], seen.query["after_name"], int(seen.query["limit"])
				)
			},
		)

	server.responder = responder
	client = make_client(server, sleeps)
	start = Cursor("2026-01-01 00:00:00.000000", "")
	pages = list(client.iter_customer_signals(start, limit=2))
	names = [r["customer"] for p in pages for r in p.records]
	assert names == [r["customer"] for r in feed.records]  # every record exactly once, in cursor order
	assert len(pages) == 4
	assert [d for p in pages for d in p.deleted] == ["CUST-GONE"]
	# each page asked from the previous page's last record
	assert [(r.query["modified_after"], r.query["after_name"]) for r in server.requests] == [
		("2026-01-01 00:00:00.000000", ""),
		(tie, "CUST-00"),
		(tie, "CUST-02"),
		(tie, "CUST-04"),
	]
	_records, next_cursor, _deleted = pages[-1]
	assert next_cursor == Cursor("2026-11-21 08:00:00.500000", "CUST-Z")

	# a later run from the stored cursor sees only what changed since, and an empty feed keeps the cursor
	feed.records.append(signal_record("CUST-NEW", "2026-11-22 00:00:00.000000"))
	server.requests.clear()
	page = next(client.iter_customer_signals(next_cursor, limit=2))
	assert [r["customer"] for r in page.records] == ["CUST-NEW"] and not page.has_more
	empty = next(client.iter_customer_signals(page.next_cursor, limit=2))
	assert empty.records == [] and empty.next_cursor == page.next_cursor


def test_signals_raw_page_for_the_sync(server, sleeps):
	feed = SignalsFeed([signal_record("CUST-1", "2026-11-20 10:00:00.000000")])
	server.responder = lambda seen: Reply(
		200,
		{
			"message": feed.page(
				seen.query["modified_after"], seen.query["after_name"], int(seen.query["limit"])
			)
		},
	)
	message = make_client(server, sleeps).customer_signals("", "", 10, full=False)
	assert server.requests[0].query == {"modified_after": "", "after_name": "", "limit": "10"}
	make_client(server, sleeps).customer_signals("2026-11-20 10:00:00.000000", "CUST-1", 10, settle_seconds=0)
	assert server.requests[1].query["settle_seconds"] == "0"
	assert message["records"][0]["customer"] == "CUST-1"
	assert message["next_cursor"] == {"modified": "2026-11-20 10:00:00.000000", "name": "CUST-1"}
	assert server.requests[0].query == {"modified_after": "", "after_name": "", "limit": "10"}


def test_signals_limit_and_shape_checked(server, sleeps):
	client = make_client(server, sleeps)
	with pytest.raises(ValueError):
		client.customer_signals_page(None, 1001)
	server.responder = lambda seen: Reply(200, {"message": {"rows": []}})
	with pytest.raises(ErpError, match="unexpected shape"):
		client.customer_signals_page(None, 10)


SNAPSHOT = "2026-11-30 09:59:00.000000"


def serve_feed(server, feed, between_pages=None):
	"""Answer the signals endpoint from `feed`; `between_pages(n, query)` runs before the n-th answer."""

	def responder(seen):
		assert seen.method == "GET" and seen.path == f"/api/method/{SIGNALS_METHOD}"
		if between_pages:
			between_pages(len(server.requests), seen.query)
		return Reply(200, {"message": feed.answer(seen.query, SNAPSHOT)})

	server.responder = responder


def test_full_pass_by_name_hands_over_and_keeps_a_change_made_mid_pass(server, sleeps):
	old = "2026-11-01 00:00:00.000000"
	feed = SignalsFeed([signal_record(f"CUST-{i}", old) for i in "ABCDEF"])

	def mid_pass(n, query):
		if n == 2:  # after the first page (A, B): A changes again, E (not yet served) changes
			for record in feed.records:
				if record["customer"] in ("CUST-A", "CUST-E"):
					record["modified"] = "2026-11-30 09:59:30.000000"
			feed.records.sort(key=lambda r: (r["modified"], r["customer"]))

	serve_feed(server, feed, mid_pass)
	pages = list(make_client(server, sleeps).iter_customer_signals(None, limit=2))
	queries = [r.query for r in server.requests]
	assert queries[0] == {"modified_after": "", "after_name": "", "limit": "2", "full": "1"}
	assert queries[1] == {"modified_after": "", "after_name": "CUST-B", "limit": "2", "snapshot": SNAPSHOT}
	assert queries[2]["after_name"] == "CUST-D" and queries[2]["snapshot"] == SNAPSHOT
	assert queries[3] == {"modified_after": SNAPSHOT, "after_name": "", "limit": "2"}  # handed over
	served = [r["customer"] for p in pages for r in p.records]
	# the pass: A B | C D | F (E changed before its page: left to the incremental feed); then A and E again
	assert served == ["CUST-A", "CUST-B", "CUST-C", "CUST-D", "CUST-F", "CUST-A", "CUST-E"]
	assert pages[0].next_cursor == Cursor("", "CUST-B", SNAPSHOT)
	assert pages[0].next_cursor.as_dict() == {"modified": "", "name": "CUST-B", "snapshot": SNAPSHOT}
	assert pages[2].next_cursor == Cursor(SNAPSHOT, "")
	assert pages[-1].next_cursor == Cursor("2026-11-30 09:59:30.000000", "CUST-E") and not pages[-1].has_more


def test_full_pass_page_that_serves_nothing_still_moves_on(server, sleeps):
	feed = SignalsFeed(
		[
			signal_record("CUST-A", "2026-11-30 09:59:30.000000"),
			signal_record("CUST-B", "2026-11-01 00:00:00.000000"),
		]
	)
	serve_feed(server, feed)
	pages = list(make_client(server, sleeps).iter_customer_signals(None, limit=1))
	assert [len(p.records) for p in pages] == [0, 1, 1]  # A changed after the snapshot: served after B
	assert [r["customer"] for p in pages for r in p.records] == ["CUST-B", "CUST-A"]
	# the raw page the sync reads carries the full-pass cursor, and takes it back
	client = make_client(server, sleeps)
	first = client.customer_signals("", "", 1)
	assert first["next_cursor"] == {"modified": "", "name": "CUST-A", "snapshot": SNAPSHOT}
	assert first["has_more"] is True
	second = client.customer_signals(after_name="CUST-A", limit=1, snapshot=SNAPSHOT)
	assert server.requests[-1].query["snapshot"] == SNAPSHOT
	assert second["next_cursor"] == {"modified": SNAPSHOT, "name": ""}


def test_full_pass_against_a_server_that_ignores_full(server, sleeps):
	# an app without the full pass ignores `full` and serves the (modified, name) cursor from nothing
	feed = SignalsFeed(
		[signal_record("CUST-B", "2026-11-01 00:00:00.000000"), signal_record("CUST-A", "2026-11-02")]
	)
	server.responder = lambda seen: Reply(
		200,
		{
			"message": feed.page(
				seen.query["modified_after"], seen.query["after_name"], int(seen.query["limit"])
			)
		},
	)
	pages = list(make_client(server, sleeps).iter_customer_signals(None, limit=1))
	assert [r["customer"] for p in pages for r in p.records] == ["CUST-B", "CUST-A"]
	assert server.requests[0].query["full"] == "1" and "full" not in server.requests[1].query


def test_cursor_never_goes_back_from_incremental_to_a_full_pass(server, sleeps):
	server.responder = lambda seen: Reply(
		200, {"message": {"records": [], "next_cursor": {"modified": "", "name": "X", "snapshot": SNAPSHOT}}}
	)
	with pytest.raises(ErpError, match="backwards"):
		make_client(server, sleeps).customer_signals_page(Cursor(SNAPSHOT, ""), 10)


# --- CX ingest ------------------------------------------------------------------------------


def test_ingest_batches_of_200_results_in_order_and_retried_after_5xx(server, sleeps):
	bodies = []
	fail_once = [True]

	def responder(seen):
		assert seen.method == "POST" and seen.path == f"/api/method/{CX_INGEST_METHOD}"
		batch = json.loads(seen.form["responses"])
		bodies.append(batch)
		if len(bodies) == 2 and fail_once[0]:
			fail_once[0] = False
			return Reply(502, raw=b"<html>Bad gateway</html>")
		results = [
			{
				"source": r["source"],
				"external_id": r["external_id"],
				"status": "created",
				"name": f"CX-{r['external_id']}",
				"message": "",
			}
			for r in batch
		]
		return Reply(200, {"message": {"results": results}})

	server.responder = responder
	responses = [
		{"source": "typeform", "external_id": str(i), "metric": "NPS", "score": 9} for i in range(450)
	]
	results = make_client(server, sleeps).ingest_cx_responses(responses)
	assert [r["external_id"] for r in results] == [str(i) for i in range(450)]
	assert [len(b) for b in bodies] == [200, 200, 200, 50]  # the 502'd batch was sent again, unchanged
	assert bodies[1] == bodies[2]
	assert len(sleeps) == 1


def test_ingest_result_count_mismatch_is_an_error(server, sleeps):
	server.responder = lambda seen: Reply(200, {"message": {"results": []}})
	with pytest.raises(ErpError, match="0 results for 1"):
		make_client(server, sleeps).ingest_cx_responses([{"source": "s", "external_id": "1"}])


def test_cx_state_pages_on_next_cursor(server, sleeps):
	pages = {
		"": {
			"records": [{"customer": "A"}, {"customer": "B"}],
			"next_cursor": {"modified": "t2", "name": "B"},
		},
		"t2": {"records": [{"customer": "C"}], "next_cursor": {"modified": "t3", "name": "C"}},
	}
	server.responder = lambda seen: Reply(200, {"message": pages[seen.query["modified_after"]]})
	got = list(make_client(server, sleeps).customer_cx_state(limit=2))
	assert [r["customer"] for r in got] == ["A", "B", "C"]
	assert [r.query["limit"] for r in server.requests] == ["2", "2"]


def test_cx_state_follows_next_modified_after(server, sleeps):
	# the app's shape: {"customers": [...], "next_modified_after": "..."} (ties on the last instant included)
	pages = {
		"": {
			"customers": [{"customer": "A"}, {"customer": "B"}, {"customer": "B2"}],
			"next_modified_after": "t2",
		},
		"t2": {"customers": [], "next_modified_after": "t2"},
	}
	server.responder = lambda seen: Reply(200, {"message": pages[seen.query["modified_after"]]})
	got = list(make_client(server, sleeps).customer_cx_state(limit=2))
	assert [r["customer"] for r in got] == ["A", "B", "B2"]
	assert [r.query["modified_after"] for r in server.requests] == ["", "t2"]


def test_from_config_maps_the_sidecar_keys(server, sleeps, monkeypatch):
	monkeypatch.setenv("REVOPS_ERP_API_SECRET", API_SECRET)
	cfg = {
		"base_url": server.url,
		"api_key": API_KEY,
		"timeout_seconds": 9,
		"connect_timeout_seconds": 2,
		"max_retries": 0,
	}
	client = ErpClient.from_config(cfg)
	assert client.timeout == (2.0, 9.0) and client.retry.retries == 0
	server.responder = lambda seen: Reply(500, {})
	with pytest.raises(ErpError):
		client.call("frappe.ping")
	assert len(server.requests) == 1
