"""What the settlement worker raises when an event is early, not wrong.

`RetryLater` means something this event needs has not happened yet (the PaymentIntent has not
succeeded, its balance transaction or the receipt a refund reverses is not there, the Stripe key is
not configured). `run_job_and_commit` records it as Error with a backoff time and the hourly sweep
replays the event; it is not an error in the data.
"""

from __future__ import annotations


class RetryLater(Exception):
	"""Not an error in the data: something this event needs has not happened yet (retried with backoff)."""
