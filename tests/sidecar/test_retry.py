"""The one retry policy both clients use: delays, jitter, Retry-After, statuses, and the config keys."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

from sidecar.config import load_config
from sidecar.erp import ErpClient
from sidecar.hubspot import HUBSPOT_RETRY, HubSpotClient
from sidecar.retry import RetryPolicy, retry_after_seconds


def test_both_clients_hold_the_same_policy_type():
	cfg = load_config(path=None, env={"REVOPS_HUBSPOT_TOKEN": "t"})
	erp = ErpClient("http://erp.test", "k", "s")
	hubspot = HubSpotClient.from_config(cfg)
	assert isinstance(erp.retry, RetryPolicy) and isinstance(hubspot.retry, RetryPolicy)


def test_config_keys_and_defaults_keep_their_meaning():
	env = {"REVOPS_ERP_API_KEY": "k", "REVOPS_ERP_API_SECRET": "s", "REVOPS_HUBSPOT_TOKEN": "t"}
	cfg = load_config(path=None, env={**env, "REVOPS_ERP_BASE_URL": "http://erp.test"})
	erp = ErpClient.from_config(cfg.erp).retry
	assert (erp.retries, erp.backoff, erp.max_backoff, erp.jitter) == (4, 1.0, 30.0, True)
	hs = HubSpotClient.from_config(cfg).retry
	assert (hs.retries, hs.backoff, hs.max_backoff, hs.max_retry_after, hs.jitter) == (
		5,
		1.0,
		60.0,
		60.0,
		False,
	)
	tuned = load_config(
		path=None,
		env={
			**env,
			"REVOPS_ERP_BASE_URL": "http://erp.test",
			"REVOPS_ERP_MAX_RETRIES": "1",
			"REVOPS_ERP_BACKOFF_SECONDS": "0.25",
			"REVOPS_HUBSPOT_MAX_RETRIES": "2",
			"REVOPS_HUBSPOT_BACKOFF_SECONDS": "3",
			"REVOPS_HUBSPOT_MAX_BACKOFF_SECONDS": "9",
		},
	)
	erp = ErpClient.from_config(tuned.erp).retry
	assert (erp.retries, erp.backoff) == (1, 0.25)
	hs = HubSpotClient.from_config(tuned).retry
	assert (hs.retries, hs.backoff, hs.max_backoff, hs.max_retry_after) == (2, 3.0, 9.0, 9.0)


def test_delays_double_up_to_the_cap_and_jitter_stays_within_half():
	plain = RetryPolicy(backoff=1.0, max_backoff=5.0, jitter=False)
	assert [plain.delay(a) for a in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
	jittered = RetryPolicy(backoff=1.0, max_backoff=100.0)
	for attempt in range(4):
		assert 0.5 * 2**attempt <= jittered.delay(attempt) <= 2**attempt


def test_retry_after_replaces_the_backoff_within_its_cap():
	policy = RetryPolicy(max_retry_after=10.0)
	assert policy.delay(3, 7.0) == 7.0
	assert policy.delay(0, 500.0) == 10.0
	assert policy.delay(0, -3.0) == 0.0
	assert retry_after_seconds("2.5") == 2.5
	assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
	at = datetime(2030, 1, 1, tzinfo=timezone.utc)
	assert retry_after_seconds(format_datetime(at, usegmt=True), now=lambda: at.timestamp() - 30) == 30.0


def test_statuses_and_attempts():
	policy = RetryPolicy(retries=2)
	assert policy.retries_status(503) and policy.retries_status(429) and not policy.retries_status(400)
	assert [policy.can_retry(n) for n in range(3)] == [True, True, False]
	assert HUBSPOT_RETRY.retries_status(423) and HUBSPOT_RETRY.retries_status(599)
	assert not HUBSPOT_RETRY.retries_status(404)
