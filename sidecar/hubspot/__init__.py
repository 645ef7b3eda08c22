"""HubSpot side of the sidecar: the SDK-based client, its rate limiter, and an in-memory stand-in.

`HubSpotClient` (client.py) talks to HubSpot (or a local test server); `InMemoryHubSpot` (memory.py) offers the
same methods over dicts for the demo; `DryRunHubSpot` wraps either and records writes instead of sending them.
"""

from sidecar.hubspot.client import AmbiguousWrite, BatchResult, HubSpotClient, HubSpotError
from sidecar.hubspot.limiter import DailyBudgetExhausted, RateLimiter
from sidecar.hubspot.memory import DryRunHubSpot, InMemoryHubSpot

__all__ = [
	"AmbiguousWrite",
	"BatchResult",
	"DailyBudgetExhausted",
	"DryRunHubSpot",
	"HubSpotClient",
	"HubSpotError",
	"InMemoryHubSpot",
	"RateLimiter",
]
