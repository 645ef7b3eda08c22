"""Database side of the sidecar's signals feed: one page of ERP signals records per call, set-based.

Contract (shape in SIDECAR_CONTRACT.md, "ERP signals record"):
- `signals_page(modified_after, after_name, limit)` returns {"records", "next_cursor", "deleted", "as_of",
  "has_more"} for the customers whose *effective modified* is after the (modified, name) cursor, ordered by
  (modified, name). A fixed number of SQL statements per page (one to pick the page, one per signal family
  with GROUP BY, one for deletions): never a per-customer document load.
- Effective modified = the greatest of the Customer's own `modified` and the `modified` of every document
  that feeds its record (Sales Invoice, Payment Entry, Contract, Quotation, Opportunity, Issue, linked
  Contact), and of the moments a record changes with no document saved: an open invoice turning overdue
  (midnight after its due date), a contract starting or ending, a quotation or issue leaving its look-back
  window. Those moments are only counted once they are in the past, so the cursor never runs ahead of now.
- Only the feeding rows with a timestamp >= the cursor are read to pick the page: the greatest timestamp of
  a customer is in that subset whenever it is >= the cursor, so the page is exact without a full scan.
- `full_signals_page(after_name, limit, snapshot)` is the full pass: pages by customer name (primary key
  range, then the feeding rows of those customers only, through their customer indexes), so a page costs
  the same at any table size; it serves customers whose effective modified is before the snapshot taken at
  its first page and then hands over to the (modified, name) cursor at that snapshot (see its docstring).
- `deleted`: Customers in Deleted Document (not restored) deleted after `modified_after` and not after this
  page's last record (more pages follow) or the horizon (last page): each deletion is reported once.
- Settle window: changes younger than `settle_seconds` (the endpoint: 60 s) are left for the next call, so
  the cursor never passes a row whose transaction has not committed yet; `as_of` is that horizon.
- Amounts are in the default company's currency and count only invoices of companies keeping their books in
  that currency; returns (negative totals) are netted into lifetime revenue.
Every ERPNext field read here is declared in `revops_app.erp.schema` (block "sidecar signals feed").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import frappe
from frappe.utils import get_datetime, getdate, now_datetime

MAX_LIMIT = 1000
QUOTATION_WINDOW_DAYS = 365  # quotation item groups: quotations dated within the last 365 days
ISSUE_WINDOW_DAYS = 90  # issues_last_90d: issues opened within the last 90 days
OPEN_OPPORTUNITY_STATUSES = ("Open", "Replied", "Quotation")
OPEN_ISSUE_STATUSES = ("Open", "Replied", "On Hold")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
# Personal mailbox providers say nothing about the customer's company, so they give no domain.
FREEMAIL_DOMAINS = frozenset(
	{
		"gmail.com",
		"googlemail.com",
		"yahoo.com",
		"hotmail.com",
		"outlook.com",
		"live.com",
		"icloud.com",
		"me.com",
		"aol.com",
		"gmx.de",
		"gmx.net",
		"web.de",
		"proton.me",
		"protonmail.com",
	}
)

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


def _by_customer(rows: list[dict], key: str = "customer") -> dict[str, dict]:
	return {row[key]: row for row in rows}


def build_records(
	page: list[tuple[str, datetime]], today: date, currency: str, name_range: tuple[str, str] | None = None
) -> list[dict[str, Any]]:
	"""The signals records of the picked customers, in page order (one statement per signal family).
	`name_range` (after, last]: the page is a subset of that name range (full pass), so the statements read
	index ranges instead of an IN list (which MariaDB runs as a table scan at 1000 values)."""
	if not page:
		return []
	names = tuple(name for name, _ in page)

	def match(column: str) -> str:
		return _in_range(column)[len("AND ") :] if name_range else f"{column} IN %(names)s"

	params = {
		"range_after": name_range[0] if name_range else "",
		"range_last": name_range[1] if name_range else "",
		"names": names,
		"today": today,
		"currency": currency,
		"quotes_from": today - timedelta(days=QUOTATION_WINDOW_DAYS),
		"issues_from": today - timedelta(days=ISSUE_WINDOW_DAYS),
		"open_opportunity": OPEN_OPPORTUNITY_STATUSES,
		"open_issue": OPEN_ISSUE_STATUSES,
	}
	sql = frappe.db.sql
	customers = _by_customer(
		sql(
			f"""
			SELECT c.name AS customer, c.customer_name, c.disabled, c.customer_group, c.territory,
				c.industry, c.website, c.email_id
			FROM `tabCustomer` c WHERE {match("c.name")}
			""",
			params,
			as_dict=True,
		)
	)
	contact_emails = sql(
		f"""
		SELECT dl.link_name AS customer, ca.email_id
		FROM `tabContact` ca
		JOIN `tabDynamic Link` dl ON dl.parent = ca.name AND dl.parenttype = 'Contact'
		WHERE dl.link_doctype = 'Customer' AND {match("dl.link_name")}
			AND ca.email_id IS NOT NULL AND ca.email_id != ''
		GROUP BY dl.link_name, ca.email_id
		""",
		params,
		as_dict=True,
	)
	invoices = _by_customer(
		sql(
			f"""
			SELECT si.customer,
				SUM(si.base_grand_total) AS lifetime_revenue,
				MIN(CASE WHEN si.is_return = 0 THEN si.posting_date END) AS first_invoice_date,
				MAX(CASE WHEN si.is_return = 0 THEN si.posting_date END) AS last_invoice_date,
				SUM(CASE WHEN si.is_return = 0 AND si.outstanding_amount > 0 THEN 1 ELSE 0 END)
					AS open_invoice_count,
				SUM(CASE WHEN si.is_return = 0 AND si.outstanding_amount > 0 THEN {OUTSTANDING_COMPANY}
					ELSE 0 END) AS open_amount,
				SUM(CASE WHEN si.is_return = 0 AND si.outstanding_amount > 0 AND si.due_date < %(today)s
					THEN 1 ELSE 0 END) AS overdue_invoice_count,
				SUM(CASE WHEN si.is_return = 0 AND si.outstanding_amount > 0 AND si.due_date < %(today)s
					THEN {OUTSTANDING_COMPANY} ELSE 0 END) AS overdue_amount,
				MIN(CASE WHEN si.is_return = 0 AND si.outstanding_amount > 0 AND si.due_date < %(today)s
					THEN si.due_date END) AS oldest_overdue_due_date
			FROM `tabSales Invoice` si {_customer_index_hint()}
			JOIN `tabCompany` co ON co.name = si.company
			WHERE si.docstatus = 1 AND {match("si.customer")} AND co.default_currency = %(currency)s
			GROUP BY si.customer
			""",
			params,
			as_dict=True,
		)
	)
	contracts = _by_customer(
		sql(
			f"""
			SELECT ct.party_name AS customer, MIN(ct.end_date) AS contract_end_date
			FROM `tabContract` ct
			WHERE ct.party_type = 'Customer' AND {match("ct.party_name")} AND ct.docstatus = 1
				AND ct.is_signed = 1 AND (ct.start_date IS NULL OR ct.start_date <= %(today)s)
				AND ct.end_date >= %(today)s
			GROUP BY ct.party_name
			""",
			params,
			as_dict=True,
		)
	)
	item_groups = sql(
		f"""
		SELECT q.party_name AS customer, qi.item_group, COUNT(DISTINCT q.name) AS quotations
		FROM `tabQuotation` q
		JOIN `tabQuotation Item` qi ON qi.parent = q.name AND qi.parenttype = 'Quotation'
		WHERE q.quotation_to = 'Customer' AND {match("q.party_name")} AND q.docstatus < 2
			AND q.transaction_date >= %(quotes_from)s AND q.transaction_date <= %(today)s
			AND qi.item_group IS NOT NULL AND qi.item_group != ''
		GROUP BY q.party_name, qi.item_group
		""",
		params,
		as_dict=True,
	)
	opportunities = _by_customer(
		sql(
			f"""
			SELECT o.party_name AS customer, COUNT(*) AS open_opportunity_count
			FROM `tabOpportunity` o
			WHERE o.opportunity_from = 'Customer' AND {match("o.party_name")}
				AND o.status IN %(open_opportunity)s
			GROUP BY o.party_name
			""",
			params,
			as_dict=True,
		)
	)
	issues = _by_customer(
		sql(
			f"""
			SELECT i.customer,
				SUM(CASE WHEN i.status IN %(open_issue)s THEN 1 ELSE 0 END) AS open_issue_count,
				SUM(CASE WHEN i.opening_date >= %(issues_from)s AND i.opening_date <= %(today)s
					THEN 1 ELSE 0 END) AS issues_last_90d
			FROM `tabIssue` i
			WHERE {match("i.customer")}
			GROUP BY i.customer
			""",
			params,
			as_dict=True,
		)
	)

	emails: dict[str, set[str]] = {}
	for row in contact_emails:
		emails.setdefault(row["customer"], set()).add(row["email_id"].strip().lower())
	groups: dict[str, dict[str, int]] = {}
	for row in item_groups:
		groups.setdefault(row["customer"], {})[row["item_group"]] = int(row["quotations"])

	records = []
	for name, modified in page:
		customer = customers.get(name)
		if customer is None:  # deleted between the two statements; the next page's deletions report it
			continue
		own_emails = set(emails.get(name, ()))
		if customer.get("email_id"):
			own_emails.add(customer["email_id"].strip().lower())
		inv = invoices.get(name, {})
		oldest_due = inv.get("oldest_overdue_due_date")
		records.append(
			{
				"customer": name,
				"customer_name": customer["customer_name"],
				"modified": format_modified(modified),
				"disabled": bool(customer["disabled"]),
				"customer_group": customer["customer_group"] or None,
				"territory": customer["territory"] or None,
				"industry": customer["industry"] or None,
				"emails": sorted(own_emails),
				"domains": domains_of(own_emails, customer.get("website")),
				"currency": currency,
				"lifetime_revenue": _money(inv.get("lifetime_revenue")),
				"first_invoice_date": _date(inv.get("first_invoice_date")),
				"last_invoice_date": _date(inv.get("last_invoice_date")),
				"open_invoice_count": int(inv.get("open_invoice_count") or 0),
				"open_amount": _money(inv.get("open_amount")),
				"overdue_invoice_count": int(inv.get("overdue_invoice_count") or 0),
				"overdue_amount": _money(inv.get("overdue_amount")),
				"max_days_overdue": (today - getdate(oldest_due)).days if oldest_due else 0,
				"contract_end_date": _date(contracts.get(name, {}).get("contract_end_date")),
				"quotation_item_groups": dict(sorted(groups.get(name, {}).items())),
				"open_opportunity_count": int(opportunities.get(name, {}).get("open_opportunity_count") or 0),
				"open_issue_count": int(issues.get(name, {}).get("open_issue_count") or 0),
				"issues_last_90d": int(issues.get(name, {}).get("issues_last_90d") or 0),
			}
		)
	return records


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


def domains_of(emails: set[str], website: str | None) -> list[str]:
	domains = set()
	for email in emails:
		_, _, domain = email.rpartition("@")
		if domain and domain not in FREEMAIL_DOMAINS:
			domains.add(domain)
	if website:
		host = website.strip().lower()
		host = host.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
		host = host.removeprefix("www.")
		if "." in host:
			domains.add(host)
	return sorted(domains)


def default_currency() -> str:
	company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {}, "name")
	return frappe.get_cached_value("Company", company, "default_currency") if company else ""


def signals_page(
	modified_after: datetime | None,
	after_name: str,
	limit: int,
	settle_seconds: float = 0,
	now: datetime | None = None,
) -> dict[str, Any]:
	"""One page of the feed. Changes younger than `settle_seconds` are held back for the next call: a
	document's `modified` is set when it is saved but only visible when its transaction commits, so a
	cursor must not run past rows another transaction may still commit (the endpoint uses 60 s)."""
	now = now or now_datetime()
	today = getdate(now)
	horizon = now - timedelta(seconds=max(settle_seconds, 0))
	picked = pick_page(modified_after, after_name, limit + 1, today, horizon)
	has_more = len(picked) > limit
	picked = picked[:limit]
	records = build_records(picked, today, default_currency())
	deleted = deleted_customers(modified_after, picked[-1][1] if has_more else horizon)
	next_cursor = None
	if picked:
		next_cursor = {"modified": format_modified(picked[-1][1]), "name": picked[-1][0]}
	elif deleted:
		# nothing changed but deletions did: move past them so they are not reported again
		next_cursor = {"modified": format_modified(deleted[-1][1]), "name": ""}
	return {
		"records": records,
		"next_cursor": next_cursor,
		"deleted": [name for name, _ in deleted],
		"as_of": format_modified(horizon),
		"has_more": has_more,
	}


def full_signals_page(
	after_name: str,
	limit: int,
	snapshot: datetime | None = None,
	settle_seconds: float = 0,
	now: datetime | None = None,
) -> dict[str, Any]:
	"""One page of a full pass, paged by customer name: a constant cost per page, whatever the table size.

	The first page (`snapshot` None) takes the snapshot S = now - settle_seconds. Each page serves the
	customers whose effective modified is before S, so a full page is exact for them; those changed at or
	after S (or created during the pass) are left to the incremental feed. While names remain, next_cursor is
	{"modified": "", "name": last name scanned, "snapshot": S}; after the last name it is the plain
	incremental cursor {"modified": S, "name": ""} with has_more true, so the caller goes on with the changes
	made during the pass: every customer is served once by the pass or after it, never lost. A full pass
	reports no deletions (the caller starts from nothing); deletions after S come with the incremental feed.
	"""
	now = now or now_datetime()
	today = getdate(now)
	if snapshot is None:
		snapshot = now - timedelta(seconds=max(settle_seconds, 0))
	picked, last_name, more = full_page(after_name, limit, snapshot, today)
	name_range = (after_name or "", last_name) if last_name else None
	records = build_records(picked, today, default_currency(), name_range=name_range)
	if more:
		next_cursor = {"modified": "", "name": last_name, "snapshot": format_modified(snapshot)}
	else:
		next_cursor = {"modified": format_modified(snapshot), "name": ""}
	return {
		"records": records,
		"next_cursor": next_cursor,
		"deleted": [],
		"as_of": format_modified(snapshot),
		"has_more": True,  # after the last name, the caller reads the changes made during the pass
	}


def _money(value: Any) -> float:
	return round(float(value or 0), 2)


def _date(value: Any) -> str | None:
	return getdate(value).isoformat() if value else None
