"""Dunning facts: one SQL statement reads what the engine and the sender need about open invoices.

Contract
- `collect_facts(on, policy_set, company, customer, invoices)` reads every open invoice that any policy could
  remind on day `on` with ONE SQL statement (invoice + customer + pay link + logged reminders, folded per
  invoice), no per-invoice get_doc. It returns the engine's `InvoiceFacts` plus the rows the sender prints
  (`InvoiceRow`, `CustomerRow`); it reads only.
- A pay link that Stripe reports paid counts as nothing outstanding (the Payment Entry is on its way).
- Invoices with a payment schedule (two or more Payment Schedule rows) are read once one of their
  instalments could be reminded (the invoice's own due_date is the last instalment's); the statement's
  reminder rows are the whole-invoice ones (instalment 0). `collect_instalments(facts)` then reads their
  schedules and per-instalment reminder rows in two set-based statements and expands them
  (`core.collections.dunning.instalments`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import frappe
from frappe.utils import add_days, cint, flt, getdate

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import instalments as schedules
from revops_app.core.collections.dunning import instalments as per_instalment
from revops_app.core.gateway.paylinks import LinkStatus
from revops_app.core.gateway.routing import LinkState
from revops_app.revenue_collections.constants import (
	CUSTOMER_DUNNING_POLICY_FIELD,
	CUSTOMER_OPT_OUT_FIELD,
	CUSTOMER_PAUSED_UNTIL_FIELD,
	DUNNING_REMINDER_DOCTYPE,
)
from revops_app.revenue_collections.dunning.policies import PolicySet

PAYMENT_LINK_TABLE = "RevOps Payment Link"


@dataclass
class InvoiceRow:
	"""What the sender needs beyond the engine's facts (addresses, amounts to print, the pay URL)."""

	name: str
	customer: str
	customer_name: str
	company: str
	posting_date: date
	due_date: date
	currency: str
	grand_total: float
	outstanding: float
	contact_email: str | None
	pay_url: str | None
	language: str | None


@dataclass
class CustomerRow:
	name: str
	customer_name: str
	email: str | None
	account_manager: str | None
	state: engine.CustomerState


