"""Instalments (core.collections.instalments) and dunning per instalment (core.collections.dunning.instalments)."""

from datetime import date, timedelta

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import instalments as sched
from revops_app.core.collections.dunning import instalments as per

ON = date(2026, 12, 2)
POLICY = engine.Policy(
	"P",
	(
		engine.Step("Before", -3, template="T0"),
		engine.Step("First", 3, frozenset({engine.Condition.OVERDUE}), template="T1"),
		engine.Step("Final", 20, frozenset({engine.Condition.OVERDUE}), template="T2"),
	),
)


def rows(*specs) -> list[sched.ScheduleRow]:
	"""(due offset from ON, amount, outstanding or None)"""
	return [
		sched.ScheduleRow(
			i, ON + timedelta(days=offset), amount, amount - (out or 0) if out is not None else 0.0, out
		)
		for i, (offset, amount, out) in enumerate(specs, start=1)
	]


def test_rows_outstanding_is_read_as_erpnext_keeps_it():
	schedule = sched.instalments(rows((-10, 50.0, 0.0), (20, 50.0, 50.0)), invoice_outstanding=50.0)
	assert [(i.index, i.outstanding, i.paid) for i in schedule] == [(1, 0.0, True), (2, 50.0, False)]


def test_payments_not_recorded_on_the_rows_go_to_the_earliest_instalments():
	# ERPNext left both rows at 50 (the payment named no payment term); the invoice owes 30
	schedule = sched.instalments(rows((-10, 50.0, 50.0), (20, 50.0, 50.0)), invoice_outstanding=30.0)
	assert [i.outstanding for i in schedule] == [0.0, 30.0]
	assert sum(i.outstanding for i in schedule) == 30.0
	# outstanding missing on old rows: payment_amount - paid_amount
	old = [sched.ScheduleRow(1, ON, 40.0, 10.0, None), sched.ScheduleRow(2, ON + timedelta(days=30), 60.0)]
	assert [i.outstanding for i in sched.instalments(old, 90.0)] == [30.0, 60.0]


def test_instalments_are_ordered_by_due_date_whatever_the_row_order():
	mixed = [
		sched.ScheduleRow(1, ON + timedelta(days=30), 60.0, 0, 60.0),
		sched.ScheduleRow(2, ON, 40.0, 0, 40.0),
	]
	schedule = sched.instalments(mixed, 70.0)
	assert [(i.index, i.outstanding) for i in schedule] == [(2, 10.0), (1, 60.0)]


def test_due_now_sums_what_is_due_else_names_the_next_instalment():
	schedule = sched.instalments(rows((-40, 30.0, 30.0), (-10, 30.0, 30.0), (20, 40.0, 40.0)), 100.0)
	due = sched.due_now(schedule, ON)
	assert (due.amount, due.due_date, due.overdue, due.count, due.upcoming) == (
		60.0,
		ON - timedelta(days=40),
		True,
		2,
		False,
	)
	later = sched.instalments(rows((-40, 30.0, 0.0), (10, 70.0, 70.0)), 70.0)
	upcoming = sched.due_now(later, ON)
	assert (upcoming.amount, upcoming.due_date, upcoming.upcoming) == (70.0, ON + timedelta(days=10), True)
	assert sched.due_now(sched.instalments(rows((-5, 10.0, 0.0), (5, 10.0, 0.0)), 0.0), ON) is None
	today_due = sched.due_now(sched.instalments(rows((0, 10.0, 10.0), (30, 10.0, 10.0)), 20.0), ON)
	assert today_due.overdue is False and today_due.count == 1


def test_has_instalments_needs_two_rows():
	assert not sched.has_instalments(rows((0, 100.0, 100.0)))
	assert sched.has_instalments(rows((0, 50.0, 50.0), (30, 50.0, 50.0)))


def facts(logged=()) -> engine.InvoiceFacts:
	# the invoice's own due date is the last instalment's (ERPNext: max of the schedule)
	return engine.InvoiceFacts("INV", "ACME", ON + timedelta(days=30), 100.0, 100.0, logged=tuple(logged))


