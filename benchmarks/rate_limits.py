"""HubSpot rate limits held across a kill -9 and restart and across processes sharing one token and store.

Against the local spec-checking HubSpot server (tests/sidecar/hubspot_server.py) with HubSpot's limits enforced
(429 TEN_SECONDLY_ROLLING / SECONDLY to any request over them) and random 503 faults (`--fault-rate`):
- process A (reads and searches, flat out) runs `--kill-after` seconds and is killed with SIGKILL;
- process B starts at once on the same store and token (the restart) and runs `--restart-seconds`;
- process C (another host, same store and token) runs the whole time.
Each process is `HubSpotClient` + `RateLimiter` sharing its history through the store (`revops_rate_log`), as
`HubSpotClient.from_config(cfg, store=store)` builds it. Printed: requests per process, the peak count in any
rolling 10 s and the peak searches in any rolling 1 s as the server saw them (goal: never above the limits),
429s answered for the limits (goal 0), 503s injected, and the peak in the 10 s after the kill.
`--no-shared` runs the same with per-process limiters (today's behaviour before the store held the history).

    .venv/bin/python benchmarks/rate_limits.py [--burst 100] [--searches 5] [--store-url postgresql://...]

Figures seen (2-CPU x86_64 container shared with bench runs, Python 3.11.7, SQLite store, 2026-12-02 06:25 UTC,
defaults: 100 / 10 s, 5 searches/s, 10% 503s, A killed at 12 s, B runs 18 s, C throughout):
- shared through the store: 304 requests (76 searches), 33 503s injected; peak 100 in any rolling 10 s (limit
  100), 100 in the 20 s around the kill and restart; peak 5 searches in any 1 s (limit 5); 0 429s.
- `--no-shared` (per-process limiters): 315 requests; peak 110 in any 10 s, 102 around the kill; 7 searches in
  a second; 55 requests answered 429.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sidecar.hubspot_server import HubSpotServer

TOKEN = "bench-token"


def peak(times: list[float], window: float) -> int:
	times = sorted(times)
	best = start = 0
	for end, t in enumerate(times):
		while t - times[start] >= window:
			start += 1
		best = max(best, end - start + 1)
	return best


def worker(args: argparse.Namespace) -> None:
	"""One sidecar process: batch reads with a search every 4th request, until killed or `--seconds` pass."""
	from sidecar.hubspot import HubSpotClient, HubSpotError, RateLimiter
	from sidecar.retry import RetryPolicy
	from sidecar.store import open_store
	from sidecar.store.ratelog import SharedRateLog, account_key

	shared = None
	if not args.no_shared:
		shared = SharedRateLog(open_store(args.store_url).engine, account_key(TOKEN))
	limiter = RateLimiter(burst=args.burst, searches_per_second=args.searches, shared=shared, hold=35.0)
	retry = RetryPolicy(
		retries=5,
		backoff=0.2,
		max_backoff=2.0,
		max_retry_after=2.0,
		jitter=False,
		statuses=frozenset({423, 429, *range(500, 600)}),
	)
	client = HubSpotClient(TOKEN, args.url, limiter=limiter, retry=retry)
	stop = time.monotonic() + args.seconds
	n = 0
	while time.monotonic() < stop:
		try:
			if n % 4 == 0:
				list(
					client.search_all(
						"contacts", [{"propertyName": "email", "operator": "HAS_PROPERTY"}], ["email"]
					)
				)
			else:
				client.batch_read("contacts", ["1", "2"], ["email"])
		except HubSpotError:
			pass
		n += 1


def spawn(args: argparse.Namespace, url: str, store_url: str, seconds: float, tag: str) -> subprocess.Popen:
	cmd = [
		sys.executable,
		__file__,
		"--worker",
		"--url",
		url,
		"--store-url",
		store_url,
		"--seconds",
		str(seconds),
		"--burst",
		str(args.burst),
		"--searches",
		str(args.searches),
	]
	if args.no_shared:
		cmd.append("--no-shared")
	env = dict(os.environ, REVOPS_BENCH_TAG=tag)
	return subprocess.Popen(cmd, env=env)


def main() -> None:
	ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	ap.add_argument(
		"--burst", type=int, default=100, help="requests per rolling 10 s (HubSpot free/starter: 100)"
	)
	ap.add_argument("--searches", type=int, default=5, help="searches per second")
	ap.add_argument("--fault-rate", type=float, default=0.1, help="share of requests answered 503")
	ap.add_argument("--kill-after", type=float, default=12.0)
	ap.add_argument("--restart-seconds", type=float, default=18.0)
	ap.add_argument("--store-url", default="")
	ap.add_argument("--no-shared", action="store_true")
	ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
	ap.add_argument("--url", help=argparse.SUPPRESS)
	ap.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
	args = ap.parse_args()
	if args.worker:
		worker(args)
		return
	tmp = tempfile.TemporaryDirectory()
	store_url = args.store_url or f"sqlite:///{tmp.name}/state.sqlite3"
	from sidecar.store import open_store

	open_store(store_url).close()  # migrate once, before the workers race
	hub = HubSpotServer(token=TOKEN)
	for i in range(1, 11):
		hub.add("contacts", {"id": str(i), "properties": {"email": f"p{i}@a.example"}})
	hub.enforce_limits(args.burst, 10.0, args.searches)
	hub.fault_rate = args.fault_rate
	total = args.kill_after + args.restart_seconds
	print(
		f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; store {store_url.split(':')[0]}; "
		f"limits {args.burst}/10 s, {args.searches} searches/s; fault rate {args.fault_rate:.0%}; "
		f"{'per-process limiters' if args.no_shared else 'limits shared through the store'}"
	)
	a = spawn(args, hub.url, store_url, total + 60, "A")
	c = spawn(args, hub.url, store_url, total, "C")
	time.sleep(args.kill_after)
	a.send_signal(signal.SIGKILL)
	a.wait()
	killed_at = time.monotonic()
	b = spawn(args, hub.url, store_url, args.restart_seconds, "B")
	b.wait()
	c.wait()
	times = [r["t"] for r in hub.log]
	searches = [r["t"] for r in hub.log if r["kind"] == "search"]
	after_kill = [t for t in times if killed_at - 10 <= t <= killed_at + 10]
	print(
		f"requests seen by the server: {len(times)} ({len(searches)} searches) over {total:.0f} s; "
		f"503s injected {hub.faults_served}"
	)
	print(
		f"peak in any rolling 10 s: {peak(times, 10.0)} (limit {args.burst}); around the kill and restart: "
		f"{peak(after_kill, 10.0)}"
	)
	print(f"peak searches in any rolling 1 s: {peak(searches, 1.0)} (limit {args.searches})")
	print(
		f"429s answered for the limits: {hub.limit_rejections} (goal 0); spec violations: {len(hub.violations)}"
	)
	hub.close()
	tmp.cleanup()


if __name__ == "__main__":
	main()
