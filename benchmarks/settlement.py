"""Settlement cost against ERPNext's own floor, and burst throughput with one and two workers.

Usage (inside a bench, from frappe-bench/sites, with the bench's python):

    ../env/bin/python ../apps/revops_app/benchmarks/settlement.py --site SITE [--invoices 20] [--burst 50]
        [--repeats 3] [--lock-socket /run/mysqld/mysqld.sock]

What is measured, on the stripe_bench test company (its documents are deleted afterwards):
- floor: ERPNext's `get_payment_entry("Sales Invoice", si)` for the paid amount, paid to the Stripe clearing
  account with the fee as a deduction, then `submit()`: per invoice, seconds, SQL statements and the seconds
  spent inside them (database round trips);
- worker: the Stripe worker (`settlement.worker.process_event`) settling a stored checkout.session.completed
  for an invoice of the same shape (Stripe asked through the local stand-in), the same figures; the ratio
  worker / floor (goal <= 1.15). Floor and worker alternate invoice by invoice, so the bench's load hits both;
- burst: `--burst` invoices paid at once, settled by one worker process, then by two (each its own
  process and database connection, as two RQ workers): events/s for both and the speed-up (goal >= 1.7),
  with each process's CPU seconds and SQL seconds, the database server's CPU seconds and how busy the
  machine's CPUs were, and with what else (from /proc, when readable); then the best rate two workers could
  reach with the CPU left to them (our CPU per event against the CPUs other processes did not take during
  the 2-worker burst), and how long each of the two waited for a CPU (run queue);
- with `--lock-socket` (the database's unix socket; the OS user must be allowed in as the database root, as
  root is on a stock MariaDB), a third burst (2 workers) is sampled every 5 ms: information_schema's
  innodb_lock_waits (which table and index waiting statements wait on) and processlist (what the site's
  connections are doing: a row-lock wait on a primary-key read shows as state "Statistics" there, and
  MariaDB does not always list it in innodb_lock_waits). Its time is printed apart: the sampling costs.
`--repeats N` runs the whole measurement N times and prints each run and the median of each figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

GOAL_RATIO = 1.15
GOAL_SPEEDUP = 1.7
LOCK_WAITS = """
	select l.lock_table, l.lock_index, l.lock_mode, r.trx_wait_started, left(r.trx_query, 80)
	from information_schema.innodb_lock_waits w
	join information_schema.innodb_trx r on r.trx_id = w.requesting_trx_id
	join information_schema.innodb_locks l on l.lock_id = w.requested_lock_id
"""
PROCESSLIST = """
	select command, state, info from information_schema.processlist
	where db = %s and id != connection_id()
"""


class SqlCounter:
	"""Counts and times the statements through frappe.db.sql of one connection."""

	def __init__(self, db) -> None:
		self.db, self.count, self.seconds, self.original = db, 0, 0.0, db.sql
		self.kinds: Counter = Counter()

		def counted(query, *args, **kwargs):
			self.count += 1
			self.kinds[str(query).lstrip().split(None, 1)[0].lower() if str(query).strip() else "?"] += 1
			t0 = time.perf_counter()
			try:
				return self.original(query, *args, **kwargs)
			finally:
				self.seconds += time.perf_counter() - t0

		db.sql = counted

	def close(self) -> None:
		self.db.sql = self.original


def cpu_seconds() -> float:
	usage = resource.getrusage(resource.RUSAGE_SELF)
	return usage.ru_utime + usage.ru_stime


def database_cpu_seconds() -> float | None:
	"""The database server's CPU seconds so far (utime + stime of mariadbd/mysqld), None if unreadable."""
	for pid_file in ("/run/mysqld/mysqld.pid", "/var/run/mysqld/mysqld.pid"):
		try:
			pid = Path(pid_file).read_text().strip()
			fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
			return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
		except (OSError, ValueError, IndexError):
			continue
	return None


def runqueue_seconds() -> float | None:
	"""Seconds this process has waited, runnable, for a CPU (Linux /proc/self/schedstat), or None."""
	try:
		return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
	except (OSError, ValueError, IndexError):
		return None


def machine_cpu() -> tuple[float, float] | None:
	"""(busy, total) CPU seconds of the whole machine so far, from /proc/stat; None where unreadable."""
	try:
		fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
	except (OSError, ValueError):
		return None
	tick = os.sysconf("SC_CLK_TCK")
	idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
	return (sum(fields) - idle) / tick, sum(fields) / tick