def decide(schedule, logged_by_instalment=None, invoice_logged=(), on=ON):
	item = facts(invoice_logged)
	expanded = per.instalment_facts(item, schedule, logged_by_instalment or {})
	return per.decide_invoice(item, expanded, {}, {"P": POLICY}, on, "P")


def test_each_instalment_runs_its_own_steps_with_its_own_key():
	schedule = sched.instalments(rows((-5, 50.0, 50.0), (30, 50.0, 50.0)), 100.0)
	decision, inst = decide(schedule)
	assert decision.is_send and decision.step.name == "First" and inst.index == 1
	assert decision.days_overdue == 5
	assert decision.key == per.instalment_key("INV", "P", "First", 1)
	assert decision.key != engine.reminder_key("INV", "P", "First")
	assert per.instalment_key("INV", "P", "First", 2) != decision.key
	assert per.instalment_key("INV", "P", "First", per.WHOLE_INVOICE) == engine.reminder_key(
		"INV", "P", "First"
	)


def test_a_step_logged_for_one_instalment_does_not_count_for_the_next():
	schedule = sched.instalments(rows((-25, 50.0, 50.0), (-4, 50.0, 50.0)), 100.0)
	sent = engine.LoggedStep("P", "First", engine.Outcome.SENT)
	final = engine.LoggedStep("P", "Final", engine.Outcome.SENT)
	decision, inst = decide(schedule, {1: [sent, final]})
	assert inst.index == 2 and decision.step.name == "First"
	assert decision.key == per.instalment_key("INV", "P", "First", 2)
	# both logged: nothing to send, the earliest unpaid instalment's skip is reported
	decision, inst = decide(schedule, {1: [sent, final], 2: [sent]})
	assert not decision.is_send and decision.reason == engine.Skip.DONE and inst.index == 1


def test_earliest_due_instalment_goes_first_when_two_have_a_step():
	schedule = sched.instalments(rows((-25, 50.0, 50.0), (-4, 50.0, 50.0)), 100.0)
	decision, inst = decide(schedule)
	assert inst.index == 1 and decision.step.name == "Final"  # catch-up: the latest reached step
	assert decision.superseded == ("Before", "First")


def test_paid_instalment_gets_nothing_and_a_fully_paid_schedule_skips_as_paid():
	schedule = sched.instalments(rows((-25, 50.0, 0.0), (10, 50.0, 50.0)), 50.0)
	decision, inst = decide(schedule)
	assert not decision.is_send and decision.reason == engine.Skip.NOT_DUE and inst.index == 2
	on_before = ON + timedelta(days=7)  # instalment 2 due in 3 days: its "Before" step
	decision, inst = decide(schedule, on=on_before)
	assert decision.is_send and decision.step.name == "Before" and inst.index == 2
	paid = sched.instalments(rows((-25, 50.0, 0.0), (10, 50.0, 0.0)), 0.0)
	decision, inst = decide(paid)
	assert decision.reason == engine.Skip.PAID and inst is None


def test_whole_invoice_rows_count_for_every_instalment_and_partial_payment_is_per_instalment():
	schedule = sched.instalments(rows((-5, 50.0, 50.0), (-4, 50.0, 50.0)), 100.0)
	decision, _ = decide(schedule, invoice_logged=[engine.LoggedStep("P", "First", engine.Outcome.SENT)])
	assert decision.reason == engine.Skip.DONE
	partial = sched.instalments(rows((-5, 50.0, 20.0), (30, 50.0, 50.0)), 70.0)
	item = facts()
	(first, first_facts), _second = per.instalment_facts(item, partial, {})
	assert first_facts.outstanding == 20.0 and first_facts.grand_total == 50.0
	assert engine.Condition.PARTIALLY_PAID in engine.conditions_holding(first_facts, ON)
	assert first_facts.due_date == ON - timedelta(days=5) and first.index == 1


def test_a_failed_instalment_step_is_retried_with_its_key():
	schedule = sched.instalments(rows((-5, 50.0, 50.0), (30, 50.0, 50.0)), 100.0)
	failed = engine.LoggedStep("P", "First", engine.Outcome.FAILED, attempts=1)
	decision, _inst = decide(schedule, {1: [failed]})
	assert decision.is_send and decision.retry and decision.key == per.instalment_key("INV", "P", "First", 1)
