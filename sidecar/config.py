"""One described, validated configuration for revops-sidecar.

Contract:
- `load_config(path, env)` reads defaults, then the TOML file (if any), then environment overrides, and returns
  a frozen `Config`. Any bad value raises `ConfigError` whose message names the key (`hubspot.tier`) and
  what is expected; unknown keys are errors too (a typo must not silently fall back to a default).
- Every scalar setting `section.key` can be overridden by the environment variable `REVOPS_<SECTION>_<KEY>`
  (e.g. `REVOPS_HUBSPOT_TOKEN`, `REVOPS_ERP_API_KEY`, `REVOPS_ERP_API_SECRET`, `REVOPS_STORE_URL`).
- Secrets (`hubspot.token`, `erp.api_key`, `erp.api_secret`, `cx.webhook_secret`, `cx.typeform_secret`) are read from the
  environment only; a secret written in the file is refused. `describe()` and `Config.redacted()` never print them,
  nor the password of a `store.url`.
- HubSpot request limits come from the account tier (figures from tests/reference/hubspot/limits.md) and can
  be overridden one by one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

if sys.version_info >= (3, 11):
	import tomllib
else:  # pragma: no cover - Python 3.10
	import tomli as tomllib

ENV_PREFIX = "REVOPS_"
DEFAULT_CONFIG_PATHS = (Path("revops-sidecar.toml"), Path.home() / ".revops" / "sidecar.toml")
DEFAULT_STATE_DIR = Path.home() / ".revops"

# Request limits per HubSpot account tier: (requests per 10 s, requests per day). Source: limits.md section 1.
# "oauth": public apps are limited to 100 / 10 s per account and the daily limits do not apply (0 = no budget).
HUBSPOT_TIERS: dict[str, tuple[int, int]] = {
	"free": (100, 250_000),
	"starter": (100, 250_000),
	"professional": (190, 650_000),
	"enterprise": (190, 1_000_000),
	"oauth": (100, 0),
}
CAPACITY_PACK_DAILY = 1_000_000
CAPACITY_PACK_BURST = 250


class ConfigError(ValueError):
	"""A configuration value is missing or wrong; the message names the key."""


@dataclass(frozen=True)
class Setting:
	section: str
	key: str
	kind: str  # str, int, float, bool, path, list
	default: Any
	help: str
	secret: bool = False
	check: Callable[[Any], str | None] | None = None  # returns an error text or None

	@property
	def dotted(self) -> str:
		return f"{self.section}.{self.key}"

	@property
	def env(self) -> str:
		return f"{ENV_PREFIX}{self.section}_{self.key}".upper()


def _positive(value: Any) -> str | None:
	return None if value > 0 else "must be > 0"


def _non_negative(value: Any) -> str | None:
	return None if value >= 0 else "must be >= 0"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
	def check(value: Any) -> str | None:
		return None if value in choices else f"must be one of {', '.join(choices)}"

	return check


def _max(limit: int) -> Callable[[Any], str | None]:
	def check(value: Any) -> str | None:
		return None if 0 < value <= limit else f"must be between 1 and {limit}"

	return check


def _url(value: Any) -> str | None:
	if value and not str(value).startswith(("http://", "https://")):
		return "must start with http:// or https://"
	return None


def _score(value: Any) -> str | None:
	return None if 0 <= value <= 100 else "must be between 0 and 100"


SETTINGS: tuple[Setting, ...] = (
	# --- erp: the ERPNext site serving revops_app.api.signals ---
	Setting(
		"erp",
		"base_url",
		"str",
		"",
		"ERPNext site URL, e.g. https://erp.example.com (required for sync)",
		check=_url,
	),
	Setting("erp", "api_key", "str", "", "ERPNext API key of the integration user (env only)", secret=True),
	Setting(
		"erp", "api_secret", "str", "", "ERPNext API secret of the integration user (env only)", secret=True
	),
	Setting("erp", "timeout_seconds", "float", 30.0, "read timeout per ERP request", check=_positive),
	Setting(
		"erp", "connect_timeout_seconds", "float", 5.0, "connect timeout per ERP request", check=_positive
	),
	Setting(
		"erp",
		"page_size",
		"int",
		500,
		"customers per signals page (the endpoint allows <= 1000)",
		check=_max(1000),
	),
	Setting(
		"erp",
		"max_retries",
		"int",
		4,
		"retries of a failed ERP request (timeouts, 429, 5xx)",
		check=_non_negative,
	),
	Setting(
		"erp", "backoff_seconds", "float", 1.0, "first retry delay; doubles each retry", check=_non_negative
	),
	Setting("erp", "verify_tls", "bool", True, "verify the ERP server's TLS certificate"),
	# --- hubspot ---
	Setting("hubspot", "token", "str", "", "HubSpot private app access token (env only)", secret=True),
	Setting(
		"hubspot",
		"base_url",
		"str",
		"https://api.hubapi.com",
		"HubSpot API base URL (tests point it at a local server)",
		check=_url,
	),
	Setting(
		"hubspot",
		"tier",
		"str",
		"professional",
		"account tier that sets the default limits: " + ", ".join(HUBSPOT_TIERS),
		check=_one_of(*HUBSPOT_TIERS),
	),
	Setting(
		"hubspot",
		"capacity_packs",
		"int",
		0,
		"API limit increase packs bought (0-2): +1,000,000/day each, burst 250/10 s",
		check=lambda v: None if v in (0, 1, 2) else "must be 0, 1 or 2",
	),
	Setting(
		"hubspot",
		"searches_per_second",
		"float",
		4.0,
		"CRM search requests per second (HubSpot documents 4/s per token; the issue allows up to 5)",
		check=_max(5),
	),
	Setting(
		"hubspot",
		"burst_per_10s",
		"int",
		0,
		"requests per rolling 10 s; 0 = the tier's figure",
		check=_non_negative,
	),
	Setting(
		"hubspot",
		"daily_budget",
		"int",
		0,
		"requests per day this sidecar may spend; 0 = the tier's figure",
		check=_non_negative,
	),
	Setting(
		"hubspot",
		"budget_share",
		"float",
		0.8,
		"share of the tier's daily limit used when daily_budget is 0 (other integrations share the account)",
		check=lambda v: None if 0 < v <= 1 else "must be in (0, 1]",
	),
	Setting(
		"hubspot",
		"account_timezone",
		"str",
		"UTC",
		"time zone of the HubSpot account (the daily limit resets at its midnight)",
	),
	Setting(
		"hubspot",
		"batch_size",
		"int",
		100,
		"objects per batch read/update/create (HubSpot's limit is 100)",
		check=_max(100),
	),
	Setting("hubspot", "search_page_size", "int", 200, "results per search page (<= 200)", check=_max(200)),
	Setting("hubspot", "timeout_seconds", "float", 30.0, "read timeout per HubSpot request", check=_positive),
	Setting(
		"hubspot",
		"connect_timeout_seconds",
		"float",
		5.0,
		"connect timeout per HubSpot request",
		check=_positive,
	),
	Setting(
		"hubspot",
		"max_retries",
		"int",
		5,
		"retries of 429 / 423 / 5xx / timeouts per request",
		check=_non_negative,
	),
	Setting(
		"hubspot",
		"backoff_seconds",
		"float",
		1.0,
		"first retry delay when no Retry-After is given; doubles",
		check=_non_negative,
	),
	Setting("hubspot", "max_backoff_seconds", "float", 60.0, "cap on one retry delay", check=_positive),
	Setting(
		"hubspot",
		"property_group",
		"str",
		"revops_scoring",
		"property group holding the sidecar's custom properties",
	),
	Setting("hubspot", "property_prefix", "str", "revops_", "prefix of the sidecar's custom property names"),
	Setting(
		"hubspot",
		"search_settle_seconds",
		"float",
		60.0,
		"a half-done task creation is re-checked by search only after this delay (search is eventually consistent)",
		check=_non_negative,
	),
	# --- store ---
	Setting(
		"store",
		"url",
		"str",
		"",
		"SQLAlchemy URL (postgresql+psycopg://user@host/db); empty = SQLite file at store.path",
	),
	Setting(
		"store",
		"path",
		"path",
		str(DEFAULT_STATE_DIR / "sidecar.sqlite3"),
		"SQLite file used when store.url is empty",
	),
	Setting(
		"store",
		"lock_ttl_seconds",
		"float",
		300.0,
		"run lock lease; another instance may take over after it expires",
		check=_positive,
	),
	# --- scoring ---
	Setting(
		"scoring", "model_file", "path", "", "scoring model config file; empty = the bundled default model"
	),
	Setting(
		"scoring",
		"sql_threshold",
		"float",
		70.0,
		"score at/above which a contact is a sales-qualified lead",
		check=_score,
	),
	Setting(
		"scoring", "push_company_scores", "bool", True, "also write the best contact score onto the company"
	),
	# --- handoff (rules are tables, see the example file) ---
	Setting(
		"handoff", "enabled", "bool", True, "create owner + task when a contact crosses scoring.sql_threshold"
	),
	Setting(
		"handoff",
		"rearm_margin",
		"float",
		10.0,
		"a contact must drop this far below the threshold before it can cross again",
		check=_non_negative,
	),
	Setting(
		"handoff",
		"first_score_counts",
		"bool",
		True,
		"a contact scored for the first time at/above the threshold counts as a crossing",
	),
	Setting(
		"handoff",
		"due_business_days",
		"int",
		2,
		"task due date in business days (Mon-Fri) after the crossing",
		check=_non_negative,
	),
	Setting(
		"handoff",
		"task_priority",
		"str",
		"HIGH",
		"hs_task_priority of handoff tasks",
		check=_one_of("LOW", "MEDIUM", "HIGH"),
	),
	Setting(
		"handoff",
		"default_team",
		"str",
		"",
		"team used when no rule matches (empty = no owner, task unassigned)",
	),
	Setting(
		"handoff",
		"reassign_owned",
		"bool",
		False,
		"route owned contacts too (otherwise an owned contact keeps its owner, who gets the task)",
	),
	# --- run loop ---
	Setting(
		"run",
		"interval_seconds",
		"float",
		900.0,
		"seconds between incremental passes of `run`",
		check=_positive,
	),
	Setting(
		"run",
		"full_rescore_hours",
		"float",
		24.0,
		"hours between full re-scores (decay moves scores without new data)",
		check=_positive,
	),
	# --- cx (helper C2's survey sync) ---
	Setting(
		"cx",
		"webhook_secret",
		"str",
		"",
		"shared secret that signs generic survey webhooks (env only)",
		secret=True,
	),
	Setting("cx", "listen_host", "str", "127.0.0.1", "bind address of the survey ingest server"),
	Setting("cx", "typeform_secret", "str", "", "Typeform webhook signing secret (env only)", secret=True),
	Setting("cx", "listen_port", "int", 8088, "port of the survey ingest server", check=_max(65535)),
	Setting(
		"cx", "batch_size", "int", 200, "responses per ingest call (the app accepts <= 200)", check=_max(200)
	),
	Setting("cx", "hubspot_feedback", "bool", False, "pull HubSpot feedback submissions as a survey source"),
	Setting(
		"cx", "push_to_hubspot", "bool", False, "write CX outcomes (segment, churn risk) back to HubSpot"
	),
	Setting(
		"cx", "signature_tolerance_seconds", "int", 300, "accepted age of a signed webhook", check=_positive
	),
)
SECTIONS = ("erp", "hubspot", "store", "scoring", "handoff", "run", "cx")
_BY_NAME = {s.dotted: s for s in SETTINGS}


@dataclass(frozen=True)
class HandoffRule:
	"""First matching rule wins; every given criterion must match (case-insensitive)."""

	team: str
	territory: str = ""
	industry: str = ""
	product_line: str = ""

	def matches(
		self, territory: str | set[str] | None, industry: str | set[str] | None, product_lines: set[str]
	) -> bool:
		"""Each argument may be one value or a set of candidate spellings (e.g. label and HubSpot enum)."""
		if self.territory and _norm(self.territory) not in _norms(territory):
			return False
		if self.industry and _norm(self.industry) not in _norms(industry):
			return False
		if self.product_line and _norm(self.product_line) not in _norms(product_lines):
			return False
		return True


def _norm(value: str) -> str:
	"""'Industrial Automation', 'INDUSTRIAL_AUTOMATION' and 'industrial-automation' compare equal."""
	return "".join(ch if ch.isalnum() else "_" for ch in value.casefold()).strip("_")


def _norms(values: str | set[str] | None) -> set[str]:
	if not values:
		return set()
	if isinstance(values, str):
		values = {values}
	return {_norm(v) for v in values if v}


@dataclass(frozen=True)
class Team:
	"""Owners of a team: explicit owner ids/emails, and/or the members of a HubSpot team (owners API)."""

	name: str
	owners: tuple[str, ...] = ()
	hubspot_team: str = ""


class Section:
	"""Attribute access to one section's values."""

	def __init__(self, name: str, values: dict[str, Any]):
		self._name = name
		self._values = values

	def __getattr__(self, key: str) -> Any:
		try:
			return self._values[key]
		except KeyError:
			raise AttributeError(f"no setting {self._name}.{key}") from None

	def as_dict(self) -> dict[str, Any]:
		return dict(self._values)


