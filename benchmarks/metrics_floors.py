"""Bare-loop floors for the collections metrics benchmark (`reports.py`).

Each floor takes the same rows as the library function it stands beside and computes the same values, with
nothing but a loop, local variables, tuples and the arithmetic the result needs (rows are read as the dicts
they are; no dataclasses). `same_*` turns the library's result into the floor's shape so the benchmark can
check both agree before timing them.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal("0")
CENT = Decimal("0.01")


# --- aging --------------------------------------------------------------------------------------------


def aging_summary_floor(rows: list[dict], as_of: date, limits: tuple[int, ...]) -> tuple:
	"""(labels, amounts, counts, total) by days past due, Not Due first."""
	lowers = (0, *(upper + 1 for upper in limits[:-1]))
	labels = ["Not Due", *(f"{lo}-{hi}" for lo, hi in zip(lowers, limits, strict=True)), f"{limits[-1]}+"]
	amounts = [ZERO] * len(labels)
	counts = [0] * len(labels)
	for row in rows:
		days = (as_of - row["due_date"]).days
		index = 0 if days < 0 else bisect_left(limits, days) + 1
		amounts[index] += row["outstanding"]
		counts[index] += 1
	return (
		labels,
		dict(zip(labels, amounts, strict=True)),
		dict(zip(labels, counts, strict=True)),
		sum(amounts, ZERO),
	)


def same_aging_summary(summary: Any, floor: tuple) -> bool:
	return (summary.labels, summary.amounts, summary.counts, summary.total) == floor


def link_status_floor(state: str | None, disputed: Any, views: int, sent_at: Any) -> str:
	if state is None:
		return "Not Sent"
	if disputed or state == "Disputed":
		return "Disputed"
	if state == "Payment Failed":
		return "Payment Failed"
	if views > 0 or state == "Viewed" or state == "Paid":
		return "Viewed"
	if sent_at or state == "Sent":
		return "Never Viewed"
	return "Not Sent"


def aging_rows_floor(rows: list[dict], as_of: date, limits: tuple[int, ...]) -> list[tuple[str, str]]:
	"""(bucket label, pay-link status) per row, as the aging report sets them."""
	labels = aging_summary_floor([], as_of, limits)[0]
	out = []
	for row in rows:
		days = (as_of - row["due_date"]).days
		state, views, sent_at = row["link_state"], row["view_count"], row["sent_at"]
		if state is None:
			status = "Not Sent"
		elif row["disputed"] or state == "Disputed":
			status = "Disputed"
		elif state == "Payment Failed":
			status = "Payment Failed"
		elif views > 0 or state == "Viewed" or state == "Paid":
			status = "Viewed"
		elif sent_at or state == "Sent":
			status = "Never Viewed"
		else:
			status = "Not Sent"
		out.append((labels[0 if days < 0 else bisect_left(limits, days) + 1], status))
	return out


# --- funnel -------------------------------------------------------------------------------------------

STAGES = ("Invoiced", "Link Sent", "Link Viewed", "Paid")


def funnel_floor(rows: list[dict]) -> list[tuple]:
	"""Per stage (name, count, amount, conversion, stuck) where stuck rows are (invoice, customer, amount,
	outstanding, sent, viewed, due_date, link status), largest outstanding first."""
	counts = [0, 0, 0, 0]
	amounts = [ZERO, ZERO, ZERO, ZERO]
	stuck: tuple[list, list, list] = ([], [], [])
	for row in rows:
		state, views, sent_at, outstanding = (
			row["link_state"],
			row["view_count"],
			row["sent_at"],
			row["outstanding"],
		)
		viewed = views > 0 or state == "Viewed" or state == "Paid"
		sent = viewed or bool(sent_at) or state in ("Sent", "Payment Failed", "Disputed")
		index = 3 if outstanding <= 0 else 2 if viewed else 1 if sent else 0
		counts[index] += 1
		amounts[index] += row["amount"]
		if index < 3:
			status = link_status_floor(state, row["disputed"], views, sent_at)
			stuck[index].append(
				(
					row["invoice"],
					row["customer"],
					row["amount"],
					outstanding,
					sent,
					viewed,
					row["due_date"],
					status,
				)
			)
	stages = []
	reached, reached_amount, previous = 0, ZERO, None
	for index in (3, 2, 1, 0):
		reached += counts[index]
		reached_amount += amounts[index]
		stages.append([STAGES[index], reached, reached_amount])
	stages.reverse()
	for index, stage in enumerate(stages):
		count = stage[1]
		stage.append(
			(Decimal(count) * 100 / Decimal(previous)).quantize(CENT, ROUND_HALF_UP) if previous else None
		)
		stage.append(sorted(stuck[index], key=lambda s: (-s[3], s[0])) if index < 3 else [])
		previous = count
	return [tuple(stage) for stage in stages]


def same_funnel(stages: list, floor: list[tuple]) -> bool:
	mine = [
		(
			s.stage,
			s.count,
			s.amount,
			s.conversion,
			[
				(
					i.invoice,
					i.customer,
					i.amount,
					i.outstanding,
					i.link_sent,
					i.link_viewed,
					i.due_date,
					i.link_status,
				)
				for i in s.stuck
			],
		)
		for s in stages
	]
	return mine == floor


# --- cash position ------------------------------------------------------------------------------------


def cash_floor(
	from_date: date, to_date: date, opening: Decimal, receipts: list[dict], ledger: list[dict]
) -> list:
	"""Per day (day, opening, receipts by mode, receipts, other movements, closing)."""
	by_day: dict[date, dict[str, Decimal]] = {}
	for row in receipts:
		modes = by_day.setdefault(row["day"], {})
		mode = row["mode_of_payment"] or "Not Set"
		modes[mode] = modes.get(mode, ZERO) + row["amount"]
	net_by_day: dict[date, Decimal] = {}
	for row in ledger:
		net_by_day[row["day"]] = net_by_day.get(row["day"], ZERO) + row["net"]
	days, balance, day, one = [], opening, from_date, timedelta(days=1)
	while day <= to_date:
		modes = dict(sorted(by_day.get(day, {}).items()))
		received = sum(modes.values(), ZERO)
		other = net_by_day.get(day, ZERO) - received
		closing = balance + received + other
		days.append((day, balance, modes, received, other, closing))
		balance = closing
		day += one
	return days


def same_cash(days: list, floor: list) -> bool:
	return [
		(d.day, d.opening, d.receipts_by_mode, d.receipts, d.other_movements, d.closing) for d in days
	] == floor


# --- DSO ----------------------------------------------------------------------------------------------


# Month lengths kept across calls, as the library keeps its calendar facts, so the floor is not slowed by
# recomputing them.
MONTH_LENGTHS: dict[tuple[int, int], int] = {}


def dso_floor(
	months: list[tuple[int, int]], opening: Decimal, moves: list[dict], sales_rows: list[dict]
) -> tuple:
	"""(standard, countback) per month: (label, receivables, credit sales, days, dso[, exhausted])."""
	net: dict[tuple[int, int], Decimal] = {}
	for row in moves:
		key = (row["year"], row["month"])
		net[key] = net.get(key, ZERO) + row["net"]
	sold: dict[tuple[int, int], Decimal] = {}
	for row in sales_rows:
		key = (row["year"], row["month"])
		sold[key] = sold.get(key, ZERO) + row["amount"]
	balance, receivables, sales, lengths = opening, [], [], []
	for year, month in months:
		balance += net.get((year, month), ZERO)
		receivables.append(balance)
		sales.append(sold.get((year, month), ZERO))
		length = MONTH_LENGTHS.get((year, month))
		if length is None:
			length = MONTH_LENGTHS[(year, month)] = calendar.monthrange(year, month)[1]
		lengths.append(length)
	standard, countback = [], []
	for index, (year, month) in enumerate(months):
		label, owed, sale, length = (
			f"{year:04d}-{month:02d}",
			receivables[index],
			sales[index],
			lengths[index],
		)
		dso = (owed / sale * length).quantize(CENT, ROUND_HALF_UP) if sale > 0 else None
		standard.append((label, owed, sale, length, dso))
		remaining, days, exhausted = owed, ZERO, False
		if remaining > 0:
			exhausted = True
			for back in range(index, -1, -1):
				if sales[back] <= 0:
					days += lengths[back]
				elif remaining <= sales[back]:
					days += remaining / sales[back] * lengths[back]
					exhausted = False
					break
				else:
					remaining -= sales[back]
					days += lengths[back]
		countback.append((label, owed, sale, length, days.quantize(CENT, ROUND_HALF_UP), exhausted))
	return standard, countback


def same_dso(pair: tuple, floor: tuple) -> bool:
	standard, countback = pair
	mine = (
		[(p.label, p.receivables, p.credit_sales, p.days_in_month, p.dso) for p in standard],
		[(p.label, p.receivables, p.credit_sales, p.days_in_month, p.dso, p.exhausted) for p in countback],
	)
	return mine == floor
