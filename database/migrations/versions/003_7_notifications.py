"""Notifications, reminders and the interview calendar feed

- ``notifications``: one row per reminder of a person (an interview in the
  next day, an application waiting for a follow-up, an offer without an
  answer), optionally about one application (deleted with it or with the
  person). ``reminder_key`` is unique per person: the key that makes each
  reminder be created exactly once, however many schedulers run at once.
  ``read_at`` is NULL while unread. E-mail delivery state (``email_state``,
  ``email_attempts``, ``next_attempt_at``, ``last_error``) lets a delivery
  step outside any request retry a failed send with a backoff.
- ``calendar_feeds``: one secret per person for the calendar feed of their
  interviews, stored only as its SHA-256 (the raw secret is shown once).
- ``user_preferences.follow_up_days``: after how many days an application in
  applied or screening gets a follow-up reminder (1 to 365, default 14).
- PostgreSQL only: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY`` on both tables.
  The owner role sees every row; any other role sees the acting user's rows
  only, and before anyone is signed in a transaction that claims a feed
  secret (``auto_applyer.token_hash``) reads that one feed.

Revision ID: 003.7
Revises: 003.6
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "003.7"
down_revision = "003.6"
branch_labels = None
depends_on = None

NOTIFICATIONS = "notifications"
FEEDS = "calendar_feeds"
PREFERENCES = "user_preferences"
NOTIFICATION_KINDS = ("interview", "follow_up", "stale_offer")
EMAIL_STATES = ("skipped", "pending", "sent", "failed")
FOLLOW_UP_RANGE = "follow_up_days BETWEEN 1 AND 365"

ACTOR = "auto_applyer_actor()"
CLAIMED_TOKEN = "nullif(current_setting('auto_applyer.token_hash', true), '')"  # noqa: S105 (a setting)
#: (table, policy, command, USING, WITH CHECK) for every role but the owner.
POLICIES = (
    (NOTIFICATIONS, "aa_actor_rows", "ALL", f"user_id = {ACTOR}", f"user_id = {ACTOR}"),
    (FEEDS, "aa_actor_rows", "ALL", f"user_id = {ACTOR}", f"user_id = {ACTOR}"),
    (FEEDS, "aa_claimed_feed", "SELECT", f"token_hash = {CLAIMED_TOKEN}", None),
)  # fmt: skip
# The SQL here is assembled from the constants above and the quoted owner name only.


def upgrade() -> None:
    _create_notifications()
    _create_feeds()
    with op.batch_alter_table(PREFERENCES) as batch:
        batch.add_column(
            sa.Column("follow_up_days", sa.Integer(), server_default=sa.text("14"), nullable=False)
        )
        batch.create_check_constraint(op.f("ck_user_preferences_follow_up_days_range"),
                                      FOLLOW_UP_RANGE)  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        _secure_rows()


def downgrade() -> None:
    # Dropping a table drops its policies with it.
    with op.batch_alter_table(PREFERENCES) as batch:
        batch.drop_constraint(op.f("ck_user_preferences_follow_up_days_range"), "check")
        batch.drop_column("follow_up_days")
    op.drop_index("uq_calendar_feeds_token_hash", table_name=FEEDS)
    op.drop_table(FEEDS)
    op.drop_index("ix_notifications_delivery", table_name=NOTIFICATIONS)
    op.drop_index("ix_notifications_user_unread", table_name=NOTIFICATIONS)
    op.drop_index("uq_notifications_user_reminder", table_name=NOTIFICATIONS)
    op.drop_table(NOTIFICATIONS)


def _choice(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _time(name: str, *, nullable: bool = True, now: bool = False) -> sa.Column[Any]:
    default = sa.text("CURRENT_TIMESTAMP") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _create_notifications() -> None:
    op.create_table(
        NOTIFICATIONS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("kind", _choice(NOTIFICATION_KINDS, "notification_kind"), nullable=False),
        sa.Column("reminder_key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _time("created_at", nullable=False, now=True),
        _time("read_at"),
        sa.Column("email_state", _choice(EMAIL_STATES, "email_state"), nullable=False),
        sa.Column("email_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _time("next_attempt_at"),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.CheckConstraint("email_attempts >= 0",
                           name=op.f("ck_notifications_email_attempts_non_negative")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_notifications_user_id_users")),
        sa.ForeignKeyConstraint(["application_id"], ["job_applications.id"], ondelete="CASCADE",
                                name=op.f("fk_notifications_application_id_job_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )  # fmt: skip
    op.create_index(
        "uq_notifications_user_reminder", NOTIFICATIONS, ["user_id", "reminder_key"], unique=True
    )
    op.create_index("ix_notifications_user_unread", NOTIFICATIONS, ["user_id", "read_at", "id"])
    op.create_index("ix_notifications_delivery", NOTIFICATIONS, ["email_state", "next_attempt_at"])


def _create_feeds() -> None:
    op.create_table(
        FEEDS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _time("created_at", nullable=False, now=True),
        _time("updated_at", nullable=False, now=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_calendar_feeds_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )  # fmt: skip
    op.create_index("uq_calendar_feeds_token_hash", FEEDS, ["token_hash"], unique=True)


def _secure_rows() -> None:
    owner = op.get_bind().scalar(sa.text("SELECT format('%I', current_user)"))
    for table in (NOTIFICATIONS, FEEDS):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY aa_owner ON {table} TO {owner} USING (true) WITH CHECK (true)")
    for table, name, command, using, check in POLICIES:
        clauses = (f" USING ({using})" if using else "") + (
            f" WITH CHECK ({check})" if check else ""
        )
        op.execute(f"CREATE POLICY {name} ON {table} FOR {command}{clauses}")
