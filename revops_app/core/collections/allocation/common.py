"""What every settlement plan shares: the action it ends in, and how its money arguments are read.

`as_money` is the one place malformed arguments raise (ValueError: None where a value is required, a bool,
something that is not a number, NaN or infinity); business conditions never raise, they become HOLD.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

ZERO = Decimal(0)


class SettlementAction(str, Enum):
	POST = "post"
	HOLD = "hold"
	ALREADY_SETTLED = "already_settled"
	SKIP = "skip"


def as_money(
	value: Decimal | int | str | float | None, label: str, *, allow_none: bool = False
) -> Decimal | None:
	if value is None:
		if allow_none:
			return None
		raise ValueError(f"{label} is required")
	if isinstance(value, bool):
		raise ValueError(f"{label} must be a number")
	try:
		number = (
			value
			if isinstance(value, Decimal)
			else Decimal(repr(value) if isinstance(value, float) else value)
		)
	except Exception:
		raise ValueError(f"{label} is not a number: {value!r}")
	if not number.is_finite():
		raise ValueError(f"{label} must be finite, got {value!r}")
	return number


def same_currency(a: str | None, b: str | None) -> bool:
	return bool(a) and bool(b) and a.strip().upper() == b.strip().upper()
