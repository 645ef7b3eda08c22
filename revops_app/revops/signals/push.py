"""Real-time push to the sidecar: after a score-moving ERP change commits, name its customer to the sidecar.

Contract:
- doc_events (hooks.py) call `on_change(doc, method)` for: Sales Invoice submitted/cancelled/paid (its
  outstanding moves with each Payment Entry, which is hooked too and names its customer), Sales Order and
  Quotation submitted/cancelled, Contract saved, Issue saved. The customer is collected per transaction; one callback on
  `frappe.db.after_commit` enqueues one job (`send_push`) for all of them, so a rolled-back change pushes
  nothing and a push never precedes its commit. `push_newly_overdue` (daily, just after midnight) pushes the
  customers whose invoices fell overdue yesterday (no document is saved when that happens).
- `send_push(customers, change, committed_at)` POSTs {"customers", "event", "committed_at"} to RevOps Settings >
  Sidecar Push URL, signed like the sidecar's survey webhooks: X-RevOps-Timestamp and X-RevOps-Signature =
  sha256=HMAC-SHA256(secret, "<timestamp>." + body), the secret from the Password field Sidecar Push Secret.
- Best effort by design: the sidecar's periodic pass meets every change in the signals feed anyway, so a failed
  push costs latency, never correctness; it is logged (never the secret), not retried.
"""

import hashlib
import hmac
import json
import logging
import time

import requests

import frappe
from frappe.utils import add_days, getdate, nowdate

from revops_app.revops.settings import get_settings

log = logging.getLogger(__name__)
TIMEOUT = (3, 5)  # connect, read seconds
_PENDING = "revops_push_pending"


def _customers_of(doc) -> list[str]:
	doctype = doc.doctype
	if doctype in ("Sales Invoice", "Sales Order", "Issue"):
		return [doc.get("customer")] if doc.get("customer") else []
	if doctype == "Payment Entry":
		if doc.get("party_type") != "Customer" or not doc.get("party"):
			return []
		return [doc.party]
	if doctype == "Quotation":
		return [doc.party_name] if doc.get("quotation_to") == "Customer" and doc.get("party_name") else []
	if doctype == "Contract":
		return [doc.party_name] if doc.get("party_type") == "Customer" and doc.get("party_name") else []
	return []


def push_configured() -> bool:
	settings = get_settings()
	return bool(settings.get("enabled") and settings.get("sidecar_push_url"))


def on_change(doc, method: str | None = None) -> None:
	"""doc_events handler: remember the customer; the first change of a transaction registers the push."""
	if not push_configured():
		return
	customers = _customers_of(doc)
	if not customers:
		return
	pending = frappe.local.flags.get(_PENDING)
	if pending is None:
		pending = frappe.local.flags[_PENDING] = {"customers": {}, "event": None}
		frappe.db.after_commit.add(_enqueue_pending)
		frappe.db.after_rollback.add(_forget_pending)
	for name in customers:
		pending["customers"][name] = True
	pending["event"] = pending["event"] or f"{doc.doctype.lower().replace(' ', '_')}_{method or 'change'}"


def _forget_pending() -> None:
	frappe.local.flags.pop(_PENDING, None)


def _enqueue_pending() -> None:
	pending = frappe.local.flags.pop(_PENDING, None)
	if not pending or not pending["customers"]:
		return
	frappe.enqueue(
		"revops_app.revops.signals.push.send_push",
		queue="short",
		customers=list(pending["customers"]),
		change=pending["event"],  # not `event`: frappe.enqueue has a parameter of that name
		committed_at=time.time(),
		now=bool(frappe.flags.in_test),
	)


def sign(secret: str, body: bytes, timestamp: int) -> str:
	return (
		"sha256="
		+ hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
	)


def send_push(customers: list[str], change: str | None = None, committed_at: float | None = None) -> bool:
	"""POST the signed push; True when the sidecar accepted it (202)."""
	settings = get_settings()
	url = settings.get("sidecar_push_url")
	secret = settings.get_password("sidecar_push_secret", raise_exception=False)
	if not url or not secret:
		return False
	body = json.dumps({"customers": customers, "event": change, "committed_at": committed_at}).encode()
	stamp = int(time.time())
	headers = {
		"Content-Type": "application/json",
		"X-RevOps-Timestamp": str(stamp),
		"X-RevOps-Signature": sign(secret, body, stamp),
	}
	try:
		response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
	except requests.RequestException as exc:
		log.warning("sidecar push of %d customer(s) failed: %s", len(customers), type(exc).__name__)
		return False
	if response.status_code != 202:
		log.warning("sidecar push of %d customer(s) answered %s", len(customers), response.status_code)
		return False
	return True


def push_newly_overdue() -> int:
	"""Daily: the customers whose open invoices fell overdue yesterday (their due date was the day before)."""
	if not push_configured():
		return 0
	yesterday = add_days(getdate(nowdate()), -1)
	customers = frappe.get_all(
		"Sales Invoice",
		filters={"docstatus": 1, "due_date": yesterday, "outstanding_amount": [">", 0]},
		pluck="customer",
		distinct=True,
	)
	for start in range(0, len(customers), 1000):
		send_push(customers[start : start + 1000], "invoice_overdue", time.time())
	return len(customers)
