"""Events: the transactional outbox of changes to people's data

- ``events``: one row per change, written in the transaction of the change:
  an increasing 64-bit ``id`` (on SQLite ``AUTOINCREMENT``, so that an id is
  never handed out twice, even after the newest rows are deleted), the person
  whose data changed (``user_id``; NULL only for system events such as a
  whole-database backup), the organization where it applies, a ``kind`` of a
  fixed vocabulary, the entity and its id, a small JSON ``payload`` (bounded
  length) and ``created_at``. Deleted with the person or the organization.
  Indexed for "the events of a person (of an organization) after id N".
- PostgreSQL only: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY``. The owner role
  sees every event; any other role reads the acting user's events, and where
  the actor is an owner, admin or coach of an organization, its events and its
  members' personal events (those of no organization: not their memberships
  elsewhere), through the ``SECURITY DEFINER`` helpers of 003.5; it
  writes events about itself, or about the organizations it manages. System
  events are the owner's only. Nobody but the owner changes or deletes one.

Revision ID: 003.6
Revises: 003.5
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "003.6"
down_revision = "003.5"
branch_labels = None
depends_on = None

TABLE = "events"
#: The kinds of event, as stored (a VARCHAR with a CHECK, like every enum here).
KINDS = (
    "application.created",
    "application.updated",
    "application.status_changed",
    "application.archived",
    "application.deleted",
    "resume.added",
    "import.finished",
    "backup.finished",
    "membership.changed",
    "reminder.due",
)
#: The longest stored payload (characters of JSON): an event says what changed, not the data.
MAX_PAYLOAD_CHARS = 2000

ACTOR = "auto_applyer_actor()"
STAFF = "ARRAY['owner', 'admin', 'coach']"
MANAGERS = "ARRAY['owner', 'admin']"
#: (policy, command, USING, WITH CHECK) for every role but the owner.
POLICIES = (
    ("aa_own_events", "SELECT", f"user_id = {ACTOR}", None),
    ("aa_staff_reads", "SELECT",
     f"organization_id IN (SELECT auto_applyer_organizations({STAFF}))"
     " OR (organization_id IS NULL AND user_id IN (SELECT auto_applyer_staff_readable()))",
     None),
    ("aa_write", "INSERT", None,
     f"user_id = {ACTOR}"
     f" OR organization_id IN (SELECT auto_applyer_organizations({MANAGERS}))"),
)  # fmt: skip
# The SQL here is assembled from the constants above and the quoted owner name only.


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind", sa.Enum(*KINDS, name="event_kind", native_enum=False, create_constraint=True,
                            length=32),
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False,
        ),
        sa.CheckConstraint(
            f"length(payload) <= {MAX_PAYLOAD_CHARS}", name=op.f("ck_events_payload_bounded")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE", name=op.f("fk_events_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], ondelete="CASCADE",
            name=op.f("fk_events_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sqlite_autoincrement=True,
    )  # fmt: skip
    op.create_index("ix_events_user_after", TABLE, ["user_id", "id"])
    op.create_index("ix_events_organization_after", TABLE, ["organization_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        _secure_rows()


def downgrade() -> None:
    # Dropping the table drops its policies with it.
    op.drop_index("ix_events_organization_after", table_name=TABLE)
    op.drop_index("ix_events_user_after", table_name=TABLE)
    op.drop_table(TABLE)


def _secure_rows() -> None:
    owner = op.get_bind().scalar(sa.text("SELECT format('%I', current_user)"))
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY aa_owner ON {TABLE} TO {owner} USING (true) WITH CHECK (true)")
    for name, command, using, check in POLICIES:
        clauses = (f" USING ({using})" if using else "") + (
            f" WITH CHECK ({check})" if check else ""
        )
        op.execute(f"CREATE POLICY {name} ON {TABLE} FOR {command}{clauses}")
