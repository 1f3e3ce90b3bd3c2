"""Webhooks: endpoints that receive a person's events, and the log of each delivery

- ``webhook_endpoints``: a URL registered by a person (or, with
  ``organization_id``, by an owner or admin of that organization for its
  events), the event kinds it wants (a JSON list), the secret that signs its
  deliveries, whether it is active, and ``last_event_id``: the newest outbox
  event already considered for it (deliveries are enqueued for events after
  it). Deleted with the person or the organization.
- ``webhook_deliveries``: one row per (endpoint, event), unique, with the
  endpoint owner's ``user_id`` (every person-owned row carries it), the state
  (pending, sent, failed), attempts, when the next attempt is due, the last
  HTTP status and error, when it was delivered. Deleted with the endpoint or
  the event.
- PostgreSQL only: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY`` on both. The owner
  role (the delivery worker runs as it) sees every row; any other role sees
  and writes the acting user's rows only, an organization's endpoint only
  where the actor owns or administers it, a delivery only of one of their
  endpoints.

Revision ID: 003.8
Revises: 003.7
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "003.8"
down_revision = "003.7"
branch_labels = None
depends_on = None

ENDPOINTS = "webhook_endpoints"
DELIVERIES = "webhook_deliveries"
STATES = ("pending", "sent", "failed")
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

ACTOR = "auto_applyer_actor()"
MANAGERS = "ARRAY['owner', 'admin']"
OWN = f"user_id = {ACTOR}"
#: (table, policy, command, USING, WITH CHECK) for every role but the owner.
POLICIES = (
    (ENDPOINTS, "aa_actor_rows", "ALL", OWN,
     f"{OWN} AND (organization_id IS NULL"
     f" OR organization_id IN (SELECT auto_applyer_organizations({MANAGERS})))"),
    # The subquery reads webhook_endpoints under its own policy, which reads no other table.
    (DELIVERIES, "aa_actor_rows", "ALL", OWN,
     f"{OWN} AND endpoint_id IN (SELECT id FROM {ENDPOINTS})"),  # noqa: S608
)  # fmt: skip
# The SQL here is assembled from the constants above and the quoted owner name only.


def upgrade() -> None:
    _create_endpoints()
    _create_deliveries()
    if op.get_bind().dialect.name == "postgresql":
        _secure_rows()


def downgrade() -> None:
    # Dropping a table drops its policies with it.
    op.drop_index("ix_webhook_deliveries_user", table_name=DELIVERIES)
    op.drop_index("ix_webhook_deliveries_event", table_name=DELIVERIES)
    op.drop_index("ix_webhook_deliveries_due", table_name=DELIVERIES)
    op.drop_table(DELIVERIES)
    op.drop_index("ix_webhook_endpoints_organization", table_name=ENDPOINTS)
    op.drop_index("ix_webhook_endpoints_user", table_name=ENDPOINTS)
    op.drop_table(ENDPOINTS)


def _time(name: str, *, nullable: bool = True, now: bool = False) -> sa.Column[Any]:
    default = sa.text("CURRENT_TIMESTAMP") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _create_endpoints() -> None:
    op.create_table(
        ENDPOINTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("event_kinds", JSON_TYPE, nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_event_id", EVENT_ID, server_default=sa.text("0"), nullable=False),
        _time("created_at", nullable=False, now=True),
        sa.CheckConstraint("length(url) > 0", name=op.f("ck_webhook_endpoints_url_not_empty")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_endpoints_user_id_users")),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_endpoints_organization_id_organizations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )  # fmt: skip
    op.create_index("ix_webhook_endpoints_user", ENDPOINTS, ["user_id"])
    op.create_index("ix_webhook_endpoints_organization", ENDPOINTS, ["organization_id"])


def _create_deliveries() -> None:
    op.create_table(
        DELIVERIES,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event_id", EVENT_ID, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum(*STATES, name="webhook_delivery_state", native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _time("next_attempt_at"),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        _time("created_at", nullable=False, now=True),
        _time("delivered_at"),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_webhook_deliveries_attempts_non_negative")),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoints.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_deliveries_event_id_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_deliveries_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("endpoint_id", "event_id",
                            name=op.f("uq_webhook_deliveries_endpoint_event")),
    )  # fmt: skip
    op.create_index("ix_webhook_deliveries_due", DELIVERIES, ["state", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_event", DELIVERIES, ["event_id"])
    op.create_index("ix_webhook_deliveries_user", DELIVERIES, ["user_id"])


def _secure_rows() -> None:
    owner = op.get_bind().scalar(sa.text("SELECT format('%I', current_user)"))
    for table in (ENDPOINTS, DELIVERIES):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY aa_owner ON {table} TO {owner} USING (true) WITH CHECK (true)")
    for table, name, command, using, check in POLICIES:
        op.execute(f"CREATE POLICY {name} ON {table} FOR {command} USING ({using})"
                   f" WITH CHECK ({check})")  # fmt: skip
