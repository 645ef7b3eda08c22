"""Demo data for the desk screenshots (capture_desk.py): made through ERPNext's and the app's own APIs, removed after.

Contract
- `make_demo(masters, demo)` (masters = revops_app.tests.stripe_bench.ensure_masters()): a Customer Group
  "RevOps Demo Accounts" with five customers; for each, Sales Invoices of the test company (the bench
  tests' `make_invoice`, due 30 days after posting, so older ones are overdue), Payment Entries from
  ERPNext's `get_payment_entry` (wire, card into the Stripe clearing account, cash; some partial), one
  Stripe payout (Internal Transfer clearing -> payout bank), pay-link states (Sent, Viewed with views,
  Payment Failed, Not Sent), a Contract ending in 45 days, and survey responses through the ingest API
  `revops_app.api.cx.ingest_responses` with the CX rules on (a falling NPS to a detractor, which raises a
  service-recovery Issue and flags churn risk; promoters). Fills `demo` (customers, invoices, ingest
  results) as it goes. Commits.
- `remove_demo()`: deletes every document `make_demo` made, also after a failure half-way (found by the
  Customer Group and the response source) (the company's transactions through the bench tests'
  `purge_company_transactions`, then responses, Issues, their ToDos and Comments, the Contract, tags, the
  customers and the group). Commits.
"""

from __future__ import annotations

from typing import Any

GROUP = "RevOps Demo Accounts"
SOURCE = "revops-demo"
CHURN = "Alder & Finch Ltd"
PROMOTER = "Evergreen Health"
# customer -> invoices (amount, days ago posted, payments [(amount or None = in full, days ago, mode)], link)
LEDGER: dict[str, list[tuple[float, int, list, tuple]]] = {
	CHURN: [
		(4800, 150, [(None, 118, "Wire Transfer")], ()),
		(5200, 95, [], ("Viewed", 3)),
		(2600, 20, [], ("Sent", 0)),
	],
	"Brightwater Media": [
		(12500, 200, [(None, 160, "Credit Card")], ()),
		(9800, 128, [], ("Viewed", 1)),
		(3100, 40, [(1000, 0, "Credit Card")], ("Viewed", 4)),
	],
	"Cobalt Systems": [
		(2150, 60, [(None, 25, "Wire Transfer")], ()),
		(7400, 45, [], ("Payment Failed", 2)),
		(1890, 10, [], ("Viewed", 1)),
	],
	"Dunmore Logistics": [
		(3600, 75, [(None, 50, "Cash")], ()),
		(4450, 70, [], ("Viewed", 2)),
		(980, 1, [], ()),
	],
	PROMOTER: [
		(6000, 100, [(None, 72, "Credit Card")], ()),
		(6000, 40, [(None, 12, "Credit Card")], ()),
		(6000, 0, [], ("Sent", 0)),
	],
}
# customer -> survey answers (external id, metric, score, days ago, comment, scale or None, tied to invoice #)
ANSWERS = {
	CHURN: [
		("af-1", "NPS", 9, 120, "Onboarding was smooth, great team.", None, None),
		("af-2", "CSAT", 4, 60, "Invoice was clear.", (1, 5), 0),
		("af-3", "NPS", 7, 35, "Support replies are getting slower.", None, None),
		("af-4", "CES", 5, 8, "Setting up the integration was straightforward.", (1, 7), None),
		("af-5", "NPS", 2, 6, "Two weeks without an answer on our outage ticket.", None, None),
	],
	PROMOTER: [
		("eg-1", "NPS", 9, 70, "Reliable and easy to work with.", None, None),
		("eg-2", "NPS", 10, 9, "Best vendor we have this year.", None, None),
	],
	"Cobalt Systems": [("cs-1", "CSAT", 2, 14, "Card checkout kept failing.", (1, 5), 1)],
	"Dunmore Logistics": [("dl-1", "NPS", 8, 30, "Good service, invoices could be clearer.", None, None)],
}


