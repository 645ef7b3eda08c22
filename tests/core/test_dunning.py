"""Dunning engine on hand-checked cases: every expected step is worked out from the policy below.

Policy "Standard" (sorted by offset):
  pos 0  Heads-up        -3  no condition
  pos 1  Reminder 1      +1  Overdue
  pos 2  Nudge unseen    +7  Overdue + Pay Link Never Viewed
  pos 3  Viewed nudge    +7  Overdue + Pay Link Viewed But Unpaid
  pos 4  Final notice   +21  Overdue, escalation ERPNext Dunning
Due date of every invoice: 2026-03-10.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from revops_app.core.collections import dunning as d

DUE = date(2026, 3, 10)
C = d.Condition

STANDARD = d.Policy(
	"Standard",
	(
		d.Step("Reminder 1", 1, frozenset({C.OVERDUE}), template="T1"),
		d.Step("Heads-up", -3, template="T0"),
		d.Step("Nudge unseen", 7, frozenset({C.OVERDUE, C.NEVER_VIEWED}), template="T2"),
		d.Step("Viewed nudge", 7, frozenset({C.OVERDUE, C.VIEWED_UNPAID}), template="T3"),
		d.Step("Final notice", 21, frozenset({C.OVERDUE}), template="T4", escalation=d.Escalation.DUNNING),
	),
)
POLICIES = {"Standard": STANDARD}


def inv(name: str = "SINV-1", customer: str = "ACME", **kw) -> d.InvoiceFacts:
	values = {"due_date": DUE, "outstanding": 100.0, "grand_total": 100.0, "currency": "USD"}
	values.update(kw)
	return d.InvoiceFacts(name, customer, **values)


def logged(*steps: str, outcome: str = d.Outcome.SENT, attempts: int = 1, policy: str = "Standard"):
	return tuple(d.LoggedStep(policy, step, outcome, attempts) for step in steps)


def decide_one(facts: d.InvoiceFacts, on: date, customer: d.CustomerState | None = None) -> d.Decision:
	customers = {facts.customer: customer} if customer else {}
	[decision] = d.decide([facts], customers, POLICIES, on, default_policy="Standard")
	return decision


def on(days_from_due: int) -> date:
	return DUE + timedelta(days=days_from_due)


def test_policy_orders_steps_by_offset_then_given_order():
	assert [s.name for s in STANDARD.ordered] == [
		"Heads-up",
		"Reminder 1",
		"Nudge unseen",
		"Viewed nudge",
		"Final notice",
	]
	assert STANDARD.offsets == (-3, 1, 7, 7, 21)


@pytest.mark.parametrize(
	"days, expected",
	[
		(-4, None),  # before the first step (-3)
		(-3, "Heads-up"),  # 7 Mar: exactly due_date - 3
		(0, "Heads-up"),  # due date itself, Heads-up not yet logged in this test
		(1, "Reminder 1"),  # 11 Mar
		(6, "Reminder 1"),
		(7, "Nudge unseen"),  # never viewed: pos 2 applies, pos 3 (viewed) does not
		(20, "Nudge unseen"),
		(21, "Final notice"),
		(400, "Final notice"),
	],
)
def test_latest_reached_applicable_step_with_nothing_logged(days, expected):
	decision = decide_one(inv(), on(days))
	if expected is None:
		assert (decision.action, decision.reason) == (d.SKIP, d.Skip.NOT_DUE)
	else:
		assert decision.is_send and decision.step.name == expected


def test_catch_up_sends_only_the_latest_step_and_names_the_superseded_ones():
	# The daily job did not run for three weeks: on day +21 only Final notice goes, Heads-up, Reminder 1
	# and Nudge unseen are passed over (Viewed nudge never applied: the link was not viewed).
	decision = decide_one(inv(), on(21))
	assert decision.step.name == "Final notice"
	assert decision.superseded == ("Heads-up", "Reminder 1", "Nudge unseen")
	assert decision.days_overdue == 21
	assert decision.step.escalation == d.Escalation.DUNNING


def test_viewed_link_takes_the_viewed_branch():
	decision = decide_one(inv(link_viewed=True, logged=logged("Heads-up", "Reminder 1")), on(8))
	assert decision.step.name == "Viewed nudge"
	assert decision.superseded == ()


def test_same_day_second_run_sends_nothing():
	first = decide_one(inv(), on(1))
	assert first.step.name == "Reminder 1"
	second = decide_one(inv(logged=logged("Reminder 1")), on(1))
	assert (second.action, second.reason) == (d.SKIP, d.Skip.DONE)


def test_a_step_before_the_last_done_one_never_fires():
	# Final notice is logged; on day 30 nothing earlier may be sent, even though never sent.
	decision = decide_one(inv(logged=logged("Final notice")), on(30))
	assert decision.reason == d.Skip.DONE


def test_a_sent_step_with_a_non_applying_sibling_counts_as_done():
	# Day 8, Nudge unseen (pos 2) sent; Viewed nudge (pos 3, same offset) is reached but does not apply.
	decision = decide_one(inv(logged=logged("Nudge unseen")), on(8))
	assert decision.reason == d.Skip.DONE


def test_between_steps_nothing_is_due():
	decision = decide_one(inv(logged=logged("Heads-up", "Reminder 1")), on(5))
	assert decision.reason == d.Skip.DONE


def test_reached_step_whose_conditions_fail_is_skipped_with_reason():
	policy = d.Policy("Only failed", (d.Step("Card failed", 0, frozenset({C.PAYMENT_FAILED}), template="T"),))
	[decision] = d.decide([inv()], {}, {"Only failed": policy}, on(3), default_policy="Only failed")
	assert decision.reason == d.Skip.CONDITIONS
	[decision] = d.decide(
		[inv(last_payment_failed=True)], {}, {"Only failed": policy}, on(3), default_policy="Only failed"
	)
	assert decision.step.name == "Card failed"


def test_partially_paid_condition():
	policy = d.Policy(
		"Partial",
		(
			d.Step("Any", 1, template="T"),
			d.Step("Balance", 2, frozenset({C.PARTIALLY_PAID, C.OVERDUE}), template="T"),
		),
	)
	# 40 of 100 paid: outstanding 60 < grand total 100 → partially paid → Balance on day 2
	[partly] = d.decide([inv(outstanding=60.0)], {}, {"Partial": policy}, on(2), "Partial")
	assert partly.step.name == "Balance"
	[unpaid] = d.decide([inv()], {}, {"Partial": policy}, on(2), "Partial")
	assert unpaid.step.name == "Any"


def test_condition_masks_match_the_facts():
	facts = inv(outstanding=60.0, link_viewed=True, last_payment_failed=True)
	assert d.conditions_holding(facts, on(0)) == [C.PARTIALLY_PAID, C.VIEWED_UNPAID, C.PAYMENT_FAILED]
	assert d.conditions_holding(inv(), on(1)) == [C.OVERDUE, C.NEVER_VIEWED]


@pytest.mark.parametrize(
	"facts, customer, reason",
	[
		(inv(outstanding=0.0), None, d.Skip.PAID),
		(inv(outstanding=-5.0), None, d.Skip.PAID),  # over-paid / credit noted
		(inv(cancelled=True), None, d.Skip.CANCELLED),
		(inv(disputed=True), None, d.Skip.DISPUTED),
		(inv(), d.CustomerState(opted_out=True), d.Skip.OPTED_OUT),
		(inv(), d.CustomerState(paused_until=on(21)), d.Skip.PAUSED),  # paused through the run day
	],
)
def test_nothing_goes_out_for_paid_cancelled_disputed_paused_opted_out(facts, customer, reason):
	decision = decide_one(facts, on(21), customer)
	assert (decision.action, decision.reason) == (d.SKIP, reason)


def test_pause_ends_after_its_date():
	decision = decide_one(inv(logged=logged("Heads-up")), on(2), d.CustomerState(paused_until=on(1)))
	assert decision.step.name == "Reminder 1"


def test_customer_policy_overrides_default_and_unknown_policy_skips():
	gentle = d.Policy("Gentle", (d.Step("Only one", 30, template="G"),))
	policies = {"Standard": STANDARD, "Gentle": gentle}
	customers = {"ACME": d.CustomerState(policy="Gentle"), "GLOBEX": d.CustomerState(policy="Missing")}
	decisions = d.decide(
		[inv("A", "ACME"), inv("B", "GLOBEX"), inv("C", "INITECH")], customers, policies, on(21), "Standard"
	)
	assert [(x.invoice, x.policy, x.reason, x.step and x.step.name) for x in decisions] == [
		("A", "Gentle", d.Skip.NOT_DUE, None),  # day 21 < 30
		("B", None, d.Skip.NO_POLICY, None),
		("C", "Standard", None, "Final notice"),
	]
	[none] = d.decide([inv()], {}, policies, on(21), default_policy=None)
	assert none.reason == d.Skip.NO_POLICY


def test_logs_of_another_policy_do_not_count():
	facts = inv(logged=logged("Reminder 1", policy="Old policy"))
	assert decide_one(facts, on(1)).step.name == "Reminder 1"


def test_failed_step_is_retried_with_the_same_key_until_max_attempts():
	key = d.reminder_key("SINV-1", "Standard", "Reminder 1")
	retry = decide_one(inv(logged=logged("Reminder 1", outcome=d.Outcome.FAILED, attempts=2)), on(3))
	assert (retry.step.name, retry.retry, retry.key) == ("Reminder 1", True, key)
	# third failure reaches max_attempts (3): the step counts as done, nothing more until day 7
	given_up = decide_one(inv(logged=logged("Reminder 1", outcome=d.Outcome.FAILED, attempts=3)), on(3))
	assert given_up.reason == d.Skip.DONE
	# a failed earlier step is superseded by the next one, which is a fresh insert
	later = decide_one(inv(logged=logged("Reminder 1", outcome=d.Outcome.FAILED)), on(7))
	assert (later.step.name, later.retry) == ("Nudge unseen", False)


def test_skipped_counts_as_done():
	decision = decide_one(inv(logged=logged("Reminder 1", outcome=d.Outcome.SKIPPED)), on(3))
	assert decision.reason == d.Skip.DONE


def test_keys_are_stable_and_distinct_per_invoice_policy_step():
	key = d.reminder_key("SINV-1", "Standard", "Reminder 1")
	assert key == d.reminder_key("SINV-1", "Standard", "Reminder 1")
	assert len(key) == 40
	others = {
		d.reminder_key("SINV-2", "Standard", "Reminder 1"),
		d.reminder_key("SINV-1", "Gentle", "Reminder 1"),
		d.reminder_key("SINV-1", "Standard", "Reminder 2"),
		# the separator keeps ("a b", "c") and ("a", "b c") apart
		d.reminder_key("SINV-1", "Standard Reminder", " 1"),
	}
	assert key not in others and len(others) == 4


def test_group_messages_one_per_customer_and_step():
	facts = [
		inv("SINV-3", "ACME"),
		inv("SINV-1", "ACME"),
		inv("SINV-2", "ACME", logged=logged("Heads-up", "Reminder 1")),  # at Nudge unseen on day 7
		inv("SINV-9", "GLOBEX"),
		inv("SINV-8", "GLOBEX", disputed=True),
	]
	decisions = d.decide(facts, {}, POLICIES, on(7), "Standard")
	messages = d.group_messages(decisions)
	# All not-logged ACME invoices are at Nudge unseen too (latest applicable step on day 7).
	assert [(m.customer, m.step.name, m.invoices) for m in messages] == [
		("ACME", "Nudge unseen", ("SINV-1", "SINV-2", "SINV-3")),
		("GLOBEX", "Nudge unseen", ("SINV-9",)),
	]
	assert messages[0].keys == tuple(
		d.reminder_key(i, "Standard", "Nudge unseen") for i in messages[0].invoices
	)
	assert d.summarise(decisions) == {d.SEND: 4, d.Skip.DISPUTED: 1}


def test_group_splits_customers_at_different_steps():
	facts = [inv("A1", "ACME"), inv("A2", "ACME", logged=logged("Reminder 1"))]
	messages = d.group_messages(d.decide(facts, {}, POLICIES, on(2), "Standard"))
	# A1: nothing logged, latest reached on day 2 is Reminder 1. A2: Reminder 1 done → nothing.
	assert [(m.step.name, m.invoices) for m in messages] == [("Reminder 1", ("A1",))]


@pytest.mark.parametrize(
	"steps, message",
	[
		((), "add at least one step"),
		((d.Step("A", 1, template="T"), d.Step("A", 2, template="T")), "used twice"),
		((d.Step("A", 1, frozenset({"Rainy"}), template="T"),), "unknown conditions"),
		(
			(d.Step("A", 1, frozenset({C.NEVER_VIEWED, C.VIEWED_UNPAID}), template="T"),),
			"never hold together",
		),
		((d.Step("A", 1, channel="Fax", template="T"),), "unknown channel"),
		((d.Step("A", 1),), "needs an Email Template"),
		((d.Step("A", 1, template="T", escalation="Lawyer"),), "unknown escalation"),
		((d.Step("", 1, template="T"),), "needs a name"),
		((d.Step("A", 1.5, template="T"),), "whole number"),
	],
)
def test_invalid_policies_are_refused_with_a_clear_error(steps, message):
	with pytest.raises(d.PolicyError, match=message):
		d.Policy("Bad", steps)


def test_decide_is_linear_and_keeps_input_order():
	facts = [inv(f"SINV-{i}", f"C{i % 7}", due_date=DUE - timedelta(days=i % 40)) for i in range(500)]
	decisions = d.decide(facts, {}, POLICIES, DUE, "Standard")
	assert [x.invoice for x in decisions] == [f.invoice for f in facts]
	# due DUE - k: k days overdue on DUE; k=0 → Heads-up; 1..6 → Reminder 1; 7..20 → Nudge; 21+ → Final
	expected = {0: "Heads-up", 1: "Reminder 1", 6: "Reminder 1", 7: "Nudge unseen", 20: "Nudge unseen"}
	for decision, facts_row in zip(decisions, facts, strict=True):
		k = (DUE - facts_row.due_date).days
		if k in expected:
			assert decision.step.name == expected[k]
		if k >= 21:
			assert decision.step.name == "Final notice"
