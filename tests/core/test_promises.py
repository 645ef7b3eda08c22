"""Promises to pay (revops_app.core.collections.promises): the window, what may be promised, Kept / Broken."""

from datetime import date, timedelta

from revops_app.core.collections import promises as p

TODAY = date(2026, 12, 2)


def invoice(name: str, **changes) -> p.PromisableInvoice:
	values = {"name": name, "customer": "ACME", "company": "Co", "currency": "EUR", "outstanding": 100.0}
	values.update(changes)
	return p.PromisableInvoice(**values)


def test_window_runs_from_tomorrow_to_max_days_and_is_none_when_not_offered():
	assert p.promise_window(TODAY, True, 14) == (date(2026, 12, 3), date(2026, 12, 16))
	assert p.promise_window(TODAY, True, 1) == (date(2026, 12, 3), date(2026, 12, 3))
	assert p.promise_window(TODAY, False, 14) is None
	assert p.promise_window(TODAY, True, 0) is None


def test_date_error_bounds_are_inclusive_and_messages_name_the_limit():
	window = p.promise_window(TODAY, True, 14)
	assert p.date_error(date(2026, 12, 3), window) is None
	assert p.date_error(date(2026, 12, 16), window) is None
	assert "2026-12-03" in p.date_error(TODAY, window)
	assert "no later than 2026-12-16" in p.date_error(date(2026, 12, 17), window)
	assert p.date_error(None, window) == "Choose the date you will pay by."
	assert "not available" in p.date_error(date(2026, 12, 5), None)


def test_invoice_errors_accept_open_invoices_of_the_customer():
	rows = [invoice("A"), invoice("B")]
	assert p.invoice_errors(rows, ["A", "B"], "ACME", "Co", "EUR") == []


def test_invoice_errors_refuse_each_bad_invoice_with_a_sentence():
	rows = [
		invoice("PAID", outstanding=0.0),
		invoice("OTHER", customer="BETA"),
		invoice("OTHERCO", company="Elsewhere"),
		invoice("DRAFT", docstatus=0),
		invoice("RET", is_return=True),
		invoice("USD", currency="USD"),
		invoice("TAKEN"),
	]
	requested = ["PAID", "OTHER", "OTHERCO", "DRAFT", "RET", "USD", "TAKEN", "GHOST"]
	errors = p.invoice_errors(rows, requested, "ACME", "Co", "EUR", already_promised={"TAKEN"})
	assert errors == [
		"Invoice PAID is already paid.",
		"Invoice OTHER was not found.",  # another customer's invoice is never confirmed to exist
		"Invoice OTHERCO was not found.",
		"Invoice DRAFT is not open.",
		"Invoice RET is not open.",
		"Invoice USD is in USD, not EUR.",
		"A payment date was already promised for invoice TAKEN.",
		"Invoice GHOST was not found.",
	]
	assert p.invoice_errors(rows, [], "ACME", "Co", "EUR") == ["Choose at least one invoice."]
	assert p.invoice_errors([invoice("A")], ["A", "A"], "ACME", "Co", "EUR") == [
		"An invoice is listed twice."
	]


def test_resolve_kept_broken_or_still_open():
	promise = p.Promise("PR-1", p.PromiseStatus.OPEN, TODAY, ("A", "B"))
	assert (
		p.resolve(promise, {"A": 10.0, "B": 0.0}, TODAY) == p.PromiseStatus.OPEN
	)  # the date itself is inside
	assert p.resolve(promise, {"A": 10.0, "B": 0.0}, TODAY + timedelta(days=1)) == p.PromiseStatus.BROKEN
	assert p.resolve(promise, {"A": 0.0, "B": 0.0}, TODAY - timedelta(days=3)) == p.PromiseStatus.KEPT
	# paid late still counts as kept when nobody resolved it before; a missing invoice owes nothing
	assert p.resolve(promise, {}, TODAY + timedelta(days=9)) == p.PromiseStatus.KEPT


def test_resolved_promises_are_final():
	for status in p.PromiseStatus.FINAL:
		promise = p.Promise("PR-1", status, TODAY, ("A",))
		assert p.resolve(promise, {"A": 0.0}, TODAY + timedelta(days=5)) == status
		assert p.resolve(promise, {"A": 50.0}, TODAY + timedelta(days=5)) == status


