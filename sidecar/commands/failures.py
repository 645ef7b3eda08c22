"""One line for a failed command: what went wrong, where, and what to check (never a traceback).

The clients' errors carry the details (ErpError: method, path, HTTP status, Frappe's messages; HubSpotError:
status); this module turns the common ones into words a person can act on. Details stay in the log (-v).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

MAX_DETAIL = 160

# The socket-level cause inside a requests/urllib3 message, in words (first match wins).
CAUSES = (
	(
		re.compile(
			r"Name or service not known|nodename nor servname|Failed to resolve|getaddrinfo failed|No address associated",
			re.I,
		),
		"host name not found",
	),
	(re.compile(r"Connection refused", re.I), "connection refused"),
	(
		re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLError|SSL:", re.I),
		"TLS certificate problem",
	),
	(re.compile(r"ConnectTimeout|connect timeout|timed out.*connect", re.I), "connection timed out"),
	(re.compile(r"ReadTimeout|Read timed out", re.I), "no answer in time"),
	(re.compile(r"Network is unreachable|No route to host", re.I), "network unreachable"),
	(re.compile(r"RemoteDisconnected|Connection reset|Connection aborted", re.I), "connection dropped"),
)


def cause_of(text: str) -> str:
	return next((words for pattern, words in CAUSES if pattern.search(text)), "no response")


def host_of(url: str) -> str:
	parts = urlsplit(url or "")
	return parts.netloc.rsplit("@", 1)[-1] or url or "(not set)"


def shorten(text: str, limit: int = MAX_DETAIL) -> str:
	"""First line of `text`, cut at a word boundary with an ellipsis when longer than `limit`."""
	line = " ".join(str(text).split())
	if len(line) <= limit:
		return line
	return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " ..."


def explain(exc: BaseException, cfg: Any) -> str:
	from sidecar.erp.errors import ErpAuthError, ErpConnectionError, ErpError, ErpNotFound
	from sidecar.hubspot.errors import HubSpotError

	erp_url = _get(cfg, "erp.base_url")
	erp = host_of(erp_url)
	if isinstance(exc, ErpConnectionError):
		return (
			f"cannot reach ERPNext at {erp} ({cause_of(getattr(exc, 'detail', '') or str(exc))}): check erp.base_url "
			f"(REVOPS_ERP_BASE_URL, now {erp_url or 'unset'}), that the site is running, and that this host "
			"can reach it (DNS, firewall, proxy)"
		)
	if isinstance(exc, ErpAuthError):
		return (
			f"ERPNext at {erp} refused the API key (HTTP {exc.status}): check REVOPS_ERP_API_KEY and "
			"REVOPS_ERP_API_SECRET, and that the API user can read Customer and Sales Invoice"
		)
	if isinstance(exc, ErpNotFound):
		return f"ERPNext at {erp} has no {exc.path} (HTTP 404): is revops_app installed and migrated on that site?"
	if isinstance(exc, ErpError):
		return f"ERPNext at {erp}: {shorten(str(exc))}"
	if isinstance(exc, HubSpotError):
		hubspot_url = _get(cfg, "hubspot.base_url")
		hubspot = host_of(hubspot_url)
		if exc.status in (None, 0):
			return (
				f"cannot reach HubSpot at {hubspot} ({cause_of(str(exc))}): check hubspot.base_url and this "
				"host's internet access (proxy, firewall)"
			)
		if exc.status == 401:
			return (
				f"HubSpot at {hubspot} refused the token (HTTP 401): check REVOPS_HUBSPOT_TOKEN "
				"(a private app token with the CRM scopes in sidecar/hubspot/README.md)"
			)
		if exc.status == 403:
			return f"HubSpot at {hubspot} refused the request (HTTP 403): the private app lacks a scope; see sidecar/hubspot/README.md"
	return f"{type(exc).__name__}: {shorten(str(exc))}"


def _get(cfg: Any, dotted: str) -> str:
	try:
		return str(cfg.get(dotted) or "")
	except (AttributeError, KeyError):
		return ""
