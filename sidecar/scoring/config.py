"""Load and validate the scoring model config (TOML) into compiled, immutable rules.

Contract: `load_model_config(path)` / `parse_model_config(data, source)` return a `ModelConfig` or raise
`ModelConfigError` whose message names the offending key as a dotted path (e.g.
"fit.revenue.bands[2].min: bands must be sorted by min ascending"). Unknown keys are errors too, so a
typo never silently falls back to a default. Every key is documented in README.md and in the shipped
default_model.toml. Nothing here scores; model.py does.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sidecar.scoring.signals import EVENT_SOURCES
from sidecar.scoring.titles import Level, TitleRules, phrase_regex

if sys.version_info >= (3, 11):
	import tomllib
else:  # pragma: no cover - exercised only on 3.10
	import tomli as tomllib

TIERS = ("fit", "behaviour", "erp")


class ModelConfigError(ValueError):
	"""The model config is invalid; the message starts with the dotted key path that is wrong."""


@dataclass(frozen=True, slots=True)
class Band:
	min: float
	points: float
	label: str


@dataclass(frozen=True, slots=True)
class IntentPage:
	name: str
	label: str
	pattern: re.Pattern[str]
	points: float


@dataclass(frozen=True, slots=True)
class BehaviourSignal:
	name: str
	event: str
	label: str
	points_per_event: float
	max_points: float
	min_events: float
	half_life_days: float
	max_age_days: float | None


@dataclass(frozen=True, slots=True)
class ModelConfig:
	source: str
	tier_min: dict[str, float]
	tier_max: dict[str, float]
	max_reasons: int
	min_reason_points: float
	event_dates: str  # "absolute" (2026-11-27) or "relative" (3 days ago) in explanations
	bands: tuple[tuple[str, float], ...]  # (band, lowest total), highest first
	titles: TitleRules
	title_label_chars: int
	industry_points: dict[str, tuple[float, str]]  # normalised industry -> (points, group label)
	industry_other_points: float
	revenue_bands: tuple[Band, ...]
	employee_bands: tuple[Band, ...]
	intent_pages: tuple[IntentPage, ...]
	intent_max_points: float
	intent_half_life_days: float
	behaviour: tuple[BehaviourSignal, ...]
	currency: str
	fx_to_base: dict[str, float]
	ltv_bands: tuple[Band, ...]
	ltv_half_life_days: float | None
	open_points_per_invoice: float
	open_floor: float
	overdue_points_per_invoice: float
	overdue_amount_bands: tuple[Band, ...]
	overdue_days_bands: tuple[Band, ...]
	overdue_floor: float
	renewal_points: float
	renewal_window_days: int
	renewal_ramp_days: int
	product_lines: dict[str, str]  # ERPNext item group -> product line
	product_points_per_quote: float
	product_max_points: float
	opportunity_points: float
	opportunity_max_points: float
	support_points_per_open_issue: float
	support_floor: float
	company_breadth_weight: float


class _Reader:
	"""Typed access into the TOML tree that records the dotted path for error messages."""

	def __init__(self, data: Any, path: str) -> None:
		if not isinstance(data, dict):
			raise ModelConfigError(f"{path or '<root>'}: expected a table, got {type(data).__name__}")
		self.data = data
		self.path = path
		self.used: set[str] = set()

	def _key(self, key: str) -> str:
		return f"{self.path}.{key}" if self.path else key

	def has(self, key: str) -> bool:
		return key in self.data

	def raw(self, key: str, default: Any = ...) -> Any:
		self.used.add(key)
		if key not in self.data:
			if default is ...:
				raise ModelConfigError(f"{self._key(key)}: missing required key")
			return default
		return self.data[key]

	def table(self, key: str, required: bool = True) -> _Reader:
		value = self.raw(key, ... if required else {})
		return _Reader(value, self._key(key))

	def number(self, key: str, default: Any = ..., lo: float | None = None, hi: float | None = None) -> float:
		value = self.raw(key, default)
		return _number(value, self._key(key), lo, hi)

	def integer(self, key: str, default: Any = ..., lo: int | None = None) -> int:
		value = self.raw(key, default)
		if isinstance(value, bool) or not isinstance(value, int):
			raise ModelConfigError(f"{self._key(key)}: expected an integer, got {value!r}")
		if lo is not None and value < lo:
			raise ModelConfigError(f"{self._key(key)}: must be >= {lo}, got {value}")
		return value

	def string(self, key: str, default: Any = ...) -> str:
		value = self.raw(key, default)
		if not isinstance(value, str):
			raise ModelConfigError(f"{self._key(key)}: expected a string, got {value!r}")
		return value

	def strings(self, key: str, default: Any = ...) -> list[str]:
		value = self.raw(key, default)
		if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
			raise ModelConfigError(f"{self._key(key)}: expected a list of strings, got {value!r}")
		return value

	def tables(self, key: str) -> list[_Reader]:
		value = self.raw(key)
		if not isinstance(value, list) or not value:
			raise ModelConfigError(f"{self._key(key)}: expected a non-empty array of tables")
		return [_Reader(item, f"{self._key(key)}[{i}]") for i, item in enumerate(value)]

	def done(self) -> None:
		unknown = sorted(set(self.data) - self.used)
		if unknown:
			raise ModelConfigError(f"{self._key(unknown[0])}: unknown key")


def _number(value: Any, path: str, lo: float | None = None, hi: float | None = None) -> float:
	if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
		raise ModelConfigError(f"{path}: expected a number, got {value!r}")
	if lo is not None and value < lo:
		raise ModelConfigError(f"{path}: must be >= {lo}, got {value}")
	if hi is not None and value > hi:
		raise ModelConfigError(f"{path}: must be <= {hi}, got {value}")
	return float(value)


def _bands(reader: _Reader, key: str, sign: int = 0) -> tuple[Band, ...]:
	"""`[[...bands]]` with min/points/label, sorted by min ascending; sign -1/+1 restricts the points' sign."""
	bands = []
	for item in reader.tables(key):
		lo, hi = (None, 0.0) if sign < 0 else ((0.0, None) if sign > 0 else (None, None))
		band = Band(item.number("min", lo=0), item.number("points", lo=lo, hi=hi), item.string("label", ""))
		if bands and band.min <= bands[-1].min:
			raise ModelConfigError(f"{item.path}.min: bands must be sorted by min ascending, without repeats")
		bands.append(band)
		item.done()
	return tuple(bands)


