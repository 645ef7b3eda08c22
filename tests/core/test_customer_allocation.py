"""One payment across several invoices (the customer page): oldest due first, partial, over, the fee split."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from revops_app.core.collections.allocation import (
	OpenInvoice,
	SettlementAction,
	allocation_order,
	plan_customer_payment,
	split_amount,
)

D = Decimal


def inv(name: str, outstanding: str, due: date | None, **kwargs) -> OpenInvoice:
	values = {"currency": "USD", "posting_date": date(2026, 1, 1)}
	values.update(kwargs)
	return OpenInvoice(name=name, outstanding_amount=D(outstanding), due_date=due, **values)


THREE = [
	inv("SINV-3", "30.00", date(2026, 3, 1)),
	inv("SINV-1", "100.00", date(2026, 1, 15)),
	inv("SINV-2", "45.50", date(2026, 2, 1)),
]


def plan(invoices=THREE, amount="175.50", fee="5.39", currency="USD", **kwargs):
	return plan_customer_payment(
		invoices,
		amount=D(amount),
		currency=currency,
		fee=None if fee is None else D(fee),
		already_posted=False,
		**kwargs,
	)


def test_pay_all_settles_every_invoice_oldest_due_first_and_the_fee_adds_up():
	p = plan()
	assert p.action is SettlementAction.POST
	assert [(a.invoice, a.amount) for a in p.allocations] == [
		("SINV-1", D("100.00")),
		("SINV-2", D("45.50")),
		("SINV-3", D("30.00")),
	]
	assert all(a.settles_in_full for a in p.allocations)
	assert p.unallocated_amount == 0 and p.flags == ()
	assert sum(a.fee_share for a in p.allocations) + p.unallocated_fee_share == D("5.39")
	# proportional: 5.39 * 100/175.5 = 3.0712 -> 3.07; 1.3974 -> 1.40; 0.9213 -> 0.92 (largest remainder)
	assert [a.fee_share for a in p.allocations] == [D("3.07"), D("1.40"), D("0.92")]
	assert p.net_amount == D("170.11") and p.allocated_amount == D("175.50")


def test_chosen_amount_is_a_partial_allocation_oldest_due_first():
	p = plan(amount="120.00", fee="3.78")
	assert [(a.invoice, a.amount, a.settles_in_full) for a in p.allocations] == [
		("SINV-1", D("100.00"), True),
		("SINV-2", D("20.00"), False),
	]
	assert p.flags[0] == "partial"
	assert "SINV-2" in p.reason and "(part)" in p.reason
	assert sum(a.fee_share for a in p.allocations) == D("3.78")


def test_more_than_owed_leaves_the_rest_unallocated_with_its_fee_share():
	p = plan(amount="200.00", fee="6.10")
	assert p.allocated_amount == D("175.50") and p.unallocated_amount == D("24.50")
	assert "overpayment" in p.flags
	assert sum(a.fee_share for a in p.allocations) + p.unallocated_fee_share == D("6.10")
	assert p.unallocated_fee_share == D("0.75")  # 6.10 * 24.5 / 200 = 0.747


def test_an_invoice_paid_meanwhile_is_skipped_and_its_money_goes_to_the_next():
	invoices = [*THREE[:1], inv("SINV-1", "0", date(2026, 1, 15)), THREE[2]]
	p = plan(invoices, amount="175.50")
	assert [a.invoice for a in p.allocations] == ["SINV-2", "SINV-3"]
	assert p.unallocated_amount == D("100.00")
	assert "invoices_skipped" in p.flags and "SINV-1: nothing outstanding" in p.skipped[0]


def test_cancelled_return_and_other_currency_invoices_are_skipped():
	invoices = [
		inv("A", "10", date(2026, 1, 1), docstatus=2),
		inv("B", "10", date(2026, 1, 2), is_return=True),
		inv("C", "10", date(2026, 1, 3), currency="EUR"),
		inv("D", "10", date(2026, 1, 4)),
	]
	p = plan(invoices, amount="10", fee="0.59")
	assert [a.invoice for a in p.allocations] == ["D"]
	assert p.skipped == ("A: cancelled", "B: a return/credit note", "C: in EUR")


@pytest.mark.parametrize(
	"invoices, amount, fee, flag",
	[
		([], "10", "0", "no_invoices"),
		([inv("A", "10", date(2026, 1, 1), currency="EUR")], "10", "0", "currency_mismatch"),
		([inv("A", "10", date(2026, 1, 1))], "10", "11", "bad_fee"),
		([inv("A", "10", date(2026, 1, 1))], "10", "-1", "bad_fee"),
		([inv("A", "0", date(2026, 1, 1))], "10", "0", "no_outstanding"),
	],
)
def test_holds(invoices, amount, fee, flag):
	p = plan(invoices, amount=amount, fee=fee)
	assert p.action is SettlementAction.HOLD and flag in p.flags and p.allocations == ()


def test_already_posted_is_checked_first():
	p = plan_customer_payment([], amount=D("10"), currency="USD", fee=None, already_posted=True)
	assert p.action is SettlementAction.ALREADY_SETTLED


def test_fee_in_another_currency_is_not_deducted():
	p = plan(fee="5.00", fee_currency="EUR")
	assert p.fee_amount == 0 and "fee_not_deducted" in p.flags
	assert all(a.fee_share == 0 for a in p.allocations)


def test_order_is_due_date_then_posting_date_then_name_undated_last():
	invoices = [
		inv("Z", "1", None),
		inv("B", "1", date(2026, 1, 1), posting_date=date(2025, 12, 2)),
		inv("A", "1", date(2026, 1, 1), posting_date=date(2025, 12, 2)),
		inv("C", "1", date(2026, 1, 1), posting_date=date(2025, 12, 1)),
	]
	assert [i.name for i in allocation_order(invoices)] == ["C", "A", "B", "Z"]


def test_zero_decimal_currency_splits_in_whole_units():
	invoices = [
		inv("A", "1000", date(2026, 1, 1), currency="JPY"),
		inv("B", "2000", date(2026, 1, 2), currency="JPY"),
	]
	p = plan(invoices, amount="3000", fee="109", currency="JPY")
	assert [a.fee_share for a in p.allocations] == [D("36"), D("73")]


def test_split_amount_always_adds_up_exactly():
	rng = random.Random(16)
	for _ in range(2000):
		places = rng.choice([0, 2, 3])
		unit = D(1).scaleb(-places)
		total = D(rng.randint(0, 100000)) * unit
		weights = [D(rng.randint(0, 50000)) * D("0.01") for _ in range(rng.randint(1, 12))]
		parts = split_amount(total, weights, places)
		assert sum(parts) == total
		assert all(p >= 0 and p == p.quantize(unit) for p in parts)
		weight_sum = sum(weights)
		if weight_sum:
			for part, weight in zip(parts, weights, strict=True):
				assert abs(part - total * weight / weight_sum) < unit  # never off by a whole unit


def test_split_amount_edge_cases():
	assert split_amount(D("1.00"), [D(0), D(0)], 2) == [D("1.00"), D("0.00")]
	assert split_amount(D("0.01"), [D(1), D(1), D(1)], 2) == [D("0.01"), D("0.00"), D("0.00")]
	assert split_amount(D("0"), [], 2) == []
	with pytest.raises(ValueError):
		split_amount(D("1.005"), [D(1)], 2)
	with pytest.raises(ValueError):
		split_amount(D("1"), [D(-1)], 2)
	with pytest.raises(ValueError):
		split_amount(D("1"), [], 2)


def test_every_cent_is_allocated_or_kept_unallocated():
	rng = random.Random(7)
	for _ in range(500):
		invoices = [
			inv(f"I{n}", str(D(rng.randint(1, 100000)) / 100), date(2026, 1, rng.randint(1, 28)))
			for n in range(rng.randint(1, 8))
		]
		amount = D(rng.randint(1, 400000)) / 100
		fee = min(amount, D(rng.randint(0, 2000)) / 100)
		p = plan(invoices, amount=str(amount), fee=str(fee))
		assert p.action is SettlementAction.POST
		assert p.allocated_amount + p.unallocated_amount == amount
		assert sum(a.fee_share for a in p.allocations) + p.unallocated_fee_share == fee
		by_name = {i.name: i for i in invoices}
		assert all(a.amount <= by_name[a.invoice].outstanding_amount for a in p.allocations)
		partial = [a for a in p.allocations if not a.settles_in_full]
		assert len(partial) <= 1 and (not partial or partial[0] is p.allocations[-1])
