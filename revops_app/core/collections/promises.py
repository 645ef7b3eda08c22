"""Promises to pay: the date window a customer may pick, what may be promised, and when a promise is kept or
broken. Pure, framework-free (the glue is `revops_app.revenue_collections.promises`).

Rules
- Window: a customer whose policy allows promises may pick a date from tomorrow up to `max_promise_days`
  ahead (inclusive). `max_promise_days` below 1 means no date fits: no window, no form.
- What may be promised: open invoices (submitted, not a return, outstanding > 0) of that one customer,
  company and currency; at least one, none twice, none already under another open promise.
- A *promised invoice on day D* is an invoice of an Open promise whose promised_date >= D; dunning sends
  nothing for it that day (`promised_until`, on today's statuses).
- *Promised on day D as the reports see it* (`promised_as_of`, also for a past D): the promise existed on D
  (created on or before D), was still Open on D (Open now, or resolved_on after D) and its promised_date
  >= D. A promise made and kept since therefore still shows on a report dated between the two; one made
  after D never does. Cancelled, Kept and Broken are treated alike (each ends on resolved_on; one without
  resolved_on counts as ended from the start).
- Resolution (`resolve`), evaluated on day D: Kept once every invoice of the promise is paid (outstanding <=
  0, whatever the date, also after the date); Broken once D is after the promised date and any invoice is
  still outstanding; otherwise it stays Open. Kept, Broken and Cancelled are final.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


class PromiseStatus:
	OPEN = "Open"
	KEPT = "Kept"
	BROKEN = "Broken"
	CANCELLED = "Cancelled"

	ALL = (OPEN, KEPT, BROKEN, CANCELLED)
	FINAL = (KEPT, BROKEN, CANCELLED)


class PromiseSource:
	CUSTOMER_PAGE = "Customer Page"
	INVOICE_PAGE = "Invoice Page"
	COLLECTOR = "Collector"

	ALL = (CUSTOMER_PAGE, INVOICE_PAGE, COLLECTOR)


DEFAULT_MAX_PROMISE_DAYS = 14


@dataclass(frozen=True, slots=True)
class PromisableInvoice:
	"""An invoice as the promise checks see it (read from the database by the glue)."""

	name: str
	customer: str
	company: str
	currency: str
	outstanding: float
	docstatus: int = 1
	is_return: bool = False
	due_date: date | None = None


@dataclass(frozen=True, slots=True)
class Promise:
	"""A stored promise: its status, date and the invoices it covers; when it was made (the creation day)
	and resolved (Kept / Broken / Cancelled), where known (None = unknown: made before any day asked)."""

	name: str
	status: str
	promised_date: date
	invoices: tuple[str, ...]
	created_on: date | None = None
	resolved_on: date | None = None


def promise_window(today: date, allowed: bool, max_days: int) -> tuple[date, date] | None:
	"""(earliest, latest) date a customer may promise on `today`, or None when promises are not offered."""
	if not allowed or max_days < 1:
		return None
	return today + timedelta(days=1), today + timedelta(days=max_days)


def date_error(promised: date | None, window: tuple[date, date] | None) -> str | None:
	"""Why `promised` cannot be accepted (a sentence for the customer), or None when it fits the window."""
	if window is None:
		return "Promises to pay are not available for this account; please contact us."
	if promised is None:
		return "Choose the date you will pay by."
	earliest, latest = window
	if promised < earliest:
		return f"Choose a date from {earliest.isoformat()} on (the date you will pay by, after today)."
	if promised > latest:
		return f"Choose a date no later than {latest.isoformat()}."
	return None


def invoice_errors(
	invoices: Sequence[PromisableInvoice],
	requested: Sequence[str],
	customer: str,
	company: str,
	currency: str,
	already_promised: Iterable[str] = (),
) -> list[str]:
	"""Everything that stops `requested` from being promised (sentences; empty = fine). `invoices` are the
	rows the glue found for `requested` (missing ones are reported as not found)."""
	errors: list[str] = []
	if not requested:
		return ["Choose at least one invoice."]
	if len(set(requested)) != len(requested):
		errors.append("An invoice is listed twice.")
	found = {row.name: row for row in invoices}
	promised = set(already_promised)
	for name in dict.fromkeys(requested):
		row = found.get(name)
		if row is None:
			errors.append(f"Invoice {name} was not found.")
		elif row.customer != customer or row.company != company:
			errors.append(f"Invoice {name} was not found.")  # never confirm another customer's invoice
		elif row.docstatus != 1 or row.is_return:
			errors.append(f"Invoice {name} is not open.")
		elif row.outstanding <= 0:
			errors.append(f"Invoice {name} is already paid.")
		elif row.currency != currency:
			errors.append(f"Invoice {name} is in {row.currency}, not {currency}.")
		elif name in promised:
			errors.append(f"A payment date was already promised for invoice {name}.")
	return errors


def resolve(promise: Promise, outstanding: Mapping[str, float], on: date) -> str:
	"""The status `promise` has on day `on` given each invoice's outstanding amount (missing = 0: a
	cancelled or deleted invoice is owed no more)."""
	if promise.status != PromiseStatus.OPEN:
		return promise.status
	if all(outstanding.get(name, 0.0) <= 0 for name in promise.invoices):
		return PromiseStatus.KEPT
	if on > promise.promised_date:
		return PromiseStatus.BROKEN
	return PromiseStatus.OPEN


def promised_until(promises: Iterable[Promise], on: date) -> dict[str, date]:
	"""invoice -> the latest promised date among Open promises still running on `on` (promised_date >= on)."""
	until: dict[str, date] = {}
	for promise in promises:
		if promise.status != PromiseStatus.OPEN or promise.promised_date < on:
			continue
		for name in promise.invoices:
			if name not in until or until[name] < promise.promised_date:
				until[name] = promise.promised_date
	return until


def open_on(promise: Promise, day: date) -> bool:
	"""Whether `promise` existed and was still Open on `day` (module docstring), whatever its date."""
	if promise.created_on is not None and promise.created_on > day:
		return False
	if promise.status == PromiseStatus.OPEN:
		return True
	return promise.resolved_on is not None and promise.resolved_on > day


def promised_as_of(promises: Iterable[Promise], day: date) -> dict[str, date]:
	"""invoice -> the latest promised date among promises running on `day` as it was then: made on or
	before `day`, still Open on `day` (`open_on`) and promised_date >= `day`. For the reports on any date."""
	until: dict[str, date] = {}
	for promise in promises:
		if promise.promised_date < day or not open_on(promise, day):
			continue
		for name in promise.invoices:
			if name not in until or until[name] < promise.promised_date:
				until[name] = promise.promised_date
	return until


def open_promise_for(promises: Iterable[Promise], on: date) -> Promise | None:
	"""The Open promise running on `on` (the latest date first), for the pages' "you promised ... by ..."."""
	running = [p for p in promises if p.status == PromiseStatus.OPEN and p.promised_date >= on]
	return max(running, key=lambda p: (p.promised_date, p.name)) if running else None


