"""Collections metrics on hand-checked examples: each expected figure is worked out in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from revops_app.core.collections import metrics as m

# --- daily cash position ---------------------------------------------------------------------------


def test_cash_position_rolls_opening_to_closing_day_by_day():
	receipts = [
		{"day": "2026-03-01", "mode_of_payment": "Stripe", "amount": D("100.00")},
		{"day": "2026-03-01", "mode_of_payment": "Wire Transfer", "amount": D("250.50")},
		{"day": "2026-03-01", "mode_of_payment": "Stripe", "amount": 49.5},  # float from the DB
		{"day": "2026-03-03", "mode_of_payment": None, "amount": D("10")},
	]
	ledger = [
		# 1 Mar: receipts 100 + 250.50 + 49.50 = 400.00 and a 75.00 supplier payment out → net 325.00
		{"day": date(2026, 3, 1), "net": D("325.00")},
		# 2 Mar: no receipts, a 20.00 bank charge → net -20.00
		{"day": date(2026, 3, 2), "net": D("-20.00")},
		# 3 Mar: only the 10.00 receipt
		{"day": date(2026, 3, 3), "net": D("10.00")},
	]
	days = m.daily_cash_position(date(2026, 3, 1), date(2026, 3, 3), D("1000.00"), receipts, ledger)

	assert [d.day for d in days] == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
	first, second, third = days
	# Stripe 100 + 49.5 = 149.50; Wire 250.50; total 400.00; other = 325 - 400 = -75
	assert first.receipts_by_mode == {"Stripe": D("149.50"), "Wire Transfer": D("250.50")}
	assert first.receipts == D("400.00")
	assert first.other_movements == D("-75.00")
	# closing 1000 + 400 - 75 = 1325.00
	assert (first.opening, first.closing) == (D("1000.00"), D("1325.00"))
	# 2 Mar opens at 1325.00, no receipts, -20 other → 1305.00
	assert (second.opening, second.receipts, second.other_movements, second.closing) == (
		D("1325.00"),
		D("0"),
		D("-20.00"),
		D("1305.00"),
	)
	# 3 Mar: mode missing → "Not Set"; 1305 + 10 = 1315.00
	assert third.receipts_by_mode == {"Not Set": D("10")}
	assert third.closing == D("1315.00")
	# Stripe not given → not derivable, None rather than a misleading 0
	assert first.stripe_pending is None


def test_cash_position_without_ledger_rows_counts_receipts_only_and_tracks_stripe():
	receipts = [{"day": "2026-03-01", "mode_of_payment": "Stripe", "amount": "300"}]
	stripe = [
		# 1 Mar: 300 in from card payments; 2 Mar: 250 paid out to the bank
		{"day": "2026-03-01", "debit": "300", "credit": "0"},
		{"day": "2026-03-02", "debit": "0", "credit": "250"},
	]
	days = m.daily_cash_position(
		date(2026, 3, 1), date(2026, 3, 2), 0, receipts, stripe_opening="40", stripe_moves=stripe
	)
	# No ledger rows: other movements 0, closing = 0 + 300 = 300
	assert days[0].other_movements == 0 and days[0].closing == D("300")
	# Stripe pending: 40 opening + 300 = 340 at end of 1 Mar; 340 - 250 = 90 at end of 2 Mar
	assert (days[0].stripe_received, days[0].stripe_paid_out, days[0].stripe_pending) == (
		D("300"),
		D("0"),
		D("340"),
	)
	assert (days[1].stripe_received, days[1].stripe_paid_out, days[1].stripe_pending) == (
		D("0"),
		D("250"),
		D("90"),
	)


def test_cash_position_rejects_reversed_range():
	with pytest.raises(ValueError, match="before"):
		m.daily_cash_position(date(2026, 3, 2), date(2026, 3, 1), 0, [])


# --- DSO -------------------------------------------------------------------------------------------


def test_month_sequence_crosses_year_end():
	assert m.month_sequence(2026, 2, 4) == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]


def quarter() -> list[m.MonthFigures]:
	# Opening receivables 10,000 on 1 Jan 2026; net receivable change Jan +5,000, Feb -3,000, Mar +8,000
	# → month-end balances Jan 15,000, Feb 12,000, Mar 20,000.
	# Credit sales Jan 31,000, Feb 14,000, Mar 10,000.
	return m.month_figures(
		[(2026, 1), (2026, 2), (2026, 3)],
		opening_receivables=D("10000"),
		receivable_moves=[
			{"year": 2026, "month": 1, "net": D("5000")},
			{"year": 2026, "month": 2, "net": D("-3000")},
			{"year": 2026, "month": 3, "net": D("8000")},
		],
		credit_sales=[
			{"year": 2026, "month": 1, "amount": D("31000")},
			{"year": 2026, "month": 2, "amount": D("14000")},
			{"year": 2026, "month": 3, "amount": D("10000")},
		],
	)


def test_month_figures_accumulate_the_receivable_balance():
	figures = quarter()
	assert [f.receivables for f in figures] == [D("15000"), D("12000"), D("20000")]
	assert [f.days for f in figures] == [31, 28, 31]  # 2026 is not a leap year
	assert figures[1].end == date(2026, 2, 28)


def test_standard_dso():
	points = m.dso_standard(quarter())
	# Jan: 15,000 / 31,000 * 31 = 15.00
	# Feb: 12,000 / 14,000 * 28 = 24.00
	# Mar: 20,000 / 10,000 * 31 = 62.00
	assert [p.dso for p in points] == [D("15.00"), D("24.00"), D("62.00")]
	assert points[2].label == "2026-03" and points[2].days_in_month == 31


def test_countback_dso():
	points = m.dso_countback(quarter())
	# Jan: 15,000 <= Jan sales 31,000 → 15,000 / 31,000 * 31 = 15.00
	# Feb: 12,000 <= Feb sales 14,000 → 12,000 / 14,000 * 28 = 24.00
	# Mar: 20,000 > Mar sales 10,000 → 31 days, 10,000 left; 10,000 <= Feb 14,000 → 10/14 * 28 = 20
	#      → 31 + 20 = 51.00 (the standard method says 62: March's low sales inflate it)
	assert [p.dso for p in points] == [D("15.00"), D("24.00"), D("51.00")]
	assert not any(p.exhausted for p in points)


def test_countback_marks_exhausted_history_as_lower_bound():
	figures = m.month_figures(
		[(2026, 1), (2026, 2)],
		D("0"),
		[{"year": 2026, "month": 1, "net": "100"}, {"year": 2026, "month": 2, "net": "50"}],
		[{"year": 2026, "month": 1, "amount": "40"}, {"year": 2026, "month": 2, "amount": "0"}],
	)
	points = m.dso_countback(figures)
	# Jan: receivables 100 > Jan sales 40 → 31 days, 60 left, no earlier month → exhausted, 31.00
	assert (points[0].dso, points[0].exhausted) == (D("31.00"), True)
	# Feb: receivables 150; Feb has no sales → all 28 days; Jan 40 < 110 → +31; history ends → 59.00
	assert (points[1].dso, points[1].exhausted) == (D("59.00"), True)
	# Standard: Jan 100/40*31 = 77.50; Feb no sales → no DSO
	assert [p.dso for p in m.dso_standard(figures)] == [D("77.50"), None]


def test_dso_zero_receivables_and_unknown_method():
	figures = [m.MonthFigures(2026, 4, D("0"), D("500"))]
	assert m.dso(figures, "Countback")[0].dso == D("0.00")
	assert m.dso(figures, "Standard")[0].dso == D("0.00")
	with pytest.raises(ValueError, match="unknown DSO method"):
		m.dso(figures, "Average")


# --- aging -----------------------------------------------------------------------------------------


def test_aging_buckets_default_and_custom():
	assert m.aging_labels() == ["Not Due", "0-30", "31-60", "61-90", "90+"]
	# boundaries: -1 not due; 0 (due today) and 30 → 0-30; 31 → 31-60; 90 → 61-90; 91 → 90+
	assert [m.aging_bucket(d) for d in (-1, 0, 30, 31, 60, 61, 90, 91, 400)] == [
		"Not Due",
		"0-30",
		"0-30",
		"31-60",
		"31-60",
		"61-90",
		"61-90",
		"90+",
		"90+",
	]
	assert m.aging_labels((15, 45)) == ["Not Due", "0-15", "16-45", "45+"]
	assert m.aging_bucket(16, (15, 45)) == "16-45"
	for bad in ((), (30, 30), (60, 30), (0, 30)):
		with pytest.raises(ValueError):
			m.aging_labels(bad)


def test_aging_summary():
	as_of = date(2026, 3, 31)
	invoices = [
		{"due_date": "2026-04-10", "outstanding": D("500")},  # -10 days → Not Due
		{"due_date": "2026-03-31", "outstanding": D("100")},  # 0 → 0-30
		{"due_date": "2026-03-01", "outstanding": D("200")},  # 30 → 0-30
		{"due_date": "2026-02-28", "outstanding": D("300")},  # 31 → 31-60
		{"due_date": date(2025, 12, 1), "outstanding": D("50.25")},  # 120 → 90+
	]
	summary = m.aging_summary(invoices, as_of)
	# 0-30: 100 + 200 = 300 (2 invoices); total 500 + 100 + 200 + 300 + 50.25 = 1150.25
	assert summary.amounts == {
		"Not Due": D("500"),
		"0-30": D("300"),
		"31-60": D("300"),
		"61-90": D("0"),
		"90+": D("50.25"),
	}
	assert summary.counts == {"Not Due": 1, "0-30": 2, "31-60": 1, "61-90": 0, "90+": 1}
	assert summary.total == D("1150.25")
	assert m.days_overdue("2025-12-01", as_of) == 120


# --- pay-link status and funnel ----------------------------------------------------------------------


def test_pay_link_status_priorities():
	assert m.pay_link_status(None) == "Not Sent"
	assert m.pay_link_status("Not Sent") == "Not Sent"
	assert m.pay_link_status("Sent", sent_at="2026-03-01 10:00:00") == "Never Viewed"
	assert m.pay_link_status("Viewed", view_count=2) == "Viewed"
	assert m.pay_link_status("Paid", view_count=1) == "Viewed"  # partial payment through the link
	assert m.pay_link_status("Payment Failed", view_count=3) == "Payment Failed"
	# a dispute outranks everything, even when the state field says otherwise
	assert m.pay_link_status("Viewed", disputed=1, view_count=1) == "Disputed"


def funnel_rows() -> list[dict]:
	return [
		# never sent, unpaid → stuck at Invoiced
		{"invoice": "SI-1", "customer": "A", "amount": "100", "outstanding": "100"},
		{
			"invoice": "SI-2",
			"customer": "B",
			"amount": "200",
			"outstanding": "200",
			"link_state": "Sent",
			"sent_at": "2026-03-02",
			"view_count": 0,
		},  # sent, not viewed → stuck at Link Sent
		{
			"invoice": "SI-3",
			"customer": "C",
			"amount": "300",
			"outstanding": "120",
			"link_state": "Payment Failed",
			"sent_at": "2026-03-02",
			"view_count": 2,
		},  # viewed, part-paid, failed → stuck at Link Viewed
		{
			"invoice": "SI-4",
			"customer": "D",
			"amount": "400",
			"outstanding": "0",
			"link_state": "Paid",
			"sent_at": "2026-03-02",
			"view_count": 1,
		},  # paid through the link
		{"invoice": "SI-5", "customer": "E", "amount": "500", "outstanding": "0"},  # paid by bank transfer
		{
			"invoice": "SI-6",
			"customer": "F",
			"amount": "600",
			"outstanding": "600",
			"link_state": "Viewed",
			"sent_at": "2026-03-02",
			"view_count": 1,
		},  # viewed, unpaid → stuck at Link Viewed
	]


def test_collection_funnel_counts_amounts_and_stuck_lists():
	stages = m.collection_funnel(funnel_rows())
	assert [s.stage for s in stages] == ["Invoiced", "Link Sent", "Link Viewed", "Paid"]
	# Furthest stage reached: SI-1 0, SI-2 1, SI-3 2, SI-4 3, SI-5 3 (paid off-link), SI-6 2
	# Invoiced: all 6, 100+200+300+400+500+600 = 2100
	# Link Sent (>=1): SI-2..6 → 5, 2000
	# Link Viewed (>=2): SI-3,4,5,6 → 4, 300+400+500+600 = 1800
	# Paid (3): SI-4, SI-5 → 2, 900
	assert [(s.count, s.amount) for s in stages] == [
		(6, D("2100")),
		(5, D("2000")),
		(4, D("1800")),
		(2, D("900")),
	]
	# Conversion: 5/6 = 83.33 %, 4/5 = 80.00 %, 2/4 = 50.00 %
	assert [s.conversion for s in stages] == [None, D("83.33"), D("80.00"), D("50.00")]
	assert [i.invoice for i in stages[0].stuck] == ["SI-1"]
	assert [i.invoice for i in stages[1].stuck] == ["SI-2"]
	# Link Viewed stuck: SI-6 (600 outstanding) before SI-3 (120)
	assert [i.invoice for i in stages[2].stuck] == ["SI-6", "SI-3"]
	assert stages[2].stuck_outstanding == D("720")
	assert stages[2].stuck[1].link_status == "Payment Failed"
	assert stages[3].stuck == []


def test_empty_funnel():
	stages = m.collection_funnel([])
	assert [(s.count, s.amount, s.conversion) for s in stages] == [(0, 0, None)] * 4


def test_link_engagement_counts_what_the_links_recorded():
	from revops_app.core.collections.metrics import link_engagement

	rows = [
		{"sent_at": "2026-11-01 09:00", "view_count": 2, "link_state": "Viewed"},
		{"sent_at": "2026-11-02 09:00", "view_count": 0, "link_state": "Sent"},
		{"sent_at": None, "view_count": 0, "link_state": "Paid"},  # paid without the link being sent
		{"sent_at": None, "view_count": None, "link_state": None},
	]
	engagement = link_engagement(rows)
	assert (engagement.invoices, engagement.sent, engagement.viewed) == (4, 2, 1)
