"""The dunning engine (`decide` + `group_messages`) pinned against a plain reference on random facts.

The reference reads the rules off the module docstring of `decisions.py` and works from the policy's steps
as given (it sorts them itself, recomputes conditions as sets, hashes the key itself), so the engine's
precomputed offsets, bit masks and positions are checked, not reused. Seeds are fixed.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

import pytest

from revops_app.core.collections import dunning as d

C = d.Condition
ON = date(2026, 11, 30)


def random_policy(rng: random.Random, name: str) -> d.Policy:
	steps = []
	for index in range(rng.randrange(1, 7)):
		conditions = frozenset(rng.sample((C.OVERDUE, C.PARTIALLY_PAID, C.PAYMENT_FAILED), rng.randrange(3)))
		if rng.random() < 0.3:
			conditions |= {rng.choice((C.NEVER_VIEWED, C.VIEWED_UNPAID))}
		steps.append(d.Step(f"S{index}", rng.randrange(-5, 40), conditions, template="T"))
	return d.Policy(name, tuple(steps), max_attempts=rng.randrange(1, 4))


def random_world(seed: int, count: int = 800):
	rng = random.Random(seed)
	policies = {name: random_policy(rng, name) for name in ("P1", "P2", "P3")}
	customers = {
		f"C{i}": d.CustomerState(
			policy=rng.choice(("P1", "P2", "P3", None, "Missing")),
			paused_until=rng.choice(
				(None, None, None, None, ON, ON - timedelta(days=1), ON + timedelta(days=2))
			),
			opted_out=rng.random() < 0.05,
		)
		for i in range(40)
	}
	default = rng.choice(("P1", None))
	invoices = []
	for i in range(count):
		total = rng.randrange(1, 100_000) / 100
		customer = rng.choice([*customers, "Unknown"])
		state = customers.get(customer, d.CustomerState())
		# Mostly rows of the policy that applies; some of another policy or a step no longer in it.
		policy = rng.choice((state.policy or default or "P1",) * 3 + ("P2", "Old"))
		steps = [s.name for s in policies[policy].steps] if policy in policies else ["S0", "Gone"]
		logged = tuple(
			d.LoggedStep(
				policy,
				rng.choice([*steps, "Gone"]),
				rng.choice(d.Outcome.ALL),
				rng.randrange(1, 3),
			)
			for _ in range(rng.randrange(4))
		)
		invoices.append(
			d.InvoiceFacts(
				invoice=f"SI-{i:04d}",
				customer=customer,
				due_date=ON - timedelta(days=rng.randrange(-10, 60)),
				outstanding=rng.choices(
					(total, round(total * rng.random(), 2) + 0.01, 0, -1.0), (5, 3, 1, 1)
				)[0],
				grand_total=total,
				cancelled=rng.random() < 0.03,
				disputed=rng.random() < 0.03,
				link_viewed=rng.random() < 0.5,
				last_payment_failed=rng.random() < 0.2,
				logged=logged,
			)
		)
	return invoices, customers, policies, default


def holds(facts: d.InvoiceFacts) -> set[str]:
	held = {C.VIEWED_UNPAID if facts.link_viewed else C.NEVER_VIEWED}
	if ON > facts.due_date:
		held.add(C.OVERDUE)
	if 0 < facts.outstanding < facts.grand_total:
		held.add(C.PARTIALLY_PAID)
	if facts.last_payment_failed:
		held.add(C.PAYMENT_FAILED)
	return held


def reference_one(facts, customers, policies, default) -> tuple:
	customer = customers.get(facts.customer, d.CustomerState())
	base = (facts.invoice, facts.customer)
	for reason, applies in (
		(d.Skip.CANCELLED, facts.cancelled),
		(d.Skip.PAID, facts.outstanding <= 0),
		(d.Skip.DISPUTED, facts.disputed),
		(d.Skip.OPTED_OUT, customer.opted_out),
		(d.Skip.PAUSED, customer.paused_until is not None and ON <= customer.paused_until),
	):
		if applies:
			return (*base, "skip", reason, None, None, None, False, 0, ())
	name = customer.policy or default
	if name not in policies:
		return (*base, "skip", d.Skip.NO_POLICY, None, None, None, False, 0, ())
	policy = policies[name]
	ordered = [s for _, s in sorted(enumerate(policy.steps), key=lambda p: (p[1].offset_days, p[0]))]
	days = (ON - facts.due_date).days
	overdue = max(days, 0)
	reached = [i for i, s in enumerate(ordered) if days >= s.offset_days]
	if not reached:
		return (*base, "skip", d.Skip.NOT_DUE, name, None, None, False, overdue, ())
	index_of = {s.name: i for i, s in enumerate(ordered)}
	done, failed = [-1], set()
	for row in facts.logged:
		if row.policy != name or row.step not in index_of:
			continue
		if row.outcome == d.Outcome.FAILED and row.attempts < policy.max_attempts:
			failed.add(row.step)
		else:
			done.append(index_of[row.step])
	last_done = max(done)
	held = holds(facts)
	applicable = [i for i in reached if i > last_done and ordered[i].conditions <= held]
	if not applicable:
		reason = d.Skip.DONE if last_done >= 0 else d.Skip.CONDITIONS
		return (*base, "skip", reason, name, None, None, False, overdue, ())
	chosen = ordered[applicable[-1]]
	key = hashlib.sha256(f"{facts.invoice}\x1f{name}\x1f{chosen.name}".encode()).hexdigest()[:40]
	superseded = tuple(ordered[i].name for i in applicable[:-1])
	return (*base, "send", None, name, chosen, key, chosen.name in failed, overdue, superseded)


def as_tuple(x: d.Decision) -> tuple:
	return (
		x.invoice,
		x.customer,
		x.action,
		x.reason,
		x.policy,
		x.step,
		x.key,
		x.retry,
		x.days_overdue,
		x.superseded,
	)


@pytest.mark.parametrize("seed", range(10))
def test_decide_and_group_messages_match_the_reference(seed):
	invoices, customers, policies, default = random_world(seed)
	expected = [reference_one(f, customers, policies, default) for f in invoices]
	decisions = d.decide(invoices, customers, policies, ON, default)
	assert [as_tuple(x) for x in decisions] == expected
	assert all(x.is_send == (x.action == d.SEND) for x in decisions)

	groups: dict = {}
	for row in expected:
		if row[2] == "send":
			groups.setdefault((row[1], row[4], row[5].name), []).append(row)
	messages = d.group_messages(decisions)
	assert [
		((msg.customer, msg.policy, msg.step.name), [as_tuple(x) for x in msg.decisions]) for msg in messages
	] == [(group, sorted(rows, key=lambda r: r[0])) for group, rows in sorted(groups.items())]
	assert sum(d.summarise(decisions).values()) == len(invoices)