def collect_facts(
	on: date,
	policy_set: PolicySet,
	company: str | None = None,
	customer: str | None = None,
	invoices: Iterable[str] | None = None,
) -> tuple[list[engine.InvoiceFacts], dict[str, InvoiceRow], dict[str, CustomerRow]]:
	"""One statement: open submitted invoices any step could reach on `on`, with customer, pay link and
	logged reminders (one row per logged reminder, folded here)."""
	offsets = [offset for policy in policy_set.policies.values() for offset in policy.offsets]
	# An invoice is only interesting once due_date + earliest offset <= on.
	latest_due = add_days(on, -min(offsets)) if offsets else on
	conditions = ""
	params: dict[str, Any] = {"latest_due": latest_due, "company": company, "customer": customer}
	if company:
		conditions += " AND si.company = %(company)s"
	if customer:
		conditions += " AND si.customer = %(customer)s"
	if invoices is not None:
		params["invoices"] = tuple(invoices) or ("",)
		conditions += " AND si.name IN %(invoices)s"
	rows = frappe.db.sql(
		f"""
		SELECT si.name AS invoice, si.customer AS customer, si.company AS company,
			si.posting_date AS posting_date, si.due_date AS due_date, si.currency AS currency,
			si.party_account_currency AS party_currency, si.outstanding_amount AS outstanding,
			CASE WHEN si.party_account_currency = si.currency OR si.party_account_currency IS NULL
				THEN COALESCE(NULLIF(si.rounded_total, 0), si.grand_total)
				ELSE COALESCE(NULLIF(si.base_rounded_total, 0), si.base_grand_total) END AS total,
			si.contact_email AS contact_email, si.language AS language,
			c.customer_name AS customer_name, c.customer_group AS customer_group, c.email_id AS customer_email,
			c.account_manager AS account_manager, c.{CUSTOMER_DUNNING_POLICY_FIELD} AS own_policy,
			c.{CUSTOMER_PAUSED_UNTIL_FIELD} AS paused_until, c.{CUSTOMER_OPT_OUT_FIELD} AS opted_out,
			pl.url AS pay_url, pl.status AS link_status, pl.link_state AS link_state,
			pl.view_count AS view_count, pl.first_viewed_at AS first_viewed_at, pl.disputed AS disputed,
			r.policy AS logged_policy, r.step AS logged_step, r.outcome AS logged_outcome,
			r.attempts AS logged_attempts
		FROM `tabSales Invoice` si
		JOIN `tabCustomer` c ON c.name = si.customer
		LEFT JOIN `tab{PAYMENT_LINK_TABLE}` pl ON pl.sales_invoice = si.name
			AND COALESCE(pl.status, '') != 'Cancelled'
		LEFT JOIN `tab{DUNNING_REMINDER_DOCTYPE}` r ON r.sales_invoice = si.name
			AND COALESCE(r.instalment, 0) = 0
		WHERE si.docstatus = 1 AND si.is_return = 0 AND si.outstanding_amount > 0
			AND (si.due_date <= %(latest_due)s OR EXISTS (
				SELECT 1 FROM `tabPayment Schedule` ps WHERE ps.parent = si.name
					AND ps.parenttype = 'Sales Invoice' AND ps.due_date <= %(latest_due)s
			)){conditions}
		ORDER BY si.name
		""",
		params,
		as_dict=True,
	)
	facts: list[engine.InvoiceFacts] = []
	details: dict[str, InvoiceRow] = {}
	customers: dict[str, CustomerRow] = {}
	current: engine.InvoiceFacts | None = None
	logged: list[engine.LoggedStep] = []
	for row in rows:
		if current is None or current.invoice != row.invoice:
			if current is not None:
				current.logged = tuple(logged)
			logged = []
			current = _facts(row)
			facts.append(current)
			details[row.invoice] = _invoice_row(row)
			if row.customer not in customers:
				customers[row.customer] = _customer_row(row, policy_set)
		if row.logged_step:
			step = engine.LoggedStep(
				row.logged_policy or "", row.logged_step, row.logged_outcome, cint(row.logged_attempts) or 1
			)
			if step not in logged:
				logged.append(step)
	if current is not None:
		current.logged = tuple(logged)
	return facts, details, customers


def _link_flags(row: Any) -> tuple[bool, bool, bool]:
	"""(disputed, viewed, last payment failed) from the invoice's pay link (one per invoice: the
	link's sales_invoice is unique), as the Stripe worker and the pay page write it."""
	return (
		bool(cint(row.disputed) or row.link_state == LinkState.DISPUTED),
		bool(cint(row.view_count) > 0 or row.first_viewed_at or row.link_state == LinkState.VIEWED),
		row.link_state == LinkState.PAYMENT_FAILED,
	)


def _facts(row: Any) -> engine.InvoiceFacts:
	disputed, viewed, failed = _link_flags(row)
	outstanding = flt(row.outstanding)
	if row.link_status == LinkStatus.PAID or row.link_state == LinkState.PAID:
		# Stripe says paid and the Payment Entry is on its way: never dun in that gap.
		outstanding = 0.0
	return engine.InvoiceFacts(
		invoice=row.invoice,
		customer=row.customer,
		due_date=getdate(row.due_date),
		outstanding=outstanding,
		grand_total=flt(row.total),
		currency=row.party_currency or row.currency,
		disputed=disputed,
		link_viewed=viewed,
		last_payment_failed=failed,
	)


def _invoice_row(row: Any) -> InvoiceRow:
	return InvoiceRow(
		name=row.invoice,
		customer=row.customer,
		customer_name=row.customer_name or row.customer,
		company=row.company,
		posting_date=getdate(row.posting_date),
		due_date=getdate(row.due_date),
		currency=row.party_currency or row.currency,
		grand_total=flt(row.total),
		outstanding=flt(row.outstanding),
		contact_email=row.contact_email,
		pay_url=row.pay_url,
		language=row.language,
	)


