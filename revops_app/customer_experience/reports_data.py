"""Set-based SQL for the Customer Experience reports; the figures come from revops_app.core.cx.

Contract: each function runs a fixed number of grouped statements (no per-customer queries) and
returns plain rows; the reports in revops_app/customer_experience/report/ render them. Aliases:
r = CX Survey Response, c = Customer, con = Contract, si = Sales Invoice, sii / soi / dni = Sales
Invoice / Sales Order / Delivery Note Item, iss = Issue, t = ToDo. Every ERPNext field used is
declared in revops_app/revops/schema.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import frappe
from frappe.utils import getdate

from revops_app.customer_experience.constants import OPEN_ISSUE_STATUSES, CXStatus

NPS_SEGMENTS = ("Promoter", "Passive", "Detractor", "No NPS")


def latest_nps(customers: list[str] | None = None) -> dict[str, dict[str, Any]]:
	"""customer -> {raw_score, category, submitted_at} of the customer's latest NPS response."""
	condition = "and r.customer in %(customers)s" if customers else ""
	rows = frappe.db.sql(
		f"""select r.customer, r.raw_score, r.category, coalesce(r.submitted_at, r.creation) as answered_at
		from `tabCX Survey Response` r
		join (
			select customer, max(coalesce(submitted_at, creation)) as last_at
			from `tabCX Survey Response`
			where metric = 'NPS' and status != %(unmatched)s and coalesce(customer, '') != ''
			group by customer
		) latest on latest.customer = r.customer and coalesce(r.submitted_at, r.creation) = latest.last_at
		where r.metric = 'NPS' and r.status != %(unmatched)s {condition}
		order by r.creation desc""",
		{"unmatched": CXStatus.UNMATCHED, "customers": tuple(customers or ())},
		as_dict=True,
	)
	result: dict[str, dict[str, Any]] = {}
	for row in rows:
		result.setdefault(row.customer, row)  # two answers at the same instant: the later-created wins
	return result


def churn_risk_rows(today: date, customer_group: str | None = None) -> list[dict[str, Any]]:
	group = "and c.customer_group = %(customer_group)s" if customer_group else ""
	return frappe.db.sql(
		f"""select c.name as customer, c.customer_name, c.customer_group,
			c.revops_churn_risk_reason as reason, c.revops_churn_flagged_on as flagged_on,
			c.revops_latest_nps as latest_nps, c.revops_cx_segment as cx_segment,
			nxt.next_end as contract_end, coalesce(ovd.overdue, 0) as overdue_invoices,
			coalesce(opn.open_issues, 0) as open_issues
		from `tabCustomer` c
		left join (
			select con.party_name, min(con.end_date) as next_end from `tabContract` con
			where con.party_type = 'Customer' and con.docstatus < 2 and con.end_date >= %(today)s
			group by con.party_name
		) nxt on nxt.party_name = c.name
		left join (
			select si.customer, count(*) as overdue from `tabSales Invoice` si
			where si.docstatus = 1 and si.outstanding_amount > 0 and si.due_date < %(today)s
			group by si.customer
		) ovd on ovd.customer = c.name
		left join (
			select iss.customer, count(*) as open_issues from `tabIssue` iss
			where iss.status in %(open_statuses)s group by iss.customer
		) opn on opn.customer = c.name
		where c.revops_churn_risk = 1 {group}
		order by c.revops_churn_flagged_on asc, c.name asc""",
		{"today": today, "customer_group": customer_group, "open_statuses": OPEN_ISSUE_STATUSES},
		as_dict=True,
	)


def contracts_by_customer(customers: list[str]) -> dict[str, list[tuple[date | None, date | None]]]:
	result: dict[str, list] = {c: [] for c in customers}
	if not customers:
		return result
	for party, start, end in frappe.db.sql(
		"""select con.party_name, con.start_date, con.end_date from `tabContract` con
		where con.party_type = 'Customer' and con.docstatus < 2 and con.party_name in %(customers)s""",
		{"customers": tuple(customers)},
	):
		result[party].append((getdate(start) if start else None, getdate(end) if end else None))
	return result


def customer_names(customers: list[str]) -> dict[str, str]:
	if not customers:
		return {}
	return dict(
		frappe.db.sql(
			"select c.name, c.customer_name from `tabCustomer` c where c.name in %(customers)s",
			{"customers": tuple(customers)},
		)
	)


# CSAT grouping: which table maps a response to its group.
GROUP_SQL = {
	"Agent": """
		select r.name as response, t.allocated_to as grp
		from `tabCX Survey Response` r
		join (
			select distinct t.reference_name, t.allocated_to from `tabToDo` t
			where t.reference_type = 'Issue' and t.status != 'Cancelled'
		) t on r.reference_doctype = 'Issue' and t.reference_name = r.reference_name""",
	"Item Group": """
		select distinct r.name as response, items.item_group as grp
		from `tabCX Survey Response` r
		join (
			select 'Sales Invoice' as doctype, sii.parent as docname, sii.item_group, sii.brand
				from `tabSales Invoice Item` sii
			union all select 'Sales Order', soi.parent, soi.item_group, soi.brand from `tabSales Order Item` soi
			union all select 'Delivery Note', dni.parent, dni.item_group, dni.brand from `tabDelivery Note Item` dni
		) items on items.doctype = r.reference_doctype and items.docname = r.reference_name""",
}
GROUP_SQL["Product Line"] = GROUP_SQL["Item Group"].replace("items.item_group as grp", "items.brand as grp")


def csat_group_rows(group_by: str, from_date: date, to_date: date) -> list[dict[str, Any]]:
	"""{group, responses, satisfied, unsatisfied, score_sum} for CSAT responses submitted in range.
	A response tied to several groups (two item groups on one invoice) counts once in each."""
	mapping = GROUP_SQL[group_by]
	return frappe.db.sql(
		f"""select m.grp as `group`, count(*) as responses,
			sum(case when r.category = 'satisfied' then 1 else 0 end) as satisfied,
			sum(case when r.category = 'unsatisfied' then 1 else 0 end) as unsatisfied,
			sum(r.normalised_score) as score_sum
		from ({mapping}) m
		join `tabCX Survey Response` r on r.name = m.response
		where r.metric = 'CSAT' and r.status != %(unmatched)s
			and date(coalesce(r.submitted_at, r.creation)) between %(from_date)s and %(to_date)s
		group by m.grp""",
		{"unmatched": CXStatus.UNMATCHED, "from_date": from_date, "to_date": to_date},
		as_dict=True,
	)


def revenue_by_customer(company: str, from_date: date | None, to_date: date | None) -> dict[str, Any]:
	"""Billed revenue (company currency, returns netted) per customer: the LTV to date."""
	dates = ""
	if from_date:
		dates += " and si.posting_date >= %(from_date)s"
	if to_date:
		dates += " and si.posting_date <= %(to_date)s"
	return dict(
		frappe.db.sql(
			f"""select si.customer, sum(si.base_grand_total) from `tabSales Invoice` si
			where si.docstatus = 1 and si.company = %(company)s {dates}
			group by si.customer""",
			{"company": company, "from_date": from_date, "to_date": to_date},
		)
	)
