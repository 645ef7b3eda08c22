"""Orders as outcomes for the sidecar's learning: each customer's first order, and the first order after each
lead handoff recorded for it. Two statements for any page size (window functions), never a document load.

Contract
- An order is a submitted Sales Order (dated by transaction_date) or a submitted Sales Invoice that is not a
  return (posting_date), of a company keeping its books in the feed's currency; its amount is base_net_total
  (company currency, before taxes: the deal value). Orders are ranked by (date, creation, doctype, name), so
  an invoice made from an order the same day ranks after it and "first" is one exact document.
- `first_orders(match, params)` -> {customer: {"first_order": order | None, "handoff_orders": [...]}} where
  an order is {"doctype", "name", "date", "amount"} and each handoff row is {"handoff_key", "handed_off_at",
  "first_order": order | None}: the first order created at or after the handoff's moment and dated on or
  after its day (an order back-dated before the handoff is not its outcome). Every recorded handoff of the
  customer is listed (newest first), with None while no order followed it, so the sidecar can tell "not yet"
  from "not reported". `match(column)` is the page's SQL condition (IN list or name range) over `params`,
  which also carries `currency`.
The handoffs are RevOps Lead Handoff records (revops/handoffs.py); a new one, a Sales Order or a Sales Invoice
moves the customer's effective modified (pages.py), so the record is served again when its answer changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import frappe
from frappe.utils import getdate

from revops_app.revops.signals.pages import _customer_index_hint

HANDOFF = "RevOps Lead Handoff"  # revops.handoffs.HANDOFF_DOCTYPE
ORDER_RANK = "od.order_date, od.creation, od.order_doctype, od.name"


def _orders_sql(match: Callable[[str], str]) -> str:
	return f"""
		SELECT 'Sales Order' AS order_doctype, so.name, so.customer, so.transaction_date AS order_date,
			so.creation, so.base_net_total AS amount
		FROM `tabSales Order` so {_sales_order_index_hint()} JOIN `tabCompany` co ON co.name = so.company
		WHERE so.docstatus = 1 AND {match("so.customer")} AND co.default_currency = %(currency)s
		UNION ALL
		SELECT 'Sales Invoice', si.name, si.customer, si.posting_date, si.creation, si.base_net_total
		FROM `tabSales Invoice` si {_customer_index_hint()} JOIN `tabCompany` co ON co.name = si.company
		WHERE si.docstatus = 1 AND si.is_return = 0 AND {match("si.customer")}
			AND co.default_currency = %(currency)s"""


_sales_order_index: dict[str, bool] = {}


def _sales_order_index_hint() -> str:
	"""`FORCE INDEX (customer)` on MariaDB when ERPNext's index on Sales Order.customer exists: for an IN list
	of more than 200 names MariaDB plans from index statistics and may scan the table (pages.py says why)."""
	if frappe.db.db_type != "mariadb":
		return ""
	site = getattr(frappe.local, "site", "") or ""
	if site not in _sales_order_index:
		_sales_order_index[site] = bool(frappe.db.has_index("tabSales Order", "customer"))
	return "FORCE INDEX (customer)" if _sales_order_index[site] else ""


def _order(row: dict[str, Any]) -> dict[str, Any] | None:
	if not row.get("order_name"):
		return None
	return {
		"doctype": row["order_doctype"],
		"name": row["order_name"],
		"date": getdate(row["order_date"]).isoformat(),
		"amount": round(float(row["amount"] or 0), 2),
	}


def first_orders(match: Callable[[str], str], params: dict[str, Any]) -> dict[str, dict[str, Any]]:
	sql = frappe.db.sql
	orders = _orders_sql(match)
	out: dict[str, dict[str, Any]] = {}
	for row in sql(
		f"""
		SELECT ranked.customer, ranked.order_doctype, ranked.name AS order_name, ranked.order_date, ranked.amount
		FROM (
			SELECT od.*, ROW_NUMBER() OVER (PARTITION BY od.customer ORDER BY {ORDER_RANK}) AS n
			FROM ({orders}) od
		) ranked
		WHERE ranked.n = 1
		""",
		params,
		as_dict=True,
	):
		out[row["customer"]] = {"first_order": _order(row), "handoff_orders": []}
	for row in sql(
		f"""
		SELECT ranked.handoff_key, ranked.handed_off_at, ranked.customer, ranked.order_doctype,
			ranked.order_name, ranked.order_date, ranked.amount
		FROM (
			SELECT lh.name AS handoff_key, lh.handed_off_at, lh.customer, od.order_doctype,
				od.name AS order_name, od.order_date, od.amount,
				ROW_NUMBER() OVER (PARTITION BY lh.name ORDER BY {ORDER_RANK}) AS n
			FROM `tab{HANDOFF}` lh
			LEFT JOIN ({orders}) od ON od.customer = lh.customer AND od.creation >= lh.handed_off_at
				AND od.order_date >= DATE(lh.handed_off_at)
			WHERE {match("lh.customer")}
		) ranked
		WHERE ranked.n = 1
		ORDER BY ranked.handed_off_at DESC, ranked.handoff_key
		""",
		params,
		as_dict=True,
	):
		entry = out.setdefault(row["customer"], {"first_order": None, "handoff_orders": []})
		entry["handoff_orders"].append(
			{
				"handoff_key": row["handoff_key"],
				"handed_off_at": str(row["handed_off_at"]),
				"first_order": _order(row),
			}
		)
	return out
