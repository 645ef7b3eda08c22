"""Real time: latency from an ERP commit to the HubSpot write, at `--rate` changes per minute, limits enforced.

Setup: the demo dataset (`--companies`, default 1,800: ~3,900 contacts, ~1,100 ERP customers) on the local
spec-checking HubSpot server and ERP server (tests/sidecar/hubspot_server.py), backfilled in-process. Then the
HubSpot server enforces the tier's limits (429 to any request over them) and a real `revops-sidecar run`
process starts with its push receiver (periodic interval 1 h, so only push passes can make the figures).
Load: every 60/rate seconds one customer with matched contacts changes in the ERP (toggling between no and
nine overdue invoices, which always moves its contacts' ERP tier); the change is "committed" (the ERP server
serves it) and its customer pushed, signed, as the app's after-commit job does (revops_app/revops/signals/
push.py). Latency = time from the commit to the moment the HubSpot server has applied a write carrying the new
ERP tier for a contact of that customer (checked after every batch update the server applies).
Printed: p50 / p95 / max latency (goal p95 <= 60 s), changes not written, HubSpot requests, the peak in any
rolling 10 s against the limit, 429s answered for the limits (goal 0).

    .venv/bin/python benchmarks/push_latency.py [--rate 1000] [--minutes 1] [--tier professional]

Figures seen (2-CPU x86_64 container shared with bench runs, Python 3.11.7, SQLite store, 2026-12-02 06:43 UTC,
professional tier: 190 / 10 s, 4 searches/s enforced): 3,990 contacts, 1,001 customers with matched contacts, 983
whose change moves a written value; 1,000 changes in 59.9 s; commit -> HubSpot write p50 0.27 s, p95 10.09 s,
max 13.06 s, none left unwritten; 308 push passes, 989 HubSpot requests, peak 190 in any 10 s, 0 429s. The p95
is the rate limit at work: ~3 requests per push pass (contacts read, companies read, write) at ~165 per 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sidecar.config import load_config
from sidecar.cx.signatures import sign_generic
from sidecar.demo.dataset import generate
from sidecar.erp import ErpClient
from sidecar.hubspot import HubSpotClient
from sidecar.scoring import load_default_model
from sidecar.store import open_store
from sidecar.sync import Pipeline
from tests.sidecar.hubspot_server import ErpServer, HubSpotServer

SECRET = "bench-push-secret"
ERP_TIER = "revops_score_erp"


def peak(times: list[float], window: float) -> int:
	times = sorted(times)
	best = start = 0
	for end, t in enumerate(times):
		while t - times[start] >= window:
			start += 1
		best = max(best, end - start + 1)
	return best


def pct(values: list[float], q: float) -> float:
	ordered = sorted(values)
	return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def toggled(record: dict) -> dict:
	"""The change made to a customer: nine overdue invoices when it has none, else none."""
	overdue = not record.get("overdue_invoice_count")
	return {
		"overdue_invoice_count": 9 if overdue else 0,
		"overdue_amount": 10_000_000.0 if overdue else 0.0,
		"max_days_overdue": 300 if overdue else 0,
	}


def moving_changes(dataset, by_customer: dict[str, list[str]], records: dict[str, dict]) -> set[str]:
	"""Customers whose toggle moves the written ERP tier of their first contact (a clamped tier may not move:
	such a change moves no score, so the sidecar rightly writes nothing for it)."""
	from datetime import datetime, timezone

	from sidecar.demo.dataset import primary_company_id
	from sidecar.scoring import build_signals
	from sidecar.scoring.result import round_points

	model = load_default_model()
	now = datetime.now(timezone.utc)
	contacts = {c["id"]: c for c in dataset.hubspot_contacts}
	out = set()
	for customer, ids in by_customer.items():
		contact = contacts[ids[0]]
		company = dataset.company(primary_company_id(contact))
		before, after = records[customer], dict(records[customer], **toggled(records[customer]))
		tiers = [
			model.score(build_signals(contact, company, r, now), now).tiers["erp"] for r in (before, after)
		]
		if round_points(tiers[0]) != round_points(tiers[1]):
			out.add(customer)
	return out


def push(url: str, customer: str, committed_at: float) -> None:
	body = json.dumps({"customers": [customer], "event": "bench", "committed_at": committed_at}).encode()
	stamp = int(time.time())
	headers = {
		"Content-Type": "application/json",
		"X-RevOps-Timestamp": str(stamp),
		"X-RevOps-Signature": sign_generic(SECRET, body, stamp),
	}
	request = urllib.request.Request(url, data=body, headers=headers, method="POST")
	with urllib.request.urlopen(request, timeout=10) as resp:
		resp.read()


def main() -> None:
	ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	ap.add_argument("--rate", type=float, default=1000.0, help="ERP changes per minute")
	ap.add_argument("--minutes", type=float, default=1.0)
	ap.add_argument("--companies", type=int, default=1800)
	ap.add_argument("--tier", default="professional")
	args = ap.parse_args()
	tmp = tempfile.TemporaryDirectory(prefix="revops-push-")
	dataset = generate(seed=7, companies=args.companies)
	hub = HubSpotServer(token="bench-token")
	for company in dataset.hubspot_companies:
		hub.add("companies", company)
	for contact in dataset.hubspot_contacts:
		hub.add("contacts", contact)
	hub.owners = list(dataset.hubspot_owners)
	erp = ErpServer(dataset.erp_records, token="k:s")
	env = {"REVOPS_HUBSPOT_TOKEN": "bench-token", "REVOPS_ERP_API_KEY": "k", "REVOPS_ERP_API_SECRET": "s"}
	cfg_path = Path(tmp.name) / "bench.toml"
	teams = sorted({r["team"] for r in dataset.owner_routing})
	cfg_path.write_text(
		f'[erp]\nbase_url = "{erp.url}"\npage_size = 1000\n'
		f'[hubspot]\nbase_url = "{hub.url}"\ntier = "{args.tier}"\nsearch_settle_seconds = 0\n'
		f'[store]\npath = "{Path(tmp.name) / "bench.sqlite3"}"\n'
		"[push]\nlisten_port = 0\npoll_seconds = 0.2\n"
		f'[handoff]\ndefault_team = "{teams[0]}"\n'
		+ "".join(f'[handoff.teams."{t}"]\nhubspot_team = "{t}"\n' for t in teams)
	)
	cfg = load_config(cfg_path, env=env)
	searches, burst, _daily = cfg.hubspot_limits()
	store = open_store(cfg.store_url())
	setup_cfg = cfg.with_values(hubspot__burst_per_10s=5000, hubspot__searches_per_second=5.0)
	setup = Pipeline(
		setup_cfg,
		store,
		HubSpotClient.from_config(setup_cfg),
		ErpClient.from_config(cfg.erp),
		load_default_model(),
	)
	t0 = time.perf_counter()
	setup.run_pass("full")
	by_customer: dict[str, list[str]] = {}
	for row in store.iter_table("revops_contact_state"):
		if row["erp_customer"]:
			by_customer.setdefault(row["erp_customer"], []).append(row["contact_id"])
	print(
		f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
		f"{len(dataset.hubspot_contacts)} contacts, {len(dataset.erp_records)} ERP customers, {len(by_customer)} "
		f"with matched contacts; backfill {time.perf_counter() - t0:.1f} s"
	)
	hub.enforce_limits(burst, 10.0, int(searches))
	records = {r["customer"]: r for r in dataset.erp_records}
	movers = moving_changes(dataset, by_customer, records)
	lock = threading.Lock()
	outstanding: dict[str, tuple[float, dict[str, str]]] = {}
	latencies: list[float] = []

	def check(method: str, path: str, when: str) -> None:
		if when != "after" or not path.endswith("/contacts/batch/update"):
			return
		now = time.time()
		with lock:
			for customer, (committed, before) in list(outstanding.items()):
				objects = hub.objects["contacts"]
				if any(objects[c]["properties"].get(ERP_TIER) != v for c, v in before.items()):
					latencies.append(now - committed)
					del outstanding[customer]

	hub.hooks.append(check)
	proc = subprocess.Popen(
		[
			str(Path(sys.executable).parent / "revops-sidecar"),
			"--config",
			str(cfg_path),
			"run",
			"--interval",
			"3600",
		],
		env=dict(os.environ, **env, REVOPS_PUSH_SECRET=SECRET),
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
	)
	url = ""
	for line in proc.stdout:  # type: ignore[union-attr]
		if line.startswith("push receiver on "):
			url = line.split(" on ", 1)[1].strip()
			break
	passes: list[str] = []
	threading.Thread(target=lambda: passes.extend(proc.stdout), daemon=True).start()  # type: ignore[arg-type]
	time.sleep(5)  # the run loop's first (incremental) pass
	log_start = len(hub.log)
	rng = random.Random(7)
	candidates = sorted(movers)
	print(
		f"customers whose change moves a written value (the ERP tier of their first contact): {len(candidates)}"
	)
	rng.shuffle(candidates)
	total = int(args.rate * args.minutes)
	gap = 60.0 / args.rate
	pool = ThreadPoolExecutor(8)
	begin = time.monotonic()
	sent = 0
	for n in range(total):
		time.sleep(max(0.0, begin + n * gap - time.monotonic()))
		with lock:
			free = [c for c in candidates[n % len(candidates) :] + candidates if c not in outstanding]
			if not free:
				continue
			customer = free[0]
			contacts = by_customer[customer]
			outstanding[customer] = (
				time.time(),
				{c: hub.objects["contacts"][c]["properties"].get(ERP_TIER) for c in contacts},
			)
			records[customer].update(toggled(records[customer]))
			committed = outstanding[customer][0]
		pool.submit(push, url, customer, committed)
		sent += 1
	load_seconds = time.monotonic() - begin
	deadline = time.monotonic() + 90
	while outstanding and time.monotonic() < deadline:
		time.sleep(0.2)
	proc.terminate()
	proc.wait(30)
	log = hub.log[log_start:]
	times = [r["t"] for r in log]
	print(
		f"load: {sent} changes in {load_seconds:.1f} s ({sent / load_seconds * 60:,.0f}/min), each pushed signed after "
		f"its commit; limits {burst}/10 s, {searches:g} searches/s enforced by the server"
	)
	if latencies:
		print(
			f"commit -> HubSpot write: p50 {statistics.median(latencies):.2f} s, p95 {pct(latencies, 0.95):.2f} s, "
			f"max {max(latencies):.2f} s (goal p95 <= 60 s); not written {len(outstanding)}"
		)
	push_passes = [p for p in passes if p.startswith("push pass")]
	print(
		f"push passes {len(push_passes)}; HubSpot requests {len(log)} ({sum(1 for r in log if r['kind'] == 'search')} "
		f"searches); peak {peak(times, 10.0)} in any 10 s (limit {burst}); 429s for the limits {hub.limit_rejections}; "
		f"spec violations {len(hub.violations)}"
	)
	hub.close()
	erp.close()
	store.close()
	tmp.cleanup()


if __name__ == "__main__":
	main()
