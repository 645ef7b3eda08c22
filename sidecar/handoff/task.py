"""The HubSpot task of one handoff: subject, HTML body (breakdown, activity, firmographics, ERP signals), due date."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any

from sidecar.handoff.crossing import add_business_days
from sidecar.handoff.receivables import owes, receivables_lines
from sidecar.hubspot.properties import TASK_KEY_PROPERTY


def _fmt_money(value: Any, currency: str | None) -> str:
	try:
		return f"{float(value):,.0f} {currency or ''}".strip()
	except (TypeError, ValueError):
		return "-"


def build_task_properties(
	*,
	key: str,
	contact: dict[str, Any],
	company: dict[str, Any] | None,
	erp: dict[str, Any] | None,
	result: dict[str, Any],
	owner_id: str | None,
	team: str | None,
	threshold: float,
	as_of: datetime,
	due_business_days: int,
	priority: str,
	receivables_note: str = "",
) -> dict[str, Any]:
	"""HubSpot task properties for one handoff; `result` is ScoreResult.to_dict(). When the customer has open
	invoices the body states the open and overdue amounts and the oldest due date (`receivables_note` says how
	the receivables changed the routing)."""
	props = contact.get("properties") or {}
	cprops = (company or {}).get("properties") or {}
	name = (
		" ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
		or props.get("email")
		or f"contact {contact['id']}"
	)
	company_name = cprops.get("name") or props.get("company") or ""
	tiers = result.get("tiers", {})
	facts = result.get("facts", {})
	esc = html.escape
	lines = [
		f"<p><strong>{esc(name)}</strong>{' at ' + esc(company_name) if company_name else ''} crossed the SQL threshold "
		f"({threshold:g}) with a score of <strong>{result.get('total')}</strong> (band {esc(str(result.get('band', '')))}).</p>",
		"<p>Score breakdown: " + ", ".join(f"{esc(t)} {float(v):.0f}" for t, v in tiers.items()) + "</p>",
		"<p>Top reasons:</p><ul>"
		+ "".join(f"<li>{esc(r)}</li>" for r in result.get("reasons", [])[:6])
		+ "</ul>",
		f"<p>Latest activity: {esc(str(facts.get('last_activity') or 'none recorded'))}</p>",
	]
	firmo = [
		("Job title", props.get("jobtitle")),
		("Industry", cprops.get("industry") or props.get("industry")),
		("Annual revenue", cprops.get("annualrevenue") or props.get("annualrevenue")),
		("Employees", cprops.get("numberofemployees") or props.get("numemployees")),
		("Country", cprops.get("country") or props.get("country")),
		("Domain", cprops.get("domain")),
	]
	lines.append(
		"<p>Firmographics:</p><ul>" + "".join(f"<li>{k}: {esc(str(v))}</li>" for k, v in firmo if v) + "</ul>"
	)
	erp_contribs = [c for c in result.get("contributions", []) if c.get("tier") == "erp" and c.get("points")]
	erp_contribs.sort(key=lambda c: -abs(float(c.get("points", 0))))
	if erp:
		cur = erp.get("currency")
		erp_lines = [
			f"Customer: {erp.get('customer')} ({erp.get('customer_name', '')})",
			f"Lifetime revenue: {_fmt_money(erp.get('lifetime_revenue'), cur)}",
			f"Open invoices: {erp.get('open_invoice_count', 0)} ({_fmt_money(erp.get('open_amount'), cur)}), "
			f"overdue: {erp.get('overdue_invoice_count', 0)} ({_fmt_money(erp.get('overdue_amount'), cur)})",
			f"Contract end: {erp.get('contract_end_date') or '-'}",
			"Quoted product lines (365 d): "
			+ (
				", ".join(f"{k} x{v}" for k, v in sorted((erp.get("quotation_item_groups") or {}).items()))
				or "-"
			),
			f"Open opportunities: {erp.get('open_opportunity_count', 0)}; open issues: {erp.get('open_issue_count', 0)}",
		]
		lines.append(
			"<p>ERPNext signals:</p><ul>" + "".join(f"<li>{esc(x)}</li>" for x in erp_lines) + "</ul>"
		)
	if erp and (owes(erp) or int(erp.get("open_invoice_count") or 0) > 0):
		heading = "Money owed" if owes(erp) else "Receivables"
		items = receivables_lines(erp) + ([receivables_note] if receivables_note else [])
		lines.append(f"<p>{heading}:</p><ul>" + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ul>")
	if erp_contribs:
		lines.append(
			"<p>ERP signals behind the score:</p><ul>"
			+ "".join(
				f"<li>{float(c['points']):+.0f}: {esc(str(c.get('explanation') or c.get('signal')))}</li>"
				for c in erp_contribs[:6]
			)
			+ "</ul>"
		)
	if team:
		lines.append(f"<p>Routed to team {esc(team)}.</p>")
	out = {
		"hs_task_subject": f"SQL: {name}{' (' + company_name + ')' if company_name else ''} scored {result.get('total')}",
		"hs_task_body": "".join(lines),
		"hs_timestamp": _due_ms(as_of, due_business_days),
		"hs_task_priority": priority,
		"hs_task_status": "NOT_STARTED",
		"hs_task_type": "TODO",
		TASK_KEY_PROPERTY: key,
	}
	if owner_id:
		out["hubspot_owner_id"] = owner_id
	return out


def _due_ms(as_of: datetime, due_business_days: int) -> int:
	due = add_business_days(as_of.astimezone(timezone.utc).date(), due_business_days)
	return int(datetime(due.year, due.month, due.day, 16, 0, tzinfo=timezone.utc).timestamp() * 1000)


def build_receivables_task(
	*,
	key: str,
	sql_task: dict[str, Any],
	erp: dict[str, Any],
	owner_id: str,
	note: str,
	as_of: datetime,
	due_business_days: int,
	priority: str,
) -> dict[str, Any]:
	"""The receivables owner's own task when routing is "both": the same lead, seen from the money owed.
	Its idempotency key is the SQL task's key + ":receivables"."""
	esc = html.escape
	subject = sql_task["hs_task_subject"].replace("SQL: ", "SQL with money owed: ", 1)
	body = (
		f"<p>{esc(str(erp.get('customer_name') or erp.get('customer')))} has a sales-qualified lead and owes money."
		" Sales has the lead; please agree the next step with them before collections contact the customer.</p>"
		"<ul>"
		+ "".join(f"<li>{esc(x)}</li>" for x in [*receivables_lines(erp), note])
		+ "</ul>"
		+ sql_task["hs_task_body"]
	)
	return {
		"hs_task_subject": subject,
		"hs_task_body": body,
		"hs_timestamp": _due_ms(as_of, due_business_days),
		"hs_task_priority": priority,
		"hs_task_status": "NOT_STARTED",
		"hs_task_type": "TODO",
		TASK_KEY_PROPERTY: f"{key}:receivables",
		"hubspot_owner_id": owner_id,
	}