def settle_chunk(site: str, sites_path: str, logs: list[str], results) -> None:
	"""One worker process settling its share of the burst (as an RQ worker would)."""
	import frappe

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		from revops_app.revenue_collections.settlement.worker import process_event

		counter = SqlCounter(frappe.db)
		cpu0, t0, queue0 = cpu_seconds(), time.perf_counter(), runqueue_seconds()
		for name in logs:
			process_event(name)
		queue1 = runqueue_seconds()
		results.put(
			{
				"seconds": time.perf_counter() - t0,
				"cpu": cpu_seconds() - cpu0,
				"sql": counter.count,
				"sql_seconds": counter.seconds,
				"runqueue": (queue1 - queue0) if queue0 is not None and queue1 is not None else None,
			}
		)
		counter.close()
	finally:
		frappe.destroy()


class LockSampler(threading.Thread):
	"""Samples the waiting lock requests of the database (root over its unix socket) until stopped, and
	what the site's connections are doing (processlist state and statement)."""

	def __init__(self, socket: str, db_name: str, interval: float = 0.005) -> None:
		super().__init__(daemon=True)
		import pymysql

		self.connection = pymysql.connect(unix_socket=socket, user="root", autocommit=True)
		self.db_name = db_name
		self.interval, self.samples, self.waiting_samples = interval, 0, 0
		self.by_lock: Counter = Counter()
		self.queries: Counter = Counter()
		self.states: Counter = Counter()
		self.busy: Counter = Counter()
		self.stopped = threading.Event()

	def run(self) -> None:
		with self.connection.cursor() as cursor:
			while not self.stopped.is_set():
				cursor.execute(LOCK_WAITS)
				rows = cursor.fetchall()
				self.samples += 1
				if rows:
					self.waiting_samples += 1
				for table, index, mode, _started, query in rows:
					self.by_lock[(table, index, mode)] += 1
					self.queries[" ".join((query or "").split())[:80]] += 1
				cursor.execute(PROCESSLIST, (self.db_name,))
				for command, state, info in cursor.fetchall():
					self.states[f"{command}: {state or '-'}"] += 1
					if command != "Sleep":
						self.busy[" ".join((info or "").split())[:60]] += 1
				time.sleep(self.interval)
		self.connection.close()

	def report(self, seconds: float) -> list[str]:
		if not self.samples:
			return ["lock waits: no samples"]
		share = self.waiting_samples / self.samples
		lines = [
			f"lock waits: some statement waited in {share:.0%} of {self.samples} samples "
			f"(about {share * seconds:.1f} s of the {seconds:.1f} s burst)"
		]
		total = sum(self.by_lock.values()) or 1
		for (table, index, mode), n in self.by_lock.most_common(5):
			lines.append(f"  {n / total:6.1%}  {mode} lock on {table} index {index}")
		for query, n in self.queries.most_common(3):
			lines.append(f"  {n / total:6.1%}  waiting: {query}")
		states = sum(self.states.values()) or 1
		lines.append("site connections (share of samples x connections):")
		for state, n in self.states.most_common(8):
			lines.append(f"  {n / states:6.1%}  {state}")
		for query, n in self.busy.most_common(6):
			lines.append(f"  {n / states:6.1%}  running: {query}")
		return lines


