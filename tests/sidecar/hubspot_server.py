"""A local HubSpot CRM stand-in over real HTTP, checking every request against the vendored OpenAPI specs.

Used by the sidecar tests and by benchmarks/sync.py. `HubSpotServer(token)` starts a ThreadingHTTPServer on
127.0.0.1 in a thread. Every request is:
- matched to a path + method of tests/reference/hubspot/specs (the SDK's `/crm/v3/owners/` trailing slash is
  accepted, see limits.md section 4); the JSON body is validated against the operation's request schema
  (required keys, unknown keys, types, enums, `$ref`s) and batch `inputs` must hold <= 100 items;
  violations are answered 400 and recorded in `server.violations` (tests assert it stays empty);
- logged in `server.log` (monotonic time, method, path, kind, batch size) so tests can measure the request rate.
Faults are queued with `server.inject(method, path_regex, status, body=..., headers=..., times=1)`;
`server.hooks` (callables `(method, path, phase)`, phase "before"/"after" the state change) let crash tests block
a request mid-flight. `server.enforce_limits(burst, window, searches_per_second)` answers 429 (TEN_SECONDLY_ROLLING
/ SECONDLY, with Retry-After) to any request over HubSpot's limits, counted in `server.limit_rejections`;
`server.fault_rate` (0..1) answers that share of requests 503 at random (`server.faults_served` counts them). State: `objects[type][id] = {"id", "properties", ...}`, `owners`, `groups`, `properties`.
"""

from __future__ import annotations

import bisect
import json
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SPECS_DIR = Path(__file__).resolve().parent.parent / "reference" / "hubspot" / "specs"
SEARCH_CAP = 10_000
DATE_PROPS = {
	"lastmodifieddate",
	"hs_lastmodifieddate",
	"createdate",
	"hs_timestamp",
	"hs_last_sales_activity_timestamp",
	"closedate",
}


def _load_operations() -> list[tuple[re.Pattern, str, str, dict, dict]]:
	"""(path regex, template, method, operation, components) for every spec operation."""
	ops = []
	for path in sorted(SPECS_DIR.glob("*.json")):
		spec = json.loads(path.read_text())
		components = spec.get("components", {}).get("schemas", {})
		for template, item in spec["paths"].items():
			regex = re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "/?$")
			for method, op in item.items():
				if method in ("get", "post", "put", "patch", "delete"):
					ops.append((regex, template, method.upper(), op, components))
	# literal segments beat parameters (/batch/read before /{objectId})
	ops.sort(key=lambda o: o[1].count("{"))
	return ops


OPERATIONS = _load_operations()


def validate(schema: dict, value: Any, components: dict, where: str = "body") -> list[str]:
	if "$ref" in schema:
		schema = components[schema["$ref"].rsplit("/", 1)[1]]
	for key in ("allOf", "oneOf", "anyOf"):
		if key in schema:
			results = [validate(s, value, components, where) for s in schema[key]]
			if key == "allOf":
				return [e for r in results for e in r]
			return [] if any(not r for r in results) else results[0]
	errors: list[str] = []
	kind = schema.get("type")
	if kind == "object" or "properties" in schema:
		if not isinstance(value, dict):
			return [f"{where}: expected an object"]
		for req in schema.get("required", []):
			if req not in value:
				errors.append(f"{where}: missing required key {req!r}")
		props = schema.get("properties", {})
		extra = schema.get("additionalProperties")
		for key, item in value.items():
			if key in props:
				errors += validate(props[key], item, components, f"{where}.{key}")
			elif isinstance(extra, dict):
				errors += validate(extra, item, components, f"{where}.{key}")
			elif props and extra is not True:
				errors.append(f"{where}: unknown key {key!r}")
	elif kind == "array":
		if not isinstance(value, list):
			return [f"{where}: expected an array"]
		for i, item in enumerate(value):
			errors += validate(schema.get("items", {}), item, components, f"{where}[{i}]")
	elif kind == "string":
		if not isinstance(value, str):
			errors.append(f"{where}: expected a string, got {type(value).__name__}")
		elif "enum" in schema and value not in schema["enum"]:
			errors.append(f"{where}: {value!r} not in {schema['enum']}")
	elif kind == "integer":
		if not isinstance(value, int) or isinstance(value, bool):
			errors.append(f"{where}: expected an integer")
	elif kind == "boolean":
		if not isinstance(value, bool):
			errors.append(f"{where}: expected a boolean")
	return errors