def _seniority(reader: _Reader) -> tuple[TitleRules, int]:
	aliases_reader = reader.table("aliases", required=False)
	aliases = {}
	for word, expansion in aliases_reader.data.items():
		aliases_reader.used.add(word)
		if not isinstance(expansion, str) or not expansion.strip():
			raise ModelConfigError(f"{aliases_reader._key(word)}: expected a non-empty string")
		aliases[word.lower()] = expansion.lower()
	order = reader.strings("order")
	levels_reader = reader.table("levels")
	levels = []
	for key in order:
		if not levels_reader.has(key):
			raise ModelConfigError(
				f"{reader.path}.order: level {key!r} has no [{levels_reader.path}.{key}] table"
			)
		item = levels_reader.table(key)
		phrases = item.strings("phrases")
		if not phrases:
			raise ModelConfigError(f"{item.path}.phrases: at least one phrase is needed")
		levels.append(
			Level(
				key=key,
				label=item.string("label", key),
				points=item.number("points"),
				match=phrase_regex(phrases),
				unless=phrase_regex(item.strings("unless", [])),
			)
		)
		item.done()
	for extra in sorted(set(levels_reader.data) - set(order)):
		raise ModelConfigError(f"{levels_reader.path}.{extra}: level is not listed in {reader.path}.order")
	levels_reader.done()
	dm_levels = reader.strings("decision_maker_levels", [])
	for key in dm_levels:
		if key not in order:
			raise ModelConfigError(f"{reader.path}.decision_maker_levels: unknown level {key!r}")
	rules = TitleRules(
		levels=levels,
		aliases=aliases,
		decision_maker_levels=frozenset(dm_levels),
		decision_maker_phrases=reader.strings("decision_maker_phrases", []),
		decision_maker_points=reader.number("decision_maker_points", 0),
		unknown_points=reader.number("unknown_points", 0),
	)
	label_chars = reader.integer("title_label_chars", 40, lo=8)
	reader.done()
	return rules, label_chars


