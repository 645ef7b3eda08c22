"""What the store's parts share: the engine they run on and chunked IN (...) queries."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.engine import Engine

CHUNK = 500  # ids per IN (...) query; well under SQLite's variable limit


class StoreBase:
	"""The parts of `Store` (sync_state.py, handoffs.py, runs.py) are mixed over this: they need `engine`."""

	engine: Engine


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
	for start in range(0, len(items), size):
		yield items[start : start + size]
