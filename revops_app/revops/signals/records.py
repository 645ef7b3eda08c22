"""The signals record of each picked customer: one GROUP BY statement per signal family, never a
per-customer document load. Its keys are the contract the sidecar reads (SIDECAR_CONTRACT.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import frappe
from frappe.utils import getdate

from revops_app.core.collections.payment_behaviour import PaymentBehaviour
from revops_app.revops.signals.first_orders import first_orders
from revops_app.revops.signals.pages import (
	ISSUE_WINDOW_DAYS,
	OPEN_ISSUE_STATUSES,
	OPEN_OPPORTUNITY_STATUSES,
	OUTSTANDING_COMPANY,
	QUOTATION_WINDOW_DAYS,
	_customer_index_hint,
	_in_range,
	format_modified,
)
from revops_app.revops.signals.payment_behaviour import behaviour_by_customer

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


NO_PAYMENTS = PaymentBehaviour()


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
				c.industry, c.website, c.email_id, c.account_manager,
				COALESCE(dpo.collector, gp.collector, dpd.collector) AS collector
			FROM `tabCustomer` c
			LEFT JOIN `tabRevOps Dunning Policy` dpo ON dpo.name = c.revops_dunning_policy AND dpo.enabled = 1
			LEFT JOIN (
				SELECT dpg.customer_group, dpp.collector FROM `tabRevOps Dunning Policy Customer Group` dpg
				JOIN `tabRevOps Dunning Policy` dpp ON dpp.name = dpg.parent AND dpp.enabled = 1
				WHERE dpg.parenttype = 'RevOps Dunning Policy'
			) gp ON gp.customer_group = c.customer_group
			LEFT JOIN `tabRevOps Dunning Policy` dpd ON dpd.is_default = 1 AND dpd.enabled = 1
			WHERE {match("c.name")}
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
					THEN si.due_date END) AS oldest_overdue_due_date,
				MIN(CASE WHEN si.is_return = 0 AND si.outstanding_amount > 0 THEN si.due_date END)
					AS oldest_due_date
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

	payment = behaviour_by_customer(match, params, today)  # three more GROUP BY statements, any page size
	orders = first_orders(match, params)  # two more: first order, first order after each lead handoff

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
		pay = payment.get(name) or NO_PAYMENTS
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
				"oldest_due_date": _date(inv.get("oldest_due_date")),  # of the open invoices
				# who handles receivables (Users, named by email): handoff routing in the sidecar
				"account_manager": customer.get("account_manager") or None,
				"collector": customer.get("collector") or None,
				"contract_end_date": _date(contracts.get(name, {}).get("contract_end_date")),
				"quotation_item_groups": dict(sorted(groups.get(name, {}).items())),
				"open_opportunity_count": int(opportunities.get(name, {}).get("open_opportunity_count") or 0),
				"open_issue_count": int(issues.get(name, {}).get("open_issue_count") or 0),
				"issues_last_90d": int(issues.get(name, {}).get("issues_last_90d") or 0),
				# payment behaviour over the last 365 days (core.collections.payment_behaviour)
				"payment_window_days": pay.window_days,
				"paid_invoice_count": pay.paid_invoices,
				"avg_days_to_pay": pay.avg_days_to_pay,
				"days_to_pay_trend": pay.days_to_pay_trend,
				"failed_payment_count": pay.failed_payments,
				"broken_promise_count": pay.broken_promises,
				"dispute_count": pay.disputes,
				# outcomes for learning (signals/first_orders.py): {doctype, name, date, amount} or None
				"first_order": orders.get(name, {}).get("first_order"),
				"handoff_orders": orders.get(name, {}).get("handoff_orders", []),
			}
		)
	return records


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


def _money(value: Any) -> float:
	return round(float(value or 0), 2)


def _date(value: Any) -> str | None:
	return getdate(value).isoformat() if value else None