def main(argv: list[str] | None = None) -> int:
	parser = argparse.ArgumentParser(
		description=__doc__.splitlines()[0],
		formatter_class=argparse.RawDescriptionHelpFormatter,
		epilog=__doc__,
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--invoices", type=int, default=20, help="invoices timed for floor and worker each")
	parser.add_argument("--burst", type=int, default=50, help="invoices in each burst (1 and 2 workers)")
	parser.add_argument("--repeats", type=int, default=1, help="whole runs; medians printed at the end")
	parser.add_argument("--lock-socket", help="database unix socket for the lock-wait sampler (as root)")
	args = parser.parse_args(argv)

	import frappe

	sites_path = os.getcwd()
	frappe.init(site=args.site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	from revops_app.revenue_collections.settlement.intake import accept_event
	from revops_app.revenue_collections.settlement.worker import process_event
	from revops_app.tests.stripe_bench import (
		COMPANY,
		configure_settings,
		ensure_masters,
		link_of,
		make_invoice,
		purge_company_transactions,
		restore_settings,
	)
	from revops_app.tests.stripe_standin import StripeStandIn, event, session_completed

	masters = ensure_masters()
	standin = StripeStandIn().start()
	previous = configure_settings(masters, standin.url)
	events: list[str] = []
	print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, site {args.site}")

	def paid_invoices(count: int) -> list[str]:
		"""Invoices paid at Stripe, each with its stored event; returns the log rows."""
		logs = []
		for _ in range(count):
			si = make_invoice(masters, 100, commit=False)
			link = link_of(si.name)
			pi = f"pi_bench{frappe.generate_hash(length=16)}"
			standin.add_intent(pi, invoice=si.name, pay_link=link.name, amount=10000, fee=320)
			event_id = f"evt_bench{frappe.generate_hash(length=16)}"
			events.append(event_id)
			payload = event(
				event_id, "checkout.session.completed", session_completed(pi, si.name, link.name, 10000)
			)
			logs.append(accept_event(json.loads(payload), payload))
		frappe.db.commit()
		return logs

	def floor_once(name: str) -> None:
		pe = get_payment_entry("Sales Invoice", name, party_amount=100, bank_account=masters["clearing"])
		pe.paid_to = masters["clearing"]
		pe.reference_no, pe.reference_date = f"floor-{name}", pe.posting_date
		pe.append(
			"deductions", {"account": masters["fee"], "cost_center": masters["cost_center"], "amount": 3.2}
		)
		pe.set_amounts()
		pe.submit()
		frappe.db.commit()

	def timed(call, arg) -> tuple[float, int, float, Counter]:
		counter = SqlCounter(frappe.db)
		t0 = time.perf_counter()
		call(arg)
		seconds = time.perf_counter() - t0
		counter.close()
		return seconds, counter.count, counter.seconds, counter.kinds

	def settle(logs: list[str], workers: int, sampler: LockSampler | None = None) -> dict:
		# one process per worker (RQ workers are processes: threads would share one GIL)
		context = multiprocessing.get_context("spawn")
		results = context.Queue()
		processes = [
			context.Process(target=settle_chunk, args=(args.site, sites_path, logs[i::workers], results))
			for i in range(workers)
		]
		db0, m0, parent0 = database_cpu_seconds(), machine_cpu(), cpu_seconds()
		t0 = time.perf_counter()
		if sampler:
			sampler.start()
		for process in processes:
			process.start()
		per_process = [results.get(timeout=600) for _ in processes]
		for process in processes:
			process.join()
		seconds = time.perf_counter() - t0
		if sampler:
			sampler.stopped.set()
			sampler.join()
		if any(process.exitcode for process in processes):
			raise RuntimeError("a worker process failed")
		db1, m1 = database_cpu_seconds(), machine_cpu()
		return {
			"seconds": seconds,
			"processes": per_process,
			"db_cpu": (db1 - db0) if db0 is not None and db1 is not None else None,
			"machine": (m1[0] - m0[0], m1[1] - m0[1]) if m0 and m1 else None,
			"parent_cpu": cpu_seconds() - parent0,  # this process: the Stripe stand-in's answers
		}

	def one_run(number: int) -> dict:
		print(f"--- run {number}")
		for log in paid_invoices(1):  # warm-up: caches, first imports
			process_event(log)
		invoices = [make_invoice(masters, 100, commit=False).name for _ in range(args.invoices)]
		logs = paid_invoices(args.invoices)
		floor, worker = [], []
		for name, log in zip(invoices, logs, strict=True):
			floor.append(timed(floor_once, name))
			worker.append(timed(process_event, log))
		figures = {}
		for label, rows in (("floor", floor), ("worker", worker)):
			s = statistics.median(r[0] for r in rows)
			n = statistics.median(r[1] for r in rows)
			db = statistics.median(r[2] for r in rows)
			kinds = sum((r[3] for r in rows), Counter())
			mix = ", ".join(f"{k} {v / len(rows):.0f}" for k, v in kinds.most_common(5))
			print(f"{label:6} {s:.3f} s, {n:.0f} SQL ({db:.3f} s in SQL) per invoice; {mix}")
			figures[label] = s
			figures[f"{label}_sql"] = n
		figures["ratio"] = figures["worker"] / figures["floor"]
		print(f"ratio worker / floor: {figures['ratio']:.2f}x (goal <= {GOAL_RATIO}x)")

		one = settle(paid_invoices(args.burst), 1)
		two = settle(paid_invoices(args.burst), 2)
		for label, burst in (("1 worker ", one), ("2 workers", two)):
			procs = "; ".join(
				f"{p['seconds']:.1f} s, CPU {p['cpu']:.1f} s, SQL {p['sql_seconds']:.1f} s"
				for p in burst["processes"]
			)
			db = f", database CPU {burst['db_cpu']:.1f} s" if burst["db_cpu"] is not None else ""
			if burst["machine"]:
				busy, total = burst["machine"]
				ours = (
					sum(p["cpu"] for p in burst["processes"]) + (burst["db_cpu"] or 0) + burst["parent_cpu"]
				)
				db += f", machine CPUs {busy / total:.0%} busy ({max(busy - ours, 0):.1f} CPU-s by other processes)"
			print(
				f"burst {args.burst}, {label}: {burst['seconds']:.1f} s ({args.burst / burst['seconds']:.2f} events/s)"
				f"{db}; per process: {procs}"
			)
		figures["one"], figures["two"] = args.burst / one["seconds"], args.burst / two["seconds"]
		figures["speedup"] = one["seconds"] / two["seconds"]
		print(f"speed-up 2 workers / 1: {figures['speedup']:.2f}x (goal >= {GOAL_SPEEDUP}x)")
		if one["db_cpu"] is not None and one["machine"] and two["machine"]:
			# Our CPU per event (worker + database + the stand-in answering Stripe calls), from the 1-worker
			# burst, against the CPU the machine's other processes left during the 2-worker burst.
			ours = sum(p["cpu"] for p in one["processes"]) + one["db_cpu"] + one["parent_cpu"]
			per_event = ours / args.burst
			busy, total = two["machine"]
			cpus = os.cpu_count() or 2
			others = max(
				busy - (sum(p["cpu"] for p in two["processes"]) + (two["db_cpu"] or 0) + two["parent_cpu"]), 0
			)
			left = max(cpus * two["seconds"] - others, 0) / two["seconds"]
			best = min(left, 2.0) / per_event  # two workers use at most two CPUs
			figures["bound"] = best / figures["one"]
			print(
				f"CPU per event {per_event:.3f} CPU-s (worker, database, stand-in); during the 2-worker burst other "
				f"processes took {others:.1f} CPU-s, leaving {left:.2f} of {cpus} CPUs: 2 workers could reach at most "
				f"{best:.2f} events/s, {figures['bound']:.2f}x the 1-worker rate"
			)
			waits = [p.get("runqueue") for p in two["processes"]]
			if all(w is not None for w in waits):
				print(
					"2 workers waited for a CPU (run queue, /proc/self/schedstat): "
					+ ", ".join(f"{w:.1f} s" for w in waits)
					+ f" of {two['seconds']:.1f} s"
				)
		if args.lock_socket:  # a third burst, sampled (the sampler's queries cost the database CPU)
			sampler = LockSampler(args.lock_socket, frappe.conf.db_name)
			sampled = settle(paid_invoices(args.burst), 2, sampler)
			print(f"sampled burst, 2 workers: {sampled['seconds']:.1f} s")
			print("\n".join(sampler.report(sampled["seconds"])))
		return figures

	try:
		runs = [one_run(n + 1) for n in range(args.repeats)]
		if args.repeats > 1:
			print(f"--- median of {args.repeats} runs")
			for key in (
				"floor",
				"worker",
				"floor_sql",
				"worker_sql",
				"ratio",
				"one",
				"two",
				"speedup",
				"bound",
			):
				values = [r[key] for r in runs if key in r]
				if values:
					print(
						f"{key:10} {statistics.median(values):.3f}  ({', '.join(f'{v:.3f}' for v in values)})"
					)
		frappe.db.rollback()
		posted = frappe.db.count(
			"Payment Entry", {"company": COMPANY, "docstatus": 1, "reference_no": ["like", "pi_bench%"]}
		)
		outcomes = frappe.get_all(
			"RevOps Integration Log",
			filters={"idempotency_key": ["in", events]},
			fields=["status", "message", "traceback"],
		)
		print(
			"worker outcomes: "
			+ ", ".join(f"{k} {v}" for k, v in Counter(o.status for o in outcomes).items())
		)
		for failed in [o for o in outcomes if o.status != "Success"][:3]:
			print(f"  {failed.status}: {failed.message}\n{(failed.traceback or '')[-1500:]}")
		bursts = 3 if args.lock_socket else 2
		print(f"posted by the worker: {posted} of {args.repeats * (1 + args.invoices + bursts * args.burst)}")
	finally:
		frappe.db.rollback()
		purge_company_transactions(COMPANY, events)
		frappe.db.commit()
		standin.stop()
		restore_settings(previous)
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
