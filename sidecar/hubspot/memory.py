"""Stand-ins with the `HubSpotClient` surface, for the demo and for dry runs.

Contract:
- `InMemoryHubSpot(contacts, companies, owners)` keeps objects in dicts (HubSpot API shapes:
  {"id", "properties": {...}}) and implements iter_objects / search_all / batch_read / list_owners /
  batch_update / create_task / find_task_by_key / ensure_properties with HubSpot's semantics (string values,
  filters ANDed, results sorted by id). It never touches the network.
- `DryRunHubSpot(inner)` passes reads to `inner` and records every write in `.writes` without sending it, so
  `plan` can show exactly what a real pass would change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sidecar.hubspot.client import BatchResult, _stringify
from sidecar.hubspot.properties import TASK_KEY_PROPERTY, PropertySpec


def _matches(obj: dict, f: dict) -> bool:
	name, op = f["propertyName"], f["operator"]
	value = obj["id"] if name == "hs_object_id" else obj["properties"].get(name)
	if op == "HAS_PROPERTY":
		return value not in (None, "")
	if op == "NOT_HAS_PROPERTY":
		return value in (None, "")
	if value in (None, ""):
		return False
	if op == "IN":
		return str(value).lower() in {str(v).lower() for v in f["values"]}
	if op == "EQ":
		return str(value).lower() == str(f["value"]).lower()
	if op == "NEQ":
		return str(value).lower() != str(f["value"]).lower()
	a, b = _key(value), _key(f["value"])
	return {"GT": a > b, "GTE": a >= b, "LT": a < b, "LTE": a <= b}[op]


def _key(value: Any) -> Any:
	try:
		return (0, float(value), "")
	except (TypeError, ValueError):
		return (1, 0.0, str(value))


class InMemoryHubSpot:
	def __init__(
		self, contacts: Iterable[dict] = (), companies: Iterable[dict] = (), owners: Iterable[dict] = ()
	):
		self.objects: dict[str, dict[str, dict]] = {"contacts": {}, "companies": {}, "tasks": {}}
		for obj in contacts:
			self.objects["contacts"][str(obj["id"])] = {
				"id": str(obj["id"]),
				"properties": dict(obj.get("properties") or {}),
			}
		for obj in companies:
			self.objects["companies"][str(obj["id"])] = {
				"id": str(obj["id"]),
				"properties": dict(obj.get("properties") or {}),
			}
		self.owners = list(owners)
		self.associations: list[tuple[str, str, str]] = []  # (task id, contact id, type id)
		self.calls: Counter[str] = Counter()
		self._next_task = 1

	def _sorted(self, object_type: str) -> list[dict]:
		return sorted(self.objects[object_type].values(), key=lambda o: _key(o["id"]))

	@staticmethod
	def _view(obj: dict, properties: list[str]) -> dict:
		props = {p: obj["properties"].get(p) for p in properties}
		props["hs_object_id"] = obj["id"]
		view = {"id": obj["id"], "properties": props}
		if "associations" in obj:
			view["associations"] = obj["associations"]
		return view

	def iter_objects(self, object_type: str, properties: list[str], page_size: int = 100) -> Iterator[dict]:
		objs = self._sorted(object_type)
		for start in range(0, len(objs), page_size):
			self.calls["read"] += 1
			for obj in objs[start : start + page_size]:
				yield self._view(obj, properties)

	def search_all(
		self, object_type: str, filters: list[dict], properties: list[str], page_size: int | None = None
	) -> Iterator[dict]:
		hits = [o for o in self._sorted(object_type) if all(_matches(o, f) for f in filters)]
		size = page_size or 200
		self.calls["search"] += max(1, -(-len(hits) // size))
		for obj in hits:
			yield self._view(obj, properties)

	def batch_read(self, object_type: str, ids: Iterable[str], properties: list[str]) -> dict[str, dict]:
		ids = [str(i) for i in ids]
		self.calls["read"] += -(-len(ids) // 100)
		return {
			i: self._view(self.objects[object_type][i], properties)
			for i in ids
			if i in self.objects[object_type]
		}

	def list_owners(self) -> list[dict]:
		self.calls["read"] += 1
		return list(self.owners)

	def batch_update(
		self,
		object_type: str,
		updates: dict[str, dict[str, Any]],
		on_batch: Callable[[BatchResult], None] | None = None,
	) -> BatchResult:
		result = BatchResult()
		self.calls["write"] += -(-len(updates) // 100)
		for i, props in updates.items():
			obj = self.objects[object_type].get(str(i))
			if obj is None:
				result.failed[str(i)] = "OBJECT_NOT_FOUND: no such object"
				continue
			obj["properties"].update(_stringify(props))
			result.ok[str(i)] = obj
		if on_batch:
			on_batch(result)
		return result

	def create_task(self, properties: dict[str, Any], contact_id: str) -> str:
		self.calls["write"] += 1
		task_id = f"task-{self._next_task}"
		self._next_task += 1
		self.objects["tasks"][task_id] = {"id": task_id, "properties": _stringify(properties)}
		self.associations.append((task_id, str(contact_id), "204"))
		return task_id

	def create_tasks(self, tasks: list[tuple[dict[str, Any], str]]) -> dict[str, str]:
		created = {}
		for props, contact_id in tasks:
			task_id = self.create_task(props, contact_id)
			created[str(props.get(TASK_KEY_PROPERTY))] = task_id
		self.calls["write"] -= len(tasks) - -(-len(tasks) // 100)  # one request per batch of 100
		return created

	def find_task_by_key(self, key: str, contact_id: str | None = None) -> str | None:
		self.calls["search"] += 1
		for obj in self.objects["tasks"].values():
			if obj["properties"].get(TASK_KEY_PROPERTY) == key:
				return obj["id"]
		return None

	def ensure_properties(self, specs: list[PropertySpec] | None = None) -> dict[str, list[str]]:
		return {}


class DryRunHubSpot:
	"""Reads go to `inner`; writes are recorded in `writes` and reported as successful, never sent."""

	def __init__(self, inner: Any):
		self.inner = inner
		self.writes: list[dict[str, Any]] = []
		self._tasks: dict[str, str] = {}

	@property
	def calls(self) -> Counter[str]:
		return self.inner.calls

	def iter_objects(self, *args: Any, **kwargs: Any) -> Iterator[dict]:
		return self.inner.iter_objects(*args, **kwargs)

	def search_all(self, *args: Any, **kwargs: Any) -> Iterator[dict]:
		return self.inner.search_all(*args, **kwargs)

	def batch_read(self, *args: Any, **kwargs: Any) -> dict[str, dict]:
		return self.inner.batch_read(*args, **kwargs)

	def list_owners(self) -> list[dict]:
		return self.inner.list_owners()

	def batch_update(
		self,
		object_type: str,
		updates: dict[str, dict[str, Any]],
		on_batch: Callable[[BatchResult], None] | None = None,
	) -> BatchResult:
		result = BatchResult()
		for i, props in updates.items():
			self.writes.append(
				{"op": "update", "object_type": object_type, "id": str(i), "properties": _stringify(props)}
			)
			result.ok[str(i)] = {"id": str(i)}
		if on_batch:
			on_batch(result)
		return result

	def create_task(self, properties: dict[str, Any], contact_id: str) -> str:
		task_id = f"dry-run-task-{len(self._tasks) + 1}"
		self._tasks[str(properties.get(TASK_KEY_PROPERTY))] = task_id
		self.writes.append(
			{"op": "create_task", "contact_id": str(contact_id), "properties": _stringify(properties)}
		)
		return task_id

	def create_tasks(self, tasks: list[tuple[dict[str, Any], str]]) -> dict[str, str]:
		return {str(p.get(TASK_KEY_PROPERTY)): self.create_task(p, c) for p, c in tasks}

	def find_task_by_key(self, key: str, contact_id: str | None = None) -> str | None:
		return self._tasks.get(key) or self.inner.find_task_by_key(key, contact_id)

	def ensure_properties(self, specs: list[PropertySpec] | None = None) -> dict[str, list[str]]:
		return {}