@dataclass(frozen=True)
class Config:
	values: dict[str, Any]
	rules: tuple[HandoffRule, ...] = ()
	teams: dict[str, Team] = field(default_factory=dict)
	source: str = "defaults"

	def __getattr__(self, section: str) -> Section:
		if section in SECTIONS:
			prefix = section + "."
			return Section(
				section, {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}
			)
		raise AttributeError(section)

	def get(self, dotted: str) -> Any:
		return self.values[dotted]

	def store_url(self) -> str:
		if self.values["store.url"]:
			return self.values["store.url"]
		return f"sqlite:///{Path(self.values['store.path']).expanduser()}"

	def hubspot_limits(self) -> tuple[float, int, int]:
		"""(searches per second, requests per rolling 10 s, requests per day; 0 = unlimited)."""
		burst, daily = HUBSPOT_TIERS[self.values["hubspot.tier"]]
		packs = self.values["hubspot.capacity_packs"]
		if packs and self.values["hubspot.tier"] != "oauth":
			daily += CAPACITY_PACK_DAILY * packs
			burst = CAPACITY_PACK_BURST
		daily = int(daily * self.values["hubspot.budget_share"])
		if self.values["hubspot.burst_per_10s"]:
			burst = self.values["hubspot.burst_per_10s"]
		if self.values["hubspot.daily_budget"]:
			daily = self.values["hubspot.daily_budget"]
		return self.values["hubspot.searches_per_second"], burst, daily

	def redacted(self) -> dict[str, Any]:
		out = {}
		for key, value in self.values.items():
			out[key] = ("<set>" if value else "<unset>") if _BY_NAME[key].secret else value
		# The store URL is not a secret setting (a passwordless URL may sit in the file), but a
		# PostgreSQL URL from REVOPS_STORE_URL can carry the password: show it masked.
		out["store.url"] = redact_url(out["store.url"])
		return out

	def require(self, *dotted: str) -> None:
		missing = [k for k in dotted if not self.values.get(k)]
		if missing:
			hints = ", ".join(f"{k} (env {_BY_NAME[k].env})" for k in missing)
			raise ConfigError(f"missing required setting(s): {hints}")

	def with_values(self, **overrides: Any) -> Config:
		"""A copy with some settings replaced (keys use __ for the dot: hubspot__base_url=...)."""
		values = dict(self.values)
		for key, value in overrides.items():
			dotted = key.replace("__", ".")
			if dotted not in _BY_NAME:
				raise ConfigError(f"unknown setting {dotted}")
			values[dotted] = _coerce(_BY_NAME[dotted], value, "override")
		return Config(values=values, rules=self.rules, teams=self.teams, source=self.source)


