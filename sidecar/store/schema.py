"""Tables of the sidecar's state store and the versioned migrations that create/alter them.

Contract: `MIGRATIONS` is an ordered list of (version, description, function(connection)). `migrate(engine)`
applies the missing ones in order, each in its own transaction, and records it in `revops_schema_version`.
One schema for the whole sidecar: the sync's tables and the CX outbox's (`revops_cx_*`, used by sidecar.cx.store)
are all created here, by version. A migration never assumes a table is absent when an older release could have
made it outside this list (v2: the CX tables, which releases before it created with `create_all`), so a store
made by any release upgrades in place.
A small list of our own instead of Alembic: the schema is a dozen tables owned by one process, the sidecar must
install on a bare host with no migration scripts directory to ship, and the same code path has to run
on SQLite and PostgreSQL; an exclusive lock (PG advisory lock; on SQLite every transaction is BEGIN IMMEDIATE,
see store/__init__.py) keeps two processes from migrating at once.

All times are naive UTC datetimes, except lease/expiry times (epoch seconds, float) used in comparisons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import (
	Boolean,
	Column,
	DateTime,
	Float,
	Index,
	Integer,
	MetaData,
	String,
	Table,
	Text,
	UniqueConstraint,
	insert,
	select,
	text,
)
from sqlalchemy.engine import Connection, Engine

metadata = MetaData()

schema_version = Table(
	"revops_schema_version",
	metadata,
	Column("version", Integer, primary_key=True, autoincrement=False),
	Column("description", String(200), nullable=False),
	Column("applied_at", DateTime, nullable=False),
)

cursors = Table(
	"revops_cursors",
	metadata,
	Column("name", String(100), primary_key=True),
	Column("value", Text, nullable=False),  # JSON
	Column("updated_at", DateTime, nullable=False),
)

# hash of the values last pushed to HubSpot per object: nothing is written when it is unchanged
ledger = Table(
	"revops_ledger",
	metadata,
	Column("object_type", String(20), primary_key=True),
	Column("object_id", String(40), primary_key=True),
	Column("hash", String(40), nullable=False),
	Column("pushed_at", DateTime, nullable=False),
)

# per contact: last score and the crossing state machine (armed / crossings), match and conversion facts
contact_state = Table(
	"revops_contact_state",
	metadata,
	Column("contact_id", String(40), primary_key=True),
	Column("company_id", String(40)),
	Column("erp_customer", String(140)),
	Column("score", Float),
	Column("armed", Boolean, nullable=False, default=True),
	Column("crossings", Integer, nullable=False, default=0),
	Column("scored_at", DateTime),
	Column("lifecyclestage", String(60)),
	Column("converted_at", DateTime),
	Column("last_touch_at", DateTime),
)
Index("ix_revops_contact_state_customer", contact_state.c.erp_customer)

score_history = Table(
	"revops_score_history",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("contact_id", String(40), nullable=False),
	Column("company_id", String(40)),
	Column("erp_customer", String(140)),
	Column("scored_at", DateTime, nullable=False),
	Column("total", Float, nullable=False),
	Column("fit", Float, nullable=False),
	Column("behaviour", Float, nullable=False),
	Column("erp", Float, nullable=False),
	Column("contributions", Text),  # JSON {signal: points} as scored (migration 3): the fit's features
	Column("model_version", String(40)),  # the model that scored it (migration 3)
)
Index("ix_revops_score_history_contact", score_history.c.contact_id, score_history.c.scored_at)

handoffs = Table(
	"revops_handoffs",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("contact_id", String(40), nullable=False),
	Column("crossing", Integer, nullable=False),
	Column("handoff_key", String(100), nullable=False, unique=True),
	Column("crossed_at", DateTime, nullable=False),
	Column("score", Float, nullable=False),
	Column("team", String(100)),
	Column("owner_id", String(40)),
	Column("task_id", String(40)),
	Column("status", String(20), nullable=False),  # pending | done | failed
	Column("done_at", DateTime),
	Column("first_touch_at", DateTime),
	Column("details", Text),  # JSON: breakdown, signals
	UniqueConstraint("contact_id", "crossing", name="uq_revops_handoffs_crossing"),
)

# pending non-idempotent HubSpot writes: written in the same transaction as the decision, replayed after a crash
outbox = Table(
	"revops_outbox",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("key", String(120), nullable=False, unique=True),
	Column("kind", String(40), nullable=False),
	Column("payload", Text, nullable=False),  # JSON
	Column("status", String(20), nullable=False),  # pending | done | failed
	Column("attempts", Integer, nullable=False, default=0),
	Column("last_attempt_at", Float),  # epoch seconds
	Column("last_error", Text),
	Column("result", Text),
	Column("created_at", DateTime, nullable=False),
	Column("done_at", DateTime),
)
Index("ix_revops_outbox_status", outbox.c.status)

runs = Table(
	"revops_runs",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("kind", String(20), nullable=False),
	Column("started_at", DateTime, nullable=False),
	Column("finished_at", DateTime),
	Column("status", String(20), nullable=False),  # running | ok | partial | error
	Column("stats", Text),
	Column("error", Text),
)

sync_errors = Table(
	"revops_sync_errors",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("run_id", Integer),
	Column("object_type", String(20), nullable=False),
	Column("object_id", String(140), nullable=False),
	Column("error", Text, nullable=False),
	Column("at", DateTime, nullable=False),
)

run_lock = Table(
	"revops_run_lock",
	metadata,
	Column("name", String(60), primary_key=True),
	Column("holder", String(200), nullable=False),
	Column("acquired_at", Float, nullable=False),
	Column("expires_at", Float, nullable=False),
)

api_usage = Table(
	"revops_api_usage",
	metadata,
	Column("day", String(10), primary_key=True),
	Column("requests", Integer, nullable=False),
)

erp_customers = Table(
	"revops_erp_customers",
	metadata,
	Column("customer", String(140), primary_key=True),
	Column("modified", String(32), nullable=False),
	Column("data", Text, nullable=False),  # the signals record, JSON
)

erp_domains = Table(
	"revops_erp_domains",
	metadata,
	Column("domain", String(255), primary_key=True),
	Column("customer", String(140), primary_key=True),
)


# --- CX (sidecar.cx.store): every accepted survey response until ERPNext has it, and source cursors ---
cx_responses = Table(
	"revops_cx_response",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("source", String(140), nullable=False),
	Column("external_id", String(140), nullable=False),
	Column("payload", Text, nullable=False),  # the ingest dict, JSON
	Column("status", String(20), nullable=False, default="pending", index=True),
	Column("attempts", Integer, nullable=False, default=0),
	Column("last_error", Text),
	Column("erp_name", String(140)),
	Column("received_at", Float, nullable=False),  # epoch seconds
	Column("updated_at", Float, nullable=False),
	Column("next_attempt_at", Float, nullable=False, default=0.0),
	UniqueConstraint("source", "external_id", name="uq_revops_cx_response_key"),
)

cx_cursors = Table(
	"revops_cx_cursor",
	metadata,
	Column("name", String(100), primary_key=True),
	Column("value", Text, nullable=False),  # JSON
	Column("updated_at", Float, nullable=False),  # epoch seconds
)

# --- v4: records whose write did not succeed (retried by later passes) and the shared rate-limit log ---
pending_writes = Table(
	"revops_pending_writes",
	metadata,
	Column("object_type", String(20), primary_key=True),
	Column("object_id", String(40), primary_key=True),
	Column("reason", Text, nullable=False),
	Column("attempts", Integer, nullable=False, default=1),
	Column("first_failed_at", Float, nullable=False),  # epoch seconds
	Column("last_failed_at", Float, nullable=False),
	Column("next_attempt_at", Float, nullable=False),
)
Index("ix_revops_pending_writes_due", pending_writes.c.next_attempt_at)

# one row per HubSpot request of every process on this store: `at` is when it counts (its completion; while in
# flight, the latest it can still arrive), so a new process sees what a killed one spent in the last window
rate_log = Table(
	"revops_rate_log",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("account", String(40), nullable=False),  # hash of the token, never the token
	Column("at", Float, nullable=False),  # epoch seconds
	Column("search", Boolean, nullable=False, default=False),
)
Index("ix_revops_rate_log_account_at", rate_log.c.account, rate_log.c.at)

# customers named by the app's signed pushes (sidecar.push), drained by the run-lock holder's push passes
push_queue = Table(
	"revops_push_queue",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("customer", String(140), nullable=False),
	Column("event", String(60)),  # what moved (invoice_submitted, ...), for status and latency figures
	Column("committed_at", Float),  # epoch seconds of the ERP commit, when the app says
	Column("received_at", Float, nullable=False),
)

V1_TABLES = (
	cursors,
	ledger,
	contact_state,
	score_history,
	handoffs,
	outbox,
	runs,
	sync_errors,
	run_lock,
	api_usage,
	erp_customers,
	erp_domains,
)
CX_TABLES = (cx_responses, cx_cursors)
V4_TABLES = (pending_writes, rate_log, push_queue)


def utcnow() -> datetime:
	return datetime.now(timezone.utc).replace(tzinfo=None)


def _v1(conn: Connection) -> None:
	metadata.create_all(conn, tables=list(V1_TABLES))


def _v2(conn: Connection) -> None:
	# checkfirst: releases before v2 created these with create_all (sidecar.cx.store), maybe with rows in them
	metadata.create_all(conn, tables=list(CX_TABLES), checkfirst=True)


def _v3(conn: Connection) -> None:
	from sidecar.store import schema_outcomes  # its tables live on this metadata; imported late (no cycle)

	schema_outcomes.upgrade(conn)


def _v4(conn: Connection) -> None:
	metadata.create_all(conn, tables=list(V4_TABLES), checkfirst=True)


def _v5(conn: Connection) -> None:
	from sidecar.store import schema_outcomes

	schema_outcomes.upgrade_erp_orders(conn)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
	(
		1,
		"initial: cursors, ledger, contact state, score history, handoffs, outbox, runs, lock, usage, ERP cache",
		_v1,
	),
	(2, "cx: survey response outbox and source cursors (kept when they exist)", _v2),
	(3, "outcomes: deals and their associations, lifecycle changes, model versions; score features", _v3),
	(
		4,
		"pending writes retried by later passes; rate-limit log shared by every process; push queue",
		_v4,
	),
	(5, "outcomes: first ERPNext orders, overall and after each reported handoff", _v5),
]
LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
	if not conn.dialect.has_table(conn, schema_version.name):
		return 0
	return (
		conn.execute(select(schema_version.c.version).order_by(schema_version.c.version.desc())).scalar() or 0
	)


def migrate(engine: Engine) -> int:
	"""Apply missing migrations; returns the schema version. Safe to call from several processes at once."""
	with engine.begin() as conn:
		if conn.dialect.name == "postgresql":
			conn.execute(text("SELECT pg_advisory_xact_lock(72417)"))
		schema_version.create(conn, checkfirst=True)
		version = current_version(conn)
		for number, description, step in MIGRATIONS:
			if number <= version:
				continue
			step(conn)
			conn.execute(
				insert(schema_version).values(version=number, description=description, applied_at=utcnow())
			)
			version = number
	return version
