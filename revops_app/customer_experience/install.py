"""Install-time CX records: Issue Priorities, the recovery SLA and its Holiday List, Email Templates.

Contract: `install_cx()` is idempotent and runs from after_install and after_migrate. It creates what is
missing and never changes what a site already has: Issue Priorities Low / Medium / High / Urgent, the
Email Templates 'RevOps CX Promoter Thank You' and 'RevOps CX Escalation', and (via
`ensure_recovery_sla`) the 'RevOps CX Recovery' Service Level Agreement for Issue with a 24/7 Holiday
List, turning on Support Settings' SLA tracking when it creates the SLA.
"""

from datetime import timedelta

import frappe
from frappe.utils import add_years, getdate, nowdate

from revops_app.customer_experience.constants import (
	CX_DEFAULT_SLA,
	CX_ESCALATION_TEMPLATE,
	CX_HOLIDAY_LIST,
	CX_THANK_YOU_TEMPLATE,
)

DEFAULT_RESPONSE_HOURS = {"Low": 48, "Medium": 24, "High": 4, "Urgent": 1}
DEFAULT_RESOLUTION_HOURS = {"Low": 240, "Medium": 120, "High": 24, "Urgent": 8}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

THANK_YOU_SUBJECT = "Thank you, {{ customer.customer_name }}!"
THANK_YOU_BODY = """<p>Thank you for scoring us {{ response.raw_score | int }} out of 10.
It means a lot to the team.</p>
{% if review_link %}<p>Would you share that on {{ review_site or "a review site" }}? It takes two minutes:
<a href="{{ review_link }}">{{ review_link }}</a></p>{% endif %}
{% if referral_link %}<p>And if a colleague elsewhere could use what we do, introduce us:
<a href="{{ referral_link }}">{{ referral_link }}</a></p>{% endif %}"""
ESCALATION_SUBJECT = "Escalation level {{ level }}: {{ issue.name }} {{ issue.subject }}"
ESCALATION_BODY = """<p>{{ manager }}, the service-recovery Issue <a href="{{ link }}">{{ issue.name }}</a>
for {{ issue.customer }} slipped its SLA: {{ reason }}.</p>
{% if new_priority %}<p>Priority raised from {{ old_priority }} to {{ new_priority }}.</p>{% endif %}"""


def ensure_issue_priorities() -> None:
	"""The Issue Priorities the recovery SLA and RevOps CX Settings name (the setup wizard makes them too)."""
	for priority in DEFAULT_RESPONSE_HOURS:
		if not frappe.db.exists("Issue Priority", priority):
			frappe.get_doc({"doctype": "Issue Priority", "name": priority}).insert(ignore_permissions=True)


def install_cx() -> None:
	ensure_issue_priorities()
	for name, subject, body in (
		(CX_THANK_YOU_TEMPLATE, THANK_YOU_SUBJECT, THANK_YOU_BODY),
		(CX_ESCALATION_TEMPLATE, ESCALATION_SUBJECT, ESCALATION_BODY),
	):
		if not frappe.db.exists("Email Template", name):
			frappe.get_doc(
				{
					"doctype": "Email Template",
					"name": name,
					"subject": subject,
					"use_html": 1,
					"response_html": body,
				}
			).insert(ignore_permissions=True)
	ensure_recovery_sla()


def ensure_recovery_sla() -> str:
	"""The SLA recovery Issues are raised under when RevOps CX Settings names none: every day,
	round the clock, response/resolution hours by priority (DEFAULT_*_HOURS)."""
	existing = frappe.db.get_value(
		"Service Level Agreement", {"document_type": "Issue", "service_level": CX_DEFAULT_SLA}
	)
	if existing:
		return existing
	if not frappe.db.exists("Holiday List", CX_HOLIDAY_LIST):
		start = getdate(nowdate()).replace(month=1, day=1)
		frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": CX_HOLIDAY_LIST,
				"from_date": add_years(start, -1),
				"to_date": add_years(start, 10) - timedelta(days=1),
			}
		).insert(ignore_permissions=True)
	frappe.db.set_single_value("Support Settings", "track_service_level_agreement", 1)
	sla = frappe.get_doc(
		{
			"doctype": "Service Level Agreement",
			"document_type": "Issue",
			"service_level": CX_DEFAULT_SLA,
			"enabled": 1,
			"default_service_level_agreement": 0,
			"apply_sla_for_resolution": 1,
			"holiday_list": CX_HOLIDAY_LIST,
			"priorities": [
				{
					"priority": priority,
					"default_priority": int(priority == "Medium"),
					"response_time": hours * 3600,
					"resolution_time": DEFAULT_RESOLUTION_HOURS[priority] * 3600,
				}
				for priority, hours in DEFAULT_RESPONSE_HOURS.items()
			],
			"sla_fulfilled_on": [{"status": "Resolved"}, {"status": "Closed"}],
			"support_and_resolution": [
				{"workday": day, "start_time": "00:00:00", "end_time": "23:59:59"} for day in WEEKDAYS
			],
		}
	)
	sla.insert(ignore_permissions=True)
	return sla.name
