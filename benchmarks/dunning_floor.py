"""Bare-loop floor for the dunning benchmark (`dunning.py`): `decide` + `group_messages` as one loop.

Same inputs as the engine (the `InvoiceFacts`, the customer states, the policies, the day) and the same
rules in the same order, written inline with tuples: per invoice (invoice, customer, action, reason, policy,
step, key, retry, days overdue, superseded), and the send rows grouped per (customer, policy, step name),
sorted. The policy's step order, offsets and condition masks are read as the `Policy` holds them (policy
data, derived once per policy). `same` turns the engine's output into this shape.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Mapping
from datetime import date
from typing import Any

from revops_app.core.collections import dunning as d
from revops_app.core.collections.dunning.policy import CONDITION_BITS

_C = d.Condition
OVERDUE, PARTLY = CONDITION_BITS[_C.OVERDUE], CONDITION_BITS[_C.PARTIALLY_PAID]
VIEWED, UNSEEN = CONDITION_BITS[_C.VIEWED_UNPAID], CONDITION_BITS[_C.NEVER_VIEWED]
FAILED = CONDITION_BITS[_C.PAYMENT_FAILED]


def floor(
	invoices: list[d.InvoiceFacts],
	customers: Mapping[str, d.CustomerState],
	policies: Mapping[str, d.Policy],
	on: date,
	default: str | None,
) -> tuple[list[tuple], list[tuple]]:
	out: list[tuple] = []
	append = out.append
	groups: dict[tuple[str, str, str], list[tuple]] = {}
	nobody = d.CustomerState()
	sha256 = hashlib.sha256
	for f in invoices:
		invoice, name = f.invoice, f.customer
		customer = customers.get(name, nobody)
		skip = None
		if f.cancelled:
			skip = "cancelled"
		elif f.outstanding <= 0:
			skip = "paid"
		elif f.disputed:
			skip = "disputed"
		elif customer.opted_out:
			skip = "customer opted out"
		elif customer.paused_until is not None and on <= customer.paused_until:
			skip = "customer paused"
		policy_name = customer.policy or default
		policy = policies.get(policy_name) if policy_name and skip is None else None
		if skip is None and policy is None:
			skip = "no dunning policy"
		if skip is not None:
			append((invoice, name, "skip", skip, None, None, None, False, 0, ()))
			continue
		days = (on - f.due_date).days
		overdue = days if days > 0 else 0
		reached = bisect_right(policy.offsets, days)
		if reached == 0:
			append(
				(invoice, name, "skip", "no step reached yet", policy_name, None, None, False, overdue, ())
			)
			continue
		last, failed, position = -1, set(), policy.position
		for row in f.logged:
			if row.policy != policy_name or row.step not in position:
				continue
			if row.outcome == "Failed" and row.attempts < policy.max_attempts:
				failed.add(row.step)
			elif position[row.step] > last:
				last = position[row.step]
		if reached - 1 <= last:
			append((invoice, name, "skip", d.Skip.DONE, policy_name, None, None, False, overdue, ()))
			continue
		holding = (OVERDUE if on > f.due_date else 0) | (VIEWED if f.link_viewed else UNSEEN)
		if 0 < f.outstanding < f.grand_total:
			holding |= PARTLY
		if f.last_payment_failed:
			holding |= FAILED
		masks, ordered = policy.masks, policy.ordered
		for index in range(reached - 1, last, -1):
			if masks[index] & ~holding == 0:
				step = ordered[index]
				passed = tuple(ordered[e].name for e in range(last + 1, index) if masks[e] & ~holding == 0)
				key = sha256("\x1f".join((invoice, policy_name, step.name)).encode()).hexdigest()[:40]
				row = (
					invoice,
					name,
					"send",
					None,
					policy_name,
					step,
					key,
					step.name in failed,
					overdue,
					passed,
				)
				append(row)
				groups.setdefault((name, policy_name, step.name), []).append(row)
				break
		else:
			reason = d.Skip.DONE if last >= 0 else d.Skip.CONDITIONS
			append((invoice, name, "skip", reason, policy_name, None, None, False, overdue, ()))
	messages = [(group, sorted(rows)) for group, rows in sorted(groups.items())]
	return out, messages


def _row(x: d.Decision) -> tuple:
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


def same(engine: tuple[list[d.Decision], list[d.Message]], bare: tuple[list[tuple], list[tuple]]) -> bool:
	decisions, messages = engine
	mine = [((m.customer, m.policy, m.step.name), [_row(x) for x in m.decisions]) for m in messages]
	return [_row(x) for x in decisions] == bare[0] and mine == bare[1]


def engine(*args: Any) -> tuple[list[d.Decision], list[d.Message]]:
	decisions = d.decide(*args)
	return decisions, d.group_messages(decisions)
