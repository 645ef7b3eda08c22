"""Loading, checking and describing the configuration (the contract is in the package docstring)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

if sys.version_info >= (3, 11):
	import tomllib
else:  # pragma: no cover - Python 3.10
	import tomli as tomllib

from sidecar.config.rules import HandoffRule, Team, _parse_rules
from sidecar.config.setting import (
	CAPACITY_PACK_BURST,
	CAPACITY_PACK_DAILY,
	HUBSPOT_TIERS,
	ConfigError,
	Setting,
)
from sidecar.config.settings_clients import CLIENT_SETTINGS
from sidecar.config.settings_features import FEATURE_SETTINGS
from sidecar.config.settings_learning import LEARNING_SETTINGS

DEFAULT_CONFIG_PATHS = (Path("revops-sidecar.toml"), Path.home() / ".revops" / "sidecar.toml")


SETTINGS: tuple[Setting, ...] = CLIENT_SETTINGS + FEATURE_SETTINGS + LEARNING_SETTINGS
SECTIONS = ("erp", "hubspot", "store", "scoring", "handoff", "run", "cx", "learning")
_BY_NAME = {s.dotted: s for s in SETTINGS}


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


EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "revops-sidecar.example.toml"
