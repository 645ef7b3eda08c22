"""Real-bench tests: Stripe entries are dated when Stripe moved the money, in the site's time zone.

A late-processed event (delivered and worked today) about money Stripe moved days ago posts on that
day; a date inside ERPNext's account freeze or a closed Accounting Period moves to the first open date
with a remark, and the settlement still succeeds. Timestamps: 03:30 UTC on day X is 22:30 (EST) or
23:30 (EDT) on day X-1 in America/New_York, the bench sites' time zone.
"""

from revops_app.tests.utils import require_frappe

require_frappe()

from datetime import datetime, timedelta, timezone

import frappe
from frappe.utils import add_days, get_system_timezone, getdate, nowdate

from revops_app.compat import (
	accounts_frozen_till,
	clear_system_settings_cache,
	frappe_major_version,
	set_accounts_frozen_till,
)
from revops_app.revops.schema import PERIOD_LOCK_FIELDS, VERSIONED_FIELDS
from revops_app.tests.stripe_bench import COMPANY, StripeBenchCase
from revops_app.tests.stripe_standin import charge_refunded, dispute, session_completed

HAND_WORKED_ZONE = "America/New_York"


def use_time_zone(zone: str) -> None:
	"""Set the site's time zone for the running process (committed: the worker reads it)."""
	frappe.db.set_single_value("System Settings", "time_zone", zone)
	frappe.db.commit()
	clear_system_settings_cache()
	assert get_system_timezone() == zone


def unique(prefix: str) -> str:
	return f"{prefix}_rtest{frappe.generate_hash(length=14)}"


def utc_0330(days_ago: int) -> tuple[int, object]:
	"""03:30 UTC `days_ago` days before today's UTC date, and that UTC date."""
	day = datetime.now(timezone.utc).date() - timedelta(days=days_ago)
	moment = datetime(day.year, day.month, day.day, 3, 30, tzinfo=timezone.utc)
	return int(moment.timestamp()), day


