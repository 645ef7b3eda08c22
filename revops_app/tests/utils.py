"""Helpers shared by the real-bench tests: setup for `before_tests`, settings save/restore, factories."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator


def frappe_available() -> bool:
	return importlib.util.find_spec("frappe") is not None and importlib.util.find_spec("erpnext") is not None


def require_frappe() -> None:
	"""Skip the calling test module when frappe/erpnext are not importable (plain pytest runs)."""
	if not frappe_available():
		import pytest

		pytest.skip(
			"frappe and erpnext are not installed: run these with bench run-tests", allow_module_level=True
		)


TEST_COMPANY = "RevOps Test Co"
TEST_COMPANY_ABBR = "RTC"


def before_tests() -> None:
	"""Hook `before_tests`: complete ERPNext's setup wizard with a company when the site has none."""
	import frappe
	from frappe.utils import now_datetime

	frappe.clear_cache()
	if not frappe.get_list("Company"):
		from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

		year = now_datetime().year
		setup_complete(
			{
				"currency": "USD",
				"full_name": "Test User",
				"company_name": TEST_COMPANY,
				"timezone": "America/New_York",
				"company_abbr": TEST_COMPANY_ABBR,
				"industry": "Services",
				"country": "United States",
				"fy_start_date": f"{year}-01-01",
				"fy_end_date": f"{year}-12-31",
				"language": "english",
				"company_tagline": "Testing",
				"email": "test@revops.example",
				"password": "test",
				"chart_of_accounts": "Standard",
			}
		)
	from erpnext.setup.utils import enable_all_roles_and_domains

	enable_all_roles_and_domains()
	frappe.db.commit()  # nosemgrep: before_tests runs outside any test transaction


def get_test_company() -> str:
	import frappe

	return frappe.db.get_value("Company", TEST_COMPANY) or frappe.get_all("Company", pluck="name", limit=1)[0]


@contextlib.contextmanager
def settings_changed(**values) -> Iterator[None]:
	"""Temporarily set fields on RevOps Settings, restoring the previous values afterwards."""
	import frappe

	from revops_app.constants import SETTINGS_DOCTYPE

	settings = frappe.get_single(SETTINGS_DOCTYPE)
	previous = {key: settings.get(key) for key in values}
	settings.update(values)
	settings.flags.ignore_mandatory = True
	settings.save(ignore_permissions=True)
	try:
		yield
	finally:
		settings = frappe.get_single(SETTINGS_DOCTYPE)
		settings.update(previous)
		settings.flags.ignore_mandatory = True
		settings.save(ignore_permissions=True)
