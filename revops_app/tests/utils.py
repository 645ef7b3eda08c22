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
	"""The company the bench tests book to: RevOps Test Co, made by `before_tests` on an empty site, else here.

	Here it takes the currency of the site's default company (the signals feed counts only invoices in that
	currency) and no tax template: ERPNext's own test companies, which a v16 run creates before this app's
	tests, carry default sales taxes that would change every invoice total."""
	import frappe

	if not frappe.db.exists("Company", TEST_COMPANY):
		default = frappe.defaults.get_global_default("company")
		currency = frappe.get_cached_value("Company", default, "default_currency") if default else None
		make_test_company(TEST_COMPANY, TEST_COMPANY_ABBR, default_currency=currency or "USD")
	return TEST_COMPANY


@contextlib.contextmanager
def settings_changed(**values) -> Iterator[None]:
	"""Temporarily set fields on RevOps Settings, restoring the previous values afterwards."""
	import frappe

	from revops_app.revops.constants import SETTINGS_DOCTYPE

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


# --- ERPNext document factories (shared by the collections, dunning and signals tests) -------------


def make_test_company(company_name: str, abbr: str, **values):
	"""A fresh USD Company with the Standard chart of accounts (so its default accounts exist),
	reloaded after insert so `default_receivable_account` and friends are filled in."""
	import frappe

	company = frappe.get_doc(
		{
			"doctype": "Company",
			"company_name": company_name,
			"abbr": abbr,
			"default_currency": "USD",
			"country": "United States",
			"create_chart_of_accounts_based_on": "Standard Template",
			"chart_of_accounts": "Standard",
			**values,
		}
	).insert(ignore_permissions=True)
	company.reload()
	return company


def use_company_accounts(cls, company) -> None:
	"""Set the attributes `submit_sales_invoice` books to on a test class: company, receivable,
	income, expense, cost_center (the Company's defaults) and its first leaf warehouse."""
	import frappe

	cls.company = company.name
	cls.receivable = company.default_receivable_account
	cls.income = company.default_income_account
	cls.expense = company.default_expense_account
	cls.cost_center = company.cost_center
	cls.warehouse = frappe.db.get_value("Warehouse", {"company": cls.company, "is_group": 0}, "name")


def set_up_dunning_company(cls, company_name: str, abbr: str, item_name: str) -> None:
	"""What the dunning and promise tests' classes start from: an outgoing Email Account for `abbr` (the
	site has none, and Frappe's muted stand-in has no address to send from), a fresh company with its
	accounts on `cls` (`use_company_accounts`) and its cash account as `cls.cash`, a non-stock service item
	`cls.item`, and a leaf `cls.customer_group` and `cls.territory`."""
	import frappe

	from erpnext.stock.doctype.item.test_item import make_item

	frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": f"RevOps Billing {abbr}",
			"email_id": f"billing-{abbr.lower()}@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"no_smtp_authentication": 1,
		}
	).insert(ignore_permissions=True)
	company = make_test_company(company_name, abbr)
	use_company_accounts(cls, company)
	cls.cash = company.default_cash_account or frappe.db.get_value(
		"Account", {"company": cls.company, "account_type": "Cash", "is_group": 0}, "name"
	)
	item_group = frappe.db.get_value("Item Group", {"is_group": 0}, "name")
	cls.item = make_item(item_name, {"is_stock_item": 0, "item_group": item_group}).name
	cls.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
	cls.territory = frappe.db.get_value("Territory", {"is_group": 0}, "name")


