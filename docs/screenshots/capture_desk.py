"""Desk screenshots (Collections workspace, Customer Experience tab, two reports), rendered by a real bench.

Run from a bench's sites folder with the bench's Python, while no test run uses the site (on the shared
benches: inside `flock /work/benchnotes/bench-v15.lock ...`):

	cd ~/bench15/sites && ../env/bin/python ~/revops_app/docs/screenshots/capture_desk.py --site v15.test \\
		--out ~/revops_app/docs/screenshots --browser-python /path/to/venv-with-playwright/bin/python

It makes demo data with ERPNext's own APIs and the bench tests' factories (`desk_demo.py`: five customers of the
test company with invoices, Payment Entries, a payout, pay-link states, a Contract and survey responses through
the CX ingest API), points the Administrator's default Company at the test company, switches ERPNext's
onboarding off, serves Frappe's WSGI application on 127.0.0.1, logs in as Administrator (`--password`, default
admin) with Playwright's Chromium and takes 1400x900 PNGs; then removes the data and what the session logged
(versions, comments, activity, sessions, new naming series), restores the settings (their stored secrets too),
the defaults and the series counters, clears the workspace charts' cache and prints every table whose row
count still differs from before the run (none on a clean run).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading

SHOOT = """
import json, sys
from playwright.sync_api import sync_playwright
jobs, chromium, base, password = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with sync_playwright() as p:
	browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
	failed = []
	for job in jobs:
		viewport = {"width": job["width"], "height": job["height"]}
		context = browser.new_context(viewport=viewport, device_scale_factor=job.get("scale", 1))
		context.add_init_script("localStorage.container_fullwidth = " + json.dumps(job.get("wide", False)))
		login = context.request.post(base + "/api/method/login", form={"usr": "Administrator", "pwd": password})
		assert login.ok, login.text()
		page = context.new_page()
		page.goto(base + job["url"], wait_until="networkidle")
		try:
			page.wait_for_selector(job["ready"], timeout=30000)
		except Exception as error:  # keep what the browser shows, to see why
			page.screenshot(path=job["path"].replace(".png", "-FAILED.png"))
			failed.append(f"{job['url']}: {error}")
			context.close()
			continue
		if job.get("tab"):
			page.click(f".form-tabs .nav-link:text-is('{job['tab']}')")
		page.wait_for_load_state("networkidle")
		page.wait_for_timeout(job.get("settle", 1500))
		page.evaluate("() => { document.querySelectorAll('.modal.show').forEach(m => $(m).modal('hide'));"
			" document.querySelectorAll('.desk-alert, .alert-container > *').forEach(a => a.remove()); }")
		if job.get("fit"):  # the desk scrolls inside the window: size the window to the page's content
			bottom = page.evaluate("() => document.querySelector('.layout-main-section').getBoundingClientRect().bottom")
			page.set_viewport_size({"width": job["width"], "height": int(bottom) + 40})
			page.wait_for_timeout(1500)
		page.mouse.move(0, 0)
		page.wait_for_timeout(400)
		page.screenshot(path=job["path"])
		context.request.get(base + "/api/method/logout")
		context.close()
	browser.close()
sys.exit("\\n".join(failed) or None)
"""
CHARTS = ("Daily Cash Receipts", "DSO by Month", "Receivables Aging by Pay Link", "Collection Funnel",
	"Customer Receipts")  # fmt: skip


def jobs_for(out: str) -> list[dict]:
	from urllib.parse import quote

	from desk_demo import CHURN, GROUP

	from revops_app.tests.stripe_bench import COMPANY

	def path(name: str) -> str:
		return os.path.join(os.path.abspath(out), f"{name}.png")

	report = "/app/query-report/"
	desk = {"width": 1400, "height": 900}
	# reports: a 1920-pixel-wide image of a 2260-pixel-wide window (browser zoom 85 %), so every column shows
	wide = {"width": 2260, "height": 1270, "scale": 0.85, "wide": True, "settle": 2500, "fit": True}
	return [
		{**desk, "url": "/app/collections", "ready": ".number-widget-box", "settle": 4000, "fit": True,
			"path": path("collections-workspace")},
		{**desk, "url": f"/app/customer/{quote(CHURN)}", "ready": ".form-tabs", "tab": "Customer Experience",
			"path": path("customer-experience-tab")},
		{**wide, "url": report + quote("Customer Health") + "?customer_group=" + quote(GROUP), "ready": ".dt-row",
			"path": path("customer-health-report")},
		{**wide, "url": report + quote("Receivables Aging with Pay-Link Status") + "?company=" + quote(COMPANY),
			"ready": ".dt-row",
			"path": path("receivables-aging-report")},
	]  # fmt: skip


# What a desk session and the demo's documents leave behind besides the documents: removed by creation time
# (the run holds the bench's lock, so nothing else writes meanwhile).
LOG_DOCTYPES = ("Version", "Comment", "Communication", "Communication Link", "Activity Log", "Access Log",
	"Route History", "Notification Log", "Email Queue", "Email Queue Recipient", "Error Log",
	"Deleted Document", "Dashboard Settings")  # fmt: skip
SECRET_DOCTYPES = ("RevOps Settings", "RevOps Webhook Secret")  # Password fields the settings change


def table_counts() -> dict[str, int]:
	import frappe

	tables = frappe.db.sql_list(
		"select table_name from information_schema.tables where table_schema = database()"
	)
	return {table: frappe.db.sql(f"select count(*) from `{table}`")[0][0] for table in tables}


def snapshot() -> dict:
	"""The site's state the run must give back: time, naming-series counters, the settings' stored secrets,
	the open sessions and every table's row count (to report what changed)."""
	import frappe
	from frappe.utils import now_datetime

	return {
		"at": now_datetime(),
		"series": dict(frappe.db.sql("select name, current from `tabSeries`")),
		"auth": frappe.db.sql("select * from `__Auth` where doctype in %s", (SECRET_DOCTYPES,), as_dict=True),
		"sessions": set(frappe.db.sql_list("select sid from `tabSessions`")),
		"counts": table_counts(),
	}


