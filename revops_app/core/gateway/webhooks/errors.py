"""The one refusal of a webhook delivery, shared by verification and normalisation."""

from __future__ import annotations


class WebhookRejected(Exception):
	"""A delivery refused before anything is stored. `.reason` is a short stable code for logs and metrics."""

	REASONS = (
		"missing_signature",
		"malformed_header",
		"bad_signature",
		"stale_timestamp",
		"malformed_payload",
		"no_secret_configured",
		"livemode_mismatch",
	)

	def __init__(self, reason: str, message: str | None = None):
		self.reason = reason
		self.message = message or reason.replace("_", " ")
		super().__init__(f"{reason}: {self.message}")
