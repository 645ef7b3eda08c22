"""The collections metrics pinned against plain reference implementations on random data.

The library keeps fast paths (labels built once per limits, one-pass funnel, dict rows read directly);
these references are the obvious loops, written for reading, over rows in every shape the reports pass:
dicts, `frappe._dict`-like dict subclasses, objects, Decimal / float / int / str money, date or ISO
string dates, missing values. Seeds are fixed, so a failure reproduces. Aging, pay-link status and the
funnel (with and without promised dates) here; cash position and DSO in `test_metrics_reference_ledger.py`.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest

from revops_app.core.collections import metrics as m

ZERO = Decimal(0)
AS_OF = date(2026, 11, 30)
STATES = (None, "Not Sent", "Sent", "Viewed", "Payment Failed", "Disputed", "Paid")
LIMIT_SETS = ((30, 60, 90), (15, 45), (7,), [10, 20, 30, 60, 120])


class Row(dict):
	"""A dict subclass, as frappe._dict rows are."""


def money(rng: random.Random) -> object:
	cents = rng.randrange(0, 2_000_000)
	return rng.choice((Decimal(cents) / 100, cents / 100, str(Decimal(cents) / 100), cents // 100, None, ""))


def shaped(rng: random.Random, fields: dict) -> object:
	kind = rng.randrange(3)
	if kind == 0:
		return fields
	if kind == 1:
		return Row(fields)
	return SimpleNamespace(**fields)


def random_invoices(seed: int, count: int = 600) -> list:
	rng = random.Random(seed)
	rows = []
	for i in range(count):
		due = AS_OF + timedelta(days=rng.randrange(-200, 40))
		state = rng.choice(STATES)
		amount = money(rng)
		fields = {
			"invoice": f"SI-{rng.randrange(count * 2):05d}",  # duplicates on purpose (ties in sorting)
			"customer": rng.choice(("A", "B", None, "")),
			"amount": amount,
			"outstanding": rng.choice((amount, 0, "0", ZERO, money(rng))),
			"due_date": rng.choice((due, due.isoformat(), None)) if i % 7 else due,
			"link_state": state,
			"disputed": rng.choice((0, 1, None, "0")) if state else None,
			"view_count": rng.choice((0, 1, 3, None, "2")),
			"sent_at": rng.choice((None, "", "2026-11-01 10:00:00")),
		}
		rows.append(shaped(rng, fields))
	return rows


def get(row: object, key: str) -> object:
	return row.get(key) if isinstance(row, dict) else getattr(row, key, None)


def dec(value: object) -> Decimal:
	if value is None or value == "":
		return ZERO
	return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def day(value: object) -> date:
	return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- aging ---------------------------------------------------------------------------------------------


def reference_bucket(days: int, limits) -> str:
	if days < 0:
		return "Not Due"
	lower = 0
	for upper in limits:
		if days <= upper:
			return f"{lower}-{upper}"
		lower = upper + 1
	return f"{limits[-1]}+"


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("limits", LIMIT_SETS)
def test_aging_summary_and_buckets_match_the_reference(seed, limits):
	rows = [r for r in random_invoices(seed) if get(r, "due_date")]
	labels = ["Not Due"]
	lower = 0
	for upper in limits:
		labels.append(f"{lower}-{upper}")
		lower = upper + 1
	labels.append(f"{limits[-1]}+")
	amounts = dict.fromkeys(labels, ZERO)
	counts = dict.fromkeys(labels, 0)
	for row in rows:
		label = reference_bucket((AS_OF - day(get(row, "due_date"))).days, limits)
		amounts[label] += dec(get(row, "outstanding"))
		counts[label] += 1

	summary = m.aging_summary(rows, AS_OF, limits)
	assert summary.labels == labels == m.aging_labels(limits)
	assert summary.amounts == amounts
	assert summary.counts == counts
	assert summary.total == sum(amounts.values(), ZERO)
	assert sum(summary.counts.values()) == len(rows)
	for days in range(-5, 400, 3):
		assert m.aging_bucket(days, limits) == reference_bucket(days, limits)


def test_aging_labels_are_a_fresh_list_each_call():
	labels = m.aging_labels((30, 60, 90))
	labels.append("mutated by a caller")
	assert m.aging_labels((30, 60, 90)) == ["Not Due", "0-30", "31-60", "61-90", "90+"]
	assert m.aging_summary([], AS_OF).labels == ["Not Due", "0-30", "31-60", "61-90", "90+"]


# --- funnel --------------------------------------------------------------------------------------------


def reference_status(state, disputed, views, sent_at) -> str:
	if state is None:
		return "Not Sent"
	if int(disputed or 0) or state == "Disputed":
		return "Disputed"
	if state == "Payment Failed":
		return "Payment Failed"
	if int(views or 0) > 0 or state in ("Viewed", "Paid"):
		return "Viewed"
	if sent_at or state == "Sent":
		return "Never Viewed"
	return "Not Sent"


def reference_funnel(rows: list, promised: dict | None = None) -> list[tuple]:
	items = []
	for row in rows:
		state, views, sent_at = get(row, "link_state"), int(get(row, "view_count") or 0), get(row, "sent_at")
		viewed = views > 0 or state in ("Viewed", "Paid")
		sent = viewed or bool(sent_at) or state in ("Sent", "Payment Failed", "Disputed")
		outstanding = dec(get(row, "outstanding"))
		stage = 3 if outstanding <= 0 else 2 if viewed else 1 if sent else 0
		due = get(row, "due_date")
		items.append(
			{
				"stage": stage,
				"fields": (
					get(row, "invoice"),
					get(row, "customer") or "",
					dec(get(row, "amount")),
					outstanding,
					sent,
					viewed,
					day(due) if due else None,
					reference_status(state, get(row, "disputed"), views, sent_at),
				),
				"until": (promised or {}).get(get(row, "invoice")) if stage < 3 else None,
			}
		)
	out, previous = [], None
	for index, name in enumerate(("Invoiced", "Link Sent", "Link Viewed", "Paid")):
		reached = [i for i in items if i["stage"] >= index]
		conversion = None
		if previous:
			conversion = (Decimal(len(reached)) * 100 / Decimal(previous)).quantize(
				Decimal("0.01"), ROUND_HALF_UP
			)
		stuck = []
		if index < 3:
			stuck = [
				i["fields"] for i in reached if i["stage"] == index and (promised is None or not i["until"])
			]
		stuck.sort(key=lambda f: (-f[3], f[0]))
		out.append((name, len(reached), sum((i["fields"][2] for i in reached), ZERO), conversion, stuck))
		previous = len(reached)
	if promised is not None:
		waiting = sorted(
			(i for i in items if i["until"]), key=lambda i: (i["until"], -i["fields"][3], i["fields"][0])
		)
		total = sum((i["fields"][2] for i in waiting), ZERO)
		out.append(("Promised", len(waiting), total, None, [(*i["fields"], i["until"]) for i in waiting]))
	return out


def as_tuples(stages: list) -> list[tuple]:
	return [
		(
			s.stage,
			s.count,
			s.amount,
			s.conversion,
			[
				(
					i.invoice,
					i.customer,
					i.amount,
					i.outstanding,
					i.link_sent,
					i.link_viewed,
					i.due_date,
					i.link_status,
				)
				+ ((i.promised_until,) if s.stage == "Promised" else ())
				for i in s.stuck
			],
		)
		for s in stages
	]


@pytest.mark.parametrize("seed", range(8))
def test_collection_funnel_matches_the_reference(seed):
	rows = random_invoices(seed)
	expected = reference_funnel(rows)
	assert as_tuples(m.collection_funnel(rows)) == expected
	# The same invoices given as FunnelInvoice objects (and a mix of both) give the same funnel.
	assert as_tuples(m.collection_funnel([m.funnel_invoice(r) for r in rows])) == expected
	mixed = [m.funnel_invoice(r) if i % 2 else r for i, r in enumerate(rows)]
	assert as_tuples(m.collection_funnel(mixed)) == expected
	stages = m.collection_funnel(iter(rows))  # any iterable, read once
	assert as_tuples(stages) == expected
	assert [s.stuck_outstanding for s in stages] == [sum((f[3] for f in s[4]), ZERO) for s in expected]

	# With promised dates for a random third of the invoice names (paid ones included: they stay Paid).
	rng = random.Random(seed)
	names = sorted({get(r, "invoice") for r in rows})
	promised = {name: AS_OF + timedelta(days=rng.randrange(0, 15)) for name in names if rng.random() < 0.33}
	expected = reference_funnel(rows, promised)
	assert as_tuples(m.collection_funnel(rows, promised)) == expected
	assert as_tuples(m.collection_funnel(mixed, promised)) == expected
	assert [s[:4] for s in expected[:4]] == [s[:4] for s in reference_funnel(rows)]
	assert expected[4][1] > 0


@pytest.mark.parametrize("seed", range(4))
def test_pay_link_status_matches_the_reference(seed):
	rng = random.Random(seed)
	for _ in range(2_000):
		args = (
			rng.choice(STATES),
			rng.choice((0, 1, None, "0", "1", "", 0.0)),
			rng.choice((0, 1, 3, None, "0", "2", "")),
			rng.choice((None, "", "2026-11-01 10:00:00")),
		)
		assert m.pay_link_status(*args) == reference_status(*args), args