def parse_model_config(data: dict, source: str = "<memory>") -> ModelConfig:
	"""Validate a parsed TOML tree; raise ModelConfigError naming the first bad key."""
	from sidecar.scoring.signals import normalise_industry

	root = _Reader(data, "")
	version = root.integer("version")
	if version != 1:
		raise ModelConfigError(f"version: unsupported model config version {version} (this engine reads 1)")

	tiers = root.table("tiers")
	tier_min, tier_max = {}, {}
	for tier in TIERS:
		t = tiers.table(tier)
		tier_min[tier] = t.number("min", hi=0)
		tier_max[tier] = t.number("max", lo=0, hi=100)
		t.done()
	tiers.done()

	output = root.table("output")
	max_reasons = output.integer("max_reasons", 5, lo=1)
	min_reason_points = output.number("min_reason_points", 1.0, lo=0)
	event_dates = output.string("event_dates", "absolute")
	if event_dates not in ("absolute", "relative"):
		raise ModelConfigError(f"output.event_dates: expected 'absolute' or 'relative', got {event_dates!r}")
	bands_reader = output.table("bands")
	bands = []
	for name in bands_reader.data:
		bands.append((name, bands_reader.number(name, lo=0, hi=100)))
	if not bands:
		raise ModelConfigError(f"{bands_reader.path}: at least one band is needed")
	bands.sort(key=lambda b: (-b[1], b[0]))
	if bands[-1][1] != 0:
		raise ModelConfigError(
			f"{bands_reader.path}: the lowest band must start at 0 so every total has a band"
		)
	bands_reader.done()
	output.done()

	fit = root.table("fit")
	titles, title_label_chars = _seniority(fit.table("seniority"))

	industry = fit.table("industry")
	industry_points: dict[str, tuple[float, str]] = {}
	groups = industry.table("groups")
	for group_name in groups.data:
		group = groups.table(group_name)
		points = group.number("points")
		label = group.string("label", group_name.replace("_", " "))
		for value in group.strings("values"):
			key = normalise_industry(value)
			if key in industry_points:
				raise ModelConfigError(f"{group.path}.values: industry {value!r} is already in another group")
			industry_points[key] = (points, label)
		group.done()
	groups.done()
	industry_other = industry.number("other_points", 0)
	industry.done()

	revenue = fit.table("revenue")
	revenue_bands = _bands(revenue, "bands")
	revenue.done()
	employees = fit.table("employees")
	employee_bands = _bands(employees, "bands")
	employees.done()

	intent = fit.table("intent")
	pages = []
	for item in intent.tables("pages"):
		pattern_text = item.string("pattern")
		try:
			pattern = re.compile(pattern_text)
		except re.error as exc:
			raise ModelConfigError(f"{item.path}.pattern: not a valid regular expression ({exc})")
		name = item.string("name")
		pages.append(IntentPage(name, item.string("label", name), pattern, item.number("points", lo=0)))
		item.done()
	intent_max = intent.number("max_points", lo=0)
	intent_half_life = intent.number("half_life_days", lo=1)
	intent.done()
	fit.done()

	behaviour = root.table("behaviour")
	signals_reader = behaviour.table("signals")
	behaviour_signals = []
	for name in signals_reader.data:
		item = signals_reader.table(name)
		event = item.string("event")
		if event not in EVENT_SOURCES:
			raise ModelConfigError(
				f"{item.path}.event: unknown event {event!r} (known: {', '.join(sorted(EVENT_SOURCES))})"
			)
		max_age = item.raw("max_age_days", None)
		behaviour_signals.append(
			BehaviourSignal(
				name=name,
				event=event,
				label=item.string("label", name.replace("_", " ")),
				points_per_event=item.number("points_per_event", lo=0),
				max_points=item.number("max_points", lo=0),
				min_events=item.number("min_events", 1, lo=1),
				half_life_days=item.number("half_life_days", lo=1),
				max_age_days=None if max_age is None else _number(max_age, f"{item.path}.max_age_days", lo=0),
			)
		)
		item.done()
	signals_reader.done()
	behaviour.done()

	erp = root.table("erp")
	currency = erp.string("currency").upper()
	fx_reader = erp.table("fx_to_base", required=False)
	fx = {code.upper(): fx_reader.number(code, lo=0) for code in list(fx_reader.data)}
	fx_reader.done()
	fx[currency] = 1.0

	ltv = erp.table("lifetime_value")
	ltv_bands = _bands(ltv, "bands", sign=1)
	ltv_half_life = ltv.raw("half_life_days", None)
	if ltv_half_life is not None:
		ltv_half_life = _number(ltv_half_life, f"{ltv.path}.half_life_days", lo=1)
	ltv.done()

	open_invoices = erp.table("open_invoices")
	open_per = open_invoices.number("points_per_invoice", hi=0)
	open_floor = open_invoices.number("floor", hi=0)
	open_invoices.done()

	overdue = erp.table("overdue")
	overdue_per = overdue.number("points_per_invoice", hi=0)
	overdue_amount = _bands(overdue, "amount_bands", sign=-1)
	overdue_days = _bands(overdue, "days_bands", sign=-1)
	overdue_floor = overdue.number("floor", hi=0)
	overdue.done()

	renewal = erp.table("renewal")
	renewal_points = renewal.number("points", lo=0)
	window = renewal.integer("window_days", lo=0)
	ramp = renewal.integer("ramp_days", lo=0)
	renewal.done()

	product = erp.table("product_interest")
	product_per = product.number("points_per_quote", lo=0)
	product_max = product.number("max_points", lo=0)
	lines_reader = product.table("lines")
	product_lines: dict[str, str] = {}
	for line in lines_reader.data:
		for group in lines_reader.strings(line):
			if group in product_lines:
				raise ModelConfigError(
					f"{lines_reader.path}.{line}: item group {group!r} is already in line {product_lines[group]!r}"
				)
			product_lines[group] = line
	lines_reader.done()
	product.done()

	opportunities = erp.table("opportunities")
	opp_points = opportunities.number("points_per_opportunity", lo=0)
	opp_max = opportunities.number("max_points", lo=0)
	opportunities.done()

	support = erp.table("support")
	support_per = support.number("points_per_open_issue", hi=0)
	support_floor = support.number("floor", hi=0)
	support.done()
	erp.done()

	company = root.table("company")
	breadth = company.number("breadth_weight", lo=0, hi=1)
	company.done()
	root.done()

	return ModelConfig(
		source=source,
		tier_min=tier_min,
		tier_max=tier_max,
		max_reasons=max_reasons,
		min_reason_points=min_reason_points,
		event_dates=event_dates,
		bands=tuple(bands),
		titles=titles,
		title_label_chars=title_label_chars,
		industry_points=industry_points,
		industry_other_points=industry_other,
		revenue_bands=revenue_bands,
		employee_bands=employee_bands,
		intent_pages=tuple(pages),
		intent_max_points=intent_max,
		intent_half_life_days=intent_half_life,
		behaviour=tuple(behaviour_signals),
		currency=currency,
		fx_to_base=fx,
		ltv_bands=ltv_bands,
		ltv_half_life_days=ltv_half_life,
		open_points_per_invoice=open_per,
		open_floor=open_floor,
		overdue_points_per_invoice=overdue_per,
		overdue_amount_bands=overdue_amount,
		overdue_days_bands=overdue_days,
		overdue_floor=overdue_floor,
		renewal_points=renewal_points,
		renewal_window_days=window,
		renewal_ramp_days=ramp,
		product_lines=product_lines,
		product_points_per_quote=product_per,
		product_max_points=product_max,
		opportunity_points=opp_points,
		opportunity_max_points=opp_max,
		support_points_per_open_issue=support_per,
		support_floor=support_floor,
		company_breadth_weight=breadth,
	)


def load_model_config(path: str | Path) -> ModelConfig:
	"""Read and validate a model config file; errors name the file and the key."""
	path = Path(path)
	try:
		data = tomllib.loads(path.read_text(encoding="utf-8"))
	except OSError as exc:
		raise ModelConfigError(f"{path}: cannot read the model config ({exc.strerror or exc})")
	except tomllib.TOMLDecodeError as exc:
		raise ModelConfigError(f"{path}: not valid TOML ({exc})")
	try:
		return parse_model_config(data, str(path))
	except ModelConfigError as exc:
		raise ModelConfigError(f"{path}: {exc}") from None