def redact_url(url: str) -> str:
	"""`url` with the password of its user:password@ part replaced by ***; other URLs unchanged."""
	parts = urlsplit(url)
	if parts.password is None:
		return url
	user = parts.username or ""
	host = parts.netloc.rsplit("@", 1)[1]
	return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
	where = f"{setting.dotted} (from {origin})"
	kind = setting.kind
	try:
		if kind == "bool":
			if isinstance(raw, bool):
				value = raw
			elif isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on"):
				value = True
			elif isinstance(raw, str) and raw.strip().lower() in ("0", "false", "no", "off", ""):
				value = False
			else:
				raise ValueError("expected true/false")
		elif kind == "int":
			if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
				raise ValueError("expected an integer")
			value = int(raw)
		elif kind == "float":
			if isinstance(raw, bool):
				raise ValueError("expected a number")
			value = float(raw)
		elif kind in ("str", "path"):
			if not isinstance(raw, str):
				raise ValueError("expected a string")
			value = raw.strip()
			if kind == "path" and value:
				value = str(Path(value).expanduser())
		else:  # pragma: no cover - guarded by SETTINGS
			raise ValueError(f"unknown kind {kind}")
	except (TypeError, ValueError) as exc:
		raise ConfigError(f"{where}: {exc}, got {'<secret>' if setting.secret else repr(raw)}") from None
	if setting.check:
		problem = setting.check(value)
		if problem:
			shown = "<secret>" if setting.secret else repr(value)
			raise ConfigError(f"{where}: {problem}, got {shown}")
	return value


