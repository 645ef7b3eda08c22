"""Daily cash position and DSO pinned against plain reference implementations on random data.

Same approach as `test_metrics_reference.py` (whose row helpers this reuses): receipt and ledger rows as
dicts, dict subclasses or objects, money as Decimal / float / int / str / missing, days as dates or ISO
strings; month rows with string or float year/month. Seeds are fixed.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from revops_app.core.collections import metrics as m
from tests.core.test_metrics_reference import ZERO, day, dec, get, money, shaped


@pytest.mark.parametrize("seed", range(4))
def test_daily_cash_position_matches_the_reference(seed):
	rng = random.Random(seed)
	first = date(2026, 1, 1)
	last = first + timedelta(days=rng.randrange(0, 60))
	receipts, ledger = [], []
	for _ in range(500):
		when = first + timedelta(days=rng.randrange(-5, 70))
		receipts.append(
			shaped(
				rng,
				{
					"day": rng.choice((when, when.isoformat())),
					"mode_of_payment": rng.choice(("Stripe", "Wire", None, "")),
					"amount": money(rng),
				},
			)
		)
		ledger.append(shaped(rng, {"day": when, "net": money(rng)}))
	opening = money(rng)

	by_day: dict = {}
	for row in receipts:
		modes = by_day.setdefault(day(get(row, "day")), {})
		mode = get(row, "mode_of_payment") or "Not Set"
		modes[mode] = modes.get(mode, ZERO) + dec(get(row, "amount"))
	nets: dict = {}
	for row in ledger:
		nets[day(get(row, "day"))] = nets.get(day(get(row, "day")), ZERO) + dec(get(row, "net"))
	expected, balance, when = [], dec(opening), first
	while when <= last:
		modes = dict(sorted(by_day.get(when, {}).items()))
		received = sum(modes.values(), ZERO)
		other = nets.get(when, ZERO) - received
		expected.append((when, balance, modes, received, other, balance + received + other))
		balance += received + other
		when += timedelta(days=1)

	days = m.daily_cash_position(first, last, opening, receipts, ledger)
	assert [
		(d.day, d.opening, d.receipts_by_mode, d.receipts, d.other_movements, d.closing) for d in days
	] == expected
	# Without ledger rows the net movement is the receipts alone.
	alone = m.daily_cash_position(first, last, opening, receipts)
	assert all(d.other_movements == 0 for d in alone)
	assert [d.receipts for d in alone] == [row[3] for row in expected]


@pytest.mark.parametrize("seed", range(6))
def test_dso_methods_match_the_reference(seed):
	rng = random.Random(seed)
	months = m.month_sequence(2026, rng.randrange(1, 13), rng.randrange(1, 40))
	moves = [{"year": y, "month": mo, "net": money(rng)} for y, mo in months if rng.random() < 0.8] + [
		{"year": str(y), "month": float(mo), "net": -rng.randrange(0, 5000)} for y, mo in months[::3]
	]
	sales = [{"year": y, "month": mo, "amount": rng.choice((money(rng), 0, -50))} for y, mo in months]
	opening = rng.randrange(0, 300_000)

	net, sold = {}, {}
	for row in moves:
		key = (int(row["year"]), int(row["month"]))
		net[key] = net.get(key, ZERO) + dec(row["net"])
	for row in sales:
		sold[(row["year"], row["month"])] = sold.get((row["year"], row["month"]), ZERO) + dec(row["amount"])
	balance, figures = Decimal(opening), []
	for y, mo in months:
		balance += net.get((y, mo), ZERO)
		figures.append((y, mo, balance, sold.get((y, mo), ZERO), calendar.monthrange(y, mo)[1]))

	cent = Decimal("0.01")
	standard, countback = [], []
	for index, (y, mo, owed, sale, length) in enumerate(figures):
		label, end = f"{y:04d}-{mo:02d}", date(y, mo, length)
		dso = (owed / sale * length).quantize(cent, ROUND_HALF_UP) if sale > 0 else None
		standard.append((label, end, owed, sale, length, dso, False))
		remaining, days, exhausted = owed, ZERO, owed > 0
		for _, _, _, back_sale, back_length in figures[index::-1] if owed > 0 else []:
			if back_sale <= 0:
				days += back_length
			elif remaining <= back_sale:
				days += remaining / back_sale * back_length
				exhausted = False
				break
			else:
				remaining -= back_sale
				days += back_length
		countback.append((label, end, owed, sale, length, days.quantize(cent, ROUND_HALF_UP), exhausted))

	month_figures = m.month_figures(months, opening, moves, sales)
	assert [(f.year, f.month, f.receivables, f.credit_sales, f.days) for f in month_figures] == [
		f[:5] for f in figures
	]
	for method, expected in (("Standard", standard), ("Countback", countback)):
		points = m.dso(month_figures, method)
		got = [
			(p.label, p.month_end, p.receivables, p.credit_sales, p.days_in_month, p.dso, p.exhausted)
			for p in points
		]
		assert got == expected, method