class TestStripePostingDates(StripeBenchCase):
	def setUp(self) -> None:
		super().setUp()
		# the hand-worked dates assume America/New_York (ERPNext's v16 test data resets the site to Asia/Kolkata)
		self.time_zone = get_system_timezone()
		use_time_zone(HAND_WORKED_ZONE)
		self.frozen = accounts_frozen_till(COMPANY)
		self.periods: list[str] = []

	def tearDown(self) -> None:
		frappe.db.rollback()
		use_time_zone(self.time_zone)
		set_accounts_frozen_till(COMPANY, self.frozen)
		for name in self.periods:
			frappe.delete_doc("Accounting Period", name, force=True, ignore_permissions=True)
		frappe.db.commit()
		super().tearDown()

	def pay(self, rate: float, minor: int, *, created: int, fee: int = 0):
		si = self.make_invoice(rate, posting_date=add_days(nowdate(), -10))
		link = self.link_of(si.name)
		pi = unique("pi")
		self.standin.add_intent(
			pi, invoice=si.name, pay_link=link.name, amount=minor, fee=fee, created=created
		)
		evt = unique("evt")
		self.post(evt, "checkout.session.completed", session_completed(pi, si.name, link.name, minor))
		self.process(evt)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Success", log.message)
		(pe,) = self.receipts(si.name)
		return si, pi, pe

	def gl_dates(self, voucher_type: str, voucher: str) -> set:
		return set(
			frappe.get_all(
				"GL Entry",
				filters={"voucher_type": voucher_type, "voucher_no": voucher, "is_cancelled": 0},
				pluck="posting_date",
			)
		)

	def test_period_lock_fields_exist(self):
		version = f"v{frappe_major_version()}"
		for doctype, fields in (PERIOD_LOCK_FIELDS | VERSIONED_FIELDS[version]).items():
			meta = frappe.get_meta(doctype)
			for fieldname, fieldtype in fields.items():
				self.assertEqual(meta.get_field(fieldname).fieldtype, fieldtype, f"{doctype}.{fieldname}")

	def test_late_processed_payment_posts_on_the_charge_date_in_the_site_zone(self):
		created, utc_day = utc_0330(days_ago=3)
		charge_day = utc_day - timedelta(days=1)  # 03:30 UTC is the evening before in New York
		si, pi, pe = self.pay(60, 6000, created=created, fee=204)
		self.assertEqual(getdate(pe.posting_date), charge_day)
		self.assertEqual(getdate(pe.reference_date), charge_day)
		self.assertEqual(self.gl_dates("Payment Entry", pe.name), {charge_day})
		self.assertNotIn("first open date", pe.remarks)

		# a refund Stripe made a day later, processed today, posts on the refund's date
		refunded_at, refund_utc_day = utc_0330(days_ago=2)
		self.standin.add_intent(
			pi, invoice=si.name, pay_link=None, amount=6000, fee=204, refunded=1000, created=created
		)
		evt = unique("evt")
		self.post(evt, "charge.refunded", charge_refunded(pi, 6000, 1000, unique("re"), created=refunded_at))
		self.process(evt)
		self.assertEqual(self.log_of(evt).status, "Success", self.log_of(evt).message)
		refund = frappe.get_all(
			"Payment Entry",
			filters={"revops_refund_of": pe.name, "docstatus": 1},
			fields=["posting_date", "reference_date"],
		)
		self.assertEqual(
			[(getdate(r.posting_date), getdate(r.reference_date)) for r in refund],
			[(refund_utc_day - timedelta(days=1),) * 2],
		)

	def test_frozen_accounts_move_the_receipt_to_the_first_open_date_with_a_remark(self):
		created, utc_day = utc_0330(days_ago=3)
		charge_day = utc_day - timedelta(days=1)
		set_accounts_frozen_till(COMPANY, charge_day)
		frappe.db.commit()
		# the invoice predates the freeze: make it with the freeze lifted, then freeze again
		set_accounts_frozen_till(COMPANY, None)
		si = self.make_invoice(50, posting_date=add_days(nowdate(), -10))
		set_accounts_frozen_till(COMPANY, charge_day)
		frappe.db.commit()
		link = self.link_of(si.name)
		pi, evt = unique("pi"), unique("evt")
		self.standin.add_intent(
			pi, invoice=si.name, pay_link=link.name, amount=5000, fee=175, created=created
		)
		self.post(evt, "checkout.session.completed", session_completed(pi, si.name, link.name, 5000))
		self.process(evt)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Success", log.message)
		(pe,) = self.receipts(si.name)
		open_day = charge_day + timedelta(days=1)
		self.assertEqual((getdate(pe.posting_date), getdate(pe.reference_date)), (open_day, open_day))
		self.assertEqual(self.gl_dates("Payment Entry", pe.name), {open_day})
		self.assertIn(
			f"Stripe moved the money on {charge_day.isoformat()}, posted on {open_day.isoformat()}, the first "
			f"open date, because accounts are frozen up to {charge_day.isoformat()} (Accounts Settings)",
			pe.remarks,
		)
		self.assertEqual(frappe.db.get_value("Sales Invoice", si.name, "status"), "Paid")

	def test_closed_accounting_period_moves_the_dispute_entry_forward(self):
		_si, pi, _pe = self.pay(70, 7000, created=utc_0330(days_ago=6)[0], fee=233)
		withdrawn_at, utc_day = utc_0330(days_ago=4)
		money_day = utc_day - timedelta(days=1)
		period = frappe.get_doc(
			{
				"doctype": "Accounting Period",
				"period_name": unique("RevOps closed"),
				"company": COMPANY,
				"start_date": money_day - timedelta(days=1),
				"end_date": money_day,
				# closed for Journal Entries only (the receipt above, a Payment Entry, stays open)
				"closed_documents": [{"document_type": "Journal Entry", "closed": 1}],
			}
		)
		period.insert(ignore_permissions=True)
		self.periods.append(period.name)
		frappe.db.commit()
		dp = unique("dp")
		obj = dispute(pi, dp, 7000, "needs_response", fee=1500)
		obj["balance_transactions"][0]["created"] = withdrawn_at
		evt = unique("evt")
		self.post(evt, "charge.dispute.created", obj)
		self.process(evt)
		log = self.log_of(evt)
		self.assertEqual(log.status, "Success", log.message)
		je = frappe.get_all(
			"Journal Entry",
			filters={"revops_stripe_dispute": dp, "docstatus": 1},
			fields=["name", "posting_date", "cheque_date", "user_remark"],
		)
		self.assertEqual(len(je), 1)
		open_day = money_day + timedelta(days=1)
		self.assertEqual((getdate(je[0].posting_date), getdate(je[0].cheque_date)), (open_day, open_day))
		self.assertIn(f"Accounting Period {period.name}", je[0].user_remark)
		self.assertIn(f"Stripe moved the money on {money_day.isoformat()}", je[0].user_remark)
