"""Past one host: two real `revops-sidecar run` processes on one PostgreSQL store. The lock holder is killed -9
mid-pass; the standby takes over within the lock's TTL and finishes the work with nothing lost or duplicated,
and a push it received while on standby is rescored once it holds the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sidecar.push import PushQueue
from sidecar.store import open_store
from tests.sidecar.test_push import SECRET, post

pytestmark = pytest.mark.postgres
TTL = 3.0
BATCH = 10


def _start(world, *extra: str) -> tuple[subprocess.Popen, list[str], dict[str, str]]:
	exe = Path(sys.executable).parent / "revops-sidecar"
	env = dict(os.environ, **world.env, REVOPS_PUSH_SECRET=SECRET)
	proc = subprocess.Popen(
		[str(exe), "--config", str(world.config_path), "run", "--interval", "3600", *extra],
		env=env,
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
	)
	lines: list[str] = []
	seen: dict[str, str] = {}

	def read() -> None:
		for line in proc.stdout:  # type: ignore[union-attr]
			lines.append(line)
			if line.startswith("push receiver on "):
				seen["url"] = line.split(" on ", 1)[1].strip()
			if line.startswith("standby: took over"):
				seen["took_over"] = str(time.monotonic())

	threading.Thread(target=read, daemon=True).start()
	return proc, lines, seen


def _wait(condition, seconds: float, what: str) -> None:
	deadline = time.monotonic() + seconds
	while not condition():
		if time.monotonic() > deadline:
			raise AssertionError(what)
		time.sleep(0.05)


def test_the_standby_takes_over_a_killed_holder_within_the_ttl(world, pg_schema_url):
	world.config_path.write_text(
		world.config_path.read_text()
		.replace("[store]\n", f'[store]\nurl = "{pg_schema_url}"\nlock_ttl_seconds = {TTL}\n', 1)
		.replace("[hubspot]\n", f"[hubspot]\nbatch_size = {BATCH}\n", 1)
		+ "\n[push]\nlisten_port = 0\npoll_seconds = 0.2\n"
	)
	n_contacts = len(world.dataset.hubspot_contacts)
	reached, release = threading.Event(), threading.Event()
	count = {"updates": 0}

	def hold_third_batch(method: str, path: str, when: str) -> None:
		if when == "before" and path.endswith("/contacts/batch/update"):
			count["updates"] += 1
			if count["updates"] == 3:
				reached.set()
				release.wait(30)
				raise ConnectionAbortedError("the holder died with this batch in flight")

	world.hubspot.hooks.append(hold_third_batch)
	holder, holder_lines, _ = _start(world)
	standby = None
	try:
		assert reached.wait(60), "".join(holder_lines)
		standby, standby_lines, seen = _start(world, "--standby")
		_wait(lambda: any(line.startswith("standby:") for line in standby_lines), 30, "".join(standby_lines))
		_wait(lambda: "url" in seen, 10, "".join(standby_lines))
		matched_customer = next(r["erp_customer"] for r in _states(pg_schema_url) if r["erp_customer"])
		assert post(seen["url"], {"customers": [matched_customer], "event": "issue"})[0] == 202  # on standby
		holder.send_signal(signal.SIGKILL)
		killed = time.monotonic()
		holder.wait(10)
		release.set()
		_wait(lambda: "took_over" in seen, TTL + 10, "".join(standby_lines))
		assert (
			float(seen["took_over"]) - killed <= TTL + 2.0
		)  # the lease lapses after TTL, polled every 0.3 s
		store = open_store(pg_schema_url)
		_wait(
			lambda: (
				any(line.startswith("full pass") for line in standby_lines)
				and PushQueue(store.engine).depth() == 0
			),
			60,
			"".join(standby_lines),
		)
	finally:
		release.set()
		for proc in (holder, standby):
			if proc is not None and proc.poll() is None:
				proc.terminate()
				proc.wait(30)
	world.hubspot.hooks.clear()
	# nothing lost: every contact carries the score the store decided
	states = {r["contact_id"]: r for r in _states(pg_schema_url)}
	assert len(states) == n_contacts
	for cid, state in states.items():
		assert world.hubspot.objects["contacts"][cid]["properties"]["revops_score"] == str(
			round(state["score"])
		)
	# nothing duplicated: one task per crossing, and only the batch in flight was sent twice
	rows = store.handoff_rows()
	assert rows and all(r["status"] == "done" for r in rows)
	assert all(len(ids) == 1 for ids in world.hubspot.tasks_by_key().values())
	sent = sum(r["size"] for r in world.hubspot.requests(method="POST", path=r"/contacts/batch/update$"))
	assert sent <= n_contacts + BATCH + len(rows)  # + the batch in flight + owner updates
	assert world.hubspot.violations == []
	store.close()


def _states(url: str) -> list[dict]:
	store = open_store(url)
	try:
		return list(store.iter_table("revops_contact_state"))
	finally:
		store.close()
