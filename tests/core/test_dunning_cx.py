"""CX-aware dunning (revops_app.core.collections.dunning_cx): hold or soften reminders during service recovery."""

from datetime import date, timedelta

from revops_app.core.collections import dunning as engine
from revops_app.core.collections import dunning_cx as cx

ON = date(2026, 12, 2)
POLICY = engine.Policy(
	"P",
	(
		engine.Step("First", 1, frozenset({engine.Condition.OVERDUE}), template="T1"),
		engine.Step(
			"Final",
			20,
			frozenset({engine.Condition.OVERDUE}),
			template="T2",
			escalation=engine.Escalation.DUNNING,
		),
	),
)


def facts(invoice: str, customer: str, days_overdue: int, **extra) -> engine.InvoiceFacts:
	return engine.InvoiceFacts(invoice, customer, ON - timedelta(days=days_overdue), 100.0, 100.0, **extra)


def decide(invoices, standings, rule, on=ON):
	decisions = engine.decide(invoices, {}, {"P": POLICY}, on, "P")
	return cx.apply_cx(decisions, standings, {"P": rule}, on)


def test_open_recovery_issue_holds_every_reminder_of_that_customer_only():
	standings = {"ACME": cx.CXStanding(open_issues=("ISS-1",))}
	decisions, notes = decide(
		[facts("A1", "ACME", 3), facts("A2", "ACME", 25), facts("B1", "BETA", 3)], standings, cx.CXRule()
	)
	by_invoice = {d.invoice: d for d in decisions}
	assert by_invoice["A1"].action == engine.SKIP and by_invoice["A1"].reason == cx.CX_HELD
	assert by_invoice["A2"].reason == cx.CX_HELD and by_invoice["A2"].days_overdue == 25
	assert by_invoice["B1"].is_send
	assert notes == {"ACME": "open service-recovery Issue ISS-1"}
	assert [m.customer for m in engine.group_messages(decisions)] == ["BETA"]


def test_held_reminder_resumes_with_the_latest_step_once_the_issue_closes():
	invoice = facts("A1", "ACME", 25)
	held, _ = decide([invoice], {"ACME": cx.CXStanding(open_issues=("ISS-1",))}, cx.CXRule())
	assert held[0].reason == cx.CX_HELD
	resumed, notes = decide([invoice], {"ACME": cx.CXStanding()}, cx.CXRule())
	assert resumed[0].is_send and resumed[0].step.name == "Final" and resumed[0].superseded == ("First",)
	assert notes == {}


def test_detractor_window_is_inclusive_and_configurable():
	standing = cx.CXStanding(last_detractor_on=ON - timedelta(days=30), last_detractor_score=2)
	inside, notes = decide([facts("A1", "ACME", 3)], {"ACME": standing}, cx.CXRule(detractor_days=30))
	assert inside[0].reason == cx.CX_HELD
	assert notes["ACME"] == "detractor response (score 2) on 2026-11-02"
	outside, _ = decide([facts("A1", "ACME", 3)], {"ACME": standing}, cx.CXRule(detractor_days=29))
	assert outside[0].is_send
	# a response dated after the run date (a preview of the past) does not count
	future = cx.CXStanding(last_detractor_on=ON + timedelta(days=1))
	assert decide([facts("A1", "ACME", 3)], {"ACME": future}, cx.CXRule())[0][0].is_send


def test_soften_keeps_the_send_with_the_gentle_template_and_no_escalation():
	rule = cx.CXRule(action=cx.CXAction.SOFTEN, soft_template="Gentle")
	decisions, notes = decide(
		[facts("A1", "ACME", 25)], {"ACME": cx.CXStanding(open_issues=("I1", "I2"))}, rule
	)
	(decision,) = decisions
	assert decision.is_send and decision.reason == cx.CX_SOFTENED
	assert decision.step.name == "Final" and decision.step.template == "Gentle"
	assert decision.step.escalation == engine.Escalation.NONE
	# same idempotency key as the unsoftened step: softening never sends a step twice
	assert decision.key == engine.reminder_key("A1", "P", "Final")
	assert notes["ACME"] == "open service-recovery Issues I1, I2"
	(message,) = engine.group_messages(decisions)
	assert message.step.template == "Gentle"
	# no gentle template: the step's own, still without escalation
	plain, _ = decide(
		[facts("A1", "ACME", 25)],
		{"ACME": cx.CXStanding(open_issues=("I1",))},
		cx.CXRule(action=cx.CXAction.SOFTEN),
	)
	assert plain[0].step.template == "T2" and plain[0].step.escalation == engine.Escalation.NONE


def test_off_rule_and_unknown_policy_change_nothing_and_skips_keep_their_reason():
	standings = {"ACME": cx.CXStanding(open_issues=("ISS-1",))}
	off, notes = decide([facts("A1", "ACME", 3)], standings, cx.OFF)
	assert off[0].is_send and notes == {}
	paid, _ = decide([engine.InvoiceFacts("A2", "ACME", ON, 0.0, 100.0)], standings, cx.CXRule())
	assert paid[0].reason == engine.Skip.PAID
	decisions = engine.decide([facts("A1", "ACME", 3)], {}, {"P": POLICY}, ON, "P")
	assert cx.apply_cx(decisions, standings, {}, ON)[0][0].is_send  # no rule for the policy = off


def test_rule_from_row_and_errors():
	assert cx.rule_from_row({"cx_aware": 1}) == cx.CXRule()
	assert cx.rule_from_row({"cx_aware": "0", "cx_detractor_days": 0}) == cx.CXRule(False, detractor_days=0)
	row = {"cx_aware": 1, "cx_action": "Soften", "cx_detractor_days": "14", "cx_soft_template": "G"}
	assert cx.rule_from_row(row) == cx.CXRule(True, "Soften", 14, "G")
	assert cx.rule_errors(cx.CXRule(action="Shout", detractor_days=-1)) == [
		"unknown CX action 'Shout' (use Hold or Soften)",
		"the detractor window cannot be negative",
	]