def _ms(value: Any) -> float | None:
	if value in (None, ""):
		return None
	text = str(value)
	if re.fullmatch(r"-?\d+(\.\d+)?", text):
		return float(text)
	try:
		return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
	except ValueError:
		return None


def _now_iso() -> str:
	return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class _JSONHandler(BaseHTTPRequestHandler):
	"""What both fake servers' request handlers share: HTTP/1.1 keep-alive, no console log, JSON out."""

	protocol_version = "HTTP/1.1"
	disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

	def log_message(self, *_args: Any) -> None:
		pass

	def _send_json(self, status: int, data: bytes, headers: dict | None = None) -> None:
		self.send_response(status)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		for k, v in (headers or {}).items():
			self.send_header(k, str(v))
		self.end_headers()
		self.wfile.write(data)


class HubSpotServer:
	def __init__(self, token: str = "test-token"):
		self.token = token
		self.lock = threading.RLock()
		self.objects: dict[str, dict[str, dict]] = {"contacts": {}, "companies": {}, "tasks": {}}
		self.owners: list[dict] = []
		self.groups: dict[str, set[str]] = {}
		self.properties: dict[str, dict[str, dict]] = {}
		self.associations: list[dict] = []
		self.violations: list[str] = []
		self.log: list[dict] = []
		self.faults: list[dict] = []
		self.hooks: list[Callable[[str, str, str], None]] = []
		self.response_delay = 0.0
		self.limits: tuple[int, float, int] | None = None  # burst, window, searches per second
		self.limit_rejections = 0
		self.fault_rate = 0.0
		self.faults_served = 0
		self._random = random.Random(11)
		self.association_page_size = 500
		self._id_cache: dict[int, tuple[int, list[int]]] = {}
		self._next_id = 9_000_000
		handler = self._handler_class()
		self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
		self.httpd.daemon_threads = True
		self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
		self.thread.start()

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.httpd.server_address[1]}"

	def close(self) -> None:
		self.httpd.shutdown()
		self.httpd.server_close()

	# --- setup helpers ---------------------------------------------------------------------------
	def add(self, object_type: str, obj: dict) -> None:
		props = {k: v for k, v in (obj.get("properties") or {}).items() if v is not None}
		props.setdefault(
			"lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate", _now_iso()
		)
		stored = {"id": str(obj["id"]), "properties": props}
		if obj.get("associations"):
			stored["associations"] = obj["associations"]
			results = obj["associations"].get("companies", {}).get("results") or []
			if results and object_type == "contacts":
				props.setdefault("associatedcompanyid", str(results[0]["id"]))
		self.objects.setdefault(object_type, {})[str(obj["id"])] = stored

	def touch(self, object_type: str, object_id: str, **props: Any) -> None:
		with self.lock:
			obj = self.objects[object_type][str(object_id)]
			obj["properties"].update({k: str(v) for k, v in props.items()})
			obj["properties"]["lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"] = (
				_now_iso()
			)

	def inject(
		self,
		method: str,
		path: str,
		status: int,
		body: Any = None,
		headers: dict | None = None,
		times: int = 1,
	) -> None:
		with self.lock:
			self.faults.append(
				{
					"method": method,
					"path": re.compile(path),
					"status": status,
					"body": body,
					"headers": headers or {},
					"times": times,
				}
			)

	def enforce_limits(self, burst: int, window: float = 10.0, searches_per_second: int = 5) -> None:
		self.limits = (burst, window, searches_per_second)

	def _over_limits(self, kind: str, now: float) -> dict | None:
		"""The 429 body when this request is over HubSpot's limits (every request counts, rejected ones too)."""
		burst, window, searches = self.limits  # type: ignore[misc]
		recent = [r for r in self.log[-4 * burst :] if r["t"] > now - window]
		if len(recent) > burst:
			return {"policyName": "TEN_SECONDLY_ROLLING", "window": window}
		if (
			kind == "search"
			and len([r for r in recent if r["kind"] == "search" and r["t"] > now - 1]) > searches
		):
			return {"policyName": "SECONDLY", "window": 1.0}
		return None

	def requests(
		self, kind: str | None = None, method: str | None = None, path: str | None = None
	) -> list[dict]:
		with self.lock:
			return [
				r
				for r in self.log
				if (kind is None or r["kind"] == kind)
				and (method is None or r["method"] == method)
				and (path is None or re.search(path, r["path"]))
			]

	def tasks_by_key(self, key_property: str = "revops_handoff_key") -> dict[str, list[str]]:
		out: dict[str, list[str]] = {}
		for t in self.objects["tasks"].values():
			out.setdefault(t["properties"].get(key_property, ""), []).append(t["id"])
		return out

	# --- request handling ------------------------------------------------------------------------
	def _handler_class(self) -> type[BaseHTTPRequestHandler]:
		server = self

		class Handler(_JSONHandler):
			def _handle(self) -> None:
				length = int(self.headers.get("Content-Length") or 0)
				raw = self.rfile.read(length) if length else b""
				status, body, headers = server.dispatch(self.command, self.path, raw, dict(self.headers))
				self._send_json(status, b"" if body is None else json.dumps(body).encode(), headers)

			do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

		return Handler

	def dispatch(self, method: str, raw_path: str, raw: bytes, headers: dict) -> tuple[int, Any, dict]:
		parts = urlsplit(raw_path)
		path = parts.path
		query = parse_qs(parts.query)
		kind = (
			"search"
			if path.endswith("/search")
			else ("read" if method == "GET" or "/batch/read" in path else "write")
		)
		entry = {"t": time.monotonic(), "method": method, "path": path, "kind": kind, "size": None}
		with self.lock:
			self.log.append(entry)
			over = self._over_limits(kind, entry["t"]) if self.limits else None
			if over:
				self.limit_rejections += 1
				entry["rejected"] = over["policyName"]
				message = {"status": "error", "category": "RATE_LIMITS", "message": "limit", **over}
				return 429, message, {"Retry-After": "1"}
			if self.fault_rate and self._random.random() < self.fault_rate:
				self.faults_served += 1
				return 503, {"status": "error", "message": "injected outage"}, {}
		if headers.get("Authorization") != f"Bearer {self.token}":
			return 401, {"status": "error", "category": "INVALID_AUTHENTICATION", "message": "bad token"}, {}
		op = next((o for o in OPERATIONS if o[2] == method and o[0].match(path)), None)
		if op is None:
			self._violation(f"{method} {path}: no such operation in the specs")
			return 404, {"status": "error", "message": "not in spec"}, {}
		try:
			body = json.loads(raw) if raw else None
		except ValueError:
			self._violation(f"{method} {path}: body is not JSON")
			return 400, {"status": "error", "message": "bad json"}, {}
		if isinstance(body, dict) and isinstance(body.get("inputs"), list):
			entry["size"] = len(body["inputs"])
		request_schema = (
			((op[3].get("requestBody") or {}).get("content") or {}).get("application/json") or {}
		).get("schema")
		if request_schema is not None:
			problems = validate(request_schema, body, op[4])
			if (
				isinstance(body, dict)
				and isinstance(body.get("inputs"), list)
				and len(body["inputs"]) > 100
				and "associations" not in path
			):
				problems.append(f"body.inputs: {len(body['inputs'])} items > 100")
			if problems:
				for p in problems:
					self._violation(f"{method} {path}: {p}")
				return (
					400,
					{"status": "error", "category": "VALIDATION_ERROR", "message": "; ".join(problems)},
					{},
				)
		with self.lock:
			for fault in self.faults:
				if fault["times"] > 0 and fault["method"] == method and fault["path"].search(path):
					fault["times"] -= 1
					return (
						fault["status"],
						fault["body"]
						if fault["body"] is not None
						else {"status": "error", "message": "injected"},
						fault["headers"],
					)
		for hook in list(self.hooks):
			hook(method, path, "before")
		if self.response_delay:
			time.sleep(self.response_delay)
		result = self.route(method, path, query, body)
		for hook in list(self.hooks):
			hook(method, path, "after")
		return result

	def _violation(self, text: str) -> None:
		with self.lock:
			self.violations.append(text)

	def _new_id(self) -> str:
		with self.lock:
			self._next_id += 1
			return str(self._next_id)

	@staticmethod
	def _view(obj: dict, properties: list[str] | None) -> dict:
		props = obj["properties"] if not properties else {p: obj["properties"].get(p) for p in properties}
		props = dict(props, hs_object_id=obj["id"])
		out = {
			"id": obj["id"],
			"properties": props,
			"createdAt": "2026-01-01T00:00:00.000Z",
			"updatedAt": _now_iso(),
			"archived": False,
		}
		return out

	def route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, Any, dict]:
		m = re.match(r"^/crm/v3/objects/([^/]+)(/.*)?$", path)
		if m:
			object_type, rest = m.group(1), m.group(2) or ""
			store = self.objects.setdefault(object_type, {})
			if method == "GET" and rest in ("", "/"):
				return self._list(store, query)
			if rest == "/search":
				return self._search(store, body)
			if rest == "/batch/read":
				return self._batch_read(store, body)
			if rest == "/batch/update":
				return self._batch_update(object_type, store, body)
			if rest == "/batch/create":
				return self._batch_create(object_type, store, body)
			if method == "POST" and rest == "":
				return self._create(object_type, store, body)
		m = re.match(r"^/crm/v3/properties/([^/]+)(/.*)?$", path)
		if m:
			return self._properties(method, m.group(1), m.group(2) or "", body)
		if path.rstrip("/") == "/crm/v3/owners":
			return self._owners(query)
		m = re.match(r"^/crm/v4/associations/([^/]+)/([^/]+)/batch/read$", path)
		if m and method == "POST":
			return self._associations_batch_read(m.group(1), m.group(2), body)
		m = re.match(r"^/crm/v4/objects/([^/]+)/([^/]+)/associations/([^/]+)$", path)
		if m and method == "GET":
			return self._associations_of(m.group(1), m.group(2), m.group(3))
		return 404, {"status": "error", "message": f"not implemented: {method} {path}"}, {}

	def _list(self, store: dict, query: dict) -> tuple[int, Any, dict]:
		limit = int(query.get("limit", ["10"])[0])
		props = [p for v in query.get("properties", []) for p in v.split(",") if p]
		after = query.get("after", [None])[0]
		with self.lock:
			ids = self._sorted_ids(store)
			start = 0 if after is None else bisect.bisect_right(ids, int(after))
			page = [str(i) for i in ids[start : start + limit]]
			results = [self._view(store[i], props) for i in page]
		body: dict[str, Any] = {"results": results}
		if start + limit < len(ids):
			body["paging"] = {"next": {"after": page[-1]}}
		return 200, body, {}

	def _sorted_ids(self, store: dict) -> list[int]:
		"""Ids in order, cached per store until objects are added or removed (list pages bisect it)."""
		key = id(store)
		cached = self._id_cache.get(key)
		if cached is None or cached[0] != len(store):
			cached = (len(store), sorted(int(i) for i in store))
			self._id_cache[key] = cached
		return cached[1]

	def _matches(self, obj: dict, f: dict) -> bool:
		name, op = f["propertyName"], f["operator"]
		value = obj["id"] if name == "hs_object_id" else obj["properties"].get(name)
		if op == "HAS_PROPERTY":
			return value not in (None, "")
		if value in (None, ""):
			return False
		if op == "IN":
			return str(value).lower() in {str(v).lower() for v in f.get("values", [])}
		if op == "EQ":
			return str(value).lower() == str(f.get("value", "")).lower()
		if name in DATE_PROPS or name == "hs_object_id":
			a, b = _ms(value), _ms(f.get("value"))
		else:
			a, b = value, f.get("value")
		if a is None or b is None:
			return False
		return {"GT": a > b, "GTE": a >= b, "LT": a < b, "LTE": a <= b}.get(op, False)

	def _search(self, store: dict, body: dict) -> tuple[int, Any, dict]:
		limit = body.get("limit") or 10
		if limit > 200:
			self._violation(f"search limit {limit} > 200")
		after = int(body.get("after") or 0)
		if after + limit > SEARCH_CAP:
			return (
				400,
				{
					"status": "error",
					"category": "VALIDATION_ERROR",
					"message": "paging past 10000 results is not supported",
				},
				{},
			)
		groups = body.get("filterGroups") or []
		if len(groups) > 5 or any(len(g.get("filters", [])) > 10 for g in groups):
			self._violation("too many filters")
		sorts = body.get("sorts") or []
		with self.lock:
			hits = [
				o
				for o in store.values()
				if not groups or any(all(self._matches(o, f) for f in g["filters"]) for g in groups)
			]
			if sorts and sorts[0].lstrip("-") == "hs_object_id":
				hits.sort(key=lambda o: int(o["id"]), reverse=sorts[0].startswith("-"))
			page = hits[after : after + limit]
			results = [self._view(o, body.get("properties")) for o in page]
		out: dict[str, Any] = {"total": len(hits), "results": results}
		if after + limit < len(hits):
			out["paging"] = {"next": {"after": str(after + limit)}}
		return 200, out, {}

	@staticmethod
	def _batch_result(results: list, missing: list) -> tuple[int, Any, dict]:
		"""A batch endpoint's answer: 200 COMPLETE, or 207 with an OBJECT_NOT_FOUND error naming the
		ids not in the store (the found ones are still in `results`)."""
		out: dict[str, Any] = {
			"status": "COMPLETE",
			"results": results,
			"startedAt": _now_iso(),
			"completedAt": _now_iso(),
		}
		if missing:
			out["errors"] = [
				{
					"status": "error",
					"category": "OBJECT_NOT_FOUND",
					"message": "not found",
					"context": {"ids": missing},
				}
			]
			out["numErrors"] = 1
			return 207, out, {}
		return 200, out, {}

	def _batch_read(self, store: dict, body: dict) -> tuple[int, Any, dict]:
		with self.lock:
			results = [
				self._view(store[i["id"]], body.get("properties")) for i in body["inputs"] if i["id"] in store
			]
			missing = [i["id"] for i in body["inputs"] if i["id"] not in store]
		return self._batch_result(results, missing)

	def _batch_update(self, object_type: str, store: dict, body: dict) -> tuple[int, Any, dict]:
		inputs = body["inputs"]
		for i in inputs:  # HubSpot rejects a whole batch when one value is invalid
			score = i["properties"].get("revops_score")
			if score is not None and score != "" and not re.fullmatch(r"-?\d+(\.\d+)?", score):
				return (
					400,
					{
						"status": "error",
						"category": "VALIDATION_ERROR",
						"message": f"{score!r} is not a number",
						"context": {"ids": [i["id"]]},
					},
					{},
				)
		results, missing = [], []
		stamp = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
		with self.lock:
			for i in inputs:
				obj = store.get(i["id"])
				if obj is None:
					missing.append(i["id"])
					continue
				obj["properties"].update(i["properties"])
				obj["properties"][stamp] = _now_iso()
				results.append(self._view(obj, list(i["properties"])))
		return self._batch_result(results, missing)

	def _create(self, object_type: str, store: dict, body: dict) -> tuple[int, Any, dict]:
		new_id = self._new_id()
		with self.lock:
			store[new_id] = {"id": new_id, "properties": dict(body["properties"])}
			for assoc in body.get("associations") or []:
				self.associations.append(
					{"from": (object_type, new_id), "to": assoc["to"]["id"], "types": assoc["types"]}
				)
			view = self._view(store[new_id], None)
		return 201, view, {}

	def _batch_create(self, object_type: str, store: dict, body: dict) -> tuple[int, Any, dict]:
		results = [self._create(object_type, store, i)[1] for i in body["inputs"]]
		return (
			201,
			{"status": "COMPLETE", "results": results, "startedAt": _now_iso(), "completedAt": _now_iso()},
			{},
		)

	def _associations_batch_read(self, from_type: str, to_type: str, body: dict) -> tuple[int, Any, dict]:
		"""v4 batch read of the associations given with `add(..., associations=...)`, paged per id by
		`association_page_size` with an offset as the `after` token (as HubSpot pages long lists)."""
		results = []
		with self.lock:
			store = self.objects.get(from_type, {})
			for item in body["inputs"]:
				obj = store.get(item["id"])
				if obj is None:
					continue
				linked = ((obj.get("associations") or {}).get(to_type) or {}).get("results") or []
				start = int(item.get("after") or 0)
				chunk = linked[start : start + self.association_page_size]
				result: dict[str, Any] = {
					"from": {"id": obj["id"]},
					"to": [
						{
							"toObjectId": str(a["id"]),
							"associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}],
						}
						for a in chunk
					],
				}
				if start + len(chunk) < len(linked):
					result["paging"] = {"next": {"after": str(start + len(chunk))}}
				results.append(result)
		return (
			200,
			{"status": "COMPLETE", "results": results, "startedAt": _now_iso(), "completedAt": _now_iso()},
			{},
		)

	def _associations_of(self, object_type: str, object_id: str, to_type: str) -> tuple[int, Any, dict]:
		with self.lock:
			found = [
				a
				for a in self.associations
				if a["to"] == object_id and a["from"][0] == to_type and object_type == "contacts"
			]
			results = [
				{
					"toObjectId": a["from"][1],
					"associationTypes": [
						{
							"category": t["associationCategory"],
							"typeId": t["associationTypeId"],
						}
						for t in a["types"]
					],
				}
				for a in found
				if a["from"][1] in self.objects.get(to_type, {})
			]
		return 200, {"results": results}, {}

	def _properties(self, method: str, object_type: str, rest: str, body: Any) -> tuple[int, Any, dict]:
		with self.lock:
			groups = self.groups.setdefault(object_type, set())
			props = self.properties.setdefault(object_type, {})
			if rest == "/groups" and method == "POST":
				if body["name"] in groups:
					return 409, {"status": "error", "category": "CONFLICT", "message": "group exists"}, {}
				groups.add(body["name"])
				return (
					201,
					{
						"name": body["name"],
						"label": body["label"],
						"displayOrder": body.get("displayOrder", -1),
						"archived": False,
					},
					{},
				)
			if rest in ("", "/") and method == "GET":
				return 200, {"results": [dict(p) for p in props.values()]}, {}
			if rest == "/batch/create" and method == "POST":
				results, errors = [], []
				for p in body["inputs"]:
					if p["groupName"] not in groups:
						errors.append(
							{
								"status": "error",
								"category": "VALIDATION_ERROR",
								"message": "no such group",
								"context": {"name": [p["name"]]},
							}
						)
					elif p["name"] in props:
						errors.append(
							{
								"status": "error",
								"category": "CONFLICT",
								"message": "exists",
								"context": {"name": [p["name"]]},
							}
						)
					else:
						props[p["name"]] = dict(p)
						results.append(dict(p))
				out = {
					"status": "COMPLETE",
					"results": results,
					"startedAt": _now_iso(),
					"completedAt": _now_iso(),
				}
				if errors:
					out["errors"] = errors
					return 207, out, {}
				return 201, out, {}
		return 404, {"status": "error", "message": "not implemented"}, {}

	def _owners(self, query: dict) -> tuple[int, Any, dict]:
		limit = int(query.get("limit", ["100"])[0])
		after = int(query.get("after", ["0"])[0])
		with self.lock:
			page = self.owners[after : after + limit]
		out: dict[str, Any] = {"results": page}
		if after + limit < len(self.owners):
			out["paging"] = {"next": {"after": str(after + limit)}}
		return 200, out, {}


