"""Daily cash position: per day, opening balance of the cash accounts in scope, receipts by mode of payment,
other ledger movements on those accounts, closing; optionally the Stripe clearing account's money in, paid out
and still pending (see `daily_cash_position`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from revops_app.core.collections.metrics.common import ZERO, to_date_checked, to_decimal, value_of


@dataclass(frozen=True)
class CashDay:
	day: date
	opening: Decimal
	receipts_by_mode: dict[str, Decimal]
	receipts: Decimal
	other_movements: Decimal
	closing: Decimal
	# Stripe clearing account: None when it is not configured (not derivable).
	stripe_received: Decimal | None = None
	stripe_paid_out: Decimal | None = None
	stripe_pending: Decimal | None = None


def daily_cash_position(
	from_date: date,
	to_date: date,
	opening: Any,
	receipts: Iterable[Any],
	ledger_net: Iterable[Any] = (),
	stripe_opening: Any = None,
	stripe_moves: Iterable[Any] | None = None,
) -> list[CashDay]:
	"""One row per calendar day from `from_date` to `to_date` inclusive.

	- `opening`: balance of the cash accounts in scope at the start of `from_date`.
	- `receipts`: rows {day, mode_of_payment, amount}: money received from customers (several rows per day
	  and mode are summed; a missing mode is reported as "Not Set").
	- `ledger_net`: rows {day, net}: the whole net ledger movement (debit - credit) on the cash accounts
	  that day. Receipts are part of it; `other_movements = net - receipts` (payouts, transfers, refunds).
	  When no ledger rows are given, the net movement is taken to be the receipts alone.
	- `closing = opening + receipts + other_movements`; the next day opens with it.
	- Stripe: `stripe_opening` is the clearing account's balance at the start, `stripe_moves` rows
	  {day, debit, credit}: debit = money in from card payments, credit = paid out to the bank.
	  Pending at day end = running balance. Pass `stripe_moves=None` when it is not derivable.
	"""
	if to_date < from_date:
		raise ValueError(f"to_date {to_date} is before from_date {from_date}")

	by_day_mode: dict[date, dict[str, Decimal]] = {}
	for row in receipts:
		get = row.get if isinstance(row, dict) else partial(value_of, row)
		day, amount = get("day"), get("amount")
		day = day if type(day) is date else to_date_checked(day)
		mode = get("mode_of_payment") or "Not Set"
		modes = by_day_mode.get(day)
		if modes is None:
			modes = by_day_mode[day] = {}
		modes[mode] = modes.get(mode, ZERO) + (amount if type(amount) is Decimal else to_decimal(amount))

	net_by_day: dict[date, Decimal] | None = None
	for row in ledger_net:
		net_by_day = net_by_day if net_by_day is not None else {}
		get = row.get if isinstance(row, dict) else partial(value_of, row)
		day, net = get("day"), get("net")
		day = day if type(day) is date else to_date_checked(day)
		net_by_day[day] = net_by_day.get(day, ZERO) + (net if type(net) is Decimal else to_decimal(net))

	stripe_by_day: dict[date, tuple[Decimal, Decimal]] | None = None
	if stripe_moves is not None:
		stripe_by_day = {}
		for row in stripe_moves:
			day = to_date_checked(value_of(row, "day"))
			debit, credit = stripe_by_day.get(day, (ZERO, ZERO))
			stripe_by_day[day] = (
				debit + to_decimal(value_of(row, "debit")),
				credit + to_decimal(value_of(row, "credit")),
			)

	days: list[CashDay] = []
	balance = to_decimal(opening)
	stripe_balance = to_decimal(stripe_opening)
	day = from_date
	while day <= to_date:
		modes = dict(sorted(by_day_mode.get(day, {}).items()))
		received = sum(modes.values(), ZERO)
		net = received if net_by_day is None else net_by_day.get(day, ZERO)
		other = net - received
		closing = balance + received + other
		stripe_in = stripe_out = stripe_pending = None
		if stripe_by_day is not None:
			stripe_in, stripe_out = stripe_by_day.get(day, (ZERO, ZERO))
			stripe_balance = stripe_balance + stripe_in - stripe_out
			stripe_pending = stripe_balance
		days.append(
			CashDay(
				day=day,
				opening=balance,
				receipts_by_mode=modes,
				receipts=received,
				other_movements=other,
				closing=closing,
				stripe_received=stripe_in,
				stripe_paid_out=stripe_out,
				stripe_pending=stripe_pending,
			)
		)
		balance = closing
		day += timedelta(days=1)
	return days
