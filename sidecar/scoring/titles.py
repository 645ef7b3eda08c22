"""Job title -> (seniority level, decision maker?), driven by the `[fit.seniority]` rules of the model config.

Contract: `TitleRules.classify(title)` is pure and deterministic. The title is normalised first:
lower case; dots removed ("C.T.O." -> "cto", "Sr." -> "sr"); "&" -> "and"; every other non-alphanumeric
character splits words ("VP, Eng" -> "vp eng", "Co-Founder" -> "co founder"); then each word is replaced by
its alias if one is configured ("vp" -> "vice president", "cto" -> "chief technology officer"). Levels are
tried in the configured order and the first level with a matching phrase (and no matching `unless`
phrase) wins. Phrases match whole words only ("intern" never matches "internal"); `*` in a phrase stands
for one to three words ("chief * officer"). A non-empty title that matches no level is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOTS = re.compile(r"\.")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def phrase_regex(phrases: list[str]) -> re.Pattern[str] | None:
	"""Whole-word alternation over normalised phrases; `*` = one to three words."""
	parts = []
	for phrase in phrases:
		words = normalise_words(phrase, {}, wildcards=True)
		if not words:
			continue
		parts.append(" ".join(r"\S+(?: \S+){0,2}" if w == "*" else re.escape(w) for w in words.split(" ")))
	if not parts:
		return None
	# Longest first so alternation prefers the most specific phrase (irrelevant for a yes/no test, but stable).
	parts.sort(key=lambda p: (-len(p), p))
	return re.compile(r"(?<!\S)(?:" + "|".join(parts) + r")(?!\S)")


def normalise_words(text: str, aliases: dict[str, str], wildcards: bool = False) -> str:
	"""Lower-case, split on non-alphanumerics, expand aliases; with `wildcards`, a `*` word survives."""
	text = _DOTS.sub("", text.lower()).replace("&", " and ")
	if not wildcards:
		return " ".join(aliases.get(w, w) for w in _NON_WORD.split(text) if w)
	chunks = [" ".join(aliases.get(w, w) for w in _NON_WORD.split(chunk) if w) for chunk in text.split("*")]
	return " * ".join(chunks).strip()


@dataclass(frozen=True, slots=True)
class Level:
	key: str
	label: str
	points: float
	match: re.Pattern[str] | None
	unless: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class TitleClass:
	level: str  # a configured level key, or "unknown"
	label: str
	decision_maker: bool
	points: float


class TitleRules:
	"""Compiled `[fit.seniority]` rules with a bounded memo (titles repeat a lot: "CEO", "IT Manager")."""

	__slots__ = (
		"_cache",
		"aliases",
		"decision_maker_levels",
		"decision_maker_match",
		"decision_maker_points",
		"levels",
		"unknown_points",
	)

	MEMO_LIMIT = 50_000

	def __init__(
		self,
		levels: list[Level],
		aliases: dict[str, str],
		decision_maker_levels: frozenset[str],
		decision_maker_phrases: list[str],
		decision_maker_points: float,
		unknown_points: float,
	) -> None:
		self.levels = levels
		self.aliases = aliases
		self.decision_maker_levels = decision_maker_levels
		self.decision_maker_match = phrase_regex(decision_maker_phrases)
		self.decision_maker_points = decision_maker_points
		self.unknown_points = unknown_points
		self._cache: dict[str, TitleClass] = {}

	def classify(self, title: str) -> TitleClass | None:
		"""None for an empty title; otherwise the first matching level (or 'unknown')."""
		if not title:
			return None
		hit = self._cache.get(title)
		if hit is not None:
			return hit
		words = " " + normalise_words(title, self.aliases) + " "
		result = None
		for level in self.levels:
			if level.match is not None and level.match.search(words):
				if level.unless is not None and level.unless.search(words):
					continue
				dm = level.key in self.decision_maker_levels or bool(
					self.decision_maker_match and self.decision_maker_match.search(words)
				)
				result = TitleClass(
					level.key, level.label, dm, level.points + (self.decision_maker_points if dm else 0.0)
				)
				break
		if result is None:
			dm = bool(self.decision_maker_match and self.decision_maker_match.search(words))
			result = TitleClass(
				"unknown",
				"unknown seniority",
				dm,
				self.unknown_points + (self.decision_maker_points if dm else 0.0),
			)
		if len(self._cache) >= self.MEMO_LIMIT:
			self._cache.clear()
		self._cache[title] = result
		return result
