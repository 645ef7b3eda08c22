"""Webhook signatures: the secrets per route, signing (for senders and tests) and constant-time verification.

- generic: `X-RevOps-Timestamp: <unix seconds>`, `X-RevOps-Signature: sha256=<hex>`, hex = HMAC-SHA256(secret,
  "<timestamp>." + raw body), the timestamp within the tolerance either way; every configured secret is tried.
- Typeform: `Typeform-Signature: sha256=<base64>`, base64 = HMAC-SHA256(secret, raw body).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
	"""The request is not signed by a holder of the secret (or is too old)."""


@dataclass
class WebhookSecrets:
	generic: list[str]  # several allowed, for rotation
	typeform: list[str]
	tolerance: int = DEFAULT_TOLERANCE

	@classmethod
	def from_config(cls, cx: Any) -> WebhookSecrets:
		def split(value: Any) -> list[str]:
			return [s.strip() for s in str(value or "").split(",") if s.strip()]

		return cls(
			generic=split(getattr(cx, "webhook_secret", "")),
			typeform=split(getattr(cx, "typeform_secret", "")),
			tolerance=int(getattr(cx, "signature_tolerance_seconds", DEFAULT_TOLERANCE) or DEFAULT_TOLERANCE),
		)


def _digest(secret: str, message: bytes) -> bytes:
	return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def sign_generic(secret: str, body: bytes, timestamp: int) -> str:
	"""The X-RevOps-Signature value a sender computes (also used by tests and the docs)."""
	return "sha256=" + _digest(secret, str(timestamp).encode() + b"." + body).hex()


def sign_typeform(secret: str, body: bytes) -> str:
	return "sha256=" + base64.b64encode(_digest(secret, body)).decode()


def verify_generic(
	body: bytes,
	signature: str | None,
	timestamp: str | None,
	secrets: Iterable[str],
	tolerance: int = DEFAULT_TOLERANCE,
	now: float | None = None,
) -> None:
	if not signature:
		raise SignatureError("missing X-RevOps-Signature header")
	if not timestamp:
		raise SignatureError("missing X-RevOps-Timestamp header")
	try:
		ts = int(timestamp.strip())
	except ValueError:
		raise SignatureError("X-RevOps-Timestamp must be Unix seconds")
	now = time.time() if now is None else now
	if abs(now - ts) > tolerance:
		raise SignatureError(f"timestamp outside the {tolerance} s tolerance (clock skew or replay)")
	value = signature.strip()
	if value.lower().startswith("sha256="):
		value = value[7:]
	try:
		given = bytes.fromhex(value)
	except ValueError:
		raise SignatureError("X-RevOps-Signature must be sha256=<hex>")
	message = str(ts).encode() + b"." + body
	# compare against every configured secret, without stopping early (rotation, constant time)
	ok = False
	for secret in secrets:
		ok |= hmac.compare_digest(_digest(secret, message), given)
	if not ok:
		raise SignatureError("signature does not match")


def verify_typeform(body: bytes, signature: str | None, secrets: Iterable[str]) -> None:
	if not signature:
		raise SignatureError("missing Typeform-Signature header")
	value = signature.strip()
	if not value.startswith("sha256="):
		raise SignatureError("Typeform-Signature must be sha256=<base64>")
	try:
		given = base64.b64decode(value[7:], validate=True)
	except (ValueError, TypeError):
		raise SignatureError("Typeform-Signature is not valid base64")
	ok = False
	for secret in secrets:
		ok |= hmac.compare_digest(_digest(secret, body), given)
	if not ok:
		raise SignatureError("signature does not match")
