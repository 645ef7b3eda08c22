"""Which customers a signals page serves: the (modified, name) cursor over effective modified, and the
full pass by name range. A fixed number of statements per page; see feed.py for the contract."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import frappe
from frappe.utils import get_datetime

MAX_LIMIT = 1000
QUOTATION_WINDOW_DAYS = 365  # quotation item groups: quotations dated within the last 365 days
ISSUE_WINDOW_DAYS = 90  # issues_last_90d: issues opened within the last 90 days
OPEN_OPPORTUNITY_STATUSES = ("Open", "Replied", "Quotation")
OPEN_ISSUE_STATUSES = ("Open", "Replied", "On Hold")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

# Company-currency outstanding (outstanding_amount is in the party account currency).
OUTSTANDING_COMPANY = (
	"CASE WHEN si.party_account_currency = co.default_currency OR si.party_account_currency IS NULL"
	" THEN si.outstanding_amount ELSE si.outstanding_amount * si.conversion_rate END"
)


def format_modified(value: Any) -> str:
	return get_datetime(value).strftime(DATETIME_FORMAT)


def _midnight_after(column: str, days: int) -> str:
	"""SQL for the timestamp `column` (a Date) + `days` at 00:00, as a datetime with microseconds."""
	if frappe.db.db_type == "postgres":
		return f"CAST({column} + {int(days)} AS timestamp)"
	return f"CAST(DATE_ADD({column}, INTERVAL {int(days)} DAY) AS DATETIME(6))"


def _feed_sql(with_since: bool, name_range: bool = False) -> str:
	"""UNION ALL of (customer, ts) rows: every moment a customer's record may have changed.
	`with_since`: only rows at or after %(since)s (incremental). `name_range`: only the customers named in
	(%(range_after)s, %(range_last)s] (full pass: each branch reads a range of its customer index; a range,
	not an IN list, because MariaDB turns an IN list of 1000 values into a semi-join that scans the table)."""
	since = "AND {alias}.modified >= %(since)s" if with_since else ""

	def mod(alias: str) -> str:
		return since.format(alias=alias)

	def who(column: str) -> str:
		return _in_range(column) if name_range else ""

	def crossing(column: str, days: int) -> str:
		# the crossing moment is in the past (<= today 00:00) and, incrementally, not before the cursor's day
		lower = f"AND {column} >= %(since_day_minus_{days})s" if with_since else ""
		return f"{column} <= %(today_minus_{days})s {lower}"

	branches = [
		f"SELECT c.name AS customer, c.modified AS ts FROM `tabCustomer` c WHERE 1=1 {mod('c')} {who('c.name')}",
		f"""SELECT si.customer, si.modified FROM `tabSales Invoice` si
			WHERE si.customer IS NOT NULL {mod("si")} {who("si.customer")}""",
		f"""SELECT si.customer, {_midnight_after("si.due_date", 1)} FROM `tabSales Invoice` si
			WHERE si.docstatus = 1 AND si.is_return = 0 AND si.outstanding_amount > 0
			AND {crossing("si.due_date", 1)} {who("si.customer")}""",
		f"""SELECT pe.party, pe.modified FROM `tabPayment Entry` pe
			WHERE pe.party_type = 'Customer' {mod("pe")} {who("pe.party")}""",
		f"""SELECT ct.party_name, ct.modified FROM `tabContract` ct
			WHERE ct.party_type = 'Customer' {mod("ct")} {who("ct.party_name")}""",
		f"""SELECT ct.party_name, {_midnight_after("ct.start_date", 0)} FROM `tabContract` ct
			WHERE ct.party_type = 'Customer' AND ct.docstatus = 1 AND ct.is_signed = 1
			AND {crossing("ct.start_date", 0)} {who("ct.party_name")}""",
		f"""SELECT ct.party_name, {_midnight_after("ct.end_date", 1)} FROM `tabContract` ct
			WHERE ct.party_type = 'Customer' AND ct.docstatus = 1 AND ct.is_signed = 1
			AND {crossing("ct.end_date", 1)} {who("ct.party_name")}""",
		f"""SELECT q.party_name, q.modified FROM `tabQuotation` q
			WHERE q.quotation_to = 'Customer' {mod("q")} {who("q.party_name")}""",
		f"""SELECT q.party_name, {_midnight_after("q.transaction_date", QUOTATION_WINDOW_DAYS + 1)}
			FROM `tabQuotation` q WHERE q.quotation_to = 'Customer' AND q.docstatus < 2
			AND {crossing("q.transaction_date", QUOTATION_WINDOW_DAYS + 1)} {who("q.party_name")}""",
		f"""SELECT o.party_name, o.modified FROM `tabOpportunity` o
			WHERE o.opportunity_from = 'Customer' {mod("o")} {who("o.party_name")}""",
		f"""SELECT i.customer, i.modified FROM `tabIssue` i
			WHERE i.customer IS NOT NULL {mod("i")} {who("i.customer")}""",
		f"""SELECT i.customer, {_midnight_after("i.opening_date", ISSUE_WINDOW_DAYS + 1)} FROM `tabIssue` i
			WHERE i.customer IS NOT NULL AND {crossing("i.opening_date", ISSUE_WINDOW_DAYS + 1)}
			{who("i.customer")}""",
		# outcomes: a Sales Order, or a lead handoff the sidecar reported (signals/first_orders.py)
		f"""SELECT so.customer, so.modified FROM `tabSales Order` so
			WHERE so.customer IS NOT NULL {mod("so")} {who("so.customer")}""",
		f"""SELECT lh.customer, lh.modified FROM `tabRevOps Lead Handoff` lh
			WHERE lh.customer IS NOT NULL {mod("lh")} {who("lh.customer")}""",
		# payment behaviour: a failed payment or a dispute changes only the pay link
		f"""SELECT pl.customer, pl.modified FROM `tabRevOps Payment Link` pl
			WHERE pl.customer IS NOT NULL {mod("pl")} {who("pl.customer")}""",
		f"""SELECT dl.link_name, ca.modified FROM `tabContact` ca
			JOIN `tabDynamic Link` dl ON dl.parent = ca.name AND dl.parenttype = 'Contact'
			WHERE dl.link_doctype = 'Customer' {mod("ca")} {who("dl.link_name")}""",
	]
	return "\nUNION ALL\n".join(branches)


def _crossing_params(today: date, since: datetime | None) -> dict[str, Any]:
	params: dict[str, Any] = {}
	for days in (0, 1, QUOTATION_WINDOW_DAYS + 1, ISSUE_WINDOW_DAYS + 1):
		params[f"today_minus_{days}"] = today - timedelta(days=days)
		if since is not None:
			params[f"since_day_minus_{days}"] = since.date() - timedelta(days=days)
	return params


def pick_page(
	modified_after: datetime | None, after_name: str, limit: int, today: date, horizon: datetime
) -> list[tuple[str, datetime]]:
	"""(customer, effective modified) of the next `limit` customers after the cursor and not after
	`horizon`, in cursor order."""
	params: dict[str, Any] = {
		"since": modified_after,
		"after": modified_after,
		"after_name": after_name or "",
		"horizon": horizon,
		"limit": int(limit),
		**_crossing_params(today, modified_after),
	}
	cursor_condition = "WHERE eff.modified <= %(horizon)s"
	if modified_after is not None:
		cursor_condition += (
			" AND (eff.modified > %(after)s OR (eff.modified = %(after)s AND eff.customer > %(after_name)s))"
		)
	rows = frappe.db.sql(
		f"""
		SELECT eff.customer, eff.modified FROM (
			SELECT feed.customer AS customer, MAX(feed.ts) AS modified
			FROM ({_feed_sql(modified_after is not None)}) feed
			GROUP BY feed.customer
		) eff
		JOIN `tabCustomer` c ON c.name = eff.customer
		{cursor_condition}
		ORDER BY eff.modified, eff.customer
		LIMIT %(limit)s
		""",
		params,
	)
	return [(row[0], get_datetime(row[1])) for row in rows]


def _in_range(column: str) -> str:
	return f"AND {column} > %(range_after)s AND {column} <= %(range_last)s"


def effective_modified(after_name: str, last_name: str, today: date) -> dict[str, datetime]:
	"""Effective modified of the customers named in (after_name, last_name] (one statement)."""
	rows = frappe.db.sql(
		f"""
		SELECT feed.customer, MAX(feed.ts) FROM ({_feed_sql(False, name_range=True)}) feed
		GROUP BY feed.customer
		""",
		{"range_after": after_name or "", "range_last": last_name, **_crossing_params(today, None)},
	)
	return {row[0]: get_datetime(row[1]) for row in rows}


def full_page(
	after_name: str, limit: int, snapshot: datetime, today: date
) -> tuple[list[tuple[str, datetime]], str | None, bool]:
	"""One page of a full pass: the next `limit` customers by name after `after_name` (primary key range)
	whose effective modified is before `snapshot`; the others changed during the pass and are served by
	the incremental cursor that starts at `snapshot`. Returns (picked, last name scanned, more names)."""
	names = frappe.db.sql_list(
		"SELECT c.name FROM `tabCustomer` c WHERE c.name > %(after)s ORDER BY c.name LIMIT %(limit)s",
		{"after": after_name or "", "limit": int(limit) + 1},
	)
	more = len(names) > limit
	names = names[:limit]
	eff = effective_modified(after_name, names[-1], today) if names else {}
	picked = [(name, eff[name]) for name in names if name in eff and eff[name] < snapshot]
	return picked, (names[-1] if names else None), more


_customer_index_known: dict[str, bool] = {}


def _customer_index_hint() -> str:
	"""`FORCE INDEX (customer)` on MariaDB when ERPNext's index on Sales Invoice.customer exists.
	For an IN list of more than eq_range_index_dive_limit (200) names MariaDB estimates rows from index
	statistics, and with stale statistics it was seen scanning the whole table (0.54 s of a 0.67 s page
	at 200,000 invoices) where the index reads a few rows per customer. Checked once per site and process."""
	if frappe.db.db_type != "mariadb":
		return ""
	site = getattr(frappe.local, "site", "") or ""
	if site not in _customer_index_known:
		_customer_index_known[site] = bool(frappe.db.has_index("tabSales Invoice", "customer"))
	return "FORCE INDEX (customer)" if _customer_index_known[site] else ""


def deleted_customers(after: datetime | None, upper: datetime | None) -> list[tuple[str, datetime]]:
	if after is None:  # a first full sync has nothing to forget
		return []
	# Deleted Document rows are written once (modified = deletion time) and `modified` is indexed
	upper_condition = "AND dd.modified <= %(upper)s" if upper is not None else ""
	rows = frappe.db.sql(
		f"""
		SELECT dd.deleted_name, MAX(dd.modified) FROM `tabDeleted Document` dd
		WHERE dd.deleted_doctype = 'Customer' AND dd.restored = 0 AND dd.modified > %(after)s
			{upper_condition}
		GROUP BY dd.deleted_name
		ORDER BY MAX(dd.modified), dd.deleted_name
		""",
		{"after": after, "upper": upper},
	)
	return [(row[0], get_datetime(row[1])) for row in rows]
