"""A setting and its checks: the row type of the settings table, and the HubSpot tier limits."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "REVOPS_"
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


def did_you_mean(name: str, known: Iterable[str]) -> str:
	"""' (did you mean X?)' for the closest known name, or '' when nothing is close."""
	close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
	return f" (did you mean {close[0]}?)" if close else ""


# What a value of each kind must be, in words (the type error message).
KIND_WORDS = {
	"bool": "must be true or false",
	"int": "must be a whole number",
	"float": "must be a number",
	"str": "must be text",
	"path": "must be a file path",
}


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
	return None if value > 0 else "must be more than 0"


def _non_negative(value: Any) -> str | None:
	return None if value >= 0 else "must be 0 or more"


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
