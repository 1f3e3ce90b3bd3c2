"""Idempotency keys: the first response of a creating request, replayed on its retries

- ``idempotency_keys``: one row per person and client-chosen ``Idempotency-Key``
  (unique together): the request's method, path and the SHA-256 of its body,
  and the response it got (status, body, media type, ``Location``), kept until
  ``expires_at``. The response columns are NULL only inside the transaction
  that creates the object; deleted with the person.

Revision ID: 003.4
Revises: 003.3
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "003.4"
down_revision = "003.3"
branch_labels = None
depends_on = None

#: The longest stored response body (characters): a creating response is small.
MAX_RESPONSE_CHARS = 1_048_576


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=2048), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("location", sa.String(length=2048), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("length(key) > 0", name=op.f("ck_idempotency_keys_key_not_empty")),
        sa.CheckConstraint(
            "status_code IS NULL OR (status_code >= 100 AND status_code <= 599)",
            name=op.f("ck_idempotency_keys_status_code_valid"),
        ),
        sa.CheckConstraint(
            f"response_body IS NULL OR length(response_body) <= {MAX_RESPONSE_CHARS}",
            name=op.f("ck_idempotency_keys_response_body_bounded"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE",
            name=op.f("fk_idempotency_keys_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_keys_user_key")),
    )  # fmt: skip
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")


def _timestamp(name: str) -> sa.Column[Any]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"),
        nullable=False,
    )  # fmt: skip
