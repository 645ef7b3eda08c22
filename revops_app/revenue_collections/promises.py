"""Promises to pay (RevOps Payment Promise): recorded from the pay pages or by a collector, resolved daily.

Contract (rules in `revops_app.core.collections.promises`; this module reads, writes and translates)
- `record_promise(customer, company, currency, invoices, promised_date, source=...)` validates (the invoices
  are open, of that customer, company and currency, not already promised; the date is inside
  `promise_window(customer)`) and raises `frappe.ValidationError` with a plain sentence otherwise, writing
  nothing. On success it writes the promise, an Info Comment on the Customer and a ToDo on the Customer for
  the collector (the policy's collector, else the account manager, else the Accounts Manager role) and
  returns the promise's name. It never commits (the request or job does). The invoice rows are locked
  (SELECT ... FOR UPDATE) and the promises already made read with a locking read, so two racing promises
  for one invoice cannot both pass.
- `promise_window(customer)` -> (earliest, latest) or None when the customer's dunning policy does not
  allow promises (or the customer follows no policy).
- `open_promise(customer, company)` -> {name, promised_date, amount, currency, invoices, source} of the Open
  promise still running today, else None.
- Resolution (Open -> Kept / Broken, daily): `revenue_collections.promise_resolution`.
- `load_promises(invoices, statuses)` -> [core Promise] covering those invoices (default: Open ones), with
  the day each was made (creation) and resolved (resolved_on), for
  dunning and the pages.
- `validate_promise_doc(doc)`: the DocType controller's checks (desk-made promises by a collector).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, flt, fmt_money, formatdate, getdate, today

from revops_app.core.collections import promises as rules
from revops_app.customer_experience.timeline import add_timeline_comment
from revops_app.revenue_collections.constants import (
	CUSTOMER_DUNNING_POLICY_FIELD,
	PROMISE_DOCTYPE,
	PROMISE_INVOICE_DOCTYPE,
)
from revops_app.revenue_collections.dunning.policies import load_policies
from revops_app.revops.constants import ROLE_ACCOUNTS_MANAGER


def _refuse(message: str) -> None:
	frappe.throw(message, frappe.ValidationError, title=_("Promise not recorded"))


# --- the customer's policy -------------------------------------------------------------------------


def customer_policy(customer: str) -> tuple[str | None, rules.PromiseRule | None, str | None]:
	"""(policy name, its promise rule, the collector) for a customer; (None, None, manager) without one."""
	row = frappe.db.get_value(
		"Customer",
		customer,
		["customer_group", "account_manager", CUSTOMER_DUNNING_POLICY_FIELD],
		as_dict=True,
	)
	if not row:
		return None, None, None
	policy_set = load_policies()
	name = policy_set.policy_for(row.get(CUSTOMER_DUNNING_POLICY_FIELD), row.customer_group)
	if not name or name not in policy_set.policies:
		return None, None, row.account_manager
	return name, policy_set.promise_rules[name], policy_set.collectors.get(name) or row.account_manager


def promise_window(customer: str) -> tuple[date, date] | None:
	"""The dates the customer may promise today, or None when its policy does not allow promises."""
	_name, rule, _collector = customer_policy(customer)
	if rule is None:
		return None
	return rules.promise_window(getdate(today()), rule.allowed, rule.max_days)


# --- reading promises ------------------------------------------------------------------------------


def load_promises(
	invoices: Iterable[str] | None = None,
	statuses: Sequence[str] = (rules.PromiseStatus.OPEN,),
	*,
	for_update: bool = False,
) -> list[rules.Promise]:
	"""Promises in `statuses` covering any of `invoices` (None = all), each with all its invoices.
	`for_update`: locking reads, which see what other transactions committed since this one began (a
	subquery inside a locking read would still read the snapshot, so the promise names come first)."""
	lock = " FOR UPDATE" if for_update else ""
	params: dict[str, Any] = {"statuses": tuple(statuses), "parenttype": PROMISE_DOCTYPE}
	condition = ""
	if invoices is not None:
		parents = frappe.db.sql(
			f"""SELECT parent FROM `tab{PROMISE_INVOICE_DOCTYPE}`
			WHERE parenttype = %(parenttype)s AND sales_invoice IN %(invoices)s{lock}""",
			{"parenttype": PROMISE_DOCTYPE, "invoices": tuple(invoices) or ("",)},
		)
		if not parents:
			return []
		params["names"] = tuple(sorted({row[0] for row in parents}))
		condition = " AND pr.name IN %(names)s"
	rows = frappe.db.sql(
		f"""SELECT pr.name, pr.status, pr.promised_date, pr.creation, pr.resolved_on, pi.sales_invoice
		FROM `tab{PROMISE_DOCTYPE}` pr
		JOIN `tab{PROMISE_INVOICE_DOCTYPE}` pi ON pi.parent = pr.name AND pi.parenttype = %(parenttype)s
		WHERE pr.status IN %(statuses)s{condition}
		ORDER BY pr.name, pi.idx{lock}""",
		params,
		as_dict=True,
	)
	found: dict[str, tuple[Any, list[str]]] = {}
	for row in rows:
		found.setdefault(row.name, (row, []))[1].append(row.sales_invoice)
	return [
		rules.Promise(
			name,
			row.status,
			getdate(row.promised_date),
			tuple(names),
			created_on=getdate(row.creation),
			resolved_on=getdate(row.resolved_on) if row.resolved_on else None,
		)
		for name, (row, names) in found.items()
	]


def open_promise(customer: str, company: str) -> dict | None:
	"""The Open promise of this customer and company still running today (for the pages), else None."""
	rows = frappe.get_all(
		PROMISE_DOCTYPE,
		filters={
			"customer": customer,
			"company": company,
			"status": rules.PromiseStatus.OPEN,
			"promised_date": (">=", today()),
		},
		fields=["name", "promised_date", "amount", "currency", "source"],
		order_by="promised_date desc, name desc",
		limit=1,
	)
	if not rows:
		return None
	row = rows[0]
	invoices = frappe.get_all(
		PROMISE_INVOICE_DOCTYPE,
		filters={"parent": row.name, "parenttype": PROMISE_DOCTYPE},
		pluck="sales_invoice",
		order_by="idx",
	)
	return {
		"name": row.name,
		"promised_date": getdate(row.promised_date),
		"amount": flt(row.amount),
		"currency": row.currency,
		"invoices": invoices,
		"source": row.source,
	}


# --- recording -------------------------------------------------------------------------------------


def _promisable(invoices: Sequence[str]) -> list[tuple[rules.PromisableInvoice, float]]:
	"""The requested invoices, locked for the rest of the transaction, as the core checks see them."""
	rows = frappe.db.sql(
		"""SELECT name, customer, company, docstatus, is_return, due_date, outstanding_amount,
			COALESCE(NULLIF(party_account_currency, ''), currency) AS currency
		FROM `tabSales Invoice` WHERE name IN %(names)s FOR UPDATE""",
		{"names": tuple(invoices) or ("",)},
		as_dict=True,
	)
	return [
		(
			rules.PromisableInvoice(
				name=row.name,
				customer=row.customer,
				company=row.company,
				currency=row.currency,
				outstanding=flt(row.outstanding_amount),
				docstatus=cint(row.docstatus),
				is_return=bool(cint(row.is_return)),
				due_date=getdate(row.due_date) if row.due_date else None,
			),
			flt(row.outstanding_amount),
		)
		for row in rows
	]


def record_promise(
	customer: str,
	company: str,
	currency: str,
	invoices: list[str],
	promised_date: date,
	*,
	source: str,
) -> str:
	"""Validate and write one promise with its Comment and ToDo (module docstring); returns its name."""
	if source not in rules.PromiseSource.ALL:
		_refuse(_("Unknown promise source {0}").format(source))
	invoices = [str(name) for name in invoices or []]
	_name, rule, collector = customer_policy(customer)
	window = rules.promise_window(getdate(today()), rule.allowed, rule.max_days) if rule else None
	error = rules.date_error(getdate(promised_date) if promised_date else None, window)
	if error:
		_refuse(error)
	found = _promisable(invoices)
	# Only a promise still running blocks a new one (one past its date is about to be resolved as broken).
	# A locking read: a racing request that held the invoice locks first has committed its promise by now,
	# and a plain read would still see this transaction's older snapshot (REPEATABLE READ).
	promised = set(rules.promised_until(load_promises(invoices, for_update=True), getdate(today())))
	errors = rules.invoice_errors([row for row, _ in found], invoices, customer, company, currency, promised)
	if errors:
		_refuse(" ".join(errors))
	by_name = {row.name: row for row, _ in found}
	doc = frappe.get_doc(
		{
			"doctype": PROMISE_DOCTYPE,
			"customer": customer,
			"company": company,
			"currency": currency,
			"promised_date": getdate(promised_date),
			"status": rules.PromiseStatus.OPEN,
			"source": source,
			"amount": sum(by_name[name].outstanding for name in invoices),
			"invoices": [
				{
					"sales_invoice": name,
					"outstanding_amount": by_name[name].outstanding,
					"due_date": by_name[name].due_date,
				}
				for name in invoices
			],
		}
	)
	doc.insert(ignore_permissions=True)
	text = _promise_text(doc)
	add_timeline_comment("Customer", customer, text)
	todo = _collector_todo(doc, text, collector)
	doc.db_set("todo", todo, update_modified=False)
	return doc.name


def _promise_text(doc: Any) -> str:
	return _("{0} promised to pay {1} ({2}) by {3} ({4}, {5}).").format(
		doc.customer,
		", ".join(row.sales_invoice for row in doc.invoices),
		fmt_money(doc.amount, currency=doc.currency),
		formatdate(doc.promised_date),
		doc.source,
		doc.name,
	)


def _collector_todo(doc: Any, text: str, collector: str | None) -> str:
	"""A ToDo on the Customer for the collector (nobody named: the Accounts Managers' role)."""
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": collector,
			"role": None if collector else ROLE_ACCOUNTS_MANAGER,
			"description": _("{0} Dunning pauses for these invoices until then; check on {1}.").format(
				text, formatdate(doc.promised_date)
			),
			"reference_type": "Customer",
			"reference_name": doc.customer,
			"priority": "Medium",
			"date": doc.promised_date,
			"assigned_by": "Administrator",
		}
	)
	todo.insert(ignore_permissions=True)
	return todo.name


