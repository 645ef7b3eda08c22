"""Who sees the app on the Apps screen (hook add_to_apps_screen.has_permission)."""

import frappe

from revops_app.customer_experience.constants import CX_READ_ROLES
from revops_app.revops.constants import FINANCE_ROLES


def can_open_app() -> bool:
	"""Finance users (collections) and the CX readers (sales and support managers); never website users."""
	if frappe.session.user == "Administrator":
		return True
	return not set(FINANCE_ROLES + CX_READ_ROLES).isdisjoint(frappe.get_roles())
