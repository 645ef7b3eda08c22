"""Receivables-aware handoff: a lead whose ERPNext customer owes money overdue or disputes a payment.

Contract (framework-free; the ERP signals record's keys, see revops_app/revops/signals/records.py):
- `owes(erp)`: the customer has overdue invoices (`overdue_invoice_count`) or payment disputes (`dispute_count`).
- `receivables_owner(erp, prefer)` -> (User, role): the collector of the customer's dunning policy or its
  account manager, `prefer` first ("collector" or "account_manager"); (None, None) when neither is set.
- `owner_id_for(user, owners)`: the active HubSpot owner with that e-mail (ERPNext Users are named by e-mail).
- `route_receivables(mode, erp, owners, prefer, routed_owner)` -> ReceivablesRoute: with mode "instead" the
  task and the contact go to the receivables owner rather than the routed BDR; with "both" the BDR keeps the
  lead and the receivables owner gets a task of its own; "off" (or nobody to route to) changes nothing.
- `receivables_lines(erp)`: the sentences the task body states: open and overdue amounts, the oldest due
  date, disputes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OFF, INSTEAD, BOTH = "off", "instead", "both"
MODES = (OFF, INSTEAD, BOTH)
COLLECTOR, ACCOUNT_MANAGER = "collector", "account_manager"
ROLE_LABELS = {COLLECTOR: "collector", ACCOUNT_MANAGER: "account manager"}


@dataclass(frozen=True, slots=True)
class ReceivablesRoute:
	owner_id: str | None  # who owns the contact and the SQL task
	extra_owner_id: str | None = None  # "both": the receivables owner's own task
	note: str = ""  # why, for the task body ("" = receivables changed nothing)


def _count(erp: dict[str, Any], key: str) -> int:
	try:
		return int(erp.get(key) or 0)
	except (TypeError, ValueError):
		return 0


def owes(erp: dict[str, Any] | None) -> bool:
	return bool(erp) and (_count(erp, "overdue_invoice_count") > 0 or _count(erp, "dispute_count") > 0)


def receivables_owner(erp: dict[str, Any], prefer: str = COLLECTOR) -> tuple[str | None, str | None]:
	order = (COLLECTOR, ACCOUNT_MANAGER) if prefer != ACCOUNT_MANAGER else (ACCOUNT_MANAGER, COLLECTOR)
	for role in order:
		user = erp.get(role)
		if user:
			return str(user), role
	return None, None


def owner_id_for(user: str | None, owners: list[dict[str, Any]]) -> str | None:
	if not user:
		return None
	wanted = user.strip().lower()
	for owner in owners:
		if not owner.get("archived") and str(owner.get("email", "")).strip().lower() == wanted:
			return str(owner["id"])
	return None


def route_receivables(
	mode: str,
	erp: dict[str, Any] | None,
	owners: list[dict[str, Any]],
	prefer: str,
	routed_owner: str | None,
) -> ReceivablesRoute:
	if mode == OFF or not erp or not owes(erp):
		return ReceivablesRoute(routed_owner)
	user, role = receivables_owner(erp, prefer)
	if user is None:
		return ReceivablesRoute(routed_owner, note="No collector or account manager is set in ERPNext.")
	label = ROLE_LABELS[role or COLLECTOR]
	owner_id = owner_id_for(user, owners)
	if owner_id is None:
		return ReceivablesRoute(routed_owner, note=f"The {label} {user} is not an active HubSpot owner.")
	if mode == INSTEAD or routed_owner in (None, owner_id):
		return ReceivablesRoute(owner_id, note=f"Routed to the {label} {user}: the customer owes money.")
	return ReceivablesRoute(
		routed_owner, extra_owner_id=owner_id, note=f"The {label} {user} has a task of their own."
	)


def _money(value: Any, currency: str | None) -> str:
	try:
		return f"{float(value):,.2f} {currency or ''}".strip()
	except (TypeError, ValueError):
		return "-"


def receivables_lines(erp: dict[str, Any]) -> list[str]:
	currency = erp.get("currency")
	lines = [
		f"Open: {_money(erp.get('open_amount'), currency)} in {_count(erp, 'open_invoice_count')} invoice(s)",
		f"Overdue: {_money(erp.get('overdue_amount'), currency)} in {_count(erp, 'overdue_invoice_count')}"
		f" invoice(s), up to {_count(erp, 'max_days_overdue')} days late",
		f"Oldest due date: {erp.get('oldest_due_date') or '-'}",
	]
	if _count(erp, "dispute_count"):
		lines.append(
			f"Payment disputes (last {_count(erp, 'payment_window_days') or 365} days): {_count(erp, 'dispute_count')}"
		)
	return lines
