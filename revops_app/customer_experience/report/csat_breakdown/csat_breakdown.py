"""CSAT Breakdown: CSAT % and average score by agent, item group or product line.

- Agent: the users assigned (ToDo, not cancelled) to the Issue a CSAT response is tied to.
- Item Group / Product Line: the item groups / brands on the Sales Invoice, Sales Order or Delivery
  Note the response is tied to. ERPNext has no "product line" field; the Item's Brand plays that role.
A response counts once in each group it maps to. One grouped statement (`cx_reports.csat_group_rows`);
CSAT % = satisfied / responses (`core.cx.metrics.csat_groups`), worst first.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from revops_app.core.cx import metrics
from revops_app.customer_experience import reports_data as cx_reports


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Agent"
	if group_by not in cx_reports.GROUP_SQL:
		frappe.throw(_("Group by Agent, Item Group or Product Line"))
	to_date = getdate(filters.get("to_date") or today())
	from_date = getdate(filters.get("from_date") or add_days(to_date, -90))
	if from_date > to_date:
		frappe.throw(_("From Date must be on or before To Date"))
	groups = metrics.csat_groups(cx_reports.csat_group_rows(group_by, from_date, to_date))
	rows = [
		{
			"group": g.group,
			"responses": g.responses,
			"satisfied": g.satisfied,
			"unsatisfied": g.unsatisfied,
			"csat_percent": g.csat_percent,
			"average_score": g.average_score,
		}
		for g in groups
	]
	return columns(group_by), rows


def columns(group_by: str) -> list[dict]:
	group = {"fieldname": "group", "label": _(group_by), "fieldtype": "Data", "width": 200}
	if group_by == "Agent":
		group.update(fieldtype="Link", options="User")
	elif group_by == "Item Group":
		group.update(fieldtype="Link", options="Item Group")
	return [
		group,
		{"fieldname": "responses", "label": _("Responses"), "fieldtype": "Int", "width": 100},
		{"fieldname": "satisfied", "label": _("Satisfied"), "fieldtype": "Int", "width": 100},
		{"fieldname": "unsatisfied", "label": _("Unsatisfied"), "fieldtype": "Int", "width": 100},
		{"fieldname": "csat_percent", "label": _("CSAT %"), "fieldtype": "Percent", "width": 100},
		{
			"fieldname": "average_score",
			"label": _("Average Score (0-100)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 150,
		},
	]
