"""HubSpot CRM client on hubspot-api-client (SDK 11/12): batches, retries, rate limits, search paging.

Contract:
- Every request goes through the SDK's generated API classes (host = `base_url`, so tests point it at a local
  server) and through one shared `RateLimiter` per client (search 4-5/s, rolling 10-second burst, daily budget).
- Responses are read raw (`_preload_content=False`) so status codes, Retry-After and 207 bodies are visible.
- Retries (up to `max_retries`): 429 (Retry-After header, else exponential backoff; a DAILY policy 429 stops
  the pass), 423 locked (wait, retry), 5xx and timeouts/connection errors for requests that are safe to repeat:
  reads, searches and batch updates (writing the same values twice is harmless). Task creation is made
  idempotent by a key property instead (see `create_task`): an ambiguous failure there is NOT blindly retried.
- Batch writes take at most `batch_size` (<= 100) inputs. A 207 multi-status is split: records named in the
  errors with a retryable category are retried, the rest come back as failures; a 400 on a whole batch is
  bisected so one bad record cannot sink 99 good ones.
- `search_all` never loses records past the 10,000-result cap: it sorts by hs_object_id and, near the cap,
  starts a new query with `hs_object_id > last id`.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import urllib3
from hubspot import HubSpot
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.objects import (
	AssociationSpec,
	BatchInputSimplePublicObjectBatchInput,
	BatchReadInputSimplePublicObjectId,
	Filter,
	FilterGroup,
	PublicAssociationsForObject,
	PublicObjectId,
	PublicObjectSearchRequest,
	SimplePublicObjectBatchInput,
	SimplePublicObjectId,
	SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects import (
	Configuration as ObjectsConfiguration,
)
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.crm.properties import BatchInputPropertyCreate, PropertyCreate, PropertyGroupCreate
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

from sidecar.hubspot.limiter import DailyBudgetExhausted, RateLimiter
from sidecar.hubspot.properties import TASK_KEY_PROPERTY, PropertySpec, custom_properties

log = logging.getLogger(__name__)

SEARCH_RESULT_CAP = 10_000
TASK_TO_CONTACT = 204  # HUBSPOT_DEFINED association type id task -> contact
# every generated SDK package has its own ApiException class
API_EXCEPTIONS = (ObjectsApiException, PropertiesApiException, OwnersApiException, AssociationsApiException)
RETRYABLE_CATEGORIES = {
	"RATE_LIMITS",
	"LOCKED",
	"INTERNAL_ERROR",
	"SERVICE_UNAVAILABLE",
	"TIMEOUT",
	"CONFLICT",
}


class HubSpotError(RuntimeError):
	"""A request failed for good (4xx other than 409/423/429, or retries exhausted)."""

	def __init__(self, message: str, status: int | None = None, body: Any = None):
		super().__init__(message)
		self.status = status
		self.body = body


class AmbiguousWrite(HubSpotError):
	"""A non-idempotent write may or may not have happened (timeout / 5xx); reconcile by key before retrying."""


@dataclass
class BatchResult:
	ok: dict[str, dict] = field(default_factory=dict)  # id -> returned object
	failed: dict[str, str] = field(default_factory=dict)  # id -> error message


def _retry_after(headers: Any) -> float | None:
	if not headers:
		return None
	value = headers.get("Retry-After") or headers.get("retry-after")
	if not value:
		return None
	try:
		return max(0.0, float(value))
	except ValueError:
		try:
			return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
		except (TypeError, ValueError):
			return None


def _json(body: Any) -> Any:
	if body in (None, b"", ""):
		return {}
	try:
		return json.loads(body)
	except (TypeError, ValueError):
		return {"message": body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)}


class HubSpotClient:
	def __init__(
		self,
		token: str,
		base_url: str = "https://api.hubapi.com",
		limiter: RateLimiter | None = None,
		batch_size: int = 100,
		search_page_size: int = 200,
		timeout: tuple[float, float] = (5.0, 30.0),
		max_retries: int = 5,
		backoff: float = 1.0,
		max_backoff: float = 60.0,
		property_group: str = "revops_scoring",
		property_prefix: str = "revops_",
		sleep: Callable[[float], None] = time.sleep,
	):
		if not 0 < batch_size <= 100:
			raise ValueError("batch_size must be 1..100")
		self.batch_size = batch_size
		self.search_page_size = min(search_page_size, 200)
		self.limiter = limiter or RateLimiter(burst=190, searches_per_second=4)
		self.timeout = timeout
		self.max_retries = max_retries
		self.backoff = backoff
		self.max_backoff = max_backoff
		self.property_group = property_group
		self.property_prefix = property_prefix
		self._sleep = sleep
		# SDK models build a fresh Configuration each (slow: ~0.5 ms per object); share one
		self._models = ObjectsConfiguration()
		self.calls: Counter[str] = Counter()  # kind -> requests sent (read/search/write)
		# retries are ours (they must pass the rate limiter); urllib3 must not retry behind our back
		sdk = HubSpot(
			access_token=token, host=base_url.rstrip("/"), retry=urllib3.Retry(total=0, raise_on_status=False)
		)
		# each discovery access builds a new ApiClient and connection pool: build them once
		self._objects_basic = sdk.crm.objects.basic_api
		self._objects_batch = sdk.crm.objects.batch_api
		self._objects_search = sdk.crm.objects.search_api
		self._props_core = sdk.crm.properties.core_api
		self._props_batch = sdk.crm.properties.batch_api
		self._props_groups = sdk.crm.properties.groups_api
		self._owners = sdk.crm.owners.owners_api
		self._associations = sdk.crm.associations.v4.basic_api

	@classmethod
	def from_config(cls, cfg: Any, used_today: int = 0) -> HubSpotClient:
		searches, burst, daily = cfg.hubspot_limits()
		limiter = RateLimiter(
			burst=burst,
			searches_per_second=searches,
			daily_budget=daily,
			timezone=cfg.get("hubspot.account_timezone"),
			used_today=used_today,
		)
		h = cfg.hubspot
		return cls(
			token=h.token,
			base_url=h.base_url,
			limiter=limiter,
			batch_size=h.batch_size,
			search_page_size=h.search_page_size,
			timeout=(h.connect_timeout_seconds, h.timeout_seconds),
			max_retries=h.max_retries,
			backoff=h.backoff_seconds,
			max_backoff=h.max_backoff_seconds,
			property_group=h.property_group,
			property_prefix=h.property_prefix,
		)

	# --- transport -------------------------------------------------------------------------------
	def _request(
		self, kind: str, fn: Callable[..., Any], *args: Any, retry_5xx: bool = True, **kwargs: Any
	) -> tuple[int, Any]:
		"""Send one SDK call with limits and retries; returns (status, parsed JSON). 409 is returned, not raised."""
		attempt = 0
		while True:
			slot = self.limiter.acquire(search=kind == "search")
			self.calls[kind] += 1
			delay: float | None = None
			try:
				try:
					resp = fn(*args, _preload_content=False, _request_timeout=self.timeout, **kwargs)
					data = resp.data
				finally:
					self.limiter.done(slot)
				return resp.status, _json(data)
			except API_EXCEPTIONS as exc:
				status, body = exc.status or 0, _json(exc.body)
				if status == 409:
					return status, body
				if status == 429:
					if isinstance(body, dict) and str(body.get("policyName", "")).upper() == "DAILY":
						raise DailyBudgetExhausted(f"HubSpot daily limit reached: {body.get('message', '')}")
					delay = _retry_after(exc.headers)
					if delay is not None:
						self.limiter.penalise(delay)
				elif status == 423:
					delay = _retry_after(exc.headers)
				elif status >= 500 or status == 0:
					if not retry_5xx:
						raise AmbiguousWrite(f"HubSpot {status} on a non-idempotent write", status, body)
				else:
					message = body.get("message", "") if isinstance(body, dict) else str(body)
					raise HubSpotError(f"HubSpot {status}: {message}", status, body)
				error: Exception = HubSpotError(
					f"HubSpot {status} after {attempt + 1} attempts", status, body
				)
			except (urllib3.exceptions.HTTPError, OSError) as exc:
				if not retry_5xx:
					raise AmbiguousWrite(f"HubSpot request failed ({type(exc).__name__}): {exc}")
				error = HubSpotError(
					f"HubSpot unreachable after {attempt + 1} attempts: {type(exc).__name__}: {exc}"
				)
			attempt += 1
			if attempt > self.max_retries:
				raise error
			if delay is None:
				delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
			log.info("HubSpot %s retry %d in %.2fs: %s", kind, attempt, delay, error)
			self._sleep(min(delay, self.max_backoff))

	# --- reads -----------------------------------------------------------------------------------
	def iter_objects(self, object_type: str, properties: list[str], page_size: int = 100) -> Iterator[dict]:
		"""Every (non-archived) object of a type through the list endpoint (no 10k cap; `after` cursor)."""
		after: str | None = None
		while True:
			kwargs: dict[str, Any] = {
				"limit": min(page_size, 100),
				"properties": properties,
				"archived": False,
			}
			if after:
				kwargs["after"] = after
			_, body = self._request("read", self._objects_basic.get_page, object_type, **kwargs)
			yield from body.get("results", [])
			after = ((body.get("paging") or {}).get("next") or {}).get("after")
			if not after:
				return

	def search_all(
		self, object_type: str, filters: list[dict], properties: list[str], page_size: int | None = None
	) -> Iterator[dict]:
		"""All objects matching `filters` (ANDed), in hs_object_id order, past the 10,000-result cap.

		Each query pages with `after` until it would pass the cap, then a fresh query adds
		`hs_object_id > last id`; ids are unique and sorted, so nothing is skipped or repeated.
		"""
		limit = min(page_size or self.search_page_size, 200)
		last_id: str | None = None
		while True:
			query_filters = list(filters)
			if last_id is not None:
				query_filters.append({"propertyName": "hs_object_id", "operator": "GT", "value": last_id})
			after = "0"
			seen_in_query = 0
			while True:
				request = PublicObjectSearchRequest(
					local_vars_configuration=self._models,
					filter_groups=[
						FilterGroup(
							local_vars_configuration=self._models,
							filters=[
								Filter(local_vars_configuration=self._models, **_filter_kwargs(f))
								for f in query_filters
							],
						)
					],
					sorts=["hs_object_id"],
					properties=list(properties),
					limit=limit,
					after=after,
				)
				_, body = self._request("search", self._objects_search.do_search, object_type, request)
				results = body.get("results", [])
				for obj in results:
					last_id = str(obj["id"])
					yield obj
				seen_in_query += len(results)
				after = ((body.get("paging") or {}).get("next") or {}).get("after")
				if not after or not results:
					return
				if seen_in_query + limit > SEARCH_RESULT_CAP:
					break  # the next page would cross the cap: re-query from the last id

	def batch_read(self, object_type: str, ids: Iterable[str], properties: list[str]) -> dict[str, dict]:
		out: dict[str, dict] = {}
		for chunk in _chunks(list(ids), self.batch_size):
			request = BatchReadInputSimplePublicObjectId(
				local_vars_configuration=self._models,
				inputs=[
					SimplePublicObjectId(local_vars_configuration=self._models, id=str(i)) for i in chunk
				],
				properties=list(properties),
				properties_with_history=[],
			)
			_, body = self._request("read", self._objects_batch.read, object_type, request)
			for obj in body.get("results", []):
				out[str(obj["id"])] = obj
		return out

	def list_owners(self) -> list[dict]:
		owners: list[dict] = []
		after: str | None = None
		while True:
			kwargs: dict[str, Any] = {"limit": 100, "archived": False}
			if after:
				kwargs["after"] = after
			_, body = self._request("read", self._owners.get_page, **kwargs)
			owners.extend(body.get("results", []))
			after = ((body.get("paging") or {}).get("next") or {}).get("after")
			if not after:
				return owners

	# --- writes ----------------------------------------------------------------------------------
	def batch_update(self, object_type: str, updates: dict[str, dict[str, Any]]) -> BatchResult:
		"""Write `{id: {property: value}}` in batches of <= batch_size; returns per-id success/failure."""
		result = BatchResult()
		items = list(updates.items())
		for chunk in _chunks(items, self.batch_size):
			self._update_chunk(object_type, chunk, result, attempt=0)
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
				if category in RETRYABLE_CATEGORIES and attempt < self.max_retries:
					retry.append((i, by_id[i]))
				else:
					result.failed[i] = f"{category or 'ERROR'}: {err.get('message', '')}"
		for i in by_id:  # neither result nor error: count as failed, never as done
			if i not in result.ok and i not in named:
				result.failed[i] = "missing from HubSpot's batch response"
		if retry:
			self._sleep(min(self.max_backoff, self.backoff * 2**attempt))
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


def _filter_kwargs(f: dict) -> dict:
	out = {"property_name": f["propertyName"], "operator": f["operator"]}
	if "value" in f:
		out["value"] = str(f["value"])
	if "values" in f:
		out["values"] = [str(v) for v in f["values"]]
	return out


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
