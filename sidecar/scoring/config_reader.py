"""Typed, path-aware reads from the TOML tree, and the shared shapes (numbers, bands, seniority rules)."""

from __future__ import annotations

import math
from typing import Any

from sidecar.scoring.config_types import Band, ModelConfigError
from sidecar.scoring.titles import Level, TitleRules, phrase_regex


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
