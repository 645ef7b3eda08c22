"""The settings of the two clients: `[erp]` (the ERPNext site serving revops_app.api.signals) and `[hubspot]`.

Retry settings (max_retries, backoff_seconds, hubspot.max_backoff_seconds) feed the shared sidecar.retry policy.
"""

from __future__ import annotations

from sidecar.config.setting import HUBSPOT_TIERS, Setting, _max, _non_negative, _one_of, _positive, _url

CLIENT_SETTINGS: tuple[Setting, ...] = (
	# --- erp: the ERPNext site serving revops_app.api.signals ---
	Setting(
		"erp",
		"base_url",
		"str",
		"",
		"ERPNext site URL, e.g. https://erp.example.com (required for sync)",
		check=_url,
	),
	Setting("erp", "api_key", "str", "", "ERPNext API key of the integration user (env only)", secret=True),
	Setting(
		"erp", "api_secret", "str", "", "ERPNext API secret of the integration user (env only)", secret=True
	),
	Setting("erp", "timeout_seconds", "float", 30.0, "read timeout per ERP request", check=_positive),
	Setting(
		"erp", "connect_timeout_seconds", "float", 5.0, "connect timeout per ERP request", check=_positive
	),
	Setting(
		"erp",
		"page_size",
		"int",
		500,
		"customers per signals page (the endpoint allows <= 1000)",
		check=_max(1000),
	),
	Setting(
		"erp",
		"max_retries",
		"int",
		4,
		"retries of a failed ERP request (timeouts, 429, 5xx)",
		check=_non_negative,
	),
	Setting(
		"erp", "backoff_seconds", "float", 1.0, "first retry delay; doubles each retry", check=_non_negative
	),
	Setting("erp", "verify_tls", "bool", True, "verify the ERP server's TLS certificate"),
	# --- hubspot ---
	Setting("hubspot", "token", "str", "", "HubSpot private app access token (env only)", secret=True),
	Setting(
		"hubspot",
		"portal_id",
		"str",
		"",
		"HubSpot account (portal) id: links to the contact and task on handoffs shown in ERPNext's customer"
		" timeline; empty = no links",
	),
	Setting(
		"hubspot",
		"base_url",
		"str",
		"https://api.hubapi.com",
		"HubSpot API base URL (tests point it at a local server)",
		check=_url,
	),
	Setting(
		"hubspot",
		"tier",
		"str",
		"professional",
		"account tier that sets the default limits: " + ", ".join(HUBSPOT_TIERS),
		check=_one_of(*HUBSPOT_TIERS),
	),
	Setting(
		"hubspot",
		"capacity_packs",
		"int",
		0,
		"API limit increase packs bought (0-2): +1,000,000/day each, burst 250/10 s",
		check=lambda v: None if v in (0, 1, 2) else "must be 0, 1 or 2",
	),
	Setting(
		"hubspot",
		"searches_per_second",
		"float",
		4.0,
		"CRM search requests per second (HubSpot documents 4/s per token; at most 5)",
		check=_max(5),
	),
	Setting(
		"hubspot",
		"burst_per_10s",
		"int",
		0,
		"requests per rolling 10 s; 0 = the tier's figure",
		check=_non_negative,
	),
	Setting(
		"hubspot",
		"daily_budget",
		"int",
		0,
		"requests per day this sidecar may spend; 0 = the tier's figure",
		check=_non_negative,
	),
	Setting(
		"hubspot",
		"budget_share",
		"float",
		0.8,
		"share of the tier's daily limit used when daily_budget is 0 (other integrations share the account)",
		check=lambda v: None if 0 < v <= 1 else "must be more than 0 and at most 1",
	),
	Setting(
		"hubspot",
		"account_timezone",
		"str",
		"UTC",
		"time zone of the HubSpot account (the daily limit resets at its midnight)",
	),
	Setting(
		"hubspot",
		"batch_size",
		"int",
		100,
		"objects per batch read/update/create (HubSpot's limit is 100)",
		check=_max(100),
	),
	Setting("hubspot", "search_page_size", "int", 200, "results per search page (<= 200)", check=_max(200)),
	Setting("hubspot", "timeout_seconds", "float", 30.0, "read timeout per HubSpot request", check=_positive),
	Setting(
		"hubspot",
		"connect_timeout_seconds",
		"float",
		5.0,
		"connect timeout per HubSpot request",
		check=_positive,
	),
	Setting(
		"hubspot",
		"max_retries",
		"int",
		5,
		"retries of 429 / 423 / 5xx / timeouts per request",
		check=_non_negative,
	),
	Setting(
		"hubspot",
		"backoff_seconds",
		"float",
		1.0,
		"first retry delay when no Retry-After is given; doubles",
		check=_non_negative,
	),
	Setting("hubspot", "max_backoff_seconds", "float", 60.0, "cap on one retry delay", check=_positive),
	Setting(
		"hubspot",
		"property_group",
		"str",
		"revops_scoring",
		"property group holding the sidecar's custom properties",
	),
	Setting("hubspot", "property_prefix", "str", "revops_", "prefix of the sidecar's custom property names"),
	Setting(
		"hubspot",
		"search_settle_seconds",
		"float",
		60.0,
		"a half-done task creation is re-checked by search only after this delay (search is eventually consistent)",
		check=_non_negative,
	),
)