def _customer_row(row: Any, policy_set: PolicySet) -> CustomerRow:
	return CustomerRow(
		name=row.customer,
		customer_name=row.customer_name or row.customer,
		email=row.customer_email,
		account_manager=row.account_manager,
		state=engine.CustomerState(
			policy=policy_set.policy_for(row.own_policy, row.customer_group),
			paused_until=getdate(row.paused_until) if row.paused_until else None,
			opted_out=bool(cint(row.opted_out)),
		),
	)


Expanded = list[tuple[schedules.Instalment, engine.InvoiceFacts]]


def collect_instalments(facts: list[engine.InvoiceFacts]) -> dict[str, Expanded]:
	"""invoice -> its unpaid instalments with their own InvoiceFacts, for invoices with a payment schedule
	of two or more rows (two statements: the schedules, the per-instalment reminder rows)."""
	outstanding = {f.invoice: f.outstanding for f in facts}
	if not outstanding:
		return {}
	rows = frappe.db.sql(
		"""SELECT ps.parent, ps.idx, ps.due_date, ps.payment_amount, ps.paid_amount, ps.outstanding,
			ps.base_payment_amount, ps.base_paid_amount, ps.base_outstanding,
			(si.party_account_currency IS NOT NULL AND si.party_account_currency != si.currency) AS in_base
		FROM `tabPayment Schedule` ps
		JOIN `tabSales Invoice` si ON si.name = ps.parent
		WHERE ps.parenttype = 'Sales Invoice' AND ps.parent IN (
			SELECT parent FROM `tabPayment Schedule`
			WHERE parenttype = 'Sales Invoice' AND parent IN %(invoices)s
			GROUP BY parent HAVING COUNT(*) >= 2
		)
		ORDER BY ps.parent, ps.idx""",
		{"invoices": tuple(outstanding)},
		as_dict=True,
	)
	by_invoice: dict[str, list[schedules.ScheduleRow]] = {}
	for row in rows:
		# amounts in the receivable's currency, as the invoice's outstanding_amount is
		prefix = "base_" if cint(row.in_base) else ""
		owed = row.get(prefix + "outstanding")
		by_invoice.setdefault(row.parent, []).append(
			schedules.ScheduleRow(
				idx=cint(row.idx),
				due_date=getdate(row.due_date),
				payment_amount=flt(row.get(prefix + "payment_amount")),
				paid_amount=flt(row.get(prefix + "paid_amount")),
				outstanding=None if owed is None else flt(owed),
			)
		)
	scheduled = {name: rows for name, rows in by_invoice.items() if schedules.has_instalments(rows)}
	if not scheduled:
		return {}
	logged: dict[str, dict[int, list[engine.LoggedStep]]] = {}
	for row in frappe.db.sql(
		f"""SELECT sales_invoice, instalment, policy, step, outcome, attempts
		FROM `tab{DUNNING_REMINDER_DOCTYPE}`
		WHERE sales_invoice IN %(invoices)s AND instalment > 0""",
		{"invoices": tuple(scheduled)},
		as_dict=True,
	):
		steps = logged.setdefault(row.sales_invoice, {}).setdefault(cint(row.instalment), [])
		steps.append(engine.LoggedStep(row.policy or "", row.step, row.outcome, cint(row.attempts) or 1))
	expanded: dict[str, Expanded] = {}
	for item in facts:
		if item.invoice not in scheduled:
			continue
		# A pay link Stripe reports paid has outstanding 0 here: every instalment is then paid.
		schedule = schedules.instalments(scheduled[item.invoice], item.outstanding)
		expanded[item.invoice] = per_instalment.instalment_facts(item, schedule, logged.get(item.invoice, {}))
	return expanded
