"""Positions and pages of the app's signals feed (`revops_app.api.signals.customer_signals`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cursor:
	"""Position in the signals feed: the (modified, name) of the last record processed, or, while a full
	pass is under way, the last customer name it scanned and the pass's `snapshot` time (`modified` empty).
	The full pass ends by handing over the plain cursor (snapshot, "")."""

	modified: str
	name: str
	snapshot: str = ""

	@property
	def in_full_pass(self) -> bool:
		return bool(self.snapshot)

	def as_dict(self) -> dict[str, str]:
		if self.snapshot:
			return {"modified": self.modified, "name": self.name, "snapshot": self.snapshot}
		return {"modified": self.modified, "name": self.name}

	def order_key(self) -> tuple[int, str, str]:
		"""Cursors only move forward along this key: a full pass by name, then (modified, name)."""
		if self.snapshot:
			return (0, self.snapshot, self.name)
		return (1, self.modified, self.name)

	@classmethod
	def from_value(cls, value: Cursor | Mapping[str, str] | None) -> Cursor | None:
		if value is None or isinstance(value, Cursor):
			return value
		if value.get("snapshot"):
			return cls(str(value.get("modified") or ""), str(value.get("name") or ""), str(value["snapshot"]))
		if not value.get("modified"):
			return None
		return cls(str(value["modified"]), str(value.get("name") or ""))


@dataclass
class SignalsPage:
	"""One page of the signals feed. `next_cursor` is what to store once `records` and `deleted` are
	processed (the cursor passed in when the page is empty); `has_more` says whether to ask again."""

	records: list[dict[str, Any]]
	next_cursor: Cursor | None
	deleted: list[str]
	as_of: str | None = None
	has_more: bool = False

	# Lets callers unpack `records, next_cursor, deleted = page`.
	def __iter__(self):
		return iter((self.records, self.next_cursor, self.deleted))
