"""HubSpot CRM client on hubspot-api-client (SDK 11/12): batches, retries, rate limits, search paging.

Contract:
- Every request goes through the SDK's generated API classes (host = `base_url`, so tests point it at a local
  server) and through one shared `RateLimiter` per client (search 4-5/s, rolling 10-second burst, daily budget).
- Responses are read raw (`_preload_content=False`) so status codes, Retry-After and 207 bodies are visible.
- Retries follow the shared `sidecar.retry.RetryPolicy` (`HUBSPOT_RETRY`: 5 retries, 1 s doubling to 60 s, no
  jitter; hubspot.max_retries / backoff_seconds / max_backoff_seconds set it): 429 (Retry-After header, else
  the backoff; a DAILY policy 429 stops the pass), 423 locked (wait, retry), 5xx and timeouts/connection errors
  for requests that are safe to repeat: reads, searches and batch updates (writing the same values twice is
  harmless). Task creation is made idempotent by a key property instead (see writes.py): an ambiguous
  failure there is NOT blindly retried.
- Writes (batch updates, tasks, properties) are in writes.py, mixed into `HubSpotClient`.
- `search_all` never loses records past the 10,000-result cap: it sorts by hs_object_id and, near the cap,
  starts a new query with `hs_object_id > last id`.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import urllib3
from hubspot import HubSpot
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.objects import (
	BatchReadInputSimplePublicObjectId,
	Filter,
	FilterGroup,
	PublicObjectSearchRequest,
	SimplePublicObjectId,
)
from hubspot.crm.objects import (
	Configuration as ObjectsConfiguration,
)
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

# errors and write helpers stay importable from here (sidecar.hubspot.client) as before the split
from sidecar.hubspot.errors import AmbiguousWrite, BatchResult, HubSpotError
from sidecar.hubspot.limiter import DailyBudgetExhausted, RateLimiter
from sidecar.hubspot.writes import RETRYABLE_CATEGORIES, TASK_TO_CONTACT, HubSpotWrites, _chunks, _stringify
from sidecar.retry import RetryPolicy, retry_after_seconds

log = logging.getLogger(__name__)

SEARCH_RESULT_CAP = 10_000
# every generated SDK package has its own ApiException class
API_EXCEPTIONS = (ObjectsApiException, PropertiesApiException, OwnersApiException, AssociationsApiException)
# HubSpot's retry policy: 423 locked and 429 wait for Retry-After; every 5xx is retried (when safe)
HUBSPOT_RETRY = RetryPolicy(
	retries=5,
	backoff=1.0,
	max_backoff=60.0,
	max_retry_after=60.0,
	jitter=False,
	statuses=frozenset({423, 429, *range(500, 600)}),
)


def hubspot_retry(settings: Any = None) -> RetryPolicy:
	"""`HUBSPOT_RETRY` with the config's hubspot.max_retries / backoff_seconds / max_backoff_seconds; a
	server's Retry-After is capped at the same max_backoff_seconds."""
	policy = HUBSPOT_RETRY.from_settings(settings or {})
	return replace(policy, max_retry_after=policy.max_backoff)


def _retry_after(headers: Any) -> float | None:
	if not headers:
		return None
	return retry_after_seconds(headers.get("Retry-After") or headers.get("retry-after"))


def _json(body: Any) -> Any:
	if body in (None, b"", ""):
		return {}
	try:
		return json.loads(body)
	except (TypeError, ValueError):
		return {"message": body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)}


class HubSpotClient(HubSpotWrites):
	def __init__(
		self,
		token: str,
		base_url: str = "https://api.hubapi.com",
		limiter: RateLimiter | None = None,
		batch_size: int = 100,
		search_page_size: int = 200,
		timeout: tuple[float, float] = (5.0, 30.0),
		retry: RetryPolicy | None = None,
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
		self.retry = retry or HUBSPOT_RETRY
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
		self._associations_batch = (
			sdk.crm.associations.v4.batch_api
		)  # deals -> contacts/companies (outcomes.py)

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
			retry=hubspot_retry(h),
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
				retry_after = self._check_status(status, body, exc.headers, retry_5xx)
				error: Exception = HubSpotError(
					f"HubSpot {status} after {attempt + 1} attempts", status, body
				)
			except (urllib3.exceptions.HTTPError, OSError) as exc:
				if not retry_5xx:
					raise AmbiguousWrite(f"HubSpot request failed ({type(exc).__name__}): {exc}")
				retry_after = None
				error = HubSpotError(
					f"HubSpot unreachable after {attempt + 1} attempts: {type(exc).__name__}: {exc}"
				)
			if not self.retry.can_retry(attempt):
				raise error
			delay = self.retry.delay(attempt, retry_after)
			attempt += 1
			log.info("HubSpot %s retry %d in %.2fs: %s", kind, attempt, delay, error)
			self._sleep(delay)

	def _check_status(self, status: int, body: Any, headers: Any, retry_5xx: bool) -> float | None:
		"""Raise unless a failed call with this status may be retried; returns the Retry-After to honour."""
		if status == 429 and isinstance(body, dict) and str(body.get("policyName", "")).upper() == "DAILY":
			raise DailyBudgetExhausted(f"HubSpot daily limit reached: {body.get('message', '')}")
		if status != 0 and not self.retry.retries_status(status):
			message = body.get("message", "") if isinstance(body, dict) else str(body)
			raise HubSpotError(f"HubSpot {status}: {message}", status, body)
		if (status >= 500 or status == 0) and not retry_5xx:
			raise AmbiguousWrite(f"HubSpot {status} on a non-idempotent write", status, body)
		if status not in (423, 429):
			return None
		delay = _retry_after(headers)
		if status == 429 and delay is not None:
			self.limiter.penalise(delay)
		return delay

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


def _filter_kwargs(f: dict) -> dict:
	out = {"property_name": f["propertyName"], "operator": f["operator"]}
	if "value" in f:
		out["value"] = str(f["value"])
	if "values" in f:
		out["values"] = [str(v) for v in f["values"]]
	return out
