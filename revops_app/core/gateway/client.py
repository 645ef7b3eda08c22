"""One way to talk to the Stripe API: a per-call `stripe.StripeClient` and one error type.

Contract:
- `stripe_client(api_key, *, api_base=None, timeout=20)` builds a fresh client for one call: the key is
  never written to the global `stripe.api_key` (two sites, or two requests in one worker, never share
  credentials), `max_network_retries=2` lets the SDK retry connection errors, 409s and 5xx with the
  same idempotency key and its own backoff, and `timeout` bounds every HTTP request (requests-based
  client; `requests` is a dependency of the stripe package). `api_base` points the SDK elsewhere
  (tests use a local http.server).
- `GatewayError` is what callers catch: `.retryable` (network trouble, 429, 5xx), `.http_status`,
  `.code` (Stripe's error code); its message names the failed action and Stripe's reason, never the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

DEFAULT_TIMEOUT = 20.0
MAX_NETWORK_RETRIES = 2


class GatewayError(Exception):
	"""Stripe refused or could not be reached. `.retryable` says whether trying later can help."""

	def __init__(
		self,
		message: str,
		*,
		http_status: int | None = None,
		code: str | None = None,
		retryable: bool = False,
	):
		self.http_status = http_status
		self.code = code
		self.retryable = retryable
		super().__init__(message)


def stripe_client(
	api_key: str, *, api_base: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> stripe.StripeClient:
	"""A fresh StripeClient for one call (see the module docstring)."""
	if not api_key or not isinstance(api_key, str):
		raise GatewayError("Stripe secret key is not configured")
	kwargs: dict[str, Any] = {
		"max_network_retries": MAX_NETWORK_RETRIES,
		"http_client": stripe.RequestsClient(timeout=timeout),
	}
	if api_base:
		kwargs["base_addresses"] = {"api": api_base.rstrip("/")}
	return stripe.StripeClient(api_key, **kwargs)


def gateway_error(action: str, error: stripe.StripeError) -> GatewayError:
	"""Translate an SDK error into a GatewayError without leaking request credentials."""
	status = getattr(error, "http_status", None)
	code = getattr(error, "code", None)
	retryable = isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError)) or bool(
		status and status >= 500
	)
	# Stripe's messages name the offending parameter, never the key; keep the first line only.
	text = str(error).strip()
	detail = getattr(error, "user_message", None) or (text.splitlines()[0] if text else "no message")
	return GatewayError(
		f"Stripe {action} failed ({type(error).__name__}{f', HTTP {status}' if status else ''}): {detail}",
		http_status=status,
		code=code,
		retryable=retryable,
	)


def v1_services(client: stripe.StripeClient) -> Any:
	"""`client.v1` (stripe >= 12.5, where the un-namespaced services became deprecated aliases) or the
	client itself on 12.0-12.4, which the pyproject pin (stripe>=12,<17) still admits."""
	return getattr(client, "v1", client)


def as_mapping(obj: Any) -> Mapping:
	"""A StripeObject as a mapping: up to stripe 14 it *is* a dict (and `to_dict` is deprecated there);
	from 15 it is not a dict and `to_dict()` is the supported recursive conversion."""
	return obj if isinstance(obj, Mapping) else obj.to_dict()
