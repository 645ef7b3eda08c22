"""Migration 3: what happened after a score (deals, lifecycle stage changes) and which model scored it.

- `revops_deals`: one row per HubSpot deal (read incrementally by sidecar.scoring.learning.outcomes), with
  pipeline, stage, amount, close date and closed/won flags as HubSpot reported them last.
- `revops_deal_contacts`, `revops_deal_companies`: the deal's associations, replaced whenever the deal is read.
- `revops_lifecycle_changes`: (contact, stage, entered_at), from HubSpot's "became a <stage> date" properties.
- `revops_model_versions`: every promoted model file (content, hash, provenance); one is live.
- `revops_score_history` gains `contributions` (JSON {signal: points} as scored) and `model_version`.

Migration 5: `revops_erp_orders`, orders as outcomes from the signals feed (`first_order`, `handoff_orders`):
one row per customer's first order (`kind` "first", `handoff_key` "") and per reported handoff's first order
after it (`kind` "handoff"), replaced with the customer's record on every feed page (`Store.upsert_erp`).
"""

from __future__ import annotations

from sqlalchemy import (
	Boolean,
	Column,
	Date,
	DateTime,
	Float,
	Index,
	Integer,
	String,
	Table,
	Text,
	UniqueConstraint,
	inspect,
	text,
)
from sqlalchemy.engine import Connection

from sidecar.store.schema import metadata, score_history

deals = Table(
	"revops_deals",
	metadata,
	Column("deal_id", String(40), primary_key=True),
	Column("name", String(255)),
	Column("pipeline", String(100)),
	Column("stage", String(100)),
	Column("amount", Float),
	Column("close_date", DateTime),
	Column("created_at", DateTime),
	Column("is_closed", Boolean, nullable=False, default=False),
	Column("is_won", Boolean, nullable=False, default=False),
	Column("modified_at", DateTime),
	Column("read_at", DateTime, nullable=False),
)
Index("ix_revops_deals_modified", deals.c.modified_at)

deal_contacts = Table(
	"revops_deal_contacts",
	metadata,
	Column("deal_id", String(40), primary_key=True),
	Column("contact_id", String(40), primary_key=True),
)
Index("ix_revops_deal_contacts_contact", deal_contacts.c.contact_id)

deal_companies = Table(
	"revops_deal_companies",
	metadata,
	Column("deal_id", String(40), primary_key=True),
	Column("company_id", String(40), primary_key=True),
)
Index("ix_revops_deal_companies_company", deal_companies.c.company_id)

lifecycle_changes = Table(
	"revops_lifecycle_changes",
	metadata,
	Column("contact_id", String(40), primary_key=True),
	Column("stage", String(60), primary_key=True),
	Column("entered_at", DateTime, nullable=False),
)

model_versions = Table(
	"revops_model_versions",
	metadata,
	Column("id", Integer, primary_key=True, autoincrement=True),
	Column("version", String(40), nullable=False, unique=True),  # sha256 prefix of the content
	Column("content", Text, nullable=False),  # the TOML, byte for byte
	Column("provenance", Text, nullable=False),  # JSON: fitted from / by hand, data window, metrics
	Column("created_at", DateTime, nullable=False),
	Column("promoted_at", DateTime),
	Column("retired_at", DateTime),
	Column("status", String(20), nullable=False),  # candidate | live | retired
	UniqueConstraint("version", name="uq_revops_model_versions_version"),
)

erp_orders = Table(
	"revops_erp_orders",
	metadata,
	Column("customer", String(140), primary_key=True),
	Column("kind", String(10), primary_key=True),  # first | handoff
	Column("handoff_key", String(140), primary_key=True),  # "" for kind "first"
	Column("handed_off_at", String(32)),  # as ERPNext recorded it (site time)
	Column("order_doctype", String(40), nullable=False),  # Sales Order | Sales Invoice
	Column("order_name", String(140), nullable=False),
	Column("order_date", Date, nullable=False),
	Column("amount", Float, nullable=False),  # company currency, before taxes
	Column("read_at", DateTime, nullable=False),
)
Index("ix_revops_erp_orders_handoff", erp_orders.c.handoff_key)

OUTCOME_TABLES = (deals, deal_contacts, deal_companies, lifecycle_changes, model_versions)
SCORE_HISTORY_COLUMNS = (("contributions", "TEXT"), ("model_version", "VARCHAR(40)"))


def upgrade(conn: Connection) -> None:
	metadata.create_all(conn, tables=list(OUTCOME_TABLES), checkfirst=True)
	# a store created by this release already has the columns (create_all of v1 uses today's table)
	present = {c["name"] for c in inspect(conn).get_columns(score_history.name)}
	for name, sql_type in SCORE_HISTORY_COLUMNS:
		if name not in present:
			conn.execute(text(f"ALTER TABLE {score_history.name} ADD COLUMN {name} {sql_type}"))


def upgrade_erp_orders(conn: Connection) -> None:
	metadata.create_all(conn, tables=[erp_orders], checkfirst=True)
