"""Read-your-own-writes behind a streaming replica: each person's latest write position

- ``read_marks``: one row per person who wrote while a read replica serves
  their reads: the primary's WAL position (``lsn``, in bytes) at that write and
  when it was made. The row is written in the same transaction as the write,
  so the replica holds it exactly when it has replayed that transaction; until
  then (or until ``DATABASE_READ_YOUR_WRITES_SECONDS`` passed) the person's
  reads go to the primary. Bookkeeping, not a person's data: never backed up.
- PostgreSQL only: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY``: the owner role
  sees every row, any other role the acting user's row only.

Revision ID: 003.11
Revises: 003.10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "003.11"
down_revision = "003.10"
branch_labels = None
depends_on = None

READ_MARKS = "read_marks"
ACTOR = "auto_applyer_actor()"
# The SQL here is assembled from the constants above and the quoted owner name only.


def upgrade() -> None:
    op.create_table(
        READ_MARKS,
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lsn", sa.BigInteger(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.CheckConstraint("lsn >= 0", name=op.f("ck_read_marks_lsn_non_negative")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_read_marks_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_read_marks")),
    )  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        owner = op.get_bind().scalar(sa.text("SELECT format('%I', current_user)"))
        op.execute(f"ALTER TABLE {READ_MARKS} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {READ_MARKS} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY aa_owner ON {READ_MARKS} TO {owner} USING (true) WITH CHECK (true)"
        )
        op.execute(
            f"CREATE POLICY aa_actor_rows ON {READ_MARKS} FOR ALL"
            f" USING (user_id = {ACTOR}) WITH CHECK (user_id = {ACTOR})"
        )


def downgrade() -> None:
    # Dropping the table drops its policies with it.
    op.drop_table(READ_MARKS)
