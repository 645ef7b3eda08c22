"""HubSpot writes over `HubSpotClient`'s transport: batch updates, tasks (idempotent by key), properties.

- `batch_update` takes at most `batch_size` (<= 100) inputs per call. A 207 multi-status is split: records
  named in the errors with a retryable category are retried (the shared retry policy's backoff), the rest
  come back as failures; a 400 on a whole batch is bisected so one bad record cannot sink 99 good ones.
- `create_tasks` creates handoff tasks in batches (batch create, association to the contact inline);
  `create_task` makes one. Neither is retried on an ambiguous failure (timeout / 5xx raise `AmbiguousWrite`); the handoff
  delivery reconciles by the task's key property with `find_task_by_key` instead.
- `ensure_properties` creates the property group and any missing custom property (idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hubspot.crm.objects import (
	AssociationSpec,
	BatchInputSimplePublicObjectBatchInput,
	BatchInputSimplePublicObjectBatchInputForCreate,
	PublicAssociationsForObject,
	PublicObjectId,
	SimplePublicObjectBatchInput,
	SimplePublicObjectBatchInputForCreate,
	SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import BatchInputPropertyCreate, PropertyCreate, PropertyGroupCreate

from sidecar.hubspot.errors import BatchResult, HubSpotError
from sidecar.hubspot.properties import TASK_KEY_PROPERTY, PropertySpec, custom_properties
from sidecar.retry import RetryPolicy

TASK_TO_CONTACT = 204  # HUBSPOT_DEFINED association type id task -> contact
RETRYABLE_CATEGORIES = {
	"RATE_LIMITS",
	"LOCKED",
	"INTERNAL_ERROR",
	"SERVICE_UNAVAILABLE",
	"TIMEOUT",
	"CONFLICT",
}


class HubSpotWrites:
	"""Mixed into `HubSpotClient`, which provides the transport (`_request`), the reads used here
	(`batch_read`, `search_all`) and the SDK API objects named below."""

	batch_size: int
	retry: RetryPolicy
	property_group: str
	property_prefix: str
	_models: Any
	_sleep: Callable[[float], None]
	_objects_basic: Any
	_objects_batch: Any
	_props_core: Any
	_props_batch: Any
	_props_groups: Any
	_associations: Any

	def batch_update(
		self,
		object_type: str,
		updates: dict[str, dict[str, Any]],
		on_batch: Callable[[BatchResult], None] | None = None,
	) -> BatchResult:
		"""Write `{id: {property: value}}` in batches of <= batch_size; returns per-id success/failure.

		`on_batch(result of one batch)` runs after each batch has its answer, so the caller can commit what
		HubSpot accepted before the next batch is sent (a crash then re-sends at most the batch in flight)."""
		result = BatchResult()
		items = list(updates.items())
		for chunk in _chunks(items, self.batch_size):
			batch = BatchResult()
			self._update_chunk(object_type, chunk, batch, attempt=0)
			if on_batch:
				on_batch(batch)
			result.ok.update(batch.ok)
			result.failed.update(batch.failed)
		return result

	def _update_chunk(
		self, object_type: str, chunk: list[tuple[str, dict]], result: BatchResult, attempt: int
	) -> None:
		request = BatchInputSimplePublicObjectBatchInput(
			local_vars_configuration=self._models,
			inputs=[
				SimplePublicObjectBatchInput(
					local_vars_configuration=self._models, id=str(i), properties=_stringify(p)
				)
				for i, p in chunk
			],
		)
		try:
			status, body = self._request("write", self._objects_batch.update, object_type, request)
		except HubSpotError as exc:
			if exc.status == 400 and len(chunk) > 1:
				middle = len(chunk) // 2  # isolate the bad record(s)
				self._update_chunk(object_type, chunk[:middle], result, attempt)
				self._update_chunk(object_type, chunk[middle:], result, attempt)
				return
			for i, _ in chunk:
				result.failed[str(i)] = str(exc)
			return
		for obj in body.get("results", []):
			result.ok[str(obj["id"])] = obj
		if status != 207 and status != 409:
			return
		retry: list[tuple[str, dict]] = []
		by_id = dict(chunk)
		named: set[str] = set()
		for err in body.get("errors", []) or ([body] if status == 409 else []):
			ids = [str(i) for i in ((err.get("context") or {}).get("ids") or [])]
			if not ids:  # error names no record: blame every input that has no result
				ids = [i for i in by_id if i not in result.ok and i not in named]
			category = str(err.get("category", "")).upper()
			for i in ids:
				if i not in by_id or i in named:
					continue
				named.add(i)
				if category in RETRYABLE_CATEGORIES and self.retry.can_retry(attempt):
					retry.append((i, by_id[i]))
				else:
					result.failed[i] = f"{category or 'ERROR'}: {err.get('message', '')}"
		for i in by_id:  # neither result nor error: count as failed, never as done
			if i not in result.ok and i not in named:
				result.failed[i] = "missing from HubSpot's batch response"
		if retry:
			self._sleep(self.retry.delay(attempt))
			self._update_chunk(object_type, retry, result, attempt + 1)

	def create_task(self, properties: dict[str, Any], contact_id: str) -> str:
		"""Create one task associated with a contact; raises AmbiguousWrite when it may or may not exist."""
		request = SimplePublicObjectInputForCreate(
			local_vars_configuration=self._models,
			properties=_stringify(properties),
			associations=[
				PublicAssociationsForObject(
					local_vars_configuration=self._models,
					to=PublicObjectId(local_vars_configuration=self._models, id=str(contact_id)),
					types=[
						AssociationSpec(
							local_vars_configuration=self._models,
							association_category="HUBSPOT_DEFINED",
							association_type_id=TASK_TO_CONTACT,
						)
					],
				)
			],
		)
		status, body = self._request("write", self._objects_basic.create, "tasks", request, retry_5xx=False)
		if status == 409:
			raise HubSpotError(f"HubSpot refused the task: {body.get('message', '')}", status, body)
		return str(body["id"])

	def create_tasks(self, tasks: list[tuple[dict[str, Any], str]]) -> dict[str, str]:
		"""Create tasks in batches (batch create, each associated with its contact inline); returns
		{handoff key: task id} for the tasks HubSpot reports created. Not retried on an ambiguous failure
		(`AmbiguousWrite` for the whole batch): the caller reconciles each by its key, as for `create_task`."""
		created: dict[str, str] = {}
		for chunk in _chunks(tasks, self.batch_size):
			request = BatchInputSimplePublicObjectBatchInputForCreate(
				local_vars_configuration=self._models,
				inputs=[
					SimplePublicObjectBatchInputForCreate(
						local_vars_configuration=self._models,
						properties=_stringify(props),
						associations=[self._task_association(contact_id)],
					)
					for props, contact_id in chunk
				],
			)
			status, body = self._request(
				"write", self._objects_batch.create, "tasks", request, retry_5xx=False
			)
			if status == 409:
				raise HubSpotError(f"HubSpot refused the tasks: {body.get('message', '')}", status, body)
			for obj in body.get("results", []):
				key = (obj.get("properties") or {}).get(TASK_KEY_PROPERTY)
				if key:
					created[str(key)] = str(obj["id"])
		return created

	def _task_association(self, contact_id: str) -> PublicAssociationsForObject:
		return PublicAssociationsForObject(
			local_vars_configuration=self._models,
			to=PublicObjectId(local_vars_configuration=self._models, id=str(contact_id)),
			types=[
				AssociationSpec(
					local_vars_configuration=self._models,
					association_category="HUBSPOT_DEFINED",
					association_type_id=TASK_TO_CONTACT,
				)
			],
		)

	def associated_ids(self, object_type: str, object_id: str, to_object_type: str) -> list[str]:
		"""Ids associated with one object (associations v4 list; read from the CRM, not the search index)."""
		ids: list[str] = []
		after: str | None = None
		while True:
			kwargs: dict[str, Any] = {"limit": 500}
			if after:
				kwargs["after"] = after
			_, body = self._request(
				"read", self._associations.get_page, object_type, str(object_id), to_object_type, **kwargs
			)
			ids.extend(str(r["toObjectId"]) for r in body.get("results", []))
			after = ((body.get("paging") or {}).get("next") or {}).get("after")
			if not after:
				return ids

	def find_task_by_key(self, key: str, contact_id: str | None = None) -> str | None:
		"""The task carrying handoff key `key`, if one exists.

		First the contact's associated tasks (created inline with the task, so visible at once), then search
		(eventually consistent, but also finds a task whose association was lost).
		"""
		if contact_id:
			task_ids = self.associated_ids("contacts", contact_id, "tasks")
			if task_ids:
				for task_id, obj in self.batch_read("tasks", task_ids, [TASK_KEY_PROPERTY]).items():
					if (obj.get("properties") or {}).get(TASK_KEY_PROPERTY) == key:
						return task_id
		for obj in self.search_all(
			"tasks",
			[{"propertyName": TASK_KEY_PROPERTY, "operator": "EQ", "value": key}],
			[TASK_KEY_PROPERTY],
			page_size=10,
		):
			return str(obj["id"])
		return None

	def ensure_properties(self, specs: list[PropertySpec] | None = None) -> dict[str, list[str]]:
		"""Create the property group and any missing custom property on each object type (idempotent)."""
		specs = specs if specs is not None else custom_properties(self.property_prefix)
		created: dict[str, list[str]] = {}
		for object_type in sorted({s.object_type for s in specs}):
			group = PropertyGroupCreate(name=self.property_group, label="RevOps scoring", display_order=-1)
			self._request("write", self._props_groups.create, object_type, group)  # 409 = exists
			_, body = self._request("read", self._props_core.get_all, object_type, archived=False)
			existing = {p["name"] for p in body.get("results", [])}
			missing = [s for s in specs if s.object_type == object_type and s.name not in existing]
			for chunk in _chunks(missing, self.batch_size):
				inputs = [
					PropertyCreate(
						name=s.name,
						label=s.label,
						type=s.type,
						field_type=s.field_type,
						group_name=self.property_group,
						description=s.description,
						form_field=False,
					)
					for s in chunk
				]
				status, body = self._request(
					"write", self._props_batch.create, object_type, BatchInputPropertyCreate(inputs=inputs)
				)
				if status not in (200, 201, 207, 409):
					raise HubSpotError(f"property creation on {object_type} returned {status}", status, body)
			created[object_type] = [s.name for s in missing]
		return created


def _stringify(props: dict[str, Any]) -> dict[str, str]:
	"""HubSpot property values travel as strings; None clears a value."""
	out = {}
	for key, value in props.items():
		if value is None:
			out[key] = ""
		elif isinstance(value, bool):
			out[key] = "true" if value else "false"
		else:
			out[key] = str(value)
	return out


def _chunks(items: list, size: int) -> Iterator[list]:
	for start in range(0, len(items), size):
		yield items[start : start + size]