# --- the policy's promise settings (RevOps Dunning Policy fields) ---------------------------------------


@dataclass(frozen=True, slots=True)
class PromiseRule:
	"""What a dunning policy says about promises: offered or not, how far ahead, the step sent on a break."""

	allowed: bool = True
	max_days: int = DEFAULT_MAX_PROMISE_DAYS
	broken_step: str | None = None


def rule_from_row(row: Mapping) -> PromiseRule:
	"""A PromiseRule from a policy row (dict or Frappe document); missing fields take the DocType defaults."""
	allowed = row.get("allow_customer_promises")
	max_days = row.get("max_promise_days")
	return PromiseRule(
		allowed=True if allowed is None else bool(int(allowed or 0)),
		max_days=DEFAULT_MAX_PROMISE_DAYS if max_days is None else int(max_days or 0),
		broken_step=(row.get("broken_promise_step") or "").strip() or None,
	)


def rule_errors(rule: PromiseRule, step_names: Iterable[str]) -> list[str]:
	"""What is wrong with a policy's promise settings (sentences; empty = valid)."""
	errors = []
	if rule.max_days < 0:
		errors.append("the latest promise must be 0 or more days ahead")
	if rule.broken_step and rule.broken_step not in set(step_names):
		errors.append(f"the broken-promise step {rule.broken_step!r} is not one of this policy's steps")
	return errors
