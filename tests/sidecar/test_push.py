"""Real time: signed pushes from the app -> the store's queue -> a push pass rescoring only those customers.

Over real HTTP: the receiver on a local port, `revops-sidecar run` as a real process, the local HubSpot and ERP
servers. No timing is asserted beyond "long before the periodic pass would have run" (its interval is 1 h).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sidecar.cx.webhook import make_server
from sidecar.push import PATH, PushQueue, make_app
from sidecar.push.receiver import sign_generic
from sidecar.store import open_store, schema
from tests.sidecar.test_sync import erp_matches, pipeline

SECRET = "push-secret-1"


def post(
	url: str, body: dict | bytes, secret: str | None = SECRET, ts: int | None = None
) -> tuple[int, dict]:
	raw = body if isinstance(body, bytes) else json.dumps(body).encode()
	headers = {"Content-Type": "application/json"}
	if secret:
		stamp = int(time.time()) if ts is None else ts
		headers.update(
			{"X-RevOps-Timestamp": str(stamp), "X-RevOps-Signature": sign_generic(secret, raw, stamp)}
		)
	req = urllib.request.Request(url, data=raw, headers=headers, method="POST")
	try:
		with urllib.request.urlopen(req, timeout=10) as resp:
			return resp.status, json.loads(resp.read())
	except urllib.error.HTTPError as exc:
		return exc.code, json.loads(exc.read())


@pytest.fixture
def receiver(store_url):
	store = open_store(store_url)
	queue = PushQueue(store.engine)
	server = make_server(make_app(queue, ["old-secret", SECRET]), "127.0.0.1", 0)
	threading.Thread(target=server.serve_forever, daemon=True).start()
	yield f"http://127.0.0.1:{server.server_address[1]}{PATH}", queue
	server.shutdown()
	store.close()


def test_a_signed_push_is_queued_and_a_bad_one_queues_nothing(receiver):
	url, queue = receiver
	body = {
		"customers": ["ACME", "Globex", "ACME"],
		"event": "invoice_submitted",
		"committed_at": time.time(),
	}
	assert post(url, body) == (202, {"queued": 2})
	assert post(url, body, secret="wrong")[0] == 401
	assert post(url, body, secret=None)[0] == 401
	assert post(url, body, ts=int(time.time()) - 3600)[0] == 401  # replay outside the tolerance
	assert post(url, b"not json")[0] == 400
	assert post(url, {"customers": []})[0] == 400
	assert post(url, {"customers": ["x" * 141]})[0] == 400
	pushed = queue.take()
	assert pushed.customers == ["ACME", "Globex"] and len(pushed.ids) == 2
	queue.ack(pushed)
	assert queue.depth() == 0


def test_no_secret_means_no_unsigned_input(store_url):
	store = open_store(store_url)
	server = make_server(make_app(PushQueue(store.engine), []), "127.0.0.1", 0)
	threading.Thread(target=server.serve_forever, daemon=True).start()
	try:
		url = f"http://127.0.0.1:{server.server_address[1]}{PATH}"
		assert post(url, {"customers": ["ACME"]})[0] == 503
	finally:
		server.shutdown()


def test_a_push_pass_rescores_only_the_pushed_customers_contacts(world):
	p, store = pipeline(world)
	p.run_pass("full")
	matched, customer = erp_matches(world)
	ids = {cid for cid, c in matched.items() if c == customer}
	record = next(r for r in world.erp.records if r["customer"] == customer)
	record.update(overdue_invoice_count=9, overdue_amount=10_000_000.0, max_days_overdue=300)
	before = len(world.hubspot.log)
	res = p.run_push([customer])
	new = world.hubspot.log[before:]
	assert res.stats["contacts_considered"] == len(ids) and res.stats["changed"] >= 1
	assert [r for r in new if r["kind"] == "search"] == []  # two batch reads and the write, no searches
	written = {
		c
		for c in ids
		if world.hubspot.objects["contacts"][c]["properties"]["revops_score"]
		== str(round(store.contact_states([c])[c].score))
	}
	assert written == ids
	cursors = store.cursors()
	assert cursors["erp_signals"][0] != {"modified": record["modified"]}  # the feed's cursor did not move


def _run(world, *extra: str) -> subprocess.Popen:
	exe = Path(sys.executable).parent / "revops-sidecar"
	env = dict(os.environ, **world.env, REVOPS_PUSH_SECRET=SECRET)
	return subprocess.Popen(
		[str(exe), "--config", str(world.config_path), "run", "--interval", "3600", *extra],
		env=env,
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
	)


def _receiver_url(proc: subprocess.Popen, lines: list[str]) -> str:
	for line in proc.stdout:  # type: ignore[union-attr]
		lines.append(line)
		if line.startswith("push receiver on "):
			return line.split(" on ", 1)[1].strip()
	raise AssertionError("".join(lines))


def test_run_writes_a_pushed_erp_change_long_before_the_next_pass(world):
	world.config_path.write_text(
		world.config_path.read_text() + "\n[push]\nlisten_port = 0\npoll_seconds = 0.2\n"
	)
	p, store = pipeline(world)
	p.run_pass("full")
	matched, customer = erp_matches(world)
	ids = sorted(cid for cid, c in matched.items() if c == customer)
	old = {c: world.hubspot.objects["contacts"][c]["properties"]["revops_score_erp"] for c in ids}
	proc = _run(world)
	lines: list[str] = []
	try:
		url = _receiver_url(proc, lines)
		threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()  # type: ignore[arg-type]
		record = next(r for r in world.erp.records if r["customer"] == customer)
		record.update(overdue_invoice_count=9, overdue_amount=10_000_000.0, max_days_overdue=300)
		assert (
			post(url, {"customers": [customer], "event": "invoice_overdue", "committed_at": time.time()})[0]
			== 202
		)
		deadline = time.monotonic() + 30
		while time.monotonic() < deadline:
			now = {c: world.hubspot.objects["contacts"][c]["properties"]["revops_score_erp"] for c in ids}
			if now != old:
				break
			time.sleep(0.1)
		assert now != old, "".join(lines)
		queue = PushQueue(store.engine)
		while queue.depth() and time.monotonic() < deadline:  # acknowledged once the push pass has finished
			time.sleep(0.1)
		assert queue.depth() == 0
	finally:
		proc.terminate()
		proc.wait(30)
	assert any(line.startswith("push pass") for line in lines), "".join(lines)


def test_a_push_pass_also_retries_due_pending_writes(world):
	p, store = pipeline(world)
	p.run_pass("full")
	_, customer = erp_matches(world)
	victim = world.dataset.hubspot_contacts[-1]["id"]
	store.add_pending("contacts", {victim: "SERVICE_UNAVAILABLE: outage"})
	world.hubspot.objects["contacts"][victim]["properties"]["revops_score"] = (
		"-1"  # the write that never landed
	)
	with store.engine.begin() as conn:  # the ledger does not hold what HubSpot holds: the write failed
		conn.execute(schema.ledger.delete().where(schema.ledger.c.object_id == victim))
	res = p.run_push([customer])
	assert res.stats["pending_contacts"] == 1
	assert world.hubspot.objects["contacts"][victim]["properties"]["revops_score"] != "-1"
	assert store.pending_rows() == []