def validate_promise_doc(doc: Any) -> None:
	"""RevOps Payment Promise.validate: one row per invoice, a known status, resolved_on on resolution,
	the amount and the rows' outstanding / due date filled from the invoices when a collector left them."""
	names = [row.sales_invoice for row in doc.get("invoices") or []]
	if len(set(names)) != len(names):
		frappe.throw(_("An invoice is listed twice."))
	if doc.status not in rules.PromiseStatus.ALL:
		frappe.throw(_("Unknown status {0}").format(doc.status))
	if doc.status in rules.PromiseStatus.FINAL and not doc.resolved_on:
		doc.resolved_on = today()
	if doc.status == rules.PromiseStatus.OPEN:
		doc.resolved_on = None
	if not doc.source:
		doc.source = rules.PromiseSource.COLLECTOR
	for row in doc.get("invoices") or []:
		if row.outstanding_amount in (None, "") or not row.due_date:
			values = frappe.db.get_value(
				"Sales Invoice", row.sales_invoice, ["outstanding_amount", "due_date"], as_dict=True
			)
			if values:
				if row.outstanding_amount in (None, ""):
					row.outstanding_amount = values.outstanding_amount
				row.due_date = row.due_date or values.due_date
	if not flt(doc.amount):
		doc.amount = sum(flt(row.outstanding_amount) for row in doc.get("invoices") or [])
