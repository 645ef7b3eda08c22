"""Frappe glue for the CX state kept on each Customer: latest scores, segment, churn risk, timeline.

Contract
- `refresh_customers(customers)` / `refresh_customer(customer)`: recompute the Customer's latest NPS /
  CSAT / CES, CX segment, churn risk (core.cx.health.churn_risk over the NPS trend, contracts ending
  within the window, overdue invoices and open Issues) and the `revops_cx_timeline` field (the last ten
  responses), writing only what changed (`revops_churn_flagged_on` kept while the flag stays up).
  Called by `revops_app.customer_experience.rules.apply_rules` after each response's rules ran.
- `refresh_all_customers()` (daily scheduler job): the same for every customer with responses or a
  churn flag, in batches of 500, committing after each batch unless told not to.
It writes only the CX custom fields on Customer (`set_value`, no `modified` bump). The configuration
(RevOps CX Settings -> core.cx.health.ChurnConfig) comes from `revops_app.customer_experience.cx_settings`,
the timeline lines from `revops_app.customer_experience.timeline`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import frappe
from frappe.utils import cint, flt, get_datetime, getdate, now_datetime, nowdate

from revops_app.core.cx import health
from revops_app.core.cx.normalise import Category, Metric
from revops_app.customer_experience.constants import (
	CF_CUSTOMER_CHURN_FLAGGED_ON,
	CF_CUSTOMER_CHURN_REASON,
	CF_CUSTOMER_CHURN_RISK,
	CF_CUSTOMER_CX_SEGMENT,
	CF_CUSTOMER_CX_TIMELINE,
	CF_CUSTOMER_CX_UPDATED_ON,
	CF_CUSTOMER_LATEST_CES,
	CF_CUSTOMER_LATEST_CSAT,
	CF_CUSTOMER_LATEST_NPS,
	CX_STATE_FIELDS,
	OPEN_ISSUE_STATUSES,
)
from revops_app.customer_experience.cx_settings import churn_config, cx_settings
from revops_app.customer_experience.timeline import timeline_entry
from revops_app.revops.signals.payment_behaviour import behaviour_for

TIMELINE_LENGTH = 10
RESPONSES_PER_METRIC = TIMELINE_LENGTH


def customer_facts(customers: list[str]) -> dict[str, dict[str, Any]]:
	"""Overdue invoices, open Issues and current contract end dates for many customers, one grouped
	query each (the daily job runs this over every customer with responses)."""
	facts = {c: {"overdue": 0, "open_issues": 0, "contract_ends": []} for c in customers}
	if not customers:
		return facts
	today = nowdate()
	# how the customer pays (days to pay trend, failed payments, broken promises, disputes): 3 statements
	for customer, behaviour in behaviour_for(customers, getdate(today)).items():
		facts[customer]["payment"] = behaviour
	for customer, count in frappe.db.sql(
		"""select customer, count(*) from `tabSales Invoice`
		where docstatus = 1 and outstanding_amount > 0 and due_date < %s and customer in %s
		group by customer""",
		(today, tuple(customers)),
	):
		facts[customer]["overdue"] = cint(count)
	for customer, count in frappe.db.sql(
		"""select customer, count(*) from `tabIssue`
		where status in %s and customer in %s group by customer""",
		(OPEN_ISSUE_STATUSES, tuple(customers)),
	):
		facts[customer]["open_issues"] = cint(count)
	for customer, end_date in frappe.db.sql(
		"""select party_name, end_date from `tabContract`
		where party_type = 'Customer' and docstatus < 2 and end_date >= %s and party_name in %s""",
		(today, tuple(customers)),
	):
		facts[customer]["contract_ends"].append(getdate(end_date))
	return facts


def responses_by_customer(customers: list[str]) -> dict[str, list]:
	fields = (
		"name, customer, metric, raw_score, scale_min, scale_max, normalised_score, category, comment, "
		"submitted_at, creation, reference_doctype, reference_name, service_recovery_issue, promoter_action"
	)
	# Only the latest RESPONSES_PER_METRIC per customer and metric: enough for the latest score, the
	# NPS trend (at most 5 responses) and the timeline (10 lines), however long the history.
	rows = frappe.db.sql(
		f"""select * from (
			select {fields}, row_number() over (
				partition by customer, metric order by coalesce(submitted_at, creation) desc, creation desc
			) as recency
			from `tabCX Survey Response`
			where customer in %(customers)s and status != 'Unmatched'
		) ranked
		where recency <= %(keep)s
		order by coalesce(submitted_at, creation) asc, creation asc""",
		{"customers": tuple(customers), "keep": RESPONSES_PER_METRIC},
		as_dict=True,
	)
	grouped: dict[str, list] = {c: [] for c in customers}
	for row in rows:
		grouped[row.customer].append(row)
	return grouped


def refresh_customer(customer: str) -> None:
	refresh_customers([customer])


def refresh_customers(customers: list[str]) -> int:
	"""Recompute latest scores, segment, churn risk and timeline; write only what changed. Returns
	how many customers changed."""
	customers = [c for c in customers if c]
	if not customers:
		return 0
	settings = cx_settings()
	config = churn_config(settings)
	today = getdate(nowdate())
	facts = customer_facts(customers)
	responses = responses_by_customer(customers)
	fields = [*CX_STATE_FIELDS, CF_CUSTOMER_CX_TIMELINE]
	current = {
		row.name: row
		for row in frappe.get_all("Customer", filters={"name": ("in", customers)}, fields=["name", *fields])
	}
	changed = 0
	for customer in customers:
		if customer not in current:
			continue
		values = customer_values(responses[customer], facts[customer], config, today)
		before = current[customer]
		if values[CF_CUSTOMER_CHURN_RISK] and not before.get(CF_CUSTOMER_CHURN_RISK):
			values[CF_CUSTOMER_CHURN_FLAGGED_ON] = now_datetime()
		elif values[CF_CUSTOMER_CHURN_RISK]:
			values[CF_CUSTOMER_CHURN_FLAGGED_ON] = before.get(CF_CUSTOMER_CHURN_FLAGGED_ON)
		else:
			values[CF_CUSTOMER_CHURN_FLAGGED_ON] = None
		if any(_differs(before.get(k), v) for k, v in values.items()):
			values[CF_CUSTOMER_CX_UPDATED_ON] = now_datetime()
			frappe.db.set_value("Customer", customer, values, update_modified=False)
			changed += 1
	return changed


def _differs(a: Any, b: Any) -> bool:
	if isinstance(a, int | float) or isinstance(b, int | float):
		return flt(a) != flt(b)
	return (a or None) != (b or None) and str(a or "") != str(b or "")


def customer_values(rows: list, facts: dict, config: health.ChurnConfig, today: date) -> dict[str, Any]:
	latest: dict[str, Any] = {}
	for row in rows:  # oldest first, so the last one seen per metric wins
		latest[row.metric] = row
	nps_scores = [flt(row.raw_score) for row in rows if row.metric == Metric.NPS.value]
	assessment = health.churn_risk(
		health.ChurnInputs(
			nps_scores=nps_scores,
			contract_end_dates=facts["contract_ends"],
			overdue_invoices=facts["overdue"],
			open_issues=facts["open_issues"],
			payment=facts.get("payment"),
		),
		config,
		today,
	)
	nps_row = latest.get(Metric.NPS.value)
	other = max(
		(latest[m] for m in (Metric.CSAT.value, Metric.CES.value) if m in latest),
		key=lambda r: get_datetime(r.submitted_at or r.creation),
		default=None,
	)
	segment = health.cx_segment(
		assessment.at_risk,
		Category(nps_row.category) if nps_row else None,
		Category(other.category) if other else None,
	)
	return {
		CF_CUSTOMER_LATEST_NPS: flt(nps_row.raw_score) if nps_row else 0,
		CF_CUSTOMER_LATEST_CSAT: flt(latest[Metric.CSAT.value].normalised_score)
		if Metric.CSAT.value in latest
		else 0,
		CF_CUSTOMER_LATEST_CES: flt(latest[Metric.CES.value].normalised_score)
		if Metric.CES.value in latest
		else 0,
		CF_CUSTOMER_CX_SEGMENT: segment,
		CF_CUSTOMER_CHURN_RISK: int(assessment.at_risk),
		CF_CUSTOMER_CHURN_REASON: assessment.reason or None,
		CF_CUSTOMER_CX_TIMELINE: health.render_timeline([timeline_entry(r) for r in rows], TIMELINE_LENGTH)
		or None,
	}


def refresh_all_customers(commit: bool = True) -> None:
	"""Daily: churn risk moves with time (contracts come into the window, invoices fall overdue).
	Commits after each batch of 500 customers unless `commit` is False (a caller owning the
	transaction)."""
	customers = frappe.db.sql_list(
		"""select distinct customer from `tabCX Survey Response` where customer is not null and customer != ''
		union select name from `tabCustomer` where revops_churn_risk = 1"""
	)
	for start in range(0, len(customers), 500):
		refresh_customers(customers[start : start + 500])
		if commit:
			frappe.db.commit()  # nosemgrep: scheduler job, a batch at a time