def restore_snapshot(before: dict) -> dict[str, tuple[int, int]]:
	"""Remove the run's log rows, new series and sessions, put the secrets back; returns the tables whose row
	count still differs from `before` ({table: (before, after)})."""
	import frappe

	for doctype in LOG_DOCTYPES:
		frappe.db.delete(doctype, {"creation": [">=", before["at"]]})
	for sid in set(frappe.db.sql_list("select sid from `tabSessions`")) - before["sessions"]:
		frappe.db.sql("delete from `tabSessions` where sid = %s", sid)
	for name, current in frappe.db.sql("select name, current from `tabSeries`"):
		if name not in before["series"]:
			frappe.db.sql("delete from `tabSeries` where name = %s", name)
		elif current != before["series"][name]:
			frappe.db.sql(
				"update `tabSeries` set current = %s where name = %s", (before["series"][name], name)
			)
	frappe.db.sql("delete from `__Auth` where doctype in %s", (SECRET_DOCTYPES,))
	for row in before["auth"]:
		columns = ", ".join(f"`{column}`" for column in row)
		marks = ", ".join(["%s"] * len(row))
		frappe.db.sql(f"insert into `__Auth` ({columns}) values ({marks})", tuple(row.values()))
	frappe.db.commit()
	after = table_counts()
	return {t: (before["counts"].get(t, 0), n) for t, n in after.items() if before["counts"].get(t, 0) != n}


def desk_defaults(company: str) -> dict:
	"""Administrator's default Company -> the demo company, ERPNext's onboarding off; returns what to restore."""
	import frappe

	previous = {
		"company": frappe.db.get_value(
			"DefaultValue", {"parent": "Administrator", "defkey": "company"}, "defvalue"
		),
		"onboarding": frappe.db.get_single_value("System Settings", "enable_onboarding"),
	}
	frappe.defaults.set_user_default("company", company, "Administrator")
	frappe.db.set_single_value("System Settings", "enable_onboarding", 0)
	frappe.db.commit()
	return previous


def restore_defaults(previous: dict) -> None:
	import frappe

	if previous["company"]:
		frappe.defaults.set_user_default("company", previous["company"], "Administrator")
	else:
		frappe.defaults.clear_user_default("company", "Administrator")
	frappe.db.set_single_value("System Settings", "enable_onboarding", previous["onboarding"])
	frappe.db.commit()
	clear_chart_cache()


def clear_chart_cache() -> None:
	"""Frappe caches each dashboard chart's data (`chart-data:<name>`): drop the workspace charts' copies."""
	import frappe

	for chart in CHARTS:
		frappe.cache.delete_value(f"chart-data:{chart}")
	frappe.clear_cache(user="Administrator")


def serve(site: str, sites_path: str, port: int):
	from werkzeug.serving import make_server

	import frappe.app

	frappe.app._site = site
	frappe.app._sites_path = sites_path
	logging.getLogger("werkzeug").setLevel(logging.ERROR)
	# the desk needs /assets and /files, which `bench serve` adds the same way
	server = make_server("127.0.0.1", port, frappe.app.application_with_statics(), threaded=True)
	threading.Thread(target=server.serve_forever, daemon=True).start()
	return server


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--out", required=True, help="folder for the PNGs")
	parser.add_argument("--browser-python", required=True, help="a Python with playwright installed")
	parser.add_argument("--chromium", default="/usr/bin/chromium")
	parser.add_argument("--password", default="admin", help="the Administrator's password on the site")
	parser.add_argument("--port", type=int, default=8766)
	args = parser.parse_args()

	import frappe

	sites_path = os.getcwd()
	frappe.init(site=args.site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.mute_emails = True
	from desk_demo import make_demo, remove_demo

	from revops_app.revops.constants import SETTINGS_DOCTYPE
	from revops_app.tests.stripe_bench import COMPANY, configure_settings, ensure_masters, restore_settings

	masters = ensure_masters()
	before = snapshot()
	previous = configure_settings(masters, "http://127.0.0.1:9")
	previous_cx = frappe.db.get_single_value(SETTINGS_DOCTYPE, "cx_enabled")
	frappe.db.set_single_value(SETTINGS_DOCTYPE, "cx_enabled", 1)
	defaults = desk_defaults(COMPANY)
	demo: dict = {}
	server = None
	try:
		make_demo(masters, demo)
		clear_chart_cache()
		server = serve(args.site, sites_path, args.port)
		jobs = jobs_for(args.out)
		base = f"http://127.0.0.1:{args.port}"
		command = [args.browser_python, "-c", SHOOT, json.dumps(jobs), args.chromium, base, args.password]
		subprocess.run(command, check=True)
		for job in jobs:
			print(job["path"])
	finally:
		if server:
			server.shutdown()
		remove_demo()
		frappe.db.set_single_value(SETTINGS_DOCTYPE, "cx_enabled", previous_cx)
		restore_settings(previous)
		restore_defaults(defaults)
		changed = restore_snapshot(before)
		print("tables whose row count changed (before, after):", json.dumps(changed) if changed else "none")
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
