"""Promises to pay resolved daily: Open -> Kept (every invoice paid) or Broken (date passed, something owed).

Contract
- `resolve_promises(on)` (rule: `core.collections.promises.resolve`) sets status and `resolved_on` through
  the document (track_changes keeps who/when) and adds a Comment on the Customer. Idempotent: each promise
  is re-read under a row lock and only an Open one changes, so two runs (or a collector cancelling at the
  same moment) never resolve it twice. Never commits; `daily()` (scheduler_events daily) does.
- The dunning run calls `resolve_promises` first, so the broken-promise step and the promise's Broken
  status appear on the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import flt, formatdate, getdate, today

from revops_app.core.collections import promises as rules
from revops_app.customer_experience.timeline import add_timeline_comment
from revops_app.revenue_collections.constants import PROMISE_DOCTYPE
from revops_app.revenue_collections.promises import load_promises


def resolve_promises(on: date | str | None = None) -> dict[str, int]:
	"""Open promises -> Kept / Broken as of `on` (module docstring). Returns counts by new status."""
	on = getdate(on or today())
	open_ones = load_promises(None)
	names = sorted({name for promise in open_ones for name in promise.invoices})
	outstanding = _outstanding(names)
	counts: dict[str, int] = {}
	for promise in open_ones:
		status = rules.resolve(promise, outstanding, on)
		if status == promise.status:
			continue
		doc = frappe.get_doc(PROMISE_DOCTYPE, promise.name, for_update=True)
		if doc.status != rules.PromiseStatus.OPEN:
			continue  # resolved by a collector or another run meanwhile
		doc.status, doc.resolved_on = status, on
		doc.save(ignore_permissions=True)
		counts[status] = counts.get(status, 0) + 1
		_comment_resolution(doc, status)
	return counts


def _outstanding(invoices: Sequence[str]) -> dict[str, float]:
	"""Outstanding per invoice as ERPNext keeps it (cancelled invoices owe nothing)."""
	if not invoices:
		return {}
	rows = frappe.db.sql(
		"""SELECT name, CASE WHEN docstatus = 1 THEN outstanding_amount ELSE 0 END
		FROM `tabSales Invoice` WHERE name IN %(names)s""",
		{"names": tuple(invoices)},
	)
	return {name: flt(amount) for name, amount in rows}


def _comment_resolution(promise: Any, status: str) -> None:
	if status == rules.PromiseStatus.KEPT:
		text = _("Promise {0} kept: every promised invoice is paid.").format(promise.name)
	else:
		text = _("Promise {0} broken: {1} passed with an invoice still outstanding; dunning resumes.").format(
			promise.name, formatdate(promise.promised_date)
		)
	add_timeline_comment("Customer", promise.customer, text)


def daily() -> None:
	"""scheduler_events daily: resolve promises as of today while the app is enabled (RevOps Settings)."""
	from revops_app.revops.settings import is_enabled

	if is_enabled():
		resolve_promises()
		frappe.db.commit()  # nosemgrep: the scheduled job ends its own transaction
