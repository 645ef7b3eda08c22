"""Every difference between the Frappe/ERPNext versions the app supports (v15 and v16), in one place.

Each entry is named by what changed and in which version, so a reader knows why it exists and when it can
go (when v15 support ends). The rest of the app calls these instead of checking versions itself. Facts are
from the v15 (frappe 15.101 / erpnext 15.90) and v16 (frappe 16.13 / erpnext 16.12) sources; see
`tests/reference/erpnext-v16/CHANGES.md`.

Not here because both versions accept one spelling: aggregates are built with `frappe.qb` functions (v16
refuses SQL function strings such as sum(x) in `fields`; v15 does not understand v16's dict syntax), and desk links come from
`frappe.utils.get_url_to_form` / `get_link_to_form` (`/app/...` on v15, `/desk/...` on v16). Mail is queued
(`frappe.sendmail(..., delayed=True)`, the default) and each job commits where it means to (`revops.jobs`, the
dunning run per message, the CX state refresh per batch), so v16 no longer committing inside `sendmail`
changes nothing here. Whitelisted methods are fully annotated (tests/test_api_surface.py), which v16's
`require_type_annotated_api_methods` requires and v15 ignores.
"""

from __future__ import annotations

import html
import re
import shutil
from datetime import date
from typing import Any

import frappe
from frappe.utils import getdate


def frappe_major_version() -> int:
	return int(frappe.__version__.split(".", 1)[0])


# --- v16: the accounts freeze moved from Accounts Settings to each Company --------------------------------
# v15 general_ledger.check_freezing_date reads Accounts Settings.acc_frozen_upto; v16 reads
# Company.accounts_frozen_till_date (patch v16_0/migrate_account_freezing_settings_to_company copies the old
# value to every company, and the Accounts Settings field is gone from the meta: reading it throws).
def accounts_frozen_till(company: str) -> date | None:
	"""The date up to which ERPNext refuses GL entries of `company` (None: nothing frozen)."""
	if frappe.get_meta("Company").has_field("accounts_frozen_till_date"):
		value = frappe.db.get_value("Company", company, "accounts_frozen_till_date")
	else:
		value = frappe.db.get_single_value("Accounts Settings", "acc_frozen_upto")
	return getdate(value) if value else None


def set_accounts_frozen_till(company: str, value: date | str | None) -> None:
	"""Set the freeze date where this version keeps it (tests and setup tools)."""
	if frappe.get_meta("Company").has_field("accounts_frozen_till_date"):
		frappe.db.set_value("Company", company, "accounts_frozen_till_date", value)
	else:
		frappe.db.set_single_value("Accounts Settings", "acc_frozen_upto", value)


# --- v16: Frappe renders PDFs with Chrome as well as wkhtmltopdf --------------------------------------------
# v15 renders every PDF with wkhtmltopdf (frappe.utils.pdf.get_pdf). v16 adds a Chrome generator (hooks
# `pdf_generator = "frappe.utils.pdf.get_chrome_pdf"`, used by get_print(pdf_generator="chrome"), the Chromium
# named by common site config `chromium_path`), for hosts without wkhtmltopdf (Debian dropped it after
# bookworm). wkhtmltopdf stays the first choice, as it is v16's default too.
def chrome_pdf_available() -> bool:
	"""Frappe ships its Chrome PDF generator (v16) and a Chromium it can start is configured."""
	if "frappe.utils.pdf.get_chrome_pdf" not in (frappe.get_hooks("pdf_generator") or []):
		return False
	path = frappe.get_common_site_config().get("chromium_path")
	return bool(path and shutil.which(path))


def pdf_generator() -> str:
	"""The generator Frappe's own PDF rendering should use here: wkhtmltopdf when installed, else chrome."""
	return "chrome" if not shutil.which("wkhtmltopdf") and chrome_pdf_available() else "wkhtmltopdf"


def html_to_pdf(markup: str, options: dict | None = None) -> bytes:
	"""Frappe's HTML -> PDF with `pdf_generator()` (get_pdf: wkhtmltopdf; get_chrome_pdf on v16)."""
	if pdf_generator() == "chrome":
		from frappe.utils.pdf import get_chrome_pdf

		return get_chrome_pdf(None, markup, options or {}, None, pdf_generator="chrome")
	from frappe.utils.pdf import get_pdf

	return get_pdf(markup, options)


# --- v16: get_payment_entry() lost its ignore_permissions argument -------------------------------------
# v15 accepted it and never used it (payment_entry.py:2880 is its only occurrence); v16 raises TypeError.
# Callers that must skip permissions say so on insert/submit (`insert(ignore_permissions=True)`).
def get_payment_entry(dt: str, dn: str, **kwargs: Any):
	"""ERPNext's own `get_payment_entry`, called the same way on both versions."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import (
		get_payment_entry as erpnext_payment_entry,
	)

	return erpnext_payment_entry(dt, dn, **kwargs)


# --- v16: an Accounting Period can be disabled -------------------------------------------------------
# v16 general_ledger.validate_accounting_period only applies periods with disabled = 0; v15 has no such field.
def accounting_periods_can_be_disabled() -> bool:
	return frappe.get_meta("Accounting Period").has_field("disabled")


# --- v16: a failing Jinja template's error carries an HTML traceback as its message -----------------------
# v16 frappe.utils.jinja.render_template catches the error and throws the same exception again with
# "<pre>escaped traceback</pre>" as its only argument ("Context Error" / "Jinja Template Error"); v15 lets the
# original through. The traceback's last line is the original "module.Error: message".
def error_text(error: BaseException) -> str:
	"""The readable message of `error`, unwrapped from v16's template-error re-raise."""
	text = str(error)
	if not (text.startswith("<pre>") and "Traceback" in text):
		return text
	lines = [line for line in html.unescape(re.sub(r"<[^>]+>", "\n", text)).splitlines() if line.strip()]
	return lines[-1].split(": ", 1)[-1].strip()


# --- v16: System Settings are served from frappe.client_cache -------------------------------------------
# v16 get_system_settings reads frappe.client_cache (a per-process cache over redis) that
# frappe.clear_document_cache does not reach; v15 reads the document cache that it does.
def clear_system_settings_cache() -> None:
	"""Make the next get_system_settings() in this process read the database (after changing, e.g., the time zone)."""
	frappe.clear_document_cache("System Settings", "System Settings")
	if hasattr(frappe, "client_cache"):
		frappe.client_cache.delete_value(frappe.get_document_cache_key("System Settings", "System Settings"))
	frappe.local.system_settings = None


# --- v16: a full job queue refuses a Guest request with PermissionError -------------------------------------
# Both versions refuse a job when the queue holds too many (background_jobs._check_queue_size raises
# QueueOverloaded). v16 builds that error with frappe.has_permission("System Health Report"), which raises
# PermissionError itself when the request is a Guest's (a Stripe webhook), so the refusal arrives as that.
def job_queue_refusals() -> tuple[type[BaseException], ...]:
	"""What frappe.enqueue raises when the job queue cannot take a job (overloaded, or redis unreachable)."""
	from redis.exceptions import ConnectionError as RedisConnectionError
	from redis.exceptions import TimeoutError as RedisTimeoutError

	refusals: tuple[type[BaseException], ...] = (
		frappe.QueueOverloaded,
		RedisConnectionError,
		RedisTimeoutError,
	)
	return (*refusals, frappe.PermissionError) if frappe_major_version() >= 16 else refusals
