"""Signals feed for the sidecar: `GET/POST /api/method/revops_app.api.signals.customer_signals`.

Contract: token-authenticated (never guest). The caller needs read permission on Customer and Sales
Invoice, or the System Manager role, and must not be narrowed by User Permissions on Customer (the feed
is a bulk export of every customer; a restricted user gets a PermissionError rather than a silently
partial feed). Arguments: `modified_after` ("YYYY-MM-DD HH:MM:SS[.ffffff]" or empty for a full sync),
`after_name` (the cursor's customer name), `limit` (1..1000, default 500), `settle_seconds` (0..3600,
default 60: changes younger than that wait for the next call, so the cursor never passes a row whose
transaction has not committed). Returns the page built by
`revops_app.revops.signals.feed.signals_page`: {"records", "next_cursor", "deleted", "as_of", "has_more"}.

Full pass (opt-in, so a caller that only knows the (modified, name) cursor keeps its meaning): `full=1`
with no cursor starts it, `snapshot` (from the cursor it returned) continues it with `after_name`; pages go
by customer name at a constant cost (`feed.full_signals_page`). Its cursor is
{"modified": "", "name", "snapshot"} until the last page, which returns the incremental cursor
{"modified": snapshot, "name": ""}. `modified_after` together with `full`/`snapshot` is refused.

`customer_records(customers)`: the records of the named customers, built now (the sidecar's push pass, after the
app pushed those names; revops/signals/push.py).
"""

# No `from __future__ import annotations`: Frappe reads these annotations to check request types.
import json

import frappe
from frappe import _
from frappe.core.doctype.user_permission.user_permission import get_user_permissions
from frappe.utils import get_datetime, now_datetime

from revops_app.customer_experience.customer_timeline import timeline_rows
from revops_app.revops.constants import ROLE_SYSTEM_MANAGER
from revops_app.revops.signals.feed import customer_records as records_of
from revops_app.revops.signals.feed import full_signals_page, signals_page
from revops_app.revops.signals.pages import MAX_LIMIT

# Changes younger than this are served on the next call (their transactions may not have committed yet).
DEFAULT_SETTLE_SECONDS = 60
MAX_SETTLE_SECONDS = 3600


def check_access() -> None:
	user = frappe.session.user
	if user == "Guest":
		raise frappe.AuthenticationError(_("Log in or use an API key to read the signals feed"))
	allowed = ROLE_SYSTEM_MANAGER in frappe.get_roles(user) or (
		frappe.has_permission("Customer", "read") and frappe.has_permission("Sales Invoice", "read")
	)
	if not allowed:
		frappe.throw(
			_("The signals feed needs read access to Customer and Sales Invoice"), frappe.PermissionError
		)
	if get_user_permissions(user).get("Customer"):
		frappe.throw(
			_(
				"The signals feed exports every customer, but User Permissions restrict {0} to some customers"
			).format(user),
			frappe.PermissionError,
		)


@frappe.whitelist(methods=["GET", "POST"])
def customer_signals(
	modified_after: str | None = None,
	after_name: str | None = None,
	limit: int = 500,
	settle_seconds: int = DEFAULT_SETTLE_SECONDS,
	full: int = 0,
	snapshot: str | None = None,
) -> dict:
	check_access()
	try:
		limit = int(limit)
	except (TypeError, ValueError):
		frappe.throw(_("limit must be a whole number"), frappe.ValidationError)
	if not 1 <= limit <= MAX_LIMIT:
		frappe.throw(_("limit must be between 1 and {0}").format(MAX_LIMIT), frappe.ValidationError)
	after = _parse_time("modified_after", modified_after)
	snapshot_at = _parse_time("snapshot", snapshot)
	if snapshot_at and snapshot_at > now_datetime():
		# a snapshot is taken by the first page of a pass; a later one would skip changes at hand-over
		frappe.throw(_("snapshot {0} is in the future").format(snapshot), frappe.ValidationError)
	if (int(full or 0) or snapshot_at) and after:
		frappe.throw(
			_("A full pass pages by name: give modified_after or full/snapshot, not both"),
			frappe.ValidationError,
		)
	try:
		settle = int(settle_seconds)
	except (TypeError, ValueError):
		settle = -1
	if not 0 <= settle <= MAX_SETTLE_SECONDS:
		frappe.throw(
			_("settle_seconds must be between 0 and {0}").format(MAX_SETTLE_SECONDS), frappe.ValidationError
		)
	if int(full or 0) or snapshot_at:
		return full_signals_page(after_name or "", limit, snapshot_at, settle_seconds=settle)
	return signals_page(after, after_name or "", limit, settle_seconds=settle)


@frappe.whitelist(methods=["GET", "POST"])
def customer_records(customers: str | list | None = None) -> dict:
	"""The signals records of the named customers (a JSON list of at most 1000 names), built now: what the
	sidecar asks for when the app has pushed their names. Same access rule as the feed."""
	check_access()
	names = customers
	if isinstance(customers, str):
		try:
			names = json.loads(customers)
		except ValueError:
			names = None
	if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
		frappe.throw(_("customers must be a JSON list of customer names"), frappe.ValidationError)
	if len(names) > MAX_LIMIT:
		frappe.throw(_("at most {0} customers per call").format(MAX_LIMIT), frappe.ValidationError)
	return records_of(names)


def _parse_time(arg: str, value: str | None):
	if not value:
		return None
	try:
		parsed = get_datetime(value)
	except Exception:
		parsed = None
	if parsed is None:
		frappe.throw(
			_("{0} must look like YYYY-MM-DD HH:MM:SS.ffffff, got {1}").format(arg, value),
			frappe.ValidationError,
		)
	return parsed


@frappe.whitelist(methods=["GET", "POST"])
def customer_timeline(customer: str, limit: int = 100) -> list[dict]:
	"""One customer's ordered timeline (`customer_experience.customer_timeline.timeline_rows`): invoices,
	payments, reminders, promises, disputes, survey responses, recovery Issues and escalations, and the lead
	handoffs the sidecar reported (with their HubSpot link in `external_url`), newest first, each with its desk
	link. Needs read permission on that Customer (the Customer form's timeline tab calls it)."""
	if frappe.session.user == "Guest":
		raise frappe.AuthenticationError(_("Log in or use an API key to read the customer timeline"))
	frappe.has_permission("Customer", "read", doc=customer, throw=True)
	return timeline_rows(customer, min(max(int(limit or 100), 1), 500))
