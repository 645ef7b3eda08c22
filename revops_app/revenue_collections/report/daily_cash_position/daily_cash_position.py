"""Daily Cash Position: cash received per day by mode of payment, opening and closing balance.

The SQL (GROUP BY day and mode) lives in `revops_app.revenue_collections.reports_data`; the rolling balance in
`revops_app.core.collections.metrics.daily_cash_position`. Method, stated in the report message:
cash accounts = the accounts customer receipts were paid into; opening/closing = their ledger balance;
receipts = submitted Payment Entries of type Receive; other movements = everything else posted to
those accounts that day. Stripe pending = balance of the Stripe clearing account from RevOps Settings.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from revops_app.core.collections import metrics
from revops_app.revenue_collections import reconciliation_data
from revops_app.revenue_collections import reports_data as data

MAX_DAYS = 366


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	company = filters.get("company") or frappe.defaults.get_user_default("Company")
	if not company:
		frappe.throw(_("Please select a Company"))
	to_date = getdate(filters.get("to_date") or today())
	from_date = getdate(filters.get("from_date") or add_days(to_date, -30))
	if from_date > to_date:
		frappe.throw(_("From Date must be on or before To Date"))
	if (to_date - from_date).days >= MAX_DAYS:
		frappe.throw(_("Choose a range of at most {0} days").format(MAX_DAYS))
	mode = filters.get("mode_of_payment") or None
	currency = data.company_currency(company)

	receipts = data.receipts_by_day_and_mode(company, from_date, to_date, mode)
	accounts = data.cash_accounts(company, mode)
	opening = data.account_balance_before(company, accounts, from_date)
	ledger = data.account_moves_by_day(company, accounts, from_date, to_date)

	stripe_account = data.stripe_clearing_account(company)
	stripe_opening = stripe_moves = None
	if stripe_account:
		stripe_opening = data.account_balance_before(company, [stripe_account], from_date)
		stripe_moves = data.account_moves_by_day(company, [stripe_account], from_date, to_date)

	days = metrics.daily_cash_position(
		from_date, to_date, opening, receipts, ledger, stripe_opening, stripe_moves
	)
	other_out: dict = {}
	if stripe_account:
		payouts = reconciliation_data.payouts_by_day(company, stripe_account, from_date, to_date)
		days, other_out = with_payouts(days, payouts)
	modes = sorted({row.get("mode_of_payment") or "Not Set" for row in receipts})
	columns = get_columns(modes, currency, bool(stripe_account))
	rows = [dict(to_row(day, modes, currency), stripe_other_out=other_out.get(day.day)) for day in days]
	message = method_message(accounts, stripe_account)
	return columns, rows, message, get_chart(days, modes, currency), get_summary(days, currency)


def with_payouts(days: list[metrics.CashDay], payouts: dict) -> tuple[list[metrics.CashDay], dict]:
	"""The days with "paid out" taken from the payouts (Internal Transfers from the clearing account to the
	bank) and, apart, the rest of the clearing account's outflow per day (refunds, dispute withdrawals,
	fees): the ledger's credits less the payouts."""
	out, other = [], {}
	for day in days:
		paid_out = Decimal(str(payouts.get(day.day, 0)))
		other[day.day] = (day.stripe_paid_out or metrics.ZERO) - paid_out
		out.append(replace(day, stripe_paid_out=paid_out))
	return out, other


def mode_field(mode: str) -> str:
	return "mode_" + frappe.scrub(mode)


def get_columns(modes: list[str], currency: str, with_stripe: bool) -> list[dict]:
	money = {"fieldtype": "Currency", "options": "currency", "width": 130}
	columns = [
		{"fieldname": "day", "label": _("Date"), "fieldtype": "Date", "width": 110},
		{"fieldname": "opening", "label": _("Opening"), **money},
	]
	columns += [{"fieldname": mode_field(mode), "label": _(mode), **money} for mode in modes]
	columns += [
		{"fieldname": "receipts", "label": _("Total Receipts"), **money},
		{"fieldname": "other_movements", "label": _("Other Movements"), **money},
		{"fieldname": "closing", "label": _("Closing"), **money},
	]
	if with_stripe:
		columns += [
			{"fieldname": "stripe_received", "label": _("Stripe Received"), **money},
			{"fieldname": "stripe_paid_out", "label": _("Stripe Paid Out"), **money},
			{"fieldname": "stripe_other_out", "label": _("Stripe Refunds, Disputes, Fees"), **money},
			{"fieldname": "stripe_pending", "label": _("Stripe Pending"), **money},
		]
	columns.append({"fieldname": "currency", "label": _("Currency"), "fieldtype": "Data", "hidden": 1})
	return columns


def to_row(day: metrics.CashDay, modes: list[str], currency: str) -> dict:
	row = {
		"currency": currency,
		"day": day.day,
		"opening": day.opening,
		"receipts": day.receipts,
		"other_movements": day.other_movements,
		"closing": day.closing,
		"stripe_received": day.stripe_received,
		"stripe_paid_out": day.stripe_paid_out,
		"stripe_pending": day.stripe_pending,
	}
	for mode in modes:
		row[mode_field(mode)] = day.receipts_by_mode.get(mode, 0)
	return row


def method_message(accounts: list[str], stripe_account: str | None) -> str:
	lines = [
		_(
			"Receipts: submitted Payment Entries of type Receive, by posting date and mode of payment (company currency)."
		),
		_(
			"Opening and closing: ledger balance of the accounts customer receipts are paid into: {0}. Other movements are all other entries on those accounts."
		).format(", ".join(accounts) or _("none yet")),
	]
	if stripe_account:
		lines.append(
			_(
				"Stripe: received = money posted to {0}; paid out = the payouts, Internal Transfers from it to the bank (posted by the payout worker from Stripe's payout.paid); refunds, disputes, fees = its other outflow; pending = its balance at day end."
			).format(stripe_account)
		)
	else:
		lines.append(
			_(
				"Stripe pending vs paid out: not derivable, because RevOps Settings names no Stripe Clearing Account for this company."
			)
		)
	return "<br>".join(lines)


def get_chart(days: list[metrics.CashDay], modes: list[str], currency: str) -> dict:
	return {
		"data": {
			"labels": [frappe.format(day.day, {"fieldtype": "Date"}) for day in days],
			"datasets": [
				{
					"name": mode,
					"chartType": "bar",
					"values": [float(d.receipts_by_mode.get(mode, 0)) for d in days],
				}
				for mode in modes
			]
			+ [{"name": _("Closing"), "chartType": "line", "values": [float(d.closing) for d in days]}],
		},
		"type": "axis-mixed",
		"barOptions": {"stacked": 1},
		"fieldtype": "Currency",
		"options": currency,
	}


def get_summary(days: list[metrics.CashDay], currency: str) -> list[dict]:
	if not days:
		return []
	received = sum((d.receipts for d in days), metrics.ZERO)
	other = sum((d.other_movements for d in days), metrics.ZERO)
	summary = [
		{"value": days[0].opening, "label": _("Opening"), "datatype": "Currency", "currency": currency},
		{
			"value": received,
			"label": _("Received"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Green",
		},
		{"value": other, "label": _("Other Movements"), "datatype": "Currency", "currency": currency},
		{
			"value": days[-1].closing,
			"label": _("Closing"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Blue",
		},
	]
	if days[-1].stripe_pending is not None:
		summary.append(
			{
				"value": days[-1].stripe_pending,
				"label": _("Stripe Pending"),
				"datatype": "Currency",
				"currency": currency,
				"indicator": "Orange",
			}
		)
	return summary
