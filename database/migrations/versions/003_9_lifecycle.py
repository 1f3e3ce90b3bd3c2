"""Data lifecycle and database health: archiving, maintenance runs, monitoring samples, alerts

- ``job_applications.archived_at``: when the application was archived (NULL
  while active). Archived applications leave the default lists, the board and
  the active counts; the partial indexes keep the hot per-person queries on
  the active rows only.
- ``user_preferences.archive_after_days``: closed applications (rejected,
  withdrawn, offer rejected or accepted) are archived this many days after
  their last move (1 to 3650, default 90; NULL turns the rule off).
- ``maintenance_runs``: one row per maintenance run (archiving, retention,
  optimisation): when it started and finished, its state, whether it was a dry
  run, what started it and its summary as JSON.
- ``maintenance_locks``: a named lock held by one process until it expires,
  so two maintenance runs (or two API workers' schedulers) never overlap.
- ``metric_samples``: figures of database health sampled over time (for the
  charts of the last day; removed under the retention rules).
- ``alert_states``: one row per alert rule: whether it fires, since when, the
  value that made it fire and how many episodes it has had.
- ``notifications.kind`` gains ``alert``: a server administrator is told of a
  firing alert in the inbox.

The four new tables are the server's, not a person's: no row-level security.

Revision ID: 003.9
Revises: 003.8
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "003.9"
down_revision = "003.8"
branch_labels = None
depends_on = None

APPLICATIONS = "job_applications"
PREFERENCES = "user_preferences"
RUNS = "maintenance_runs"
LOCKS = "maintenance_locks"
SAMPLES = "metric_samples"
ALERTS = "alert_states"
RUN_STATES = ("running", "succeeded", "failed")
NOTIFICATIONS = "notifications"
KIND_CHECK = "ck_notifications_notification_kind"
OLD_KINDS = ("interview", "follow_up", "stale_offer")
NEW_KINDS = (*OLD_KINDS, "alert")
ARCHIVE_RANGE = "archive_after_days IS NULL OR archive_after_days BETWEEN 1 AND 3650"
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SAMPLE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE = "archived_at IS NULL"
#: Partial indexes over the active applications: (name, columns).
ACTIVE_INDEXES = (
    ("ix_job_applications_active_user_date", ["user_id", "application_date", "id"]),
    ("ix_job_applications_active_user_status", ["user_id", "status", "application_date"]),
)


def upgrade() -> None:
    with op.batch_alter_table(APPLICATIONS) as batch:
        batch.add_column(_time("archived_at"))
    with op.batch_alter_table(PREFERENCES) as batch:
        batch.add_column(sa.Column("archive_after_days", sa.Integer(),
                                   server_default=sa.text("90"), nullable=True))  # fmt: skip
        batch.create_check_constraint(op.f("ck_user_preferences_archive_after_days_range"),
                                      ARCHIVE_RANGE)  # fmt: skip
    for name, columns in ACTIVE_INDEXES:
        op.create_index(name, APPLICATIONS, columns, sqlite_where=sa.text(ACTIVE),
                        postgresql_where=sa.text(ACTIVE))  # fmt: skip
    op.create_index("ix_job_applications_user_archived", APPLICATIONS, ["user_id", "archived_at"])
    _create_runs()
    _create_locks()
    _create_samples()
    _create_alerts()
    _allow_kinds(NEW_KINDS)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM notifications WHERE kind = 'alert'"))
    _allow_kinds(OLD_KINDS)
    op.drop_table(ALERTS)
    op.drop_index("ix_metric_samples_taken_at", table_name=SAMPLES)
    op.drop_index("ix_metric_samples_name_taken_at", table_name=SAMPLES)
    op.drop_table(SAMPLES)
    op.drop_table(LOCKS)
    op.drop_index("ix_maintenance_runs_started_at", table_name=RUNS)
    op.drop_table(RUNS)
    op.drop_index("ix_job_applications_user_archived", table_name=APPLICATIONS)
    for name, _columns in reversed(ACTIVE_INDEXES):
        op.drop_index(name, table_name=APPLICATIONS)
    with op.batch_alter_table(PREFERENCES) as batch:
        batch.drop_constraint(op.f("ck_user_preferences_archive_after_days_range"), "check")
        batch.drop_column("archive_after_days")
    with op.batch_alter_table(APPLICATIONS) as batch:
        batch.drop_column("archived_at")


def _allow_kinds(kinds: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table(NOTIFICATIONS) as batch:
        batch.drop_constraint(op.f(KIND_CHECK), "check")
        batch.create_check_constraint(op.f(KIND_CHECK), f"kind IN ({allowed})")


def _time(name: str, *, nullable: bool = True, now: bool = False) -> sa.Column[Any]:
    default = sa.text("CURRENT_TIMESTAMP") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _create_runs() -> None:
    op.create_table(
        RUNS,
        sa.Column("id", sa.Integer(), nullable=False),
        _time("started_at", nullable=False, now=True),
        _time("finished_at"),
        sa.Column("state", sa.Enum(*RUN_STATES, name="maintenance_run_state", native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column("dry_run", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("summary", JSON_TYPE, nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_runs")),
    )  # fmt: skip
    op.create_index("ix_maintenance_runs_started_at", RUNS, ["started_at"])


def _create_locks() -> None:
    op.create_table(
        LOCKS,
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        _time("acquired_at", nullable=False, now=True),
        _time("expires_at", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_maintenance_locks")),
    )


def _create_samples() -> None:
    op.create_table(
        SAMPLES,
        sa.Column("id", SAMPLE_ID, nullable=False),
        _time("taken_at", nullable=False, now=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_samples")),
    )
    op.create_index("ix_metric_samples_name_taken_at", SAMPLES, ["name", "taken_at"])
    op.create_index("ix_metric_samples_taken_at", SAMPLES, ["taken_at"])


def _create_alerts() -> None:
    op.create_table(
        ALERTS,
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("firing", sa.Boolean(), server_default=sa.false(), nullable=False),
        _time("since"),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("episodes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _time("evaluated_at"),
        sa.CheckConstraint("episodes >= 0", name=op.f("ck_alert_states_episodes_non_negative")),
        sa.PrimaryKeyConstraint("rule", name=op.f("pk_alert_states")),
    )
