"""Lenient parsing of HubSpot and ERPNext values: numbers, counts, employee ranges, timestamps, industries.

Nothing here raises on bad input: an unparseable value is missing (None), so one bad record cannot stop a sync.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

_DIGITS = re.compile(r"^-?\d+$")


_INDUSTRY_CLEAN = re.compile(r"[^a-z0-9]+")


_LEADING_NUMBER = re.compile(r"\d[\d,]*")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_timestamp(value: Any) -> float | None:
	"""HubSpot/ERPNext time value -> epoch seconds (UTC), or None.

	Accepts epoch milliseconds (HubSpot v1 style, as int or digit string), ISO 8601 with or without `Z`
	or fraction, "YYYY-MM-DD" dates (midnight UTC) and ERPNext "YYYY-MM-DD HH:MM:SS.ffffff" (read as UTC).
	"""
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
	if isinstance(value, date):
		return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
	if isinstance(value, int | float) and not isinstance(value, bool):
		return float(value) / 1000.0
	text = str(value).strip()
	try:
		# Python 3.11 reads HubSpot's "2026-11-27T10:15:00.000Z" directly; 3.10 needs the Z rewritten below.
		parsed = datetime.fromisoformat(text)
	except ValueError:
		if _DIGITS.match(text):
			return int(text) / 1000.0
		if not text.endswith(("Z", "z")):
			return None
		try:
			parsed = datetime.fromisoformat(text[:-1] + "+00:00")
		except ValueError:
			return None
	if parsed.tzinfo is None:
		parsed = parsed.replace(tzinfo=timezone.utc)
	return parsed.timestamp()


def parse_ordinal(value: Any) -> int | None:
	"""A date ("YYYY-MM-DD", optionally with a time part) -> date ordinal, or None."""
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		return value.date().toordinal()
	if isinstance(value, date):
		return value.toordinal()
	try:
		return date.fromisoformat(str(value).strip()[:10]).toordinal()
	except ValueError:
		return None


def parse_number(value: Any) -> float | None:
	"""A number from HubSpot (always a string there) -> float, or None. "1,200" and " 5 " are accepted."""
	if value is None or value == "" or isinstance(value, bool):
		return None
	if isinstance(value, int | float):
		number = float(value)
	else:
		try:
			number = float(value)  # HubSpot sends numbers as plain strings: the common case first
		except (TypeError, ValueError):
			try:
				number = float(str(value).strip().replace(",", ""))
			except ValueError:
				return None
	return number if math.isfinite(number) else None


def parse_employees(value: Any) -> int | None:
	"""Company `numberofemployees` ("250") or contact `numemployees` ranges ("25-50", "1000+") -> lower bound."""
	number = parse_number(value)
	if number is not None:
		return int(number)
	if not value:
		return None
	match = _LEADING_NUMBER.search(str(value))
	return int(match.group(0).replace(",", "")) if match else None


@lru_cache(maxsize=4096)  # a few hundred distinct industries at most; pure function of the value
def normalise_industry(value: Any) -> str:
	"""'Computer Software', 'COMPUTER_SOFTWARE' and 'computer-software' all become 'computer_software'."""
	if not value:
		return ""
	return _INDUSTRY_CLEAN.sub("_", str(value).lower()).strip("_")


def _count(value: Any) -> int | float:
	"""A non-negative count; integral values become int (they read better in explanations: "x4")."""
	if value is None or value == "" or value == "0":
		return 0
	if type(value) is int:  # ERP records are typed JSON: the common case
		return value if value > 0 else 0
	number = parse_number(value)
	if number is None or number <= 0:
		return 0
	return int(number) if number.is_integer() else number


@lru_cache(maxsize=4096)
def industry_label(value: Any) -> str:
	"""HubSpot enum values read badly ("COMPUTER_SOFTWARE"): show them as "Computer Software"."""
	text = str(value).strip()
	if text.isupper() or "_" in text:
		return text.replace("_", " ").title().replace(" And ", " and ")
	return text


def epoch_seconds(moment: datetime) -> float:
	"""Aware or naive (read as UTC) datetime -> epoch seconds."""
	if moment.tzinfo is None:
		moment = moment.replace(tzinfo=timezone.utc)
	return (moment - _EPOCH).total_seconds()
