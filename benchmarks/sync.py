"""HubSpot write calls per changed record on an incremental run, and the measured peak request rate.

Everything runs against the local spec-checking HubSpot server and ERP signals server from the test suite
(tests/sidecar/hubspot_server.py), over real HTTP, through the real pipeline (sidecar.sync.Pipeline) and
HubSpotClient (hubspot-api-client), with a SQLite store in a temp dir.

Phases:
1. setup - a backfill of N contacts (default 100,000; the demo dataset generator, trimmed to N) with the
   request limits raised (`--setup-burst`, default 5,000 / 10 s) so it takes seconds, not hours; timed.
   Then the clock is moved: the server's modification stamps go 2 h back and the pass cursors 1 h back
   ("the previous pass ran an hour ago"), so the backfill's own writes are not re-read.
2. incremental - `--changed` (default 1 %) of the contacts change in HubSpot (page views and last visit), then
   one incremental pass runs with the configured tier limits (default professional: 190 / 10 s, 4 searches/s).
   Printed: changed records found, score write calls, all write calls (incl. handoff tasks/owners), and
   write calls per changed record (goal <= 0.011).
3. stress - `--stress-seconds` of concurrent batch reads and searches (4 threads) through ONE client at the
   configured tier limits; the server's request timestamps give the peak count in any rolling 10 s window and
   the peak searches in any rolling 1 s window, printed beside the configured limits.

Figures seen (2-CPU x86_64 container shared with other jobs, Python 3.11.7, hubspot-api-client 12.0.0,
SQLAlchemy 2.1, SQLite; `python benchmarks/sync.py`, 2026-11-30 10:35 UTC):
- setup backfill: 100,000 contacts scored and written in 1,806 write calls (1,000 contact batches, 466 company
  batches, 337 handoff tasks, owner batches), 76 s end to end (~1,300 contacts/s, server in the same process).
- 2026-12-02 06:30 UTC, after tasks went to batch creates: the backfill sent 2,941 requests (GET contacts 1,000,
  contacts batch/update 1,003, GET companies 466, companies batch/update 459, tasks batch/create 3 for 280 tasks,
  properties and owners 10): 1.470 x the floor of 2 x contacts / 100 = 2,000, and 1.003 x the floor with the
  companies' list and write (2,932); nothing read twice. 104 s end to end (machine shared with bench runs).
- incremental, 1 % changed: 1,000 contacts touched, 1,000 changed; 10 score write calls -> 0.0100 write calls
  per changed record (goal <= 0.011); all writes incl. 10 handoff tasks and 1 owner batch: 21 (0.021); 3.3 s.
- peak rate at the professional tier (190 / 10 s, 4 searches/s): incremental 38 in any 10 s; stress 25 s with
  4 threads (574 requests): 190 in any 10 s, 4 searches in any 1 s; 0 spec violations.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sidecar.config import load_config
from sidecar.demo.dataset import generate
from sidecar.erp import ErpClient
from sidecar.hubspot import HubSpotClient
from sidecar.scoring import load_default_model
from sidecar.store import open_store
from sidecar.sync import CURSOR_COMPANIES, CURSOR_CONTACTS, Pipeline
from tests.sidecar.hubspot_server import ErpServer, HubSpotServer


def peak(times: list[float], window: float) -> int:
	times = sorted(times)
	best = start = 0
	for end, t in enumerate(times):
		while t - times[start] >= window:
			start += 1
		best = max(best, end - start + 1)
	return best


def backfill_requests(log: list[dict], n_contacts: int, n_companies: int) -> None:
	"""The backfill's HubSpot requests by endpoint, against the floor of list + batch write (100 per request)."""
	by_endpoint: dict[str, int] = {}
	for r in log:
		key = f"{r['method']} {r['path'].replace('/crm/v3/objects/', '')}"
		by_endpoint[key] = by_endpoint.get(key, 0) + 1
	floor = 2 * -(-n_contacts // 100)
	floor_with_companies = floor + 2 * -(-n_companies // 100)
	print(
		f"backfill requests: {len(log)}; floor 2 x contacts / 100 = {floor} (ratio {len(log) / floor:.3f}); "
		f"with the companies' list and write {floor_with_companies} (ratio {len(log) / floor_with_companies:.3f})"
	)
	print(
		"  by endpoint: "
		+ ", ".join(f"{k} {v}" for k, v in sorted(by_endpoint.items(), key=lambda kv: -kv[1]))
	)


def iso(moment: datetime) -> str:
	return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def main() -> None:
	ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
	ap.add_argument("--contacts", type=int, default=100_000)
	ap.add_argument(
		"--changed", type=float, default=0.01, help="share of contacts changed before the incremental run"
	)
	ap.add_argument("--tier", default="professional")
	ap.add_argument(
		"--setup-burst", type=int, default=5_000, help="requests / 10 s allowed during the setup backfill"
	)
	ap.add_argument("--stress-seconds", type=float, default=25.0)
	ap.add_argument("--seed", type=int, default=7)
	args = ap.parse_args()

	print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
	t0 = time.perf_counter()
	dataset = generate(seed=args.seed, companies=max(1, int(args.contacts / 2.15) + 50))
	contacts = dataset.hubspot_contacts[: args.contacts]
	print(
		f"dataset: {len(contacts)} contacts, {len(dataset.hubspot_companies)} companies, {len(dataset.erp_records)} ERP customers ({time.perf_counter() - t0:.1f} s)"
	)

	hub = HubSpotServer(token="bench-token")
	for company in dataset.hubspot_companies:
		hub.add("companies", company)
	for contact in contacts:
		hub.add("contacts", contact)
	hub.owners = list(dataset.hubspot_owners)
	erp_srv = ErpServer(dataset.erp_records, token="k:s")
	tmp = tempfile.TemporaryDirectory(prefix="revops-bench-")
	env = {"REVOPS_HUBSPOT_TOKEN": "bench-token", "REVOPS_ERP_API_KEY": "k", "REVOPS_ERP_API_SECRET": "s"}
	cfg_path = Path(tmp.name) / "bench.toml"
	teams = sorted({r["team"] for r in dataset.owner_routing})
	cfg_path.write_text(
		f'[erp]\nbase_url = "{erp_srv.url}"\npage_size = 1000\n'
		f'[hubspot]\nbase_url = "{hub.url}"\ntier = "{args.tier}"\nsearch_settle_seconds = 0\n'
		f'[store]\npath = "{Path(tmp.name) / "bench.sqlite3"}"\n'
		f'[handoff]\ndefault_team = "{teams[0]}"\n'
		+ "".join(f'[handoff.teams."{t}"]\nhubspot_team = "{t}"\n' for t in teams)
	)
	cfg = load_config(cfg_path, env=env)
	searches, burst, daily = cfg.hubspot_limits()
	store = open_store(cfg.store_url())
	model = load_default_model()

	# 1. setup backfill with raised limits
	setup_cfg = cfg.with_values(hubspot__burst_per_10s=args.setup_burst, hubspot__searches_per_second=5.0)
	setup = Pipeline(
		setup_cfg, store, HubSpotClient.from_config(setup_cfg), ErpClient.from_config(cfg.erp), model
	)
	t1 = time.perf_counter()
	log_start = len(hub.log)
	full = setup.run_pass("full")
	dt = time.perf_counter() - t1
	fs = full.stats
	backfill_requests(hub.log[log_start:], len(contacts), len(dataset.hubspot_companies))
	print(
		f"setup backfill (limits raised to {args.setup_burst}/10 s): {fs['contacts_scored']} contacts scored, {fs['written']} written "
		f"in {fs['hubspot_write_calls']} write calls, {fs['hubspot_read_calls']} reads, {fs.get('tasks_created', 0)} handoff tasks; "
		f"{dt:.1f} s ({fs['contacts_scored'] / dt:,.0f} contacts/s end to end)"
	)
	# move the clock: the backfill happened two hours ago, its cursor one hour ago
	now = datetime.now(timezone.utc)
	with hub.lock:
		for kind, stamp in (("contacts", "lastmodifieddate"), ("companies", "hs_lastmodifieddate")):
			for obj in hub.objects[kind].values():
				obj["properties"][stamp] = iso(now - timedelta(hours=2))
	store.set_cursor(CURSOR_CONTACTS, (now - timedelta(hours=1)).isoformat())
	store.set_cursor(CURSOR_COMPANIES, (now - timedelta(hours=1)).isoformat())

	# 2. incremental run with the tier's limits
	rng = random.Random(args.seed)
	touched = rng.sample([c["id"] for c in contacts], int(len(contacts) * args.changed))
	visit = iso(now - timedelta(minutes=5))
	for cid in touched:
		props = hub.objects["contacts"][cid]["properties"]
		views = int(props.get("hs_analytics_num_page_views") or 0) + 25
		hub.touch(
			"contacts",
			cid,
			hs_analytics_num_page_views=views,
			hs_analytics_last_visit_timestamp=visit,
			revops_pricing_page_views=3,
			revops_pricing_page_last_visit=visit,
		)
	client = HubSpotClient.from_config(cfg)
	incremental = Pipeline(cfg, store, client, ErpClient.from_config(cfg.erp), model)
	start_log = len(hub.log)
	t2 = time.perf_counter()
	inc = incremental.run_pass("incremental")
	dt2 = time.perf_counter() - t2
	s = inc.stats
	score_writes = len(
		[
			r
			for r in hub.log[start_log:]
			if r["method"] == "POST" and r["path"] == "/crm/v3/objects/contacts/batch/update"
		]
	) - (1 if s.get("owner_updates") else 0)
	all_writes = s["hubspot_write_calls"]
	changed = max(1, s["changed"])
	print(
		f"incremental ({args.tier}: {burst}/10 s, {searches:g} searches/s, daily budget {daily:,}): {len(touched)} contacts touched, "
		f"{s['contacts_considered']} considered, {s['changed']} changed; score write calls {score_writes}, all write calls {all_writes} "
		f"(handoff tasks {s.get('tasks_created', 0)}, owner updates {s.get('owner_updates', 0)}); reads {s['hubspot_read_calls']}, searches {s['hubspot_search_calls']}; {dt2:.1f} s"
	)
	print(f"score write calls per changed record: {score_writes / changed:.4f} (goal <= 0.011)")
	print(f"all HubSpot write calls per changed record: {all_writes / changed:.4f}")
	inc_times = [r["t"] for r in hub.log[start_log:]]
	print(f"incremental peak: {peak(inc_times, 10.0)} requests in any 10 s (limit {burst})")

	# 3. stress the limiter at the tier's limits
	stress = HubSpotClient.from_config(cfg)
	stop = time.monotonic() + args.stress_seconds
	ids = [c["id"] for c in contacts[:100]]
	begin = len(hub.log)

	def reader() -> None:
		while time.monotonic() < stop:
			stress.batch_read("contacts", ids, ["email"])

	def searcher() -> None:
		while time.monotonic() < stop:
			for _ in stress.search_all(
				"contacts",
				[{"propertyName": "email", "operator": "EQ", "value": "nobody@none.example"}],
				["email"],
			):
				pass

	threads = [threading.Thread(target=reader) for _ in range(2)] + [
		threading.Thread(target=searcher) for _ in range(2)
	]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	log = hub.log[begin:]
	times = [r["t"] for r in log]
	search_times = [r["t"] for r in log if r["kind"] == "search"]
	span = times[-1] - times[0] if len(times) > 1 else 0
	print(
		f"stress {args.stress_seconds:g} s, 4 threads, one client: {len(times)} requests ({len(times) / max(span, 1e-9):.1f}/s), {len(search_times)} searches; "
		f"peak {peak(times, 10.0)} in any 10 s (limit {burst}), peak {peak(search_times, 1.0)} searches in any 1 s (limit {searches:g})"
	)
	print(f"spec violations seen by the server: {len(hub.violations)}")
	hub.close()
	erp_srv.close()
	store.close()
	tmp.cleanup()


if __name__ == "__main__":
	main()
