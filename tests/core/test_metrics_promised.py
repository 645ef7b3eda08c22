"""Promised invoices in the collections metrics: the funnel's Promised stage and the aging's promised totals.

Hand-checked on the funnel rows of `test_metrics.py` (SI-1 never sent, SI-2 sent, SI-3 viewed and part-paid,
SI-4 paid through the link, SI-5 paid by transfer, SI-6 viewed).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from revops_app.core.collections import metrics as m
from revops_app.core.collections.promises import Promise, promised_until
from tests.core.test_metrics import funnel_rows

DEC3, DEC5 = date(2026, 12, 3), date(2026, 12, 5)


def test_promised_invoices_leave_their_stuck_list_for_the_promised_stage():
	# SI-2 (sent) promised by 5 Dec, SI-6 (viewed) by 3 Dec, SI-4 is paid (a kept promise: stays Paid)
	promised = {"SI-2": DEC5, "SI-6": DEC3, "SI-4": DEC3}
	stages = m.collection_funnel(funnel_rows(), promised)
	assert [s.stage for s in stages] == ["Invoiced", "Link Sent", "Link Viewed", "Paid", "Promised"]
	# The chain is the one without promises: 6 / 5 / 4 / 2, same amounts and conversions
	plain = m.collection_funnel(funnel_rows())
	assert [(s.count, s.amount, s.conversion) for s in stages[:4]] == [
		(s.count, s.amount, s.conversion) for s in plain
	]
	assert [i.invoice for i in stages[0].stuck] == ["SI-1"]
	assert stages[1].stuck == []  # SI-2 is promised, not stuck
	assert [i.invoice for i in stages[2].stuck] == ["SI-3"]  # SI-6 is promised
	promised_stage = stages[4]
	# Promised: SI-6 (3 Dec) before SI-2 (5 Dec); invoice totals 600 + 200 = 800, outstanding 600 + 200
	assert [(i.invoice, i.promised_until) for i in promised_stage.stuck] == [("SI-6", DEC3), ("SI-2", DEC5)]
	assert (promised_stage.count, promised_stage.amount, promised_stage.conversion) == (2, D("800"), None)
	assert promised_stage.stuck_outstanding == D("800")
	assert [i.link_status for i in promised_stage.stuck] == ["Viewed", "Never Viewed"]
	# Stuck outstanding of the chain drops by what is promised: 100 + 120 (was 100 + 200 + 720)
	assert sum((s.stuck_outstanding for s in stages[:4]), D(0)) == D("220")


def test_without_promises_the_funnel_is_unchanged_and_an_empty_mapping_adds_an_empty_stage():
	assert [s.stage for s in m.collection_funnel(funnel_rows())] == list(m.FUNNEL_STAGES)
	stages = m.collection_funnel(funnel_rows(), {})
	assert [(s.stage, s.count, s.amount, s.stuck) for s in stages[4:]] == [("Promised", 0, D(0), [])]
	assert [[i.invoice for i in s.stuck] for s in stages[:3]] == [["SI-1"], ["SI-2"], ["SI-6", "SI-3"]]


def test_funnel_invoices_given_as_objects_take_the_promised_dates_of_the_mapping():
	items = [m.funnel_invoice(row) for row in funnel_rows()]
	stages = m.collection_funnel(items, {"SI-1": DEC3})
	assert stages[0].stuck == []
	assert [(i.invoice, i.promised_until) for i in stages[4].stuck] == [("SI-1", DEC3)]
	# An item carrying a date the mapping no longer has is not promised
	stale = [m.funnel_invoice(row, promised_until=DEC5) for row in funnel_rows()]
	stages = m.collection_funnel(stale, {})
	assert stages[4].stuck == [] and [i.invoice for i in stages[0].stuck] == ["SI-1"]
	assert stages[0].stuck[0].promised_until is None


def test_promised_dates_follow_the_shared_definition():
	# Open and promised_date >= the day; Kept / Broken / Cancelled or past promises do not count
	promises = [
		Promise("P1", "Open", DEC5, ("SI-2", "SI-3")),
		Promise("P2", "Open", date(2026, 11, 29), ("SI-6",)),  # ran out before 30 Nov
		Promise("P3", "Kept", DEC5, ("SI-1",)),
		Promise("P4", "Open", DEC3, ("SI-3",)),  # the later date wins for SI-3
	]
	promised = promised_until(promises, date(2026, 11, 30))
	assert promised == {"SI-2": DEC5, "SI-3": DEC5}
	stages = m.collection_funnel(funnel_rows(), promised)
	assert [i.invoice for i in stages[4].stuck] == ["SI-2", "SI-3"]  # same date: 200 before 120 outstanding


def test_promised_totals_over_aging_rows():
	rows = [
		{"invoice": "SI-1", "outstanding": D("100.50")},
		{"invoice": "SI-2", "outstanding": 200.25},
		{"invoice": None, "voucher_no": "CN-1", "outstanding": D("-50")},  # a credit note: never promised
		{"invoice": "SI-3", "outstanding": "300"},
	]
	totals = m.promised_totals(rows, {"SI-2": DEC5, "SI-3": DEC3, "SI-9": DEC3})
	assert totals == m.PromisedTotals(2, D("500.25"), DEC3)
	assert m.promised_totals(rows, {}) == m.PromisedTotals(0, D(0), None)
