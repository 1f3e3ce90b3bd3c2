"""API rate limits shared by every worker: each person's allowance of the current window

- ``rate_limits``: one row per person who used the API while a rate limit is
  set (``API_RATE_LIMIT``): when their current window began and how many of
  its requests the workers have taken (in chunks, so the row is written once
  per chunk). Bookkeeping, not a person's data: never backed up.
- PostgreSQL only: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY``: the owner role
  sees every row, any other role the acting user's row only.

Revision ID: 003.12
Revises: 003.11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "003.12"
down_revision = "003.11"
branch_labels = None
depends_on = None

RATE_LIMITS = "rate_limits"
ACTOR = "auto_applyer_actor()"
# The SQL here is assembled from the constants above and the quoted owner name only.


def upgrade() -> None:
    op.create_table(
        RATE_LIMITS,
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted", sa.Integer(), nullable=False, server_default="0"),
        sa.CheckConstraint("granted >= 0", name=op.f("ck_rate_limits_granted_non_negative")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_rate_limits_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_rate_limits")),
    )  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        owner = op.get_bind().scalar(sa.text("SELECT format('%I', current_user)"))
        op.execute(f"ALTER TABLE {RATE_LIMITS} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {RATE_LIMITS} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY aa_owner ON {RATE_LIMITS} TO {owner} USING (true) WITH CHECK (true)"
        )
        op.execute(
            f"CREATE POLICY aa_actor_rows ON {RATE_LIMITS} FOR ALL"
            f" USING (user_id = {ACTOR}) WITH CHECK (user_id = {ACTOR})"
        )


def downgrade() -> None:
    # Dropping the table drops its policies with it.
    op.drop_table(RATE_LIMITS)