def _parse_rules(data: Mapping[str, Any], origin: str) -> tuple[tuple[HandoffRule, ...], dict[str, Team]]:
	teams: dict[str, Team] = {}
	for name, body in (data.get("teams") or {}).items():
		if not isinstance(body, Mapping):
			raise ConfigError(f"handoff.teams.{name} (from {origin}): expected a table")
		unknown = set(body) - {"owners", "hubspot_team"}
		if unknown:
			raise ConfigError(f"handoff.teams.{name}.{sorted(unknown)[0]} (from {origin}): unknown key")
		owners = body.get("owners", [])
		if not isinstance(owners, list) or not all(isinstance(o, str | int) for o in owners):
			raise ConfigError(
				f"handoff.teams.{name}.owners (from {origin}): expected a list of owner ids or emails"
			)
		hubspot_team = body.get("hubspot_team", "")
		if not isinstance(hubspot_team, str):
			raise ConfigError(f"handoff.teams.{name}.hubspot_team (from {origin}): expected a string")
		if not owners and not hubspot_team:
			raise ConfigError(f"handoff.teams.{name} (from {origin}): give owners or hubspot_team")
		teams[name] = Team(name=name, owners=tuple(str(o) for o in owners), hubspot_team=hubspot_team)
	rules = []
	raw_rules = data.get("rules") or []
	if not isinstance(raw_rules, list):
		raise ConfigError(f"handoff.rules (from {origin}): expected an array of tables ([[handoff.rules]])")
	for i, body in enumerate(raw_rules):
		where = f"handoff.rules[{i}]"
		if not isinstance(body, Mapping):
			raise ConfigError(f"{where} (from {origin}): expected a table")
		unknown = set(body) - {"team", "territory", "industry", "product_line"}
		if unknown:
			raise ConfigError(f"{where}.{sorted(unknown)[0]} (from {origin}): unknown key")
		for key in body:
			if not isinstance(body[key], str):
				raise ConfigError(f"{where}.{key} (from {origin}): expected a string")
		team = body.get("team", "")
		if team not in teams:
			raise ConfigError(
				f"{where}.team (from {origin}): team {team!r} is not defined under [handoff.teams]"
			)
		rules.append(HandoffRule(**body))
	return tuple(rules), teams


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
	"""Defaults <- TOML file <- environment. `path=None` tries REVOPS_CONFIG, then the default paths."""
	env = os.environ if env is None else env
	values = {s.dotted: s.default for s in SETTINGS}
	source = "defaults"
	data: dict[str, Any] = {}
	if path is None and env.get("REVOPS_CONFIG"):
		path = env["REVOPS_CONFIG"]
	if path is None:
		path = next((p for p in DEFAULT_CONFIG_PATHS if p.is_file()), None)
	elif not Path(path).is_file():
		raise ConfigError(f"config file {path} does not exist")
	if path is not None:
		try:
			data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
		except tomllib.TOMLDecodeError as exc:
			raise ConfigError(f"config file {path}: not valid TOML: {exc}") from None
		source = str(path)
	rule_data: dict[str, Any] = {}
	for section, body in data.items():
		if section not in SECTIONS:
			raise ConfigError(
				f"{section} (from {source}): unknown section; expected one of {', '.join(SECTIONS)}"
			)
		if not isinstance(body, Mapping):
			raise ConfigError(f"{section} (from {source}): expected a table")
		for key, raw in body.items():
			if section == "handoff" and key in ("rules", "teams"):
				rule_data[key] = raw
				continue
			setting = _BY_NAME.get(f"{section}.{key}")
			if setting is None:
				raise ConfigError(f"{section}.{key} (from {source}): unknown setting")
			if setting.secret:
				raise ConfigError(
					f"{section}.{key} (from {source}): secrets are read from the environment only; set {setting.env}"
				)
			values[setting.dotted] = _coerce(setting, raw, source)
	for setting in SETTINGS:
		if setting.env in env:
			values[setting.dotted] = _coerce(setting, env[setting.env], f"env {setting.env}")
	rules, teams = _parse_rules(rule_data, source)
	if values["handoff.default_team"] and values["handoff.default_team"] not in teams:
		raise ConfigError(
			f"handoff.default_team: team {values['handoff.default_team']!r} is not defined under [handoff.teams]"
		)
	if values["scoring.model_file"] and not Path(values["scoring.model_file"]).is_file():
		raise ConfigError(f"scoring.model_file: {values['scoring.model_file']} does not exist")
	return Config(values=values, rules=rules, teams=teams, source=source)


def describe(config: Config | None = None) -> str:
	"""Every setting: name, env variable, current (or default) value, meaning. Secrets show only set/unset."""
	current = config.redacted() if config else {}
	lines = []
	for section in SECTIONS:
		lines.append(f"[{section}]")
		for s in (s for s in SETTINGS if s.section == section):
			if s.secret:
				shown = current.get(s.dotted, "<unset>") if config else "<env only>"
			else:
				shown = repr(current.get(s.dotted, s.default))
			lines.append(f"  {s.key} = {shown}")
			lines.append(f"      {s.help}; env {s.env}")
		if section == "handoff":
			lines.append("  [[handoff.rules]] team, territory?, industry?, product_line?  (first match wins)")
			lines.append(
				"  [handoff.teams.NAME] owners = [owner ids or emails], hubspot_team = 'team name in HubSpot'"
			)
			if config:
				for rule in config.rules:
					lines.append(f"      rule: {rule}")
				for team in config.teams.values():
					lines.append(f"      team: {team}")
		lines.append("")
	return "\n".join(lines)


EXAMPLE_CONFIG = Path(__file__).with_name("revops-sidecar.example.toml")
