"""Screenshots of the invoice pay page and the customer page, rendered by a real bench in headless Chromium.

Run from a bench's sites folder with the bench's Python, while no test run uses the site:

	cd ~/bench15/sites && ../env/bin/python ~/revops_app/docs/screenshots/capture.py --site v15.test \\
		--out ~/revops_app/docs/screenshots --browser-python /path/to/venv-with-playwright/bin/python

It makes demo documents with the bench tests' own factories (revops_app/tests/stripe_bench.py: the test
company, its accounts, invoices; a customer "Northwind Traders", a Letter Head with a logo, a company email),
serves Frappe's WSGI application on 127.0.0.1, takes phone (390x844) and desktop (1280x800) full-page PNGs
of /pay/<token> and /customer-pay/<token> with Playwright's Chromium (`--chromium`, default
/usr/bin/chromium), and removes what it made (purge_company_transactions, the settings restored).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import threading

SHOOT = """
import json, sys
from playwright.sync_api import sync_playwright
jobs = json.loads(sys.argv[1])
with sync_playwright() as p:
	browser = p.chromium.launch(executable_path=sys.argv[2], args=["--no-sandbox"])
	for job in jobs:
		page = browser.new_page(viewport={"width": job["width"], "height": job["height"]}, device_scale_factor=1)
		page.goto(job["url"], wait_until="networkidle")
		for selector in job.get("open", []):
			page.click(selector)
		page.screenshot(path=job["path"], full_page=True)
		page.close()
	browser.close()
"""
CUSTOMER = "Northwind Traders"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def logo_png() -> bytes:
	from PIL import Image, ImageDraw

	image = Image.new("RGBA", (96, 96), (255, 255, 255, 0))
	draw = ImageDraw.Draw(image)
	draw.rounded_rectangle((0, 0, 95, 95), radius=22, fill=(47, 111, 237, 255))
	draw.polygon([(24, 70), (48, 24), (72, 70)], fill=(255, 255, 255, 255))
	out = io.BytesIO()
	image.save(out, format="PNG")
	return out.getvalue()


def make_demo(masters: dict) -> dict:
	import frappe
	from frappe.utils import add_days, nowdate

	from revops_app.core.gateway.customer_page import page_name
	from revops_app.revenue_collections.constants import (
		CUSTOMER_PAGE_DOCTYPE,
		DUNNING_POLICY_DOCTYPE,
		PAYMENT_LINK_DOCTYPE,
	)
	from revops_app.tests.stripe_bench import COMPANY, make_invoice

	if not frappe.db.exists("Customer", CUSTOMER):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": CUSTOMER,
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
			}
		).insert(ignore_permissions=True)
	logo = frappe.get_doc(
		{"doctype": "File", "file_name": "revops-demo-logo.png", "is_private": 1, "content": logo_png()}
	).insert(ignore_permissions=True)
	head = frappe.get_doc(
		{
			"doctype": "Letter Head",
			"letter_head_name": "RevOps Demo Head",
			"source": "Image",
			"image": logo.file_url,
		}
	).insert(ignore_permissions=True)
	previous = frappe.db.get_value(
		"Company", COMPANY, ["email", "phone_no", "default_letter_head"], as_dict=True
	)
	frappe.db.set_value(
		"Company",
		COMPANY,
		{
			"email": "accounts@stripe-test.example",
			"phone_no": "+1 555 0199",
			"default_letter_head": head.name,
		},
	)
	policy = frappe.db.get_value(DUNNING_POLICY_DOCTYPE, {"is_default": 1}, "name")
	previous_policy = frappe.db.get_value(
		DUNNING_POLICY_DOCTYPE, policy, ["allow_customer_amount", "minimum_customer_amount"], as_dict=True
	)
	frappe.db.set_value(
		DUNNING_POLICY_DOCTYPE, policy, {"allow_customer_amount": 1, "minimum_customer_amount": 100}
	)
	invoices = [
		make_invoice(masters, rate, posting_date=add_days(nowdate(), -days), customer=CUSTOMER)
		for rate, days in ((1200, 45), (349.90, 33), (86.25, 12), (2150, 2))
	]
	frappe.db.commit()
	token = frappe.db.get_value(PAYMENT_LINK_DOCTYPE, {"sales_invoice": invoices[0].name}, "token")
	page = frappe.db.get_value(CUSTOMER_PAGE_DOCTYPE, page_name(CUSTOMER, COMPANY, "USD"), "token")
	return {
		"invoice_token": token,
		"page_token": page,
		"previous_company": dict(previous),
		"head": head.name,
		"policy": (policy, dict(previous_policy)),
	}


def remove_demo(demo: dict) -> None:
	import frappe

	from revops_app.revenue_collections.constants import DUNNING_POLICY_DOCTYPE
	from revops_app.tests.stripe_bench import COMPANY, purge_company_transactions

	frappe.db.rollback()
	purge_company_transactions(COMPANY, [])
	frappe.db.set_value("Company", COMPANY, demo["previous_company"])
	frappe.db.set_value(DUNNING_POLICY_DOCTYPE, demo["policy"][0], demo["policy"][1])
	frappe.delete_doc("Letter Head", demo["head"], force=True, ignore_permissions=True)
	for file in frappe.get_all("File", filters={"file_name": "revops-demo-logo.png"}):
		frappe.delete_doc("File", file.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def serve(site: str, sites_path: str, port: int):
	from werkzeug.serving import make_server

	import frappe.app

	frappe.app._site = site
	frappe.app._sites_path = sites_path
	server = make_server("127.0.0.1", port, frappe.app.application, threaded=True)
	threading.Thread(target=server.serve_forever, daemon=True).start()
	return server


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--out", required=True, help="folder for the PNGs")
	parser.add_argument("--browser-python", required=True, help="a Python with playwright installed")
	parser.add_argument("--chromium", default="/usr/bin/chromium")
	parser.add_argument("--port", type=int, default=8765)
	args = parser.parse_args()

	import frappe

	sites_path = os.getcwd()
	frappe.init(site=args.site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	from revops_app.tests.stripe_bench import configure_settings, ensure_masters, restore_settings

	masters = ensure_masters()
	previous = configure_settings(masters, "http://127.0.0.1:9")
	demo = make_demo(masters)
	server = serve(args.site, sites_path, args.port)
	try:
		base = f"http://127.0.0.1:{args.port}"
		jobs = []
		for size, (width, height) in SIZES.items():
			for name, path in (("invoice-page", f"/pay/{demo['invoice_token']}"),
				("customer-page", f"/customer-pay/{demo['page_token']}")):  # fmt: skip
				out = os.path.join(os.path.abspath(args.out), f"{name}-{size}.png")
				job = {"url": base + path, "path": out, "width": width, "height": height}
				if name == "customer-page" and size == "desktop":
					job["open"] = ["details:not(.promise-details) > summary"]  # "Pay part of it" opened
				jobs.append(job)
		subprocess.run([args.browser_python, "-c", SHOOT, json.dumps(jobs), args.chromium], check=True)
		for job in jobs:
			print(job["path"])
	finally:
		server.shutdown()
		remove_demo(demo)
		restore_settings(previous)
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
