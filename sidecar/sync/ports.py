"""The typed ports a sync pass runs over: what it needs from HubSpot, ERPNext, the store and the model.

Each port is a `typing.Protocol`, so any object with these methods fits (structural typing): the real clients
(`sidecar.hubspot.HubSpotClient`, `sidecar.erp.ErpClient`, `sidecar.store.Store`), the demo's in-memory
stand-ins (`InMemoryHubSpot`, `DryRunHubSpot`, `sidecar.dryrun.InMemoryErp`) and test fakes. The steps in
this package name these ports in their signatures instead of `Any`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sidecar.scoring import LeadSignals, ScoreResult
from sidecar.store import ContactState

# progress(stage, done, total): total None = a counter without an end
Progress = Callable[[str, int, int | None], None]


class WriteResult(Protocol):
	"""Per-id outcome of a batch write (`sidecar.hubspot.BatchResult`)."""

	ok: Mapping[str, Any]
	failed: dict[str, str]


class HubSpotPort(Protocol):
	"""The HubSpot calls a pass and the handoff delivery make (reads, batch writes, owners, tasks)."""

	def ensure_properties(self) -> Any: ...

	def iter_objects(self, object_type: str, properties: list[str]) -> Iterable[dict]: ...

	def search_all(self, object_type: str, filters: list[dict], properties: list[str]) -> Iterable[dict]: ...

	def batch_read(self, object_type: str, ids: Iterable[str], properties: list[str]) -> dict[str, dict]: ...

	def batch_update(
		self,
		object_type: str,
		updates: dict[str, dict[str, Any]],
		on_batch: Callable[[Any], None] | None = None,
	) -> WriteResult: ...

	def list_owners(self) -> list[dict]: ...

	def create_task(self, properties: dict[str, Any], contact_id: str) -> str: ...

	def create_tasks(self, tasks: list[tuple[dict[str, Any], str]]) -> dict[str, str]: ...

	def find_task_by_key(self, key: str, contact_id: str | None = None) -> str | None: ...


class ErpPort(Protocol):
	"""One raw page of the app's signals feed (`ErpClient.customer_signals`): a dict with records, deleted,
	next_cursor and has_more; and the handoff of a lead of an ERP customer (`record_handoff`). The pass adds `snapshot=` only when the feed's own cursor carried one (a full
	pass by name, which only the real endpoint serves)."""

	def customer_signals(self, modified_after: str, after_name: str, limit: int) -> dict[str, Any]: ...

	def customer_records(self, customers: list[str]) -> dict[str, Any]: ...

	def record_handoff(self, note: Mapping[str, Any]) -> dict[str, Any]: ...


class ModelPort(Protocol):
	"""The scoring engine (`sidecar.scoring.ScoringModel`)."""

	def score(self, signals: LeadSignals, as_of: datetime) -> ScoreResult: ...

	def score_company(
		self, company: LeadSignals, contacts: list[LeadSignals], as_of: datetime
	) -> ScoreResult: ...


class StorePort(Protocol):
	"""The state the pass reads and writes (`sidecar.store.Store`)."""

	def get_cursor(self, name: str) -> Any: ...

	def set_cursor(self, name: str, value: Any) -> None: ...

	def start_run(self, kind: str) -> int: ...

	def finish_run(
		self, run_id: int, status: str, stats: dict[str, Any], error: str | None = None
	) -> None: ...

	def add_usage(self, day: str, requests: int) -> None: ...

	def upsert_erp(self, records: list[dict[str, Any]], deleted: Iterable[str] = ()) -> None: ...

	def erp_records(self, customers: Iterable[str]) -> dict[str, dict[str, Any]]: ...

	def erp_by_domain(self, domains: Iterable[str]) -> dict[str, str]: ...

	def contacts_for_customers(self, customers: Iterable[str]) -> set[str]: ...

	def contact_states(self, ids: Iterable[str]) -> dict[str, ContactState]: ...

	def ledger_hashes(self, object_type: str, ids: Iterable[str]) -> dict[str, str]: ...

	def save_states(self, states: list[ContactState]) -> None: ...

	def add_score_history(self, rows: list[dict[str, Any]]) -> None: ...

	def decide_handoff(
		self,
		contact_id: str,
		expected_crossings: int,
		score: float,
		payload: dict[str, Any],
		details: dict[str, Any],
	) -> str | None: ...

	def record_first_touch(self, touches: dict[str, datetime]) -> int: ...

	def record_pushed(self, object_type: str, hashes: dict[str, str]) -> None: ...

	def record_errors(self, run_id: int | None, object_type: str, errors: dict[str, str]) -> None: ...

	def commit_writes(
		self, object_type: str, pushed: dict[str, str], failures: dict[str, str], gone: Iterable[str] = ()
	) -> None: ...

	def due_pending(self, object_type: str, now: float | None = None) -> list[str]: ...

	def pending_ids(self, object_type: str) -> set[str]: ...

	def clear_pending(self, object_type: str, ids: Iterable[str]) -> None: ...
