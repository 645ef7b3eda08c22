"""Instalments of an invoice with a payment schedule: what each still owes and which is due now. Pure.

ERPNext keeps the schedule (Sales Invoice `payment_schedule`, rows of Payment Schedule: due_date,
payment_amount, paid_amount, outstanding); this module only reads it. ERPNext lowers a row's `outstanding`
when a Payment Entry reference names its payment term (templates that "allocate payment based on payment
terms"); other payments, credit notes and write-offs lower only the invoice's outstanding amount.

Rules
- An instalment owes its row's `outstanding` (or payment_amount - paid_amount when outstanding is not
  kept), less its share of what the invoice was paid beyond the rows' own record: that difference (the rows'
  outstanding total minus the invoice's outstanding) is applied to the instalments in due-date order, so
  the instalments always add up to what ERPNext says the invoice still owes.
- An instalment owing PAID_TOLERANCE or less is paid: it gets no reminders and is not shown as due.
- Due now on day D (`due_now`): the unpaid instalments due on or before D (their total and the earliest
  due date); when none is due yet, the next unpaid instalment.
- Only invoices with two or more schedule rows are dunned per instalment (`has_instalments`): one row is
  the invoice's own due date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

PAID_TOLERANCE = 0.005


@dataclass(frozen=True, slots=True)
class ScheduleRow:
	"""One Payment Schedule row as ERPNext stores it."""

	idx: int
	due_date: date
	payment_amount: float
	paid_amount: float = 0.0
	outstanding: float | None = None


@dataclass(frozen=True, slots=True)
class Instalment:
	index: int  # the schedule row's idx (1-based): identifies the instalment in the reminder log
	due_date: date
	amount: float  # payment_amount
	outstanding: float

	@property
	def paid(self) -> bool:
		return self.outstanding <= PAID_TOLERANCE


@dataclass(frozen=True, slots=True)
class DueNow:
	amount: float
	due_date: date
	overdue: bool  # due before the day asked about
	count: int  # how many instalments the amount covers
	upcoming: bool = False  # nothing is due yet: this is the next instalment


def has_instalments(rows: Sequence[ScheduleRow]) -> bool:
	return len(rows) >= 2


def instalments(rows: Iterable[ScheduleRow], invoice_outstanding: float) -> tuple[Instalment, ...]:
	"""The schedule's instalments in due-date order with what each still owes (module rules)."""
	ordered = sorted(rows, key=lambda row: (row.due_date, row.idx))
	owed = [
		max(
			row.outstanding if row.outstanding is not None else row.payment_amount - row.paid_amount,
			0.0,
		)
		for row in ordered
	]
	unrecorded = sum(owed) - max(invoice_outstanding, 0.0)
	result = []
	for row, amount in zip(ordered, owed, strict=True):
		if unrecorded > 0:
			applied = min(amount, unrecorded)
			amount -= applied
			unrecorded -= applied
		result.append(Instalment(row.idx, row.due_date, row.payment_amount, round(amount, 9)))
	return tuple(result)


def due_now(schedule: Sequence[Instalment], on: date) -> DueNow | None:
	"""What is due on `on`: the unpaid instalments due by then, else the next one; None when all are paid."""
	unpaid = [inst for inst in schedule if not inst.paid]
	if not unpaid:
		return None
	due = [inst for inst in unpaid if inst.due_date <= on]
	if due:
		return DueNow(
			amount=round(sum(inst.outstanding for inst in due), 9),
			due_date=min(inst.due_date for inst in due),
			overdue=min(inst.due_date for inst in due) < on,
			count=len(due),
		)
	upcoming = min(unpaid, key=lambda inst: (inst.due_date, inst.index))
	return DueNow(upcoming.outstanding, upcoming.due_date, overdue=False, count=1, upcoming=True)