HANDOFF_PATH = "/api/method/revops_app.api.handoffs.record_handoff"
HANDOFF_ARGS = {
	"handoff_key",
	"customer",
	"handed_off_at",
	"contact_id",
	"contact_name",
	"contact_url",
	"task_id",
	"task_url",
	"owner",
	"team",
	"subject",
	"score",
}


def _frappe_417(message: str) -> tuple[int, dict]:
	return 417, {
		"exc_type": "ValidationError",
		"_server_messages": json.dumps([json.dumps({"message": message})]),
	}


class ErpServer:
	"""The app's signals endpoint over a list of records, and its lead handoff endpoint, for pipeline and CLI
	tests (real HTTP). `handoffs` holds what record_handoff stored, by key; `handoff_failures` (a list of
	statuses) makes the next calls fail with those statuses first."""

	def __init__(self, records: list[dict] | None = None, token: str = "key:secret"):
		self.handoffs: dict[str, dict[str, str]] = {}
		self.handoff_failures: list[int] = []
		self.move_on_handoff = False  # True: a recorded handoff moves its record's modified (the app's feed)
		self.records = list(records or [])
		self.deleted: list[str] = []
		self.token = token
		self.calls: list[dict] = []
		# full_pass: answer `full=1` / `snapshot` like the app's full pass by name (off: an app that ignores
		# them); full_snapshot is the snapshot a new pass takes; before_answer(args) runs before each answer
		self.full_pass = False
		self.full_snapshot = "2098-01-01 00:00:00.000000"
		self.before_answer: Any = None
		server = self

		class Handler(_JSONHandler):
			def _handle(self) -> None:
				parts = urlsplit(self.path)
				length = int(self.headers.get("Content-Length") or 0)
				raw = self.rfile.read(length).decode() if length else ""
				args = {k: v[0] for k, v in parse_qs(parts.query).items()}
				form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
				args.update(form)
				if parts.path == HANDOFF_PATH:  # shape checked as Frappe would: POST, a form body only
					status, body = server.record_handoff(
						self.command,
						self.headers.get("Content-Type", ""),
						{k: v[0] for k, v in parse_qs(parts.query).items()},
						form,
						self.headers.get("Authorization"),
					)
				else:
					status, body = server.answer(parts.path, args, self.headers.get("Authorization"))
				self._send_json(status, json.dumps(body).encode())

			do_GET = do_POST = _handle

		self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.httpd.daemon_threads = True
		threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.httpd.server_address[1]}"

	def close(self) -> None:
		self.httpd.shutdown()
		self.httpd.server_close()

	def _full_page(self, after_name: str, limit: int, snapshot: str) -> dict:
		names = sorted((r for r in self.records if r["customer"] > after_name), key=lambda r: r["customer"])
		scanned, more = names[:limit], len(names) > limit
		if more:
			nxt = {"modified": "", "name": scanned[-1]["customer"], "snapshot": snapshot}
		else:
			nxt = {"modified": snapshot, "name": ""}
		return {
			"records": [r for r in scanned if r["modified"] < snapshot],
			"next_cursor": nxt,
			"deleted": [],
			"as_of": snapshot,
			"has_more": True,
		}

	def record_handoff(
		self, method: str, content_type: str, query: dict, form: dict, auth: str | None
	) -> tuple[int, Any]:
		"""revops_app.api.handoffs.record_handoff as the app answers it (api/handoffs.py, core.cx.lead_handoff)."""
		self.calls.append({"path": HANDOFF_PATH, "args": form, "method": method})
		if auth != f"token {self.token}":
			return 401, {"exc_type": "AuthenticationError", "message": "bad token"}
		if method != "POST":
			return 403, {"exc_type": "PermissionError", "message": f"{method} is not allowed"}
		if self.handoff_failures:
			return self.handoff_failures.pop(0), {"exc_type": "ServerError"}
		if query or not content_type.startswith("application/x-www-form-urlencoded"):
			return _frappe_417("arguments must come as a form body")
		unknown = sorted(set(form) - HANDOFF_ARGS)
		if unknown:
			return _frappe_417(f"unexpected arguments {unknown}")
		for required in ("handoff_key", "customer", "handed_off_at"):
			if not form.get(required):
				return _frappe_417(f"{required} is required")
		at = form["handed_off_at"]
		try:
			parsed = datetime.fromisoformat(at.replace("Z", "+00:00"))
		except ValueError:
			return _frappe_417(f"handed_off_at {at!r} is not ISO 8601")
		if parsed.tzinfo is None:
			return _frappe_417("handed_off_at must carry its offset (the sidecar sends UTC)")
		if "score" in form:
			float(form["score"])  # a bad number is a 500 here: the test then fails loudly
		if form["customer"] not in {r["customer"] for r in self.records}:
			return _frappe_417(f"Customer {form['customer']} does not exist")
		key = form["handoff_key"]
		stored = self.handoffs.get(key)
		if stored is not None:
			if stored["customer"] != form["customer"]:
				return _frappe_417(f"handoff {key} was recorded for customer {stored['customer']}")
			return 200, {"message": {"name": key, "status": "duplicate", "customer": stored["customer"]}}
		self.handoffs[key] = dict(form)
		# the feed lists it (no order yet); with move_on_handoff it serves the record again, as the app does
		moved = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f") if self.move_on_handoff else None
		self.order_after_handoff(key, None, moved)
		return 200, {"message": {"name": key, "status": "created", "customer": form["customer"]}}

	def order_after_handoff(self, key: str, order: dict | None, modified: str | None) -> None:
		"""What the app's feed serves once an order followed a recorded handoff (signals/first_orders.py).
		`modified` moves the record (the app moves it on the order and on the handoff); None leaves it."""
		handoff = self.handoffs[key]
		for record in self.records:
			if record["customer"] == handoff["customer"]:
				rows = [h for h in record.get("handoff_orders") or [] if h["handoff_key"] != key]
				at = datetime.fromisoformat(handoff["handed_off_at"].replace("Z", "+00:00"))
				rows.append(
					{"handoff_key": key, "handed_off_at": str(at.replace(tzinfo=None)), "first_order": order}
				)
				record["handoff_orders"] = rows
				record["modified"] = modified or record["modified"]

	def answer(self, path: str, args: dict, auth: str | None) -> tuple[int, Any]:
		self.calls.append({"path": path, "args": args})
		if auth != f"token {self.token}":
			return 401, {"exc_type": "AuthenticationError", "message": "bad token"}
		if path == "/api/method/revops_app.api.signals.customer_records":
			names = json.loads(args.get("customers") or "[]")
			by_name = {r["customer"]: r for r in self.records}
			return 200, {
				"message": {
					"records": [by_name[n] for n in names if n in by_name],
					"deleted": [n for n in names if n not in by_name],
				}
			}
		if path != "/api/method/revops_app.api.signals.customer_signals":
			return 404, {"exc_type": "DoesNotExistError"}
		if self.before_answer:
			self.before_answer(args)
		after = (args.get("modified_after") or "", args.get("after_name") or "")
		limit = int(args.get("limit") or 500)
		if self.full_pass and (args.get("full") == "1" or args.get("snapshot")):
			return 200, {
				"message": self._full_page(after[1], limit, args.get("snapshot") or self.full_snapshot)
			}
		rows = sorted(self.records, key=lambda r: (r["modified"], r["customer"]))
		rest = [r for r in rows if not after[0] or (r["modified"], r["customer"]) > after]
		page = rest[:limit]
		nxt = {"modified": page[-1]["modified"], "name": page[-1]["customer"]} if page else None
		return 200, {
			"message": {
				"records": page,
				"next_cursor": nxt,
				"deleted": list(self.deleted),
				"as_of": _now_iso(),
				"has_more": len(rest) > limit,
			}
		}