def test_promised_until_takes_open_running_promises_and_the_latest_date():
	promises = [
		p.Promise("PR-1", p.PromiseStatus.OPEN, TODAY + timedelta(days=3), ("A", "B")),
		p.Promise("PR-2", p.PromiseStatus.OPEN, TODAY + timedelta(days=7), ("B",)),
		p.Promise("PR-3", p.PromiseStatus.OPEN, TODAY - timedelta(days=1), ("C",)),  # date passed
		p.Promise("PR-4", p.PromiseStatus.CANCELLED, TODAY + timedelta(days=9), ("D",)),
		p.Promise("PR-5", p.PromiseStatus.BROKEN, TODAY + timedelta(days=9), ("E",)),
	]
	assert p.promised_until(promises, TODAY) == {
		"A": TODAY + timedelta(days=3),
		"B": TODAY + timedelta(days=7),
	}
	# on the promised date itself the invoice is still promised
	assert p.promised_until(promises, TODAY + timedelta(days=3))["A"] == TODAY + timedelta(days=3)
	assert "A" not in p.promised_until(promises, TODAY + timedelta(days=4))
	assert p.open_promise_for(promises, TODAY).name == "PR-2"
	assert p.open_promise_for(promises, TODAY + timedelta(days=8)) is None


def test_rule_from_row_defaults_and_errors():
	assert p.rule_from_row({}) == p.PromiseRule(True, 14, None)
	rule = p.rule_from_row(
		{"allow_customer_promises": 0, "max_promise_days": 5, "broken_promise_step": " Final "}
	)
	assert rule == p.PromiseRule(False, 5, "Final")
	assert p.rule_errors(rule, ["First", "Final"]) == []
	assert p.rule_errors(p.PromiseRule(True, -1, "Gone"), ["First"]) == [
		"the latest promise must be 0 or more days ahead",
		"the broken-promise step 'Gone' is not one of this policy's steps",
	]


def test_promised_as_of_sees_each_promise_as_it_stood_on_the_day():
	made, kept = TODAY - timedelta(days=5), TODAY - timedelta(days=2)
	due = TODAY + timedelta(days=3)
	promises = [
		# made 5 days ago, kept 2 days ago: promised on days -5..-3, not from the day it was kept
		p.Promise("PR-1", p.PromiseStatus.KEPT, due, ("A",), created_on=made, resolved_on=kept),
		# still Open, made 5 days ago
		p.Promise("PR-2", p.PromiseStatus.OPEN, due, ("B",), created_on=made),
		# made yesterday: not promised on any earlier day
		p.Promise("PR-3", p.PromiseStatus.OPEN, due, ("C",), created_on=TODAY - timedelta(days=1)),
		# cancelled with no resolved_on: ended from the start
		p.Promise("PR-4", p.PromiseStatus.CANCELLED, due, ("D",), created_on=made),
		# broken yesterday, its date (3 days ago) passed: never promised after its date
		p.Promise(
			"PR-5",
			p.PromiseStatus.BROKEN,
			TODAY - timedelta(days=3),
			("E",),
			created_on=made,
			resolved_on=TODAY - timedelta(days=1),
		),
	]
	assert p.promised_as_of(promises, made - timedelta(days=1)) == {}
	assert p.promised_as_of(promises, made) == {"A": due, "B": due, "E": TODAY - timedelta(days=3)}
	# E on its own promised date (3 days ago) still runs
	assert p.promised_as_of(promises, kept - timedelta(days=1)) == {
		"A": due,
		"B": due,
		"E": kept - timedelta(days=1),
	}
	assert p.promised_as_of(promises, kept) == {"B": due}
	assert p.promised_as_of(promises, TODAY) == {"B": due, "C": due}
	# on today's statuses it agrees with promised_until (what dunning reads)
	assert p.promised_as_of(promises, TODAY) == p.promised_until(promises, TODAY)
	# after the promised date nothing runs
	assert p.promised_as_of(promises, due + timedelta(days=1)) == {}


def test_open_on_without_known_days_is_todays_status():
	plain = p.Promise("PR-1", p.PromiseStatus.OPEN, TODAY, ("A",))
	assert p.open_on(plain, TODAY - timedelta(days=100))
	assert not p.open_on(p.Promise("PR-2", p.PromiseStatus.KEPT, TODAY, ("A",)), TODAY - timedelta(days=100))
	resolved = p.Promise("PR-3", p.PromiseStatus.KEPT, TODAY, ("A",), resolved_on=TODAY)
	assert p.open_on(resolved, TODAY - timedelta(days=1))
	assert not p.open_on(resolved, TODAY)
