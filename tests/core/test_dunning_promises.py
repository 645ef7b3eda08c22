"""Dunning and promises to pay (core.collections.dunning.promises): pause until the date, broken-promise step."""

from datetime import date, timedelta

from revops_app.core.collections import dunning as engine
from revops_app.core.collections.dunning import promises as rule
from revops_app.core.collections.promises import Promise, PromiseStatus

ON = date(2026, 12, 2)
POLICY = engine.Policy(
	"P",
	(
		engine.Step("First", 3, frozenset({engine.Condition.OVERDUE}), template="T1"),
		engine.Step("Broken Promise", 9, frozenset({engine.Condition.PAYMENT_FAILED}), template="TB"),
		engine.Step("Final", 30, frozenset({engine.Condition.OVERDUE}), template="T2"),
	),
)
POLICIES = {"P": POLICY}
STEPS = {"P": "Broken Promise"}


def facts(invoice: str, days_overdue: int, customer: str = "ACME", outstanding: float = 100.0, **extra):
	return engine.InvoiceFacts(
		invoice, customer, ON - timedelta(days=days_overdue), outstanding, 100.0, **extra
	)


def decide(items, customers=None):
	return engine.decide(items, customers or {}, POLICIES, ON, "P")


def test_promised_invoice_skips_until_and_including_the_date_only_that_invoice():
	decisions = decide([facts("A", 5), facts("B", 5)])
	promised = {"A": ON}
	out = {d.invoice: d for d in rule.apply_promises(decisions, promised, {}, STEPS, POLICIES, {})}
	assert out["A"].action == engine.SKIP and out["A"].reason == rule.PROMISED
	assert out["A"].days_overdue == 5 and out["A"].policy == "P"
	assert out["B"].is_send and out["B"].step.name == "First"


def test_firmer_skips_keep_their_reason():
	decisions = decide(
		[
			facts("PAID", 5, outstanding=0.0),
			facts("OPT", 5, customer="OPT"),
			facts("PAUSED", 5, customer="PAUSED"),
		],
		{"OPT": engine.CustomerState(opted_out=True), "PAUSED": engine.CustomerState(paused_until=ON)},
	)
	promised = {"PAID": ON, "OPT": ON, "PAUSED": ON}
	broken = {name: rule.BrokenPromise("PR-1", ON - timedelta(days=1)) for name in ("PAID", "OPT", "PAUSED")}
	out = rule.apply_promises(decisions, promised, {}, STEPS, POLICIES, {})
	assert [d.reason for d in out] == [engine.Skip.PAID, engine.Skip.OPTED_OUT, engine.Skip.PAUSED]
	out = rule.apply_promises(decisions, {}, broken, STEPS, POLICIES, {})
	assert [d.reason for d in out] == [engine.Skip.PAID, engine.Skip.OPTED_OUT, engine.Skip.PAUSED]


def test_broken_promise_sends_its_step_once_whatever_offset_and_conditions():
	# 1 day overdue: no step reached yet; the broken step's condition (payment failed) does not hold
	decisions = decide([facts("A", 1)])
	assert decisions[0].reason == engine.Skip.NOT_DUE
	broken = {"A": rule.BrokenPromise("PR-7", ON - timedelta(days=1))}
	(out,) = rule.apply_promises(decisions, {}, broken, STEPS, POLICIES, {})
	assert out.is_send and out.step.name == "Broken Promise" and not out.retry
	assert out.key == rule.broken_key("A", "P", "Broken Promise", "PR-7")
	assert out.key != engine.reminder_key("A", "P", "Broken Promise")
	assert rule.broken_key("A", "P", "Broken Promise", "PR-8") != out.key  # next broken promise: again
	# logged Sent: the normal schedule runs
	logged = {out.key: engine.LoggedStep("P", "Broken Promise", engine.Outcome.SENT)}
	(again,) = rule.apply_promises(decisions, {}, broken, STEPS, POLICIES, logged)
	assert again == decisions[0]


def test_failed_broken_step_is_retried_until_attempts_are_used():
	decisions = decide([facts("A", 5)])
	broken = {"A": rule.BrokenPromise("PR-7", ON - timedelta(days=1))}
	key = rule.broken_key("A", "P", "Broken Promise", "PR-7")
	failed = {key: engine.LoggedStep("P", "Broken Promise", engine.Outcome.FAILED, attempts=1)}
	(out,) = rule.apply_promises(decisions, {}, broken, STEPS, POLICIES, failed)
	assert out.is_send and out.retry and out.key == key
	used = {key: engine.LoggedStep("P", "Broken Promise", engine.Outcome.FAILED, attempts=3)}
	(out,) = rule.apply_promises(decisions, {}, broken, STEPS, POLICIES, used)
	assert out.step.name == "First"  # given up: back to the schedule


def test_after_the_broken_step_the_schedule_continues_after_it():
	logged = (engine.LoggedStep("P", "Broken Promise", engine.Outcome.SENT),)
	(decision,) = decide([facts("A", 20, logged=logged)])
	assert decision.reason == engine.Skip.DONE  # First (before the broken step) never fires now
	(decision,) = decide([facts("A", 31, logged=logged)])
	assert decision.is_send and decision.step.name == "Final"


def test_no_broken_step_or_unknown_step_simply_resumes():
	decisions = decide([facts("A", 5)])
	broken = {"A": rule.BrokenPromise("PR-7", ON - timedelta(days=1))}
	for steps in ({}, {"P": None}, {"P": "Gone"}):
		(out,) = rule.apply_promises(decisions, {}, broken, steps, POLICIES, {})
		assert out == decisions[0]


def test_broken_promises_take_each_invoices_latest_promise():
	promises = [
		Promise("PR-1", PromiseStatus.BROKEN, ON - timedelta(days=20), ("A", "B")),
		Promise("PR-2", PromiseStatus.KEPT, ON - timedelta(days=5), ("B",)),
		Promise("PR-3", PromiseStatus.OPEN, ON - timedelta(days=1), ("C",)),  # date passed: broken
		Promise("PR-4", PromiseStatus.OPEN, ON, ("D",)),  # still running
		Promise("PR-5", PromiseStatus.CANCELLED, ON - timedelta(days=2), ("E",)),
	]
	assert rule.broken_promises(promises, ON) == {
		"A": rule.BrokenPromise("PR-1", ON - timedelta(days=20)),
		"C": rule.BrokenPromise("PR-3", ON - timedelta(days=1)),
	}
