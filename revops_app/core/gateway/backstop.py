"""The missed-event backstop: which Stripe events to list, and where the next run starts (framework-free).

Stripe retries a webhook for three days, then gives up; its events API keeps every event for 30 days.
A scheduled run lists the events of the handled types created since a stored checkpoint and feeds any
whose id is not in the integration log through the same store-once path as a webhook.

Contract:
- `plan_window(checkpoint, now, *, first_seen=None) -> Window`: `start` = the checkpoint minus
  OVERLAP (events can appear in the list a little after their `created`), never before Stripe's
  30-day retention (minus a margin); with no checkpoint yet, the first Stripe log row's time (when the
  webhook started working), else `now` (the app never replays what predates it). `lost_before` is set
  when the checkpoint is older than the window: events before it can no longer be checked, and the
  run says so. `next_checkpoint` = `now`: stored only after every listed event was stored, so a run
  that fails leaves the checkpoint where it was (a cursor never passes work that did not happen).
- `list_events(api_key, *, created_gte, types, api_base=None)` GETs `/v1/events` (`created[gte]`,
  `types[]`, 100 a page, every page through the SDK's auto-paging) and returns the event dicts oldest
  first; GatewayError on failure.
- `missing(events, known_ids)`: the events whose id is not known, oldest first, each once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import stripe

from revops_app.core.gateway.client import (
	DEFAULT_TIMEOUT,
	as_mapping,
	gateway_error,
	stripe_client,
	v1_services,
)

RETENTION_SECONDS = 30 * 86_400
RETENTION_MARGIN_SECONDS = 3_600  # stay an hour inside the 30 days: Stripe refuses older created[gte]
OVERLAP_SECONDS = 600
MAX_TYPES = 20  # Stripe's limit on types[] in one list call


@dataclass(frozen=True)
class Window:
	start: int
	next_checkpoint: int
	lost_before: int | None = None  # checkpoint older than Stripe keeps events: gap from here to start


def plan_window(checkpoint: int | None, now: int, *, first_seen: int | None = None) -> Window:
	oldest = now - RETENTION_SECONDS + RETENTION_MARGIN_SECONDS
	base = checkpoint if checkpoint else (first_seen or now)
	start = max(base - OVERLAP_SECONDS, oldest)
	lost = base if checkpoint and base - OVERLAP_SECONDS < oldest else None
	return Window(start=min(start, now), next_checkpoint=now, lost_before=lost)


def list_events(
	api_key: str,
	*,
	created_gte: int,
	types: Sequence[str],
	api_base: str | None = None,
	timeout: float = DEFAULT_TIMEOUT,
) -> list[dict]:
	if len(types) > MAX_TYPES:
		raise ValueError(f"Stripe accepts at most {MAX_TYPES} event types per list call")
	params: dict[str, Any] = {"limit": 100, "created": {"gte": created_gte}, "types": list(types)}
	client = stripe_client(api_key, api_base=api_base, timeout=timeout)
	try:
		page = v1_services(client).events.list(params=params)
		events = [dict(as_mapping(event)) for event in page.auto_paging_iter()]
	except stripe.StripeError as error:
		raise gateway_error("event list", error) from error
	return sorted(events, key=lambda e: (e.get("created") or 0, e.get("id") or ""))


def missing(events: Iterable[dict], known_ids: Iterable[str]) -> list[dict]:
	known = set(known_ids)
	out = []
	for event in events:
		event_id = event.get("id")
		if isinstance(event_id, str) and event_id and event_id not in known:
			known.add(event_id)
			out.append(event)
	return out
