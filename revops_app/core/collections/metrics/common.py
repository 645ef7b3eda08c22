"""Reading aggregated rows for the collections metrics: money as Decimal, dates, fields of a dict or object.

Shared by every metrics module; nothing here knows about a particular report.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal("0")
CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
	"""Money from a database value (Decimal, float, int, str or None) without binary-float noise."""
	if type(value) is Decimal:
		return value
	if value is None or value == "":
		return ZERO
	if isinstance(value, Decimal):
		return value
	if isinstance(value, float):
		# str() gives the shortest repr, so 0.1 becomes Decimal("0.1"), not 0.1000000000000000055...
		return Decimal(str(value))
	return Decimal(value)


def to_date(value: Any) -> date:
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def to_date_checked(value: Any) -> date:
	if value is None:
		raise ValueError("a row has no day")
	return to_date(value)


def value_of(row: Any, key: str, default: Any = None) -> Any:
	# dict first: rows from the database are dicts (frappe._dict subclasses dict); the Mapping ABC check is
	# several times slower and only needed for other mappings.
	if isinstance(row, (dict, Mapping)):
		return row.get(key, default)
	return getattr(row, key, default)


def round_cents(value: Decimal) -> Decimal:
	return value.quantize(CENT, rounding=ROUND_HALF_UP)
