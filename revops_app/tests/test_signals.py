"""Real-bench tests: the sidecar's signals feed returns hand-checked records and pages without loss.

Hand-checked data set (T = today, company currency; every figure summed below):

	Alpha (website https://www.alphacorp.example/about; contacts buyer@AlphaCorp.example, alpha.cfo@gmail.com)
	  INV1  posted T-60  due T-30  1000  unpaid            -> open, overdue 30 days
	  INV2  posted T-10  due T+20   500  unpaid            -> open, not overdue
	  INV3  posted T-50  due T-40   300  fully returned    -> return of -300 against it: outstanding 0
	  lifetime 1000 + 500 + 300 - 300 = 1500; first T-60, last T-10; open 2 / 1500; overdue 1 / 1000 / 30 d
	  Contracts: signed T-100..T+45 (counted), signed T-200..T-5 (ended), unsigned ..T+10 -> end T+45
	  Quotations: T-20 with Hardware + Services items, T-400 with Hardware (outside 365 d) -> {Hardware: 1, Services: 1}
	  Opportunities: one Open, one Lost -> 1.  Issues: Open opened T-5, Closed opened T-100 -> open 1, last 90 d 1
	Beta: disabled, nothing else -> all zeros.
Paging: five customers get their own `modified` set to two far-future instants (three tied at T1, two at
T2) so no other row of the site can interleave; pages of 2 must return each exactly once in (modified, name)
order. Time crossings, deletions, the permission check and a constant number of SQL statements per page are
checked too. FrappeTestCase rolls everything back.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, get_datetime, getdate, now_datetime, nowdate

from erpnext.selling.doctype.quotation.test_quotation import make_quotation
from erpnext.stock.doctype.item.test_item import make_item

from revops_app.api import signals as signals_api
from revops_app.revops.schema import SIGNALS_FRAPPE_CORE_FIELDS
from revops_app.revops.signals import feed
from revops_app.tests.utils import (
	ensure_fiscal_years,
	get_test_company,
	submit_sales_invoice,
	use_company_accounts,
)

T1 = "2099-01-01 00:00:00.000000"
T2 = "2099-01-01 00:00:00.500000"
FUTURE = get_datetime("2099-01-02 00:00:00")  # the clock for tests that place rows at T1/T2


def day(offset: int) -> str:
	return add_days(getdate(nowdate()), offset).isoformat()


class TestSignalsFeed(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = get_test_company()
		cls.currency = frappe.get_cached_value("Company", cls.company, "default_currency")
		ensure_fiscal_years([day(offset) for offset in (-400, -60, 0, 60)], company=get_test_company())
		use_company_accounts(cls, frappe.get_doc("Company", cls.company))
		tag = frappe.generate_hash(length=5).upper()
		cls.tag = tag
		parent_group = frappe.db.get_value("Item Group", {"is_group": 1}, "name")
		cls.hardware = cls.item_group(f"RevOps Hardware {tag}", parent_group)
		cls.services = cls.item_group(f"RevOps Services {tag}", parent_group)
		cls.hw_item = make_item(f"RevOps HW {tag}", {"is_stock_item": 0, "item_group": cls.hardware}).name
		cls.svc_item = make_item(f"RevOps SVC {tag}", {"is_stock_item": 0, "item_group": cls.services}).name
		cls.customer_group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name")
		cls.territory = frappe.db.get_value("Territory", {"is_group": 0}, "name")
		cls.alpha = cls.customer(f"Signals Alpha {tag}", website="https://www.alphacorp.example/about")
		cls.beta = cls.customer(f"Signals Beta {tag}", disabled=1)

		inv1 = cls.invoice(cls.alpha, day(-60), day(-30), 1000)
		cls.invoice(cls.alpha, day(-10), day(20), 500)
		inv3 = cls.invoice(cls.alpha, day(-50), day(-40), 300)
		cls.invoice(cls.alpha, day(-45), day(-45), -300, return_against=inv3)
		cls.inv1 = inv1

		cls.contact(cls.alpha, "Buyer@AlphaCorp.example")
		cls.contact(cls.alpha, "alpha.cfo@gmail.com")
		cls.contract(cls.alpha, day(-100), day(45), signed=True)
		cls.contract(cls.alpha, day(-200), day(-5), signed=True)
		cls.contract(cls.alpha, day(-1), day(10), signed=False)
		cls.quotation(cls.alpha, day(-20), [cls.hw_item, cls.svc_item])
		cls.quotation(cls.alpha, day(-400), [cls.hw_item])
		cls.opportunity(cls.alpha, "Open")
		cls.opportunity(cls.alpha, "Lost")
		cls.issue(cls.alpha, day(-5), "Open")
		cls.issue(cls.alpha, day(-100), "Closed")

	# --- factories ------------------------------------------------------------------------------

	@staticmethod
	def item_group(name: str, parent: str) -> str:
		return (
			frappe.get_doc({"doctype": "Item Group", "item_group_name": name, "parent_item_group": parent})
			.insert(ignore_permissions=True)
			.name
		)

	@classmethod
	def customer(cls, name: str, **values) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": name,
					"customer_type": "Company",
					"customer_group": cls.customer_group,
					"territory": cls.territory,
					**values,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	@classmethod
	def invoice(
		cls, customer: str, posted: str, due: str, total: int, return_against: str | None = None
	) -> str:
		fields = {"set_posting_time": 1, "posting_date": posted}
		if return_against:
			fields["update_outstanding_for_self"] = 0  # the credit note settles the invoice it returns
		si = submit_sales_invoice(
			cls,
			customer=customer,
			item=cls.svc_item,
			posting_date=posted,
			due_date=due,
			rate=abs(total),
			qty=-1 if return_against else 1,
			currency=cls.currency,
			fields=fields,
			is_return=1 if return_against else 0,
			return_against=return_against,
		)
		assert si.grand_total == total, f"unexpected taxes or rounding: {si.grand_total}"
		return si.name

	@staticmethod
	def contact(customer: str, email: str) -> str:
		contact = frappe.get_doc({"doctype": "Contact", "first_name": email.split("@")[0]})
		contact.add_email(email, is_primary=1)
		contact.append("links", {"link_doctype": "Customer", "link_name": customer})
		return contact.insert(ignore_permissions=True).name

	@staticmethod
	def contract(customer: str, start: str, end: str, signed: bool) -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Contract",
				"party_type": "Customer",
				"party_name": customer,
				"contract_terms": "Support and licences",
				"start_date": start,
				"end_date": end,
				"is_signed": int(signed),
				"signee": "Ana Buyer" if signed else None,
				"signed_on": now_datetime() if signed else None,
			}
		).insert(ignore_permissions=True)
		if signed:
			doc.submit()
		return doc.name

	@classmethod
	def quotation(cls, customer: str, date: str, items: list[str]) -> str:
		return make_quotation(
			company=cls.company,
			party_name=customer,
			currency=cls.currency,
			transaction_date=date,
			item_list=[
				{"item_code": code, "qty": 1, "rate": 100, "warehouse": cls.warehouse} for code in items
			],
			do_not_save=0,
		).name

	@classmethod
	def opportunity(cls, customer: str, status: str) -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Opportunity",
				"company": cls.company,
				"opportunity_from": "Customer",
				"party_name": customer,
				"transaction_date": nowdate(),
				"currency": cls.currency,
				"conversion_rate": 1.0,
			}
		).insert(ignore_permissions=True)
		if status != "Open":
			doc.db_set("status", status)
		return doc.name

	@staticmethod
	def issue(customer: str, opened: str, status: str) -> str:
		doc = frappe.get_doc(
			{"doctype": "Issue", "subject": f"Signals test issue {opened}", "customer": customer}
		).insert(ignore_permissions=True)
		doc.db_set({"opening_date": opened, "status": status})
		return doc.name

	@staticmethod
	def set_modified(doctype: str, name: str, value: str) -> None:
		frappe.db.sql(f"UPDATE `tab{doctype}` SET modified = %s WHERE name = %s", (value, name))

	def drain(
		self, after, after_name: str = "", limit: int = 1000, now=None
	) -> tuple[list[dict], list[str], list[dict]]:
		"""Every page after the cursor: (records, deleted, pages). `now` moves the clock (far-future tests)."""
		records, deleted, pages = [], [], []
		cursor = (after, after_name)
		for _ in range(1000):
			page = feed.signals_page(
				get_datetime(cursor[0]) if cursor[0] else None, cursor[1], limit, now=now
			)
			pages.append(page)
			records += page["records"]
			deleted += page["deleted"]
			if not page["has_more"]:
				return records, deleted, pages
			cursor = (page["next_cursor"]["modified"], page["next_cursor"]["name"])
		self.fail("the feed did not end")

	def record_of(self, customer: str) -> dict:
		records, _, _ = self.drain(None)
		found = [r for r in records if r["customer"] == customer]
		self.assertEqual(len(found), 1, f"{customer} appears {len(found)} times in a full sync")
		return found[0]

	# --- tests ------------------------------------------------------------------------------------

	def test_frappe_core_fields_read_by_the_feed_exist(self):
		for doctype, fields in SIGNALS_FRAPPE_CORE_FIELDS.items():
			meta = frappe.get_meta(doctype)
			for fieldname, fieldtype in fields.items():
				if fieldname in ("parent", "parenttype", "modified"):
					continue
				field = meta.get_field(fieldname)
				self.assertIsNotNone(field, f"{doctype}.{fieldname}")
				self.assertEqual(field.fieldtype, fieldtype, f"{doctype}.{fieldname}")

	def test_alpha_record_is_exact(self):
		record = self.record_of(self.alpha)
		self.assertEqual(feed.default_currency(), self.currency)
		modified = record.pop("modified")
		# the collector of the default dunning policy (alpha has no policy of its own or of its group)
		default_collector = frappe.db.get_value(
			"RevOps Dunning Policy", {"is_default": 1, "enabled": 1}, "collector"
		)
		self.assertEqual(record.pop("collector"), default_collector or None)
		self.assertEqual(
			record,
			{
				"customer": self.alpha,
				"customer_name": f"Signals Alpha {self.tag}",
				"disabled": False,
				"customer_group": self.customer_group,
				"territory": self.territory,
				"industry": None,
				"emails": ["alpha.cfo@gmail.com", "buyer@alphacorp.example"],
				"domains": ["alphacorp.example"],
				"currency": self.currency,
				"lifetime_revenue": 1500.0,
				"first_invoice_date": day(-60),
				"last_invoice_date": day(-10),
				"open_invoice_count": 2,
				"open_amount": 1500.0,
				"overdue_invoice_count": 1,
				"overdue_amount": 1000.0,
				"max_days_overdue": 30,
				"oldest_due_date": day(-30),
				"account_manager": None,
				"contract_end_date": day(45),
				"quotation_item_groups": {self.hardware: 1, self.services: 1},
				"open_opportunity_count": 1,
				"open_issue_count": 1,
				"issues_last_90d": 1,
				# inv3 was settled by its credit note, not a payment: no days to pay
				"payment_window_days": 365,
				"paid_invoice_count": 0,
				"avg_days_to_pay": None,
				"days_to_pay_trend": None,
				"failed_payment_count": 0,
				"broken_promise_count": 0,
				"dispute_count": 0,
				# INV1 is alpha's first order (no Sales Orders); no handoffs were reported for alpha
				"first_order": {
					"doctype": "Sales Invoice",
					"name": self.inv1,
					"date": day(-60),
					"amount": 1000.0,
				},
				"handoff_orders": [],
			},
		)
		# effective modified: the newest of the customer and everything that feeds it (all created now)
		self.assertGreaterEqual(
			get_datetime(modified), get_datetime(frappe.db.get_value("Customer", self.alpha, "modified"))
		)
		self.assertRegex(modified, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")

	def test_bare_disabled_customer_has_zeros(self):
		record = self.record_of(self.beta)
		self.assertTrue(record["disabled"])
		for key in ("lifetime_revenue", "open_amount", "overdue_amount"):
			self.assertEqual(record[key], 0.0)
		for key in ("open_invoice_count", "overdue_invoice_count", "max_days_overdue", "open_issue_count"):
			self.assertEqual(record[key], 0)
		self.assertEqual(
			(
				record["emails"],
				record["domains"],
				record["quotation_item_groups"],
				record["contract_end_date"],
			),
			([], [], {}, None),
		)

	def test_cursor_pages_lose_and_repeat_nothing_with_ties(self):
		names = [self.customer(f"Signals Tie {self.tag} {i}") for i in range(5)]
		for name in names[:3]:
			self.set_modified("Customer", name, T1)
		for name in names[3:]:
			self.set_modified("Customer", name, T2)
		expected = sorted(names[:3]) + sorted(names[3:])
		before = "2098-12-31 23:59:59.000000"
		records, _, pages = self.drain(before, "", limit=2, now=FUTURE)
		self.assertEqual([r["customer"] for r in records], expected)
		self.assertEqual([len(p["records"]) for p in pages], [2, 2, 1])
		self.assertEqual([p["has_more"] for p in pages], [True, True, False])
		self.assertEqual(pages[0]["next_cursor"], {"modified": T1, "name": expected[1]})
		# resuming from a cursor in the middle of a tie returns the rest of the tie first
		rest, _, _ = self.drain(T1, expected[0], limit=1000, now=FUTURE)
		self.assertEqual([r["customer"] for r in rest], expected[1:])
		# and from the last record: nothing
		empty, _, last = self.drain(T2, expected[-1], now=FUTURE)
		self.assertEqual((empty, last[0]["next_cursor"], last[0]["has_more"]), ([], None, False))

	def test_a_new_invoice_moves_the_customer(self):
		customer = self.customer(f"Signals Mover {self.tag}")
		self.set_modified("Customer", customer, "2020-01-01 00:00:00.000000")
		cursor = now_datetime()
		records, _, _ = self.drain(cursor)
		self.assertNotIn(customer, [r["customer"] for r in records])
		invoice = self.invoice(customer, day(-1), day(29), 250)
		records, _, _ = self.drain(cursor)
		moved = [r for r in records if r["customer"] == customer]
		self.assertEqual(len(moved), 1)
		self.assertEqual(
			moved[0]["modified"],
			feed.format_modified(frappe.db.get_value("Sales Invoice", invoice, "modified")),
		)
		self.assertEqual((moved[0]["open_invoice_count"], moved[0]["open_amount"]), (1, 250.0))

	def test_turning_overdue_moves_the_customer_without_any_save(self):
		customer = self.customer(f"Signals Late {self.tag}")
		invoice = self.invoice(customer, day(-20), day(-3), 400)
		old = f"{day(-10)} 08:00:00.000000"
		self.set_modified("Customer", customer, old)
		self.set_modified("Sales Invoice", invoice, old)
		# overdue since midnight after the due date: day(-2) 00:00
		records, _, _ = self.drain(f"{day(-5)} 00:00:00.000000")
		late = [r for r in records if r["customer"] == customer]
		self.assertEqual(len(late), 1)
		self.assertEqual(late[0]["modified"], f"{day(-2)} 00:00:00.000000")
		self.assertEqual((late[0]["overdue_invoice_count"], late[0]["max_days_overdue"]), (1, 3))
		records, _, _ = self.drain(f"{day(-1)} 00:00:00.000000")
		self.assertNotIn(customer, [r["customer"] for r in records])

	def test_deleted_customers_are_reported_once_in_their_page(self):
		customer = self.customer(f"Signals Gone {self.tag}")
		cursor = now_datetime()
		frappe.delete_doc("Customer", customer, ignore_permissions=True)
		_, deleted, _ = self.drain(cursor)
		self.assertIn(customer, deleted)
		self.assertEqual(self.drain(None)[1], [])  # a first full sync has nothing to forget

	def test_statement_count_does_not_grow_with_the_page(self):
		names = [self.customer(f"Signals Count {self.tag} {i}") for i in range(6)]
		for name in names:
			self.set_modified("Customer", name, T1)
		after = get_datetime("2098-12-31 00:00:00")
		feed.signals_page(after, "", 1, now=FUTURE)  # warm the caches first
		counts = []
		for limit in (1, 6):
			with patch.object(frappe.db, "sql", wraps=frappe.db.sql) as spy:
				page = feed.signals_page(after, "", limit, now=FUTURE)
			self.assertEqual(len(page["records"]), limit)
			counts.append(spy.call_count)
		self.assertEqual(counts[0], counts[1])

	def test_settle_window_holds_back_fresh_changes(self):
		cursor = add_to_date(now_datetime(), seconds=-5)
		customer = self.customer(f"Signals Fresh {self.tag}")
		held = feed.signals_page(cursor, "", 1000, settle_seconds=60)
		self.assertNotIn(customer, [r["customer"] for r in held["records"]])
		self.assertLess(
			get_datetime(held["as_of"]), get_datetime(frappe.db.get_value("Customer", customer, "modified"))
		)
		served = feed.signals_page(cursor, "", 1000, settle_seconds=0)
		self.assertIn(customer, [r["customer"] for r in served["records"]])
		# the endpoint holds back 60 s unless told otherwise
		message = signals_api.customer_signals(modified_after=str(cursor))
		self.assertNotIn(customer, [r["customer"] for r in message["records"]])
		message = signals_api.customer_signals(modified_after=str(cursor), settle_seconds=0)
		self.assertIn(customer, [r["customer"] for r in message["records"]])
		with self.assertRaises(frappe.ValidationError):
			signals_api.customer_signals(settle_seconds=-1)

	def test_endpoint_validates_and_checks_permission(self):
		message = signals_api.customer_signals(modified_after="2098-12-31 00:00:00", after_name="", limit="3")
		self.assertEqual(set(message), {"records", "next_cursor", "deleted", "as_of", "has_more"})
		with self.assertRaises(frappe.ValidationError):
			signals_api.customer_signals(limit=1001)
		with self.assertRaises(frappe.ValidationError):
			signals_api.customer_signals(modified_after="last week")
		user = f"signals-{self.tag.lower()}@example.com"
		frappe.get_doc(
			{"doctype": "User", "email": user, "first_name": "No Roles", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		frappe.set_user(user)
		try:
			with self.assertRaises(frappe.PermissionError):
				signals_api.customer_signals()
		finally:
			frappe.set_user("Administrator")
		# a user with read access but restricted to some customers gets a clear refusal, not a partial feed
		frappe.get_doc("User", user).add_roles("Sales Manager", "Accounts User")
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": "Customer", "for_value": self.alpha}
		).insert(ignore_permissions=True)
		frappe.set_user(user)
		try:
			with self.assertRaisesRegex(frappe.PermissionError, "User Permissions"):
				signals_api.customer_signals()
		finally:
			frappe.set_user("Administrator")

	# --- full pass by name (issue 5b) -----------------------------------------------------------------

	def full_pass(self, start: str, limit: int, now) -> tuple[list[dict], list[dict]]:
		"""Drain a full pass begun at `start` (after_name): (records, pages); the last page hands over."""
		records, pages, cursor, snapshot = [], [], {"name": start}, None
		for _ in range(10000):
			page = feed.full_signals_page(cursor["name"], limit, snapshot, now=now)
			pages.append(page)
			records += page["records"]
			cursor = page["next_cursor"]
			if not cursor.get("snapshot"):
				return records, pages
			snapshot = get_datetime(cursor["snapshot"])
		self.fail("the full pass did not end")

	def test_full_pass_hands_over_without_losing_a_change_made_mid_pass(self):
		prefix = f"Signals Full {self.tag}"
		f0, f1, f2, f3, f4 = (self.customer(f"{prefix} {i}") for i in range(5))
		for name in (f0, f1, f2, f3, f4):
			self.set_modified("Customer", name, "2020-01-01 00:00:00.000000")
		started = now_datetime()
		first = feed.full_signals_page(prefix, 2, None, now=started)
		snapshot = feed.format_modified(started)
		self.assertEqual([r["customer"] for r in first["records"]], [f0, f1])
		self.assertEqual(first["next_cursor"], {"modified": "", "name": f1, "snapshot": snapshot})
		self.assertEqual((first["has_more"], first["deleted"], first["as_of"]), (True, [], snapshot))

		# mid-pass: a served customer changes, one not yet served gets an invoice, one is deleted, and a new
		# customer appears under a name the pass has already gone by
		frappe.db.set_value("Customer", f0, "customer_name", f"{prefix} 0 renamed")
		self.invoice(f3, day(-1), day(29), 75)
		frappe.delete_doc("Customer", f4, ignore_permissions=True)
		late = self.customer(f"{prefix} 00")
		self.assertTrue(f0 < late < f1)

		rest, pages = self.full_pass_from(first, limit=2, now=started)
		ours = [r["customer"] for r in first["records"] + rest if r["customer"].startswith(prefix)]
		# the pass serves what had not changed since its snapshot, each once, in name order
		self.assertEqual(ours, [f0, f1, f2])
		handover = pages[-1]["next_cursor"]
		self.assertEqual(handover, {"modified": snapshot, "name": ""})
		self.assertTrue(pages[-1]["has_more"])

		records, deleted, _ = self.drain(handover["modified"], handover["name"], limit=2)
		after = [r for r in records if r["customer"].startswith(prefix)]
		self.assertEqual(sorted(r["customer"] for r in after), sorted([f0, f3, late]))
		self.assertIn(f4, deleted)
		by_name = {r["customer"]: r for r in after}
		self.assertEqual(by_name[f0]["customer_name"], f"{prefix} 0 renamed")
		self.assertEqual((by_name[f3]["open_invoice_count"], by_name[f3]["open_amount"]), (1, 75.0))
		for record in after:  # everything after the hand-over is newer than the snapshot
			self.assertGreaterEqual(record["modified"], snapshot)
		# nothing lost: every customer that exists is served by the pass or after it
		served = set(ours) | {r["customer"] for r in after}
		self.assertEqual(served, {f0, f1, f2, f3, late})

	def full_pass_from(self, first: dict, limit: int, now) -> tuple[list[dict], list[dict]]:
		cursor = first["next_cursor"]
		if not cursor.get("snapshot"):
			return [], [first]
		records, pages, snapshot = [], [], get_datetime(cursor["snapshot"])
		for _ in range(10000):
			page = feed.full_signals_page(cursor["name"], limit, snapshot, now=now)
			pages.append(page)
			records += page["records"]
			cursor = page["next_cursor"]
			if not cursor.get("snapshot"):
				return records, pages
		self.fail("the full pass did not end")

	def test_full_pass_serves_every_customer_once_in_name_order(self):
		names = [self.customer(f"Signals Every {self.tag} {i}") for i in range(7)]
		# the far-future clock puts every customer of the site (the tests' 2099 ones too) before the snapshot
		records, pages = self.full_pass("", 3, FUTURE)
		served = [r["customer"] for r in records]
		self.assertEqual(len(served), len(set(served)), "a customer was served twice")
		self.assertTrue(set(names) <= set(served))
		self.assertEqual(served, frappe.db.sql_list("SELECT name FROM `tabCustomer` ORDER BY name"))
		# every page but the last is full (nothing changed during this pass), cursors name the last one scanned
		self.assertTrue(all(len(p["records"]) == 3 for p in pages[:-1]))
		for page in pages[:-1]:
			self.assertEqual(page["next_cursor"]["name"], page["records"][-1]["customer"])
		# the same records as the (modified, name) feed from nothing, whatever the order
		legacy, _, _ = self.drain(None, now=FUTURE)
		self.assertEqual(
			sorted(records, key=lambda r: r["customer"]), sorted(legacy, key=lambda r: r["customer"])
		)

	def test_full_pass_statement_count_does_not_grow_with_the_page(self):
		prefix = f"Signals FullCount {self.tag}"
		for i in range(6):
			self.customer(f"{prefix} {i}")
		feed.full_signals_page(prefix, 1)  # warm the caches first
		counts = []
		for limit in (1, 6):
			with patch.object(frappe.db, "sql", wraps=frappe.db.sql) as spy:
				page = feed.full_signals_page(prefix, limit, None, now=add_to_date(now_datetime(), seconds=1))
			self.assertEqual(len(page["records"]), limit)
			counts.append(spy.call_count)
		self.assertEqual(counts[0], counts[1])

	def test_endpoint_full_flag_and_snapshot(self):
		message = signals_api.customer_signals(full=1, limit=1, settle_seconds=0)
		cursor = message["next_cursor"]
		self.assertEqual(cursor["modified"], "")
		self.assertTrue(cursor["name"] and cursor["snapshot"])
		nxt = signals_api.customer_signals(after_name=cursor["name"], snapshot=cursor["snapshot"], limit=1)
		self.assertEqual(nxt["as_of"], cursor["snapshot"])  # the snapshot is kept across the pass
		if nxt["records"]:
			self.assertGreater(nxt["records"][0]["customer"], cursor["name"])
		with self.assertRaises(frappe.ValidationError):
			signals_api.customer_signals(full=1, modified_after="2026-01-01 00:00:00")
		with self.assertRaises(frappe.ValidationError):
			signals_api.customer_signals(snapshot="yesterday", after_name="x")
		with self.assertRaisesRegex(frappe.ValidationError, "future"):
			signals_api.customer_signals(snapshot="2099-01-01 00:00:00.000000", after_name="x")