def make_dunning_customer(cls, key: str, policy: str | None = None) -> str:
	"""A Customer "<key> <cls.abbr>" on `policy` (else `cls.policy`) with an email address to dun."""
	import frappe

	name = (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": f"{key} {cls.abbr}",
				"customer_group": cls.customer_group,
				"territory": cls.territory,
				"revops_dunning_policy": policy or cls.policy,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	frappe.db.set_value("Customer", name, "email_id", f"{key.lower()}-{cls.abbr.lower()}@example.com")
	return name


def submit_sales_invoice(
	accounts,
	*,
	customer: str,
	item: str,
	posting_date,
	due_date,
	rate: float,
	qty: float = 1,
	currency: str = "USD",
	fields: dict | None = None,
	**extra,
):
	"""A submitted one-line Sales Invoice without taxes or payment schedule (so it is due in full on
	`due_date`), booked to the accounts named on `accounts` (see `use_company_accounts`). `fields` are
	set on the draft before insert; `extra` goes to erpnext's create_sales_invoice."""
	from erpnext.accounts.doctype.sales_invoice.test_sales_invoice import create_sales_invoice

	si = create_sales_invoice(
		company=accounts.company,
		customer=customer,
		debit_to=accounts.receivable,
		currency=currency,
		posting_date=posting_date,
		item=item,
		item_name=item,
		qty=qty,
		rate=rate,
		income_account=accounts.income,
		expense_account=accounts.expense,
		cost_center=accounts.cost_center,
		parent_cost_center=accounts.cost_center,
		warehouse=accounts.warehouse,
		do_not_save=1,
		**extra,
	)
	si.update(fields or {})
	si.due_date = due_date
	si.taxes_and_charges = None
	si.set("taxes", [])
	si.set("payment_schedule", [])
	si.insert()
	si.submit()
	return si


def ensure_fiscal_years(dates, company: str | None = None) -> None:
	"""Every date in `dates` falls in a Fiscal Year: a calendar year 'RevOps <year>' is made for a
	date that has none."""
	import frappe
	from frappe.utils import getdate

	from erpnext.accounts.utils import FiscalYearError, get_fiscal_year

	for value in dates:
		when = getdate(value)
		try:
			get_fiscal_year(when, company=company)
		except FiscalYearError:
			frappe.get_doc(
				{
					"doctype": "Fiscal Year",
					"year": f"RevOps {when.year}",
					"year_start_date": f"{when.year}-01-01",
					"year_end_date": f"{when.year}-12-31",
				}
			).insert(ignore_permissions=True)


def gl_totals_by_account(voucher_type: str, voucher_no: str) -> dict[str, tuple[float, float]]:
	"""account -> (debit, credit) of a voucher's live GL rows, summed by the database (frappe.qb: v16 refuses
	SQL function strings in fields)."""
	import frappe
	from frappe.query_builder.functions import Sum

	gle = frappe.qb.DocType("GL Entry")
	rows = (
		frappe.qb.from_(gle)
		.select(gle.account, Sum(gle.debit), Sum(gle.credit))
		.where((gle.voucher_type == voucher_type) & (gle.voucher_no == voucher_no) & (gle.is_cancelled == 0))
		.groupby(gle.account)
		.run()
	)
	return {account: (debit, credit) for account, debit, credit in rows}


def account_balance(company: str, account: str) -> float:
	"""Debit - credit of an account's live GL rows in `company`."""
	import frappe
	from frappe.query_builder.functions import Sum

	gle = frappe.qb.DocType("GL Entry")
	rows = (
		frappe.qb.from_(gle)
		.select(Sum(gle.debit) - Sum(gle.credit))
		.where((gle.company == company) & (gle.account == account) & (gle.is_cancelled == 0))
		.run()
	)
	return rows[0][0] or 0 if rows else 0


def outstanding_against(voucher_no: str) -> float:
	"""What the Payment Ledger still holds against a voucher (ERPNext's own outstanding)."""
	import frappe
	from frappe.query_builder.functions import Sum

	ple = frappe.qb.DocType("Payment Ledger Entry")
	rows = (
		frappe.qb.from_(ple)
		.select(Sum(ple.amount))
		.where((ple.against_voucher_no == voucher_no) & (ple.delinked == 0))
		.run()
	)
	return rows[0][0] or 0 if rows else 0
