"""HubSpot side of the sidecar: the SDK-based client, its rate limiter, and an in-memory stand-in.

`HubSpotClient` (client.py reads, writes.py writes, errors.py errors) talks to HubSpot (or a local test server)
with the shared retry policy (`HUBSPOT_RETRY`, sidecar.retry); `InMemoryHubSpot` (memory.py) offers the
same methods over dicts for the demo; `DryRunHubSpot` wraps either and records writes instead of sending them.
"""

from sidecar.hubspot.client import HUBSPOT_RETRY, HubSpotClient, hubspot_retry
from sidecar.hubspot.errors import AmbiguousWrite, BatchResult, HubSpotError
from sidecar.hubspot.limiter import DailyBudgetExhausted, RateLimiter
from sidecar.hubspot.memory import DryRunHubSpot, InMemoryHubSpot

__all__ = [
	"HUBSPOT_RETRY",
	"AmbiguousWrite",
	"BatchResult",
	"DailyBudgetExhausted",
	"DryRunHubSpot",
	"HubSpotClient",
	"HubSpotError",
	"InMemoryHubSpot",
	"RateLimiter",
	"hubspot_retry",
]
