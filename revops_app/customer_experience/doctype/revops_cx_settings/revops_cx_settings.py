# Copyright (c) 2026, revops_app contributors
# License: MIT. See LICENSE

import frappe
from frappe import _
from frappe.model.document import Document

from revops_app.customer_experience.cx_settings import churn_config, lines, rule_config


class RevOpsCXSettings(Document):
	"""CX rule configuration (thresholds, team, SLA, promoter path, churn window); validation only.

	The master switch is `cx_enabled` in RevOps Settings; the rules themselves live in
	revops_app.core.cx and are fed from here by revops_app.customer_experience.cx_settings.rule_config / churn_config."""

	def validate(self) -> None:
		try:
			rule_config(self)
			churn_config(self)
		except ValueError as error:
			frappe.throw(str(error), title=_("Invalid CX rule"))
		ladder = lines(self.priority_ladder)
		unknown = [
			p for p in ladder + lines(self.high_priorities) if not frappe.db.exists("Issue Priority", p)
		]
		if unknown:
			frappe.throw(_("Not an Issue Priority: {0}").format(", ".join(sorted(set(unknown)))))
		users = [row.user for row in self.team]
		if len(users) != len(set(users)):
			frappe.throw(_("A user is listed twice in the service-recovery team"))
