"""Shared set-up for the Stripe real-bench tests (test_stripe_*.py).

The webhook and the pay page are exercised through Frappe's WSGI application in another thread with
its own database connection, so test data must be committed to be seen there, exactly as in
production. `StripeBenchCase` therefore commits its fixtures and removes them afterwards:
- masters (a company "RevOps Stripe Test Co" with its own clearing and fee accounts, a customer, a
  service item) are made once and kept, like ERPNext's own test records;
- every transaction of that company (invoices, Payment Entries, GL and payment-ledger rows), its pay
  links, the logs and ToDos the tests caused, and the signing-secret row it added are deleted in
  tearDown; RevOps Settings fields it changed are restored.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, flt, nowdate

from revops_app.revenue_collections.constants import (
	CUSTOMER_PAGE_DOCTYPE,
	PAYMENT_LINK_DOCTYPE,
	PROMISE_DOCTYPE,
	PROMISE_INVOICE_DOCTYPE,
)
from revops_app.revops.constants import LOG_DOCTYPE, SETTINGS_DOCTYPE
from revops_app.tests.stripe_standin import StripeStandIn, deliver, event, sign
from revops_app.tests.utils import gl_totals_by_account

COMPANY = "RevOps Stripe Test Co"
ABBR = "RSTC"
CUSTOMER = "RevOps Stripe Test Customer"
ITEM = "RevOps Stripe Test Service"
SECRET = "whsec_revops_bench_primary"
SECRET_LABEL = "revops bench test"
API_KEY = "sk_test_revops_bench_key"
SETTINGS_KEYS = (
	"enabled",
	"company",
	"stripe_enabled",
	"pay_links_enabled",
	"auto_invoice_from_delivery_note",
	"stripe_clearing_account",
	"stripe_fee_account",
	"stripe_payout_bank_account",
	"cost_center",
	"mode_of_payment",
	"webhook_tolerance_seconds",
	"stripe_api_base",
)


def money(value) -> Decimal:
	return Decimal(str(flt(value))).quantize(Decimal("0.01"))


def ensure_masters() -> dict:
	if not frappe.db.exists("Company", COMPANY):
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": COMPANY,
				"abbr": ABBR,
				"default_currency": "USD",
				"country": "United States",
				"create_chart_of_accounts_based_on": "Standard Template",
				"chart_of_accounts": "Standard",
			}
		).insert(ignore_permissions=True)
	company = frappe.get_doc("Company", COMPANY)

	def account(name: str, account_type: str, root_type: str) -> str:
		existing = frappe.db.get_value("Account", {"account_name": name, "company": COMPANY}, "name")
		if existing:
			return existing
		parent = frappe.db.get_value(
			"Account",
			{"company": COMPANY, "is_group": 1, "root_type": root_type},
			"name",
			order_by="lft desc",
		)
		if account_type == "Bank":
			parent = (
				frappe.db.get_value(
					"Account", {"company": COMPANY, "is_group": 1, "account_type": "Bank"}, "name"
				)
				or parent
			)
		return (
			frappe.get_doc(
				{
					"doctype": "Account",
					"account_name": name,
					"company": COMPANY,
					"parent_account": parent,
					"account_type": account_type,
					"root_type": root_type,
					"report_type": "Balance Sheet" if root_type == "Asset" else "Profit and Loss",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	clearing = account("RevOps Stripe Clearing", "Bank", "Asset")
	fee = account("RevOps Stripe Fees", "Expense Account", "Expense")
	if not frappe.db.exists("Item", ITEM):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": ITEM,
				"item_name": ITEM,
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}, "name"),
				"stock_uom": "Nos",
				"is_stock_item": 0,
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Customer", CUSTOMER):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": CUSTOMER,
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
			}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	return {
		"company": COMPANY,
		"clearing": clearing,
		"fee": fee,
		"cost_center": company.cost_center,
		"receivable": company.default_receivable_account,
		"income": company.default_income_account,
		"warehouse": frappe.db.get_value("Warehouse", {"company": COMPANY, "is_group": 0}, "name"),
	}


def make_invoice(
	masters: dict,
	rate: float,
	*,
	submit: bool = True,
	commit: bool = True,
	posting_date: str | None = None,
	customer: str = CUSTOMER,
):
	"""A USD Sales Invoice of the test company for one service line, no taxes (dated today unless
	`posting_date` is given), to CUSTOMER unless another `customer` is named."""
	m = masters
	si = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": COMPANY,
			"customer": customer,
			"currency": "USD",
			"conversion_rate": 1,
			"debit_to": m["receivable"],
			"posting_date": posting_date or nowdate(),
			"set_posting_time": 1 if posting_date else 0,
			"due_date": add_days(posting_date or nowdate(), 30),
			"items": [
				{
					"item_code": ITEM,
					"qty": 1,
					"rate": rate,
					"income_account": m["income"],
					"cost_center": m["cost_center"],
				}
			],
		}
	)
	si.set("taxes", [])
	si.insert(ignore_permissions=True)
	if submit:
		si.submit()
	if commit:
		frappe.db.commit()
	return si


def link_of(invoice: str) -> frappe._dict:
	return frappe.db.get_value(PAYMENT_LINK_DOCTYPE, {"sales_invoice": invoice}, "*", as_dict=True)


def configure_settings(masters: dict, api_base: str) -> dict:
	"""Point RevOps Settings at the test company and a Stripe stand-in; returns what to restore."""
	settings = frappe.get_single(SETTINGS_DOCTYPE)
	previous = {key: settings.get(key) for key in SETTINGS_KEYS}
	settings.update(
		{
			"enabled": 1,
			"company": COMPANY,
			"stripe_enabled": 1,
			"pay_links_enabled": 1,
			"auto_invoice_from_delivery_note": 0,
			"stripe_clearing_account": masters["clearing"],
			"stripe_fee_account": masters["fee"],
			"cost_center": masters["cost_center"],
			"mode_of_payment": None,
			"webhook_tolerance_seconds": 300,
			"stripe_api_base": api_base,
			"stripe_secret_key": API_KEY,
		}
	)
	settings.set("webhook_secrets", [row for row in settings.webhook_secrets if row.label != SECRET_LABEL])
	settings.append("webhook_secrets", {"label": SECRET_LABEL, "signing_secret": SECRET, "enabled": 1})
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	return previous


def restore_settings(previous: dict) -> None:
	settings = frappe.get_single(SETTINGS_DOCTYPE)
	settings.update(previous)
	settings.set("webhook_secrets", [row for row in settings.webhook_secrets if row.label != SECRET_LABEL])
	settings.flags.ignore_mandatory = True
	settings.flags.ignore_validate = True
	settings.save(ignore_permissions=True)
	frappe.db.commit()


class StripeBenchCase(FrappeTestCase):
	site: str
	standin: StripeStandIn

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.site = frappe.local.site
		cls.masters = ensure_masters()
		cls.standin = StripeStandIn().start()
		cls.previous_settings = configure_settings(cls.masters, cls.standin.url)

	@classmethod
	def tearDownClass(cls) -> None:
		frappe.db.rollback()
		cls.standin.stop()
		restore_settings(cls.previous_settings)
		super().tearDownClass()

	def setUp(self) -> None:
		self.events: list[str] = []

	def tearDown(self) -> None:
		frappe.db.rollback()
		purge_company_transactions(COMPANY, self.events)
		frappe.db.commit()

	# --- factories ---------------------------------------------------------------------------

	def make_invoice(
		self,
		rate: float,
		*,
		submit: bool = True,
		commit: bool = True,
		posting_date: str | None = None,
		customer: str = CUSTOMER,
	):
		return make_invoice(
			self.masters, rate, submit=submit, commit=commit, posting_date=posting_date, customer=customer
		)

	def link_of(self, invoice: str) -> frappe._dict:
		return link_of(invoice)

	# --- webhook deliveries -------------------------------------------------------------------

	def signed(self, event_id: str, event_type: str, obj: dict, **kwargs) -> tuple[bytes, str]:
		self.events.append(event_id)
		payload = event(event_id, event_type, obj)
		return payload, sign(payload, SECRET, **kwargs)

	def post(self, event_id: str, event_type: str, obj: dict) -> tuple[int, dict]:
		payload, header = self.signed(event_id, event_type, obj)
		return deliver(self.site, payload, header)

	def log_of(self, event_id: str) -> frappe._dict | None:
		frappe.db.rollback()  # a fresh snapshot: the rows were committed by other connections
		return frappe.db.get_value(LOG_DOCTYPE, {"idempotency_key": event_id}, "*", as_dict=True)

	def process(self, *event_ids: str) -> None:
		"""Run the worker for these events, each in its own thread and connection, all at once."""
		from revops_app.revenue_collections.settlement.worker import process_event

		logs = [self.log_of(event_id).name for event_id in event_ids]
		errors: list[BaseException] = []
		sites_path = frappe.local.sites_path  # frappe.local is per thread: read it here

		def work(log_name: str) -> None:
			frappe.init(site=self.site, sites_path=sites_path)
			frappe.connect()
			try:
				process_event(log_name)
			except BaseException as error:
				errors.append(error)
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=work, args=(name,)) for name in logs]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		frappe.db.rollback()
		if errors:
			raise errors[0]

	def receipts(self, invoice: str) -> list[frappe._dict]:
		parents = frappe.get_all(
			"Payment Entry Reference",
			filters={"reference_doctype": "Sales Invoice", "reference_name": invoice, "docstatus": 1},
			pluck="parent",
		)
		return frappe.get_all(
			"Payment Entry", filters={"name": ["in", parents or [""]], "docstatus": 1}, fields=["*"]
		)

	def gl(self, voucher: str) -> dict[str, tuple[Decimal, Decimal]]:
		totals = gl_totals_by_account("Payment Entry", voucher)
		return {account: (money(debit), money(credit)) for account, (debit, credit) in totals.items()}


def purge_company_transactions(company: str, event_ids: list[str]) -> None:
	"""Delete the test company's transactions and what the tests caused (committed data)."""
	invoices = frappe.get_all("Sales Invoice", filters={"company": company}, pluck="name")
	entries = frappe.get_all("Payment Entry", filters={"company": company}, pluck="name")
	notes = frappe.get_all("Delivery Note", filters={"company": company}, pluck="name")
	journals = frappe.get_all("Journal Entry", filters={"company": company}, pluck="name")
	for doctype, names, children in (
		(
			"Sales Invoice",
			invoices,
			("Sales Invoice Item", "Sales Taxes and Charges", "Payment Schedule", "Sales Invoice Advance"),
		),
		("Payment Entry", entries, ("Payment Entry Reference", "Payment Entry Deduction")),
		("Delivery Note", notes, ("Delivery Note Item", "Sales Taxes and Charges")),
		("Journal Entry", journals, ("Journal Entry Account",)),
	):
		if not names:
			continue
		for child in children:
			frappe.db.delete(child, {"parent": ["in", names], "parenttype": doctype})
		frappe.db.delete(doctype, {"name": ["in", names]})
	for ledger in ("GL Entry", "Payment Ledger Entry", "Advance Payment Ledger Entry", "Stock Ledger Entry"):
		if frappe.db.table_exists(ledger):
			frappe.db.delete(ledger, {"company": company})
	frappe.db.delete(PAYMENT_LINK_DOCTYPE, {"company": company})
	frappe.db.delete(CUSTOMER_PAGE_DOCTYPE, {"company": company})
	promises = frappe.get_all(PROMISE_DOCTYPE, filters={"company": company}, pluck="name")
	if promises:
		frappe.db.delete(PROMISE_INVOICE_DOCTYPE, {"parent": ["in", promises]})
		frappe.db.delete(PROMISE_DOCTYPE, {"name": ["in", promises]})
	if invoices:
		frappe.db.delete("ToDo", {"reference_type": "Sales Invoice", "reference_name": ["in", invoices]})
		frappe.db.delete(LOG_DOCTYPE, {"reference_name": ["in", invoices + notes]})
	if event_ids:
		frappe.db.delete(LOG_DOCTYPE, {"idempotency_key": ["in", event_ids]})


def as_json(value) -> dict:
	return json.loads(value) if isinstance(value, str) else value
