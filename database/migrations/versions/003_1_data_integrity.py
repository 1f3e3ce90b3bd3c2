"""Data integrity: Unicode email identity, an application notes log, bounded search text

- ``users.email_key``: the NFKC-normalised, case-folded address with a unique
  index, replacing ``lower(email)`` (which folds ASCII only on SQLite). Existing
  accounts get their key; when two existing accounts collide under the new rule
  the older keeps the key and the newer gets none (logged), so that no account
  is lost and none can take over another's address.
- ``application_notes``: several timestamped notes per application, owned by
  the application's user.
- Status-change notes no longer overwrite an application's own notes. The text
  they replaced cannot be recovered; where an application's notes are exactly
  the note of one of its later status moves, they were written by that move
  (they stay in the history) and are cleared from the application, so that a
  status note is never shown as the application's note.
- PostgreSQL search vectors index the first 65,536 characters of each text
  column, so a very long description, note or resume text can no longer
  overflow the 1 MB ``tsvector`` limit (SQLite's FTS5 has no such limit).

Revision ID: 003.1
Revises: 003
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "003.1"
down_revision = "003"
branch_labels = None
depends_on = None

logger = logging.getLogger("database.migrations")

#: Characters of each text column that PostgreSQL's search vector covers.
SEARCH_PREFIX = 65_536
#: table -> (searched columns, weight of each), as in revision 003.
SEARCHED = {
    "job_applications": (
        ("job_title", "A"),
        ("company", "B"),
        ("location", "C"),
        ("job_description", "D"),
        ("notes", "D"),
    ),
    "resumes": (("filename", "A"), ("parsed_text", "B")),
}
PG_CONFIG = "english"
# The SQL below is assembled from the constant table and column names above only.


def _email_key(email: str) -> str:
    # Frozen copy of the rule of this revision (database.core.keys may change later).
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def upgrade() -> None:
    _add_email_key()
    _create_notes_table()
    _clear_notes_written_by_status_moves()
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in SEARCHED.items():
            _replace_pg_vector_function(table, columns, SEARCH_PREFIX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in SEARCHED.items():
            _replace_pg_vector_function(table, columns, None)
    op.drop_index("ix_application_notes_user", table_name="application_notes")
    op.drop_index("ix_application_notes_application", table_name="application_notes")
    op.drop_table("application_notes")
    op.drop_index("uq_users_email_key", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_key")
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)


def _add_email_key() -> None:
    op.drop_index("uq_users_email_lower", table_name="users")
    op.add_column("users", sa.Column("email_key", sa.String(length=1024), nullable=True))
    users = sa.table(
        "users", sa.column("id", sa.Integer), sa.column("email", sa.String),
        sa.column("email_key", sa.String),
    )  # fmt: skip
    bind = op.get_bind()
    taken: dict[str, int] = {}
    updates = []
    for row in bind.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)):
        key = _email_key(row.email)
        if key in taken:
            logger.warning(
                "users %s and %s share the email identity %r; user %s keeps it",
                taken[key], row.id, key, taken[key],
            )  # fmt: skip
            continue
        taken[key] = row.id
        updates.append({"row_id": row.id, "key": key})
    if updates:
        bind.execute(
            users.update()
            .where(users.c.id == sa.bindparam("row_id"))
            .values(email_key=sa.bindparam("key")),
            updates,
        )
    op.create_index("uq_users_email_key", "users", ["email_key"], unique=True)


def _timestamp(name: str) -> sa.Column[Any]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"),
        nullable=False,
    )  # fmt: skip


def _create_notes_table() -> None:
    op.create_table(
        "application_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["application_id"], ["job_applications.id"], ondelete="CASCADE",
            name=op.f("fk_application_notes_application_id_job_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE",
            name=op.f("fk_application_notes_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_notes")),
    )  # fmt: skip
    op.create_index(
        "ix_application_notes_application",
        "application_notes",
        ["application_id", "created_at", "id"],
    )
    op.create_index("ix_application_notes_user", "application_notes", ["user_id"])


def _clear_notes_written_by_status_moves() -> None:
    op.execute(
        "UPDATE job_applications SET notes = NULL "
        "WHERE notes IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM application_status_history h"
        " WHERE h.application_id = job_applications.id"
        " AND h.from_status IS NOT NULL AND h.notes = job_applications.notes)"
    )


def _replace_pg_vector_function(
    table: str, columns: tuple[tuple[str, str], ...], prefix: int | None
) -> None:
    function = f"aa_{table}_search_vector"
    vector = " || ".join(
        f"setweight(to_tsvector('{PG_CONFIG}', {_pg_text(name, prefix)}), '{weight}')"
        for name, weight in columns
    )
    op.execute(
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN NEW.search_vector := {vector}; RETURN NEW; END $$"
    )


def _pg_text(name: str, prefix: int | None) -> str:
    value = f"coalesce(NEW.{name}, '')"
    if name == "filename":
        value = f"regexp_replace({value}, '[^[:alnum:]]+', ' ', 'g')"
    return value if prefix is None else f"left({value}, {prefix})"
