"""Outcomes (deals, their associations, lifecycle stage changes) and model versions in the store."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from sidecar.store import schema_outcomes as o
from sidecar.store.base import StoreBase, chunks
from sidecar.store.schema import utcnow


class OutcomeState(StoreBase):
	# --- deals -----------------------------------------------------------------------------------
	def upsert_deals(self, deals: list[dict[str, Any]], cursor: tuple[str, Any] | None = None) -> None:
		"""Store deals (each with `contacts` and `companies` id lists) and, in the same transaction, the
		cursor that says they were read: a crash never moves the cursor past deals that were not stored."""
		now = utcnow()
		ids = [d["deal_id"] for d in deals]
		with self.engine.begin() as conn:
			for chunk in chunks(ids):
				for table in (o.deals, o.deal_contacts, o.deal_companies):
					conn.execute(delete(table).where(table.c.deal_id.in_(chunk)))
			if deals:
				conn.execute(
					insert(o.deals),
					[
						{k: d.get(k) for k in o.deals.c.keys() if k != "read_at"} | {"read_at": now}
						for d in deals
					],
				)
				links = [
					{"deal_id": d["deal_id"], "contact_id": c} for d in deals for c in set(d["contacts"])
				]
				firms = [
					{"deal_id": d["deal_id"], "company_id": c} for d in deals for c in set(d["companies"])
				]
				if links:
					conn.execute(insert(o.deal_contacts), links)
				if firms:
					conn.execute(insert(o.deal_companies), firms)
			if cursor is not None:
				self.set_cursor(cursor[0], cursor[1], conn=conn)

	def deals(self) -> list[dict[str, Any]]:
		"""Every stored deal with its `contacts` and `companies` (sorted id lists)."""
		with self.engine.connect() as conn:
			out = {
				r.deal_id: dict(r._mapping, contacts=[], companies=[]) for r in conn.execute(select(o.deals))
			}
			for r in conn.execute(select(o.deal_contacts)):
				if r.deal_id in out:
					out[r.deal_id]["contacts"].append(r.contact_id)
			for r in conn.execute(select(o.deal_companies)):
				if r.deal_id in out:
					out[r.deal_id]["companies"].append(r.company_id)
		for d in out.values():
			d["contacts"].sort()
			d["companies"].sort()
		return sorted(out.values(), key=lambda d: d["deal_id"])

	# --- lifecycle stage changes -----------------------------------------------------------------
	def record_lifecycle(self, changes: list[tuple[str, str, datetime]]) -> int:
		"""(contact, stage, entered_at): kept once per contact and stage, the latest entry date wins
		(HubSpot moves the date when a contact re-enters a stage). Returns rows written."""
		if not changes:
			return 0
		latest: dict[tuple[str, str], datetime] = {}
		for contact_id, stage, at in changes:
			key = (contact_id, stage)
			latest[key] = max(at, latest.get(key, at))
		t = o.lifecycle_changes
		by_stage: dict[str, list[str]] = defaultdict(list)
		for contact_id, stage in latest:
			by_stage[stage].append(contact_id)
		with self.engine.begin() as conn:
			for stage, contact_ids in by_stage.items():  # exactly the (contact, stage) pairs re-written
				for chunk in chunks(sorted(contact_ids)):
					conn.execute(delete(t).where(t.c.stage == stage, t.c.contact_id.in_(chunk)))
			conn.execute(
				insert(t), [{"contact_id": c, "stage": s, "entered_at": at} for (c, s), at in latest.items()]
			)
		return len(latest)

	def lifecycle_changes(self) -> list[dict[str, Any]]:
		with self.engine.connect() as conn:
			return [dict(r._mapping) for r in conn.execute(select(o.lifecycle_changes))]

	# --- model versions --------------------------------------------------------------------------
	def add_model_version(self, version: str, content: str, provenance: dict[str, Any]) -> bool:
		"""Record a model file (once per content hash); returns False when it was already known."""
		t = o.model_versions
		with self.engine.begin() as conn:
			if conn.execute(select(t.c.id).where(t.c.version == version)).first():
				return False
			conn.execute(
				insert(t).values(
					version=version,
					content=content,
					provenance=json.dumps(provenance, sort_keys=True, default=str),
					created_at=utcnow(),
					status="candidate",
				)
			)
		return True

	def set_live_model(self, version: str) -> None:
		"""Make `version` the live model and retire the previous one, in one transaction."""
		t = o.model_versions
		now = utcnow()
		with self.engine.begin() as conn:
			conn.execute(update(t).where(t.c.status == "live").values(status="retired", retired_at=now))
			moved = conn.execute(
				update(t)
				.where(t.c.version == version)
				.values(status="live", promoted_at=now, retired_at=None)
			)
			if not moved.rowcount:
				raise KeyError(version)

	def model_versions(self) -> list[dict[str, Any]]:
		t = o.model_versions
		with self.engine.connect() as conn:
			rows = conn.execute(select(t).order_by(t.c.id))
			return [dict(r._mapping, provenance=json.loads(r.provenance)) for r in rows]
