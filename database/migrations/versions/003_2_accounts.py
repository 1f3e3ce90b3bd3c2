"""Accounts: server administrators, issued credentials, sign-in throttling

- ``users.is_server_admin``: false for every existing account.
- ``auth_tokens``: access tokens, API keys and password-reset tokens, each
  stored as the SHA-256 of its raw value with a short visible prefix.
- ``sign_in_throttle``: failed sign-ins per account and per client address,
  in the database so that every process sees the same counts.

Revision ID: 003.2
Revises: 003.1
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "003.2"
down_revision = "003.1"
branch_labels = None
depends_on = None

TOKEN_KINDS = ("access", "api_key", "password_reset")
TOKEN_SCOPES = ("read", "write")
THROTTLE_SCOPES = ("account", "address")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("is_server_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _create_tokens_table()
    _create_throttle_table()


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    op.drop_index("ix_auth_tokens_user_kind", table_name="auth_tokens")
    op.drop_index("ix_auth_tokens_prefix", table_name="auth_tokens")
    op.drop_index("uq_auth_tokens_token_hash", table_name="auth_tokens")
    op.drop_table("auth_tokens")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("is_server_admin")


def _choice(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _time(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _timestamp(name: str) -> sa.Column[Any]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"),
        nullable=False,
    )  # fmt: skip


def _create_tokens_table() -> None:
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", _choice(TOKEN_KINDS, "token_kind"), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("scope", _choice(TOKEN_SCOPES, "token_scope"), nullable=False),
        _time("expires_at"),
        _time("last_used_at"),
        _time("revoked_at"),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="CASCADE",
            name=op.f("fk_auth_tokens_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_tokens")),
    )  # fmt: skip
    op.create_index("uq_auth_tokens_token_hash", "auth_tokens", ["token_hash"], unique=True)
    op.create_index("ix_auth_tokens_prefix", "auth_tokens", ["prefix"])
    op.create_index("ix_auth_tokens_user_kind", "auth_tokens", ["user_id", "kind"])


def _create_throttle_table() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", _choice(THROTTLE_SCOPES, "throttle_scope"), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        _time("window_started_at", nullable=False),
        _time("locked_until"),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_sign_in_throttle_failures_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttle")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_sign_in_throttle_scope_key")),
    )
