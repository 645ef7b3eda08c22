"""Deliver stored survey responses to ERPNext (`ingest_cx_responses`), idempotently, losing nothing.

Contract: `deliver(store, client)` sends every due outbox row in batches (<= 200), applies each per-item
result to its row, and returns counts. ERPNext dedupes on (source, external_id), so a batch that is sent
again after a timeout or crash comes back `duplicate`, never twice. When a whole call fails:
- retryable (no response, 429, 5xx): every row of the batch is marked `error` with backoff and kept;
- 401/403/404 (credentials, permissions, app not installed): rows untouched, `DeliveryBlocked` raised, since
  nothing will pass until an operator acts;
- another 4xx (e.g. 417, one malformed item poisoning the batch): the batch is split in halves until the bad
  item is alone; it gets ERPNext's message as its error, the others go through.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from sidecar.cx.store import CxStore, Row
from sidecar.erp import MAX_INGEST_BATCH, ErpAuthError, ErpClient, ErpError, ErpNotFound

log = logging.getLogger(__name__)


class DeliveryBlocked(RuntimeError):
	"""ERPNext refuses every call (auth, permission, endpoint missing); nothing was marked."""


@dataclass
class DeliveryReport:
	sent: int = 0
	calls: int = 0
	statuses: Counter = field(default_factory=Counter)

	def as_dict(self) -> dict:
		return {"sent": self.sent, "calls": self.calls, **dict(self.statuses)}


def deliver(
	store: CxStore, client: ErpClient, batch_size: int = MAX_INGEST_BATCH, max_batches: int | None = None
) -> DeliveryReport:
	batch_size = max(1, min(batch_size, MAX_INGEST_BATCH))
	report = DeliveryReport()
	batches = 0
	seen: set[int] = set()
	while max_batches is None or batches < max_batches:
		rows = [r for r in store.due(batch_size) if r.id not in seen]
		if not rows:
			break
		seen.update(r.id for r in rows)  # a row that failed is not due again in this run (backoff)
		_send(store, client, rows, report)
		batches += 1
	return report


def _send(store: CxStore, client: ErpClient, rows: list[Row], report: DeliveryReport) -> None:
	report.calls += 1
	try:
		results = client.ingest_cx_responses([r.payload for r in rows])
	except (ErpAuthError, ErpNotFound) as exc:
		raise DeliveryBlocked(f"ERPNext refused the CX ingest: {exc}") from None
	except ErpError as exc:
		if exc.retryable or len(rows) == 1:
			for row in rows:
				store.record_error(row.id, str(exc))
				report.statuses["error"] += 1
			report.sent += len(rows)
			log.warning("CX ingest of %d responses failed (%s); kept for retry", len(rows), exc)
			return
		middle = len(rows) // 2  # a 4xx on the whole batch: isolate the item that causes it
		_send(store, client, rows[:middle], report)
		_send(store, client, rows[middle:], report)
		return
	report.sent += len(rows)
	for row, result in zip(rows, results, strict=True):
		if (result.get("source"), result.get("external_id")) not in (
			(row.source, row.external_id),
			(None, None),
		):
			store.record_error(
				row.id, f"ingest answered for {result.get('source')}/{result.get('external_id')}"
			)
			report.statuses["error"] += 1
			continue
		report.statuses[store.record_result(row.id, result)] += 1
