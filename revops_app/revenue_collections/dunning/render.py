"""Dunning rendering: the Jinja context of one consolidated message, its Email Template and its recipients.

Contract: reads only (the cached Email Template); `render` raises what the template raises, so the preview can
show a broken template and the sender can record it as a failure.

Template context (Jinja, the Email Template's subject and body; see README "Dunning"):
  customer          {name, customer_name, email}
  invoices          list of {name, posting_date, due_date, due_date_formatted, currency, grand_total,
                    outstanding_amount, outstanding_formatted, days_overdue, pay_url, instalment}, oldest
                    due first. For an invoice with a payment schedule reminded for one instalment,
                    `instalment` is {number, due_date, due_date_formatted, amount, amount_formatted} (what
                    that instalment still owes) and due_date / days_overdue are the instalment's; else None
  invoices_label    "invoice SINV-0001" or "3 invoices" (for subjects)
  invoice           the first of `invoices` (single-invoice templates); also flattened as
                    outstanding_amount, currency, due_date, due_date_formatted, days_overdue, pay_url
  totals            list of {currency, amount, formatted}: outstanding per currency
  company, step, policy, run_date
"""

from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, fmt_money, formatdate

from revops_app.core.collections import dunning as engine
from revops_app.core.collections.instalments import Instalment
from revops_app.revenue_collections.dunning.plan import Plan


def template_context(message: engine.Message, the_plan: Plan) -> dict[str, Any]:
	customer = the_plan.customers[message.customer]
	invoices = []
	totals: dict[str, float] = {}
	for decision in sorted(
		message.decisions, key=lambda d: (the_plan.invoices[d.invoice].due_date, d.invoice)
	):
		row = the_plan.invoices[decision.invoice]
		inst = the_plan.instalment_for(decision)
		due_date = inst.due_date if inst else row.due_date
		invoices.append(
			{
				"name": row.name,
				"posting_date": row.posting_date,
				"due_date": due_date,
				"due_date_formatted": formatdate(due_date),
				"instalment": _instalment(inst, row.currency),
				"currency": row.currency,
				"grand_total": row.grand_total,
				"outstanding_amount": row.outstanding,
				"outstanding_formatted": fmt_money(row.outstanding, currency=row.currency),
				"days_overdue": decision.days_overdue,
				"pay_url": row.pay_url,
			}
		)
		totals[row.currency] = totals.get(row.currency, 0.0) + row.outstanding
	first = invoices[0]
	return {
		"customer": {"name": customer.name, "customer_name": customer.customer_name, "email": customer.email},
		"invoices": invoices,
		"invoice": first,
		# "invoice SINV-0001" or "3 invoices": short enough for a subject line (Email Template subjects
		# hold 140 characters of Jinja)
		"invoices_label": _("invoice {0}").format(first["name"])
		if len(invoices) == 1
		else _("{0} invoices").format(len(invoices)),
		"outstanding_amount": first["outstanding_amount"],
		"currency": first["currency"],
		"due_date": first["due_date"],
		"due_date_formatted": first["due_date_formatted"],
		"days_overdue": first["days_overdue"],
		"pay_url": first["pay_url"],
		"totals": [
			{"currency": cur, "amount": amount, "formatted": fmt_money(amount, currency=cur)}
			for cur, amount in sorted(totals.items())
		],
		"company": the_plan.invoices[first["name"]].company,
		"step": message.step.name,
		"policy": message.policy,
		"run_date": the_plan.on,
		# True while the customer is in service recovery and the policy softens (core.collections.dunning_cx)
		"softened": message.customer in the_plan.cx_notes,
	}


def _instalment(inst: Instalment | None, currency: str) -> dict[str, Any] | None:
	if inst is None:
		return None
	return {
		"number": inst.index,
		"due_date": inst.due_date,
		"due_date_formatted": formatdate(inst.due_date),
		"amount": inst.outstanding,
		"amount_formatted": fmt_money(inst.outstanding, currency=currency),
	}


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
	"""(subject, HTML body) of an Email Template rendered over `context`."""
	doc = frappe.get_cached_doc("Email Template", template)
	body = doc.response_html if cint(doc.use_html) else doc.response
	return (
		frappe.render_template(doc.subject or "", context).strip(),
		frappe.render_template(body or "", context),
	)


def recipients_for(message: engine.Message, the_plan: Plan) -> list[str]:
	"""The invoices' contact emails, else the customer's primary email."""
	emails: list[str] = []
	for invoice in message.invoices:
		email = (the_plan.invoices[invoice].contact_email or "").strip()
		if email and email not in emails:
			emails.append(email)
	if not emails and the_plan.customers[message.customer].email:
		emails.append(the_plan.customers[message.customer].email.strip())
	return emails
