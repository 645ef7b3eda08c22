"""HubSpot errors and the per-record result of a batch write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class HubSpotError(RuntimeError):
	"""A request failed for good (4xx other than 409/423/429, or retries exhausted)."""

	def __init__(self, message: str, status: int | None = None, body: Any = None):
		super().__init__(message)
		self.status = status
		self.body = body


class AmbiguousWrite(HubSpotError):
	"""A non-idempotent write may or may not have happened (timeout / 5xx); reconcile by key before retrying."""


@dataclass
class BatchResult:
	ok: dict[str, dict] = field(default_factory=dict)  # id -> returned object
	failed: dict[str, str] = field(default_factory=dict)  # id -> error message
