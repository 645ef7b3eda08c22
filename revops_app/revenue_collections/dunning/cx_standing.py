"""What customer experience tells dunning: each customer's open service-recovery Issues and latest detractor.

Contract
- `load_standings(customers, on, window_days)` -> {customer: CXStanding} in two set-based statements (open
  Issues raised from a survey response; NPS detractor responses answered in the window), only for customers
  that have either. No document is loaded.
- `cx_notes_for(customers, on)` -> {customer: note} for the aging report: the same rule the dunning plan applies,
  for each customer's own policy (customer, else group, else default).
The rule itself is `revops_app.core.collections.dunning_cx`.
"""

from collections.abc import Iterable
from datetime import date

import frappe
from frappe.utils import add_days, flt, getdate

from revops_app.core.collections import dunning_cx
from revops_app.customer_experience.constants import (
	CF_ISSUE_CX_RESPONSE,
	CX_RESPONSE_DOCTYPE,
	OPEN_ISSUE_STATUSES,
)
from revops_app.revenue_collections.constants import CUSTOMER_DUNNING_POLICY_FIELD
from revops_app.revenue_collections.dunning.policies import PolicySet, load_policies

DETRACTOR = "detractor"


def load_standings(customers: Iterable[str], on: date, window_days: int) -> dict[str, dunning_cx.CXStanding]:
	names = tuple(sorted(set(customers)))
	if not names:
		return {}
	issues: dict[str, list[str]] = {}
	if frappe.db.has_column("Issue", CF_ISSUE_CX_RESPONSE):
		for customer, issue in frappe.db.sql(
			f"""SELECT customer, name FROM `tabIssue`
			WHERE customer IN %(customers)s AND status IN %(open)s
				AND `{CF_ISSUE_CX_RESPONSE}` IS NOT NULL AND `{CF_ISSUE_CX_RESPONSE}` != ''
			ORDER BY opening_date, name""",
			{"customers": names, "open": OPEN_ISSUE_STATUSES},
		):
			issues.setdefault(customer, []).append(issue)
	detractors: dict[str, tuple[date, float, str]] = {}
	# Oldest first, so the last row folded per customer is its latest detractor.
	for customer, answered_at, score, response in frappe.db.sql(
		f"""SELECT customer, COALESCE(submitted_at, creation) AS answered_at, raw_score, name
		FROM `tab{CX_RESPONSE_DOCTYPE}`
		WHERE customer IN %(customers)s AND category = %(detractor)s
			AND COALESCE(submitted_at, creation) >= %(since)s AND COALESCE(submitted_at, creation) < %(until)s
		ORDER BY answered_at, name""",
		{
			"customers": names,
			"detractor": DETRACTOR,
			"since": add_days(on, -max(window_days, 0)),
			"until": add_days(on, 1),
		},
	):
		detractors[customer] = (getdate(answered_at), flt(score), response)
	standings = {}
	for customer in set(issues) | set(detractors):
		last = detractors.get(customer)
		standings[customer] = dunning_cx.CXStanding(
			open_issues=tuple(issues.get(customer, ())),
			last_detractor_on=last[0] if last else None,
			last_detractor_score=last[1] if last else None,
			last_detractor_response=last[2] if last else None,
		)
	return standings


def standings_for_plan(
	policy_set: PolicySet, customers: Iterable[str], on: date
) -> dict[str, dunning_cx.CXStanding]:
	rules = [rule for rule in policy_set.cx_rules.values() if rule.enabled]
	if not rules:
		return {}
	return load_standings(customers, on, max(rule.detractor_days for rule in rules))


def cx_notes_for(customers: Iterable[str], on: date) -> dict[str, str]:
	"""{customer: why its reminders are held or softened on `on`} under each customer's own policy."""
	names = tuple(sorted(set(customers)))
	if not names:
		return {}
	policy_set = load_policies()
	standings = standings_for_plan(policy_set, names, on)
	if not standings:
		return {}
	notes = {}
	for customer, own, group in frappe.db.sql(
		f"""SELECT name, `{CUSTOMER_DUNNING_POLICY_FIELD}`, customer_group FROM `tabCustomer`
		WHERE name IN %(customers)s""",
		{"customers": tuple(standings)},
	):
		rule = policy_set.cx_rules.get(policy_set.policy_for(own, group) or "", dunning_cx.OFF)
		note = dunning_cx.cx_note(standings[customer], rule, on)
		if note:
			verb = dunning_cx.CX_SOFTENED if rule.action == dunning_cx.CXAction.SOFTEN else dunning_cx.CX_HELD
			notes[customer] = f"{verb} ({note})"
	return notes
