"""The sync's state: cursors, the ledger of pushed values, contact state and score history, the ERP cache."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from sidecar.store import schema as s
from sidecar.store import schema_outcomes as o
from sidecar.store.base import CHUNK, StoreBase
from sidecar.store.base import chunks as _chunks
from sidecar.store.schema import utcnow


@dataclass
class ContactState:
	contact_id: str
	score: float | None = None
	armed: bool = True
	crossings: int = 0
	company_id: str | None = None
	erp_customer: str | None = None
	lifecyclestage: str | None = None
	converted_at: datetime | None = None
	last_touch_at: datetime | None = None
	exists: bool = False


class SyncState(StoreBase):
	# --- cursors ---------------------------------------------------------------------------------
	def get_cursor(self, name: str) -> Any:
		with self.engine.connect() as conn:
			raw = conn.execute(select(s.cursors.c.value).where(s.cursors.c.name == name)).scalar()
		return json.loads(raw) if raw is not None else None

	def set_cursor(self, name: str, value: Any, conn: Connection | None = None) -> None:
		if conn is None:
			with self.engine.begin() as c:
				return self.set_cursor(name, value, c)
		raw = json.dumps(value, sort_keys=True, default=str)
		done = conn.execute(
			update(s.cursors).where(s.cursors.c.name == name).values(value=raw, updated_at=utcnow())
		)
		if not done.rowcount:
			conn.execute(insert(s.cursors).values(name=name, value=raw, updated_at=utcnow()))

	def cursors(self) -> dict[str, tuple[Any, datetime]]:
		with self.engine.connect() as conn:
			return {r.name: (json.loads(r.value), r.updated_at) for r in conn.execute(select(s.cursors))}

	# --- ledger ----------------------------------------------------------------------------------
	def ledger_hashes(self, object_type: str, ids: Iterable[str]) -> dict[str, str]:
		out: dict[str, str] = {}
		t = s.ledger
		with self.engine.connect() as conn:
			for chunk in _chunks(list(ids), CHUNK):
				rows = conn.execute(
					select(t.c.object_id, t.c.hash).where(
						t.c.object_type == object_type, t.c.object_id.in_(chunk)
					)
				)
				out.update({r.object_id: r.hash for r in rows})
		return out

	def record_pushed(self, object_type: str, hashes: dict[str, str], conn: Connection | None = None) -> None:
		"""Upsert ledger rows for values HubSpot accepted."""
		if not hashes:
			return
		if conn is None:
			with self.engine.begin() as c:
				return self.record_pushed(object_type, hashes, c)
		t = s.ledger
		now = utcnow()
		existing: set[str] = set()
		for chunk in _chunks(list(hashes), CHUNK):
			existing.update(
				conn.execute(
					select(t.c.object_id).where(t.c.object_type == object_type, t.c.object_id.in_(chunk))
				).scalars()
			)
		upd = [{"b_id": i, "b_hash": h} for i, h in hashes.items() if i in existing]
		new = [
			{"object_type": object_type, "object_id": i, "hash": h, "pushed_at": now}
			for i, h in hashes.items()
			if i not in existing
		]
		if upd:
			conn.execute(
				update(t)
				.where(t.c.object_type == object_type, t.c.object_id == bindparam("b_id"))
				.values(hash=bindparam("b_hash"), pushed_at=now),
				upd,
			)
		if new:
			conn.execute(insert(t), new)

	def ledger_count(self) -> dict[str, int]:
		with self.engine.connect() as conn:
			rows = conn.execute(select(s.ledger.c.object_type, func.count()).group_by(s.ledger.c.object_type))
			return {r[0]: r[1] for r in rows}

	# --- contact state & score history -----------------------------------------------------------
	def contact_states(self, ids: Iterable[str]) -> dict[str, ContactState]:
		out: dict[str, ContactState] = {}
		t = s.contact_state
		with self.engine.connect() as conn:
			for chunk in _chunks(list(ids), CHUNK):
				for r in conn.execute(select(t).where(t.c.contact_id.in_(chunk))):
					out[r.contact_id] = ContactState(
						contact_id=r.contact_id,
						score=r.score,
						armed=bool(r.armed),
						crossings=r.crossings,
						company_id=r.company_id,
						erp_customer=r.erp_customer,
						lifecyclestage=r.lifecyclestage,
						converted_at=r.converted_at,
						last_touch_at=r.last_touch_at,
						exists=True,
					)
		return out

	def contacts_for_customers(self, customers: Iterable[str]) -> set[str]:
		t = s.contact_state
		out: set[str] = set()
		with self.engine.connect() as conn:
			for chunk in _chunks(list(customers), CHUNK):
				out.update(conn.execute(select(t.c.contact_id).where(t.c.erp_customer.in_(chunk))).scalars())
		return out

	def save_states(self, states: list[ContactState], conn: Connection | None = None) -> None:
		"""Upsert contact states (not the crossing fields of existing rows: those move only in decide_handoff)."""
		if conn is None:
			with self.engine.begin() as c:
				return self.save_states(states, c)
		t = s.contact_state
		now = utcnow()
		rows = [
			{
				"b_id": st.contact_id,
				"score": st.score,
				"company_id": st.company_id,
				"erp_customer": st.erp_customer,
				"lifecyclestage": st.lifecyclestage,
				"converted_at": st.converted_at,
				"last_touch_at": st.last_touch_at,
				"armed": st.armed,
				"scored_at": now,
			}
			for st in states
		]
		old = [r for r, st in zip(rows, states, strict=True) if st.exists]
		new = [r for r, st in zip(rows, states, strict=True) if not st.exists]
		if old:
			conn.execute(
				update(t)
				.where(t.c.contact_id == bindparam("b_id"))
				.values(
					score=bindparam("score"),
					company_id=bindparam("company_id"),
					erp_customer=bindparam("erp_customer"),
					lifecyclestage=bindparam("lifecyclestage"),
					converted_at=bindparam("converted_at"),
					last_touch_at=bindparam("last_touch_at"),
					armed=bindparam("armed"),
					scored_at=bindparam("scored_at"),
				),
				old,
			)
		if new:
			conn.execute(insert(t), [dict(r, contact_id=r.pop("b_id"), crossings=0) for r in new])
		for st in states:
			st.exists = True

	def add_score_history(self, rows: list[dict[str, Any]]) -> None:
		if rows:
			with self.engine.begin() as conn:
				conn.execute(insert(s.score_history), rows)

	# --- ERP signals cache -----------------------------------------------------------------------
	def upsert_erp(self, records: list[dict[str, Any]], deleted: Iterable[str] = ()) -> None:
		gone = set(deleted)
		with self.engine.begin() as conn:
			names = [r["customer"] for r in records] + list(gone)
			for chunk in _chunks(names, CHUNK):
				conn.execute(delete(s.erp_customers).where(s.erp_customers.c.customer.in_(chunk)))
				conn.execute(delete(s.erp_domains).where(s.erp_domains.c.customer.in_(chunk)))
			live = [r for r in records if r["customer"] not in gone]
			if live:
				conn.execute(
					insert(s.erp_customers),
					[
						{
							"customer": r["customer"],
							"modified": str(r.get("modified") or ""),
							"data": json.dumps(r, default=str),
						}
						for r in live
					],
				)
				pairs = {(d.lower(), r["customer"]) for r in live for d in (r.get("domains") or []) if d}
				if pairs:
					conn.execute(
						insert(s.erp_domains), [{"domain": d, "customer": c} for d, c in sorted(pairs)]
					)
			_replace_erp_orders(conn, live, gone)

	def erp_orders(self) -> list[dict[str, Any]]:
		"""Orders as outcomes (`revops_erp_orders`): each customer's first order (kind "first") and the first
		order after each handoff reported to ERPNext (kind "handoff", with its handoff_key)."""
		with self.engine.connect() as conn:
			return [dict(r._mapping) for r in conn.execute(select(o.erp_orders))]

	def erp_records(self, customers: Iterable[str]) -> dict[str, dict[str, Any]]:
		out = {}
		with self.engine.connect() as conn:
			for chunk in _chunks(list(customers), CHUNK):
				for r in conn.execute(select(s.erp_customers).where(s.erp_customers.c.customer.in_(chunk))):
					out[r.customer] = json.loads(r.data)
		return out

	def erp_by_domain(self, domains: Iterable[str]) -> dict[str, str]:
		"""domain -> customer (the alphabetically first customer when several share a domain)."""
		out: dict[str, str] = {}
		with self.engine.connect() as conn:
			for chunk in _chunks(sorted({d.lower() for d in domains if d}), CHUNK):
				rows = conn.execute(
					select(s.erp_domains.c.domain, func.min(s.erp_domains.c.customer))
					.where(s.erp_domains.c.domain.in_(chunk))
					.group_by(s.erp_domains.c.domain)
				)
				out.update({r[0]: r[1] for r in rows})
		return out

	def erp_count(self) -> int:
		with self.engine.connect() as conn:
			return conn.execute(select(func.count()).select_from(s.erp_customers)).scalar_one()


def _order_row(customer: str, kind: str, key: str, at: Any, order: dict[str, Any], now: datetime) -> dict:
	return {
		"customer": customer,
		"kind": kind,
		"handoff_key": key,
		"handed_off_at": str(at) if at else None,
		"order_doctype": str(order["doctype"]),
		"order_name": str(order["name"]),
		"order_date": date.fromisoformat(str(order["date"])[:10]),
		"amount": float(order.get("amount") or 0),
		"read_at": now,
	}


def _replace_erp_orders(conn: Connection, records: list[dict[str, Any]], gone: set[str]) -> None:
	"""The outcome rows of each record, as the feed says now (a cancelled first order gives way to the next).
	A record from an app that predates the fields (no `handoff_orders` key) leaves its rows alone."""
	t, now = o.erp_orders, utcnow()
	current = [r for r in records if "handoff_orders" in r]
	names = [r["customer"] for r in current] + sorted(gone)
	for chunk in _chunks(names, CHUNK):
		conn.execute(delete(t).where(t.c.customer.in_(chunk)))
	rows = []
	for r in current:
		if r.get("first_order"):
			rows.append(_order_row(r["customer"], "first", "", None, r["first_order"], now))
		for h in r.get("handoff_orders") or ():
			if h.get("first_order"):
				rows.append(
					_order_row(
						r["customer"],
						"handoff",
						h["handoff_key"],
						h.get("handed_off_at"),
						h["first_order"],
						now,
					)
				)
	if rows:
		conn.execute(insert(t), rows)
