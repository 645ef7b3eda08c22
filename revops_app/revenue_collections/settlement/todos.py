"""ToDos for Accounts Managers about a Sales Invoice (overpayments, disputes), deduplicated by a key.

`create_todo(invoice, description, key=...)` gives each Accounts Manager (or the role, when it has no
users) one open ToDo referencing the invoice; a ToDo whose description already carries `[key]` for the
invoice means it was done before, so a replayed event adds nothing.
"""

from __future__ import annotations

import frappe
from frappe.utils import add_days, nowdate

from revops_app.revops.constants import ROLE_ACCOUNTS_MANAGER


def create_todo(invoice: str, description: str, *, key: str) -> None:
	"""One open ToDo per Accounts Manager (or one for the role) about the invoice; `key` dedupes."""
	if frappe.db.exists(
		"ToDo",
		{
			"reference_type": "Sales Invoice",
			"reference_name": invoice,
			"description": ["like", f"%{key}%"],
		},
	):
		return
	from frappe.utils.user import get_users_with_role

	users = get_users_with_role(ROLE_ACCOUNTS_MANAGER) or [None]
	for user in users:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"role": ROLE_ACCOUNTS_MANAGER,
				"description": f"{description} [{key}]",
				"reference_type": "Sales Invoice",
				"reference_name": invoice,
				"priority": "High",
				"date": add_days(nowdate(), 1),
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