def _customer(name: str) -> str:
	import frappe

	return (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": GROUP,
				"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def _receive(invoice: str, amount: float | None, days: int, mode: str, masters: dict) -> str:
	import frappe
	from frappe.utils import add_days, nowdate

	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	account = {"Credit Card": masters["clearing"], "Cash": masters["cash"]}.get(mode, masters["bank"])
	posted = add_days(nowdate(), -days)
	pe = get_payment_entry("Sales Invoice", invoice, party_amount=amount, bank_account=account)
	pe.update({"posting_date": posted, "reference_date": posted, "mode_of_payment": mode, "paid_to": account})
	pe.reference_no = f"DEMO-{invoice}-{days}"
	pe.mode_of_payment = mode if frappe.db.exists("Mode of Payment", mode) else None
	pe.insert(ignore_permissions=True)
	pe.submit()
	return pe.name


def _payout(masters: dict, amount: float, days: int) -> None:
	import frappe
	from frappe.utils import add_days, nowdate

	from revops_app.tests.stripe_bench import COMPANY

	posted = add_days(nowdate(), -days)
	frappe.get_doc(
		{
			"doctype": "Payment Entry",
			"payment_type": "Internal Transfer",
			"company": COMPANY,
			"posting_date": posted,
			"paid_from": masters["clearing"],
			"paid_to": masters["bank"],
			"paid_amount": amount,
			"received_amount": amount,
			"source_exchange_rate": 1,
			"target_exchange_rate": 1,
			"reference_no": f"po_demo_{days}",
			"reference_date": posted,
		}
	).insert(ignore_permissions=True).submit()


def _link_state(invoice: str, state: str, views: int, days: int) -> None:
	import frappe
	from frappe.utils import add_to_date, now_datetime

	from revops_app.revenue_collections.constants import PAYMENT_LINK_DOCTYPE

	name = frappe.db.get_value(PAYMENT_LINK_DOCTYPE, {"sales_invoice": invoice})
	if not name:
		raise RuntimeError(f"no pay link for {invoice}: RevOps Settings' pay links are off?")
	sent = add_to_date(now_datetime(), days=-days, hours=2)
	values: dict[str, Any] = {"link_state": state, "sent_at": sent, "view_count": views}
	if views:
		values.update(
			first_viewed_at=add_to_date(sent, hours=5), last_viewed_at=add_to_date(sent, days=views)
		)
	if state == "Payment Failed":
		values.update(
			checkout_attempts=views,
			last_payment_failed_at=add_to_date(sent, days=1),
			last_failure_message="Your card was declined.",
		)
	frappe.db.set_value(PAYMENT_LINK_DOCTYPE, name, values)


def make_demo(masters: dict, demo: dict) -> None:
	import frappe
	from frappe.utils import add_days, add_to_date, now_datetime, nowdate

	from revops_app.api.cx import ingest_responses
	from revops_app.tests.stripe_bench import COMPANY, make_invoice

	masters = dict(masters)
	masters["bank"] = (
		frappe.db.get_value(
			"Account",
			{"company": COMPANY, "account_type": "Bank", "is_group": 0, "name": ["like", "%Payout Bank -%"]},
		)
		or masters["clearing"]
	)
	masters["cash"] = frappe.db.get_value("Company", COMPANY, "default_cash_account") or masters["bank"]
	if not frappe.db.exists("Customer Group", GROUP):
		frappe.get_doc(
			{
				"doctype": "Customer Group",
				"customer_group_name": GROUP,
				"parent_customer_group": "All Customer Groups",
			}
		).insert(ignore_permissions=True)
	demo.update(customers=[], invoices={})
	for name, rows in LEDGER.items():
		customer = _customer(name)
		demo["customers"].append(customer)
		demo["invoices"][customer] = []
		for amount, days, payments, link in rows:
			si = make_invoice(
				masters, amount, posting_date=add_days(nowdate(), -days), customer=customer, commit=False
			)
			demo["invoices"][customer].append(si.name)
			for paid, paid_days, mode in payments:
				_receive(si.name, paid, paid_days, mode, masters)
			if link:
				_link_state(si.name, link[0], link[1], max(days - 1, 0))
	_payout(masters, 10000, 11)
	frappe.get_doc(
		{
			"doctype": "Contract",
			"party_type": "Customer",
			"party_name": CHURN,
			"start_date": add_days(nowdate(), -320),
			"end_date": add_days(nowdate(), 45),
			"contract_terms": "Annual subscription, renews yearly.",
		}
	).insert(ignore_permissions=True)
	items = []
	for customer, answers in ANSWERS.items():
		for external_id, metric, score, days, comment, scale, tied in answers:
			when = add_to_date(now_datetime(), days=-days, hours=-3)
			item = {
				"source": SOURCE,
				"external_id": external_id,
				"metric": metric,
				"score": score,
				"comment": comment,
				"customer": customer,
				"submitted_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
				"raw_payload": {"id": external_id},
			}
			if scale:
				item.update(scale_min=scale[0], scale_max=scale[1])
			if tied is not None:
				item.update(
					reference_doctype="Sales Invoice", reference_name=demo["invoices"][customer][tied]
				)
			items.append(item)
	items.sort(key=lambda item: item["submitted_at"])
	demo["responses"] = ingest_responses(items)["results"]
	frappe.db.commit()


def remove_demo() -> None:
	import frappe

	from revops_app.customer_experience.constants import CX_RESPONSE_DOCTYPE
	from revops_app.tests.stripe_bench import COMPANY, purge_company_transactions

	frappe.db.rollback()
	purge_company_transactions(COMPANY, [])
	customers = frappe.get_all("Customer", filters={"customer_group": GROUP}, pluck="name") or [""]
	issues = frappe.get_all("Issue", filters={"customer": ["in", customers]}, pluck="name") or [""]
	responses = frappe.get_all(CX_RESPONSE_DOCTYPE, filters={"source": SOURCE}, pluck="name") or [""]
	for doctype, names in (("Issue", issues), ("Customer", customers), (CX_RESPONSE_DOCTYPE, responses)):
		frappe.db.delete("ToDo", {"reference_type": doctype, "reference_name": ["in", names]})
		frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": ["in", names]})
		frappe.db.delete("Communication", {"reference_doctype": doctype, "reference_name": ["in", names]})
		frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ["in", names]})
		frappe.db.delete("Tag Link", {"document_type": doctype, "document_name": ["in", names]})
		frappe.db.delete("Notification Log", {"document_type": doctype, "document_name": ["in", names]})
	frappe.db.delete(CX_RESPONSE_DOCTYPE, {"name": ["in", responses]})
	for issue in issues:
		if issue:
			frappe.delete_doc("Issue", issue, force=True, ignore_permissions=True, delete_permanently=True)
	for contract in frappe.get_all("Contract", filters={"party_name": ["in", customers]}, pluck="name"):
		frappe.delete_doc("Contract", contract, force=True, ignore_permissions=True, delete_permanently=True)
	for customer in customers:
		if customer:
			frappe.delete_doc(
				"Customer", customer, force=True, ignore_permissions=True, delete_permanently=True
			)
	if frappe.db.exists("Customer Group", GROUP):
		frappe.delete_doc(
			"Customer Group", GROUP, force=True, ignore_permissions=True, delete_permanently=True
		)
	frappe.db.commit()
