"""The settings of the features: `[store]`, `[scoring]`, `[handoff]` (rules are tables), `[run]`, `[push]`, `[cx]`."""

from __future__ import annotations

from sidecar.config.setting import DEFAULT_STATE_DIR, Setting, _max, _non_negative, _one_of, _positive, _score

FEATURE_SETTINGS: tuple[Setting, ...] = (
	# --- store ---
	Setting(
		"store",
		"url",
		"str",
		"",
		"SQLAlchemy URL (postgresql+psycopg://user@host/db); empty = SQLite file at store.path",
	),
	Setting(
		"store",
		"path",
		"path",
		str(DEFAULT_STATE_DIR / "sidecar.sqlite3"),
		"SQLite file used when store.url is empty",
	),
	Setting(
		"store",
		"lock_ttl_seconds",
		"float",
		300.0,
		"run lock lease; another instance may take over after it expires",
		check=_positive,
	),
	# --- scoring ---
	Setting(
		"scoring", "model_file", "path", "", "scoring model config file; empty = the bundled default model"
	),
	Setting(
		"scoring",
		"sql_threshold",
		"float",
		70.0,
		"score at/above which a contact is a sales-qualified lead",
		check=_score,
	),
	Setting(
		"scoring", "push_company_scores", "bool", True, "also write the best contact score onto the company"
	),
	# --- handoff (rules are tables, see the example file) ---
	Setting(
		"handoff", "enabled", "bool", True, "create owner + task when a contact crosses scoring.sql_threshold"
	),
	Setting(
		"handoff",
		"rearm_margin",
		"float",
		10.0,
		"a contact must drop this far below the threshold before it can cross again",
		check=_non_negative,
	),
	Setting(
		"handoff",
		"first_score_counts",
		"bool",
		True,
		"a contact scored for the first time at/above the threshold counts as a crossing",
	),
	Setting(
		"handoff",
		"due_business_days",
		"int",
		2,
		"task due date in business days (Mon-Fri) after the crossing",
		check=_non_negative,
	),
	Setting(
		"handoff",
		"task_priority",
		"str",
		"HIGH",
		"hs_task_priority of handoff tasks",
		check=_one_of("LOW", "MEDIUM", "HIGH"),
	),
	Setting(
		"handoff",
		"default_team",
		"str",
		"",
		"team used when no rule matches (empty = no owner, task unassigned)",
	),
	Setting(
		"handoff",
		"reassign_owned",
		"bool",
		False,
		"route owned contacts too (otherwise an owned contact keeps its owner, who gets the task)",
	),
	Setting(
		"handoff",
		"receivables_routing",
		"str",
		"both",
		"lead whose ERPNext customer has overdue invoices or disputes: 'both' = the BDR keeps the lead and the"
		" collector/account manager gets a task too, 'instead' = the lead goes to the collector/account manager,"
		" 'off' = route as any other lead",
		check=_one_of("off", "instead", "both"),
	),
	Setting(
		"handoff",
		"notify_erp",
		"bool",
		True,
		"tell ERPNext about each handoff of a lead whose company is an ERPNext customer (customer timeline;"
		" the first order after it comes back through the signals feed as an outcome)",
	),
	Setting(
		"handoff",
		"receivables_owner",
		"str",
		"collector",
		"who handles money owed: 'collector' (the customer's dunning policy collector, else its account manager)"
		" or 'account_manager' (else the collector)",
		check=_one_of("collector", "account_manager"),
	),
	# --- run loop ---
	Setting(
		"run",
		"interval_seconds",
		"float",
		900.0,
		"seconds between incremental passes of `run`",
		check=_positive,
	),
	Setting(
		"run",
		"full_rescore_hours",
		"float",
		24.0,
		"hours between full re-scores (decay moves scores without new data)",
		check=_positive,
	),
	# --- push (real-time ERP changes, sidecar.push) ---
	Setting(
		"push",
		"secret",
		"str",
		"",
		"shared secret the app signs its pushes with (RevOps Settings > sidecar push secret); empty = no receiver",
		secret=True,
	),
	Setting("push", "listen_host", "str", "127.0.0.1", "bind address of the push receiver (`run`)"),
	Setting(
		"push",
		"listen_port",
		"int",
		8089,
		"port of the push receiver (0 = any free port)",
		check=lambda v: None if 0 <= v <= 65535 else "must be between 0 and 65535",
	),
	Setting(
		"push",
		"poll_seconds",
		"float",
		0.5,
		"how often `run` drains the push queue between periodic passes",
		check=_positive,
	),
	Setting(
		"push",
		"max_customers",
		"int",
		500,
		"customers rescored per push pass (the rest wait for the next)",
		check=_positive,
	),
	# --- cx (helper C2's survey sync) ---
	Setting(
		"cx",
		"webhook_secret",
		"str",
		"",
		"shared secret that signs generic survey webhooks (env only)",
		secret=True,
	),
	Setting("cx", "listen_host", "str", "127.0.0.1", "bind address of the survey ingest server"),
	Setting("cx", "typeform_secret", "str", "", "Typeform webhook signing secret (env only)", secret=True),
	Setting("cx", "listen_port", "int", 8088, "port of the survey ingest server", check=_max(65535)),
	Setting(
		"cx", "batch_size", "int", 200, "responses per ingest call (the app accepts <= 200)", check=_max(200)
	),
	Setting("cx", "hubspot_feedback", "bool", False, "pull HubSpot feedback submissions as a survey source"),
	Setting(
		"cx", "push_to_hubspot", "bool", False, "write CX outcomes (segment, churn risk) back to HubSpot"
	),
	Setting(
		"cx", "signature_tolerance_seconds", "int", 300, "accepted age of a signed webhook", check=_positive
	),
)
