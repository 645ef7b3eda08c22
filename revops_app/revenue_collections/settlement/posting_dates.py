"""Posting dates for Stripe money: ERPNext's freeze and closed periods read, the rule left to core.

Every receipt, refund and dispute entry is dated when Stripe moved the money (balance transaction /
charge `created`, refund `created`, dispute balance transaction `created`) in the site's time zone,
falling back to the event's `created`, then today; posting_date, reference_date and cheque_date agree.
A date ERPNext would refuse (on or before the accounts freeze date, see compat.accounts_frozen_till, or the last Period Closing
Voucher's end, or inside an Accounting Period closed for Payment Entry / Journal Entry) moves to the
first open date, and the entry's remarks say so. The decision is core/gateway/posting_dates.py; this
module only reads what ERPNext has closed and hands it over. `event_time` is the event's `created` as a
site-time datetime (a failed payment's last_payment_failed_at).
"""

from __future__ import annotations

from datetime import datetime, timezone

import frappe
from frappe.query_builder.functions import Max
from frappe.utils import (
	convert_utc_to_system_timezone,
	get_system_timezone,
	getdate,
	now_datetime,
	nowdate,
)

from revops_app.compat import accounting_periods_can_be_disabled, accounts_frozen_till
from revops_app.core.gateway.posting_dates import ClosedPeriod, PostingDate, posting_date
from revops_app.core.gateway.webhooks.events import GatewayEvent


def stripe_posting_date(
	company: str, voucher_type: str, money_ts: int | None, event: GatewayEvent | None
) -> PostingDate:
	"""The posting date for money Stripe moved at `money_ts` (core/gateway/posting_dates.py): that
	moment in the site's time zone, else the event's, else today; moved past ERPNext's account freeze
	and closed Accounting Periods for `voucher_type` (the checks general_ledger.check_freezing_date and
	accounting_period.validate_accounting_period_on_doc_save make) instead of failing. `event` is None
	for money the backstop found without an event (a Stripe fee)."""
	return posting_date(
		money_ts=money_ts,
		event_ts=event.created if event else None,
		today=getdate(nowdate()),
		tz=get_system_timezone(),
		frozen_upto=frozen_upto(company),
		closed=closed_periods(company, voucher_type),
		books_closed_upto=books_closed_upto(company),
	)


def frozen_upto(company: str):
	"""The company's accounts freeze date (Accounts Settings on v15, the Company on v16: see compat)."""
	return accounts_frozen_till(company)


def books_closed_upto(company: str):
	"""The last submitted Period Closing Voucher's end (general_ledger.validate_against_pcv refuses up to it)."""
	pcv = frappe.qb.DocType("Period Closing Voucher")
	rows = (
		frappe.qb.from_(pcv)
		.select(Max(pcv.period_end_date))
		.where((pcv.docstatus == 1) & (pcv.company == company))
		.run()
	)
	value = rows[0][0] if rows else None
	return getdate(value) if value else None


def closed_periods(company: str, voucher_type: str) -> list[ClosedPeriod]:
	"""Accounting Periods of the company whose Closed Document rows close `voucher_type` (as ERPNext reads them)."""
	enabled_only = "and ap.disabled = 0" if accounting_periods_can_be_disabled() else ""
	rows = frappe.db.sql(
		f"""select ap.name, ap.start_date, ap.end_date
		from `tabAccounting Period` ap, `tabClosed Document` cd
		where ap.name = cd.parent and ap.company = %(company)s and cd.closed = 1
			and cd.document_type = %(voucher_type)s {enabled_only}
		order by ap.start_date""",
		{"company": company, "voucher_type": voucher_type},
		as_dict=True,
	)
	return [ClosedPeriod(r.name, getdate(r.start_date), getdate(r.end_date)) for r in rows]


def event_time(event: GatewayEvent) -> datetime:
	"""When Stripe created the event, in the site's time zone (naive, as Frappe stores datetimes)."""
	if not event.created:
		return now_datetime()
	utc = datetime.fromtimestamp(event.created, tz=timezone.utc)
	return convert_utc_to_system_timezone(utc).replace(tzinfo=None)
