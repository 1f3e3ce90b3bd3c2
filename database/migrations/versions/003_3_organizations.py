"""Organizations: members with roles, and single-use invitations

- ``organizations``: a name and a unique lower-case slug; ``created_by`` is
  kept NULL when its user is deleted.
- ``memberships``: one role (owner, admin, coach, member) per person and
  organization; deleted with either.
- ``invitations``: an inviting user, the invited address and its email key,
  a role, the SHA-256 of a single-use token (never the token) and its visible
  prefix, an expiry, and when it was accepted (by whom) or revoked.

Revision ID: 003.3
Revises: 003.2
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "003.3"
down_revision = "003.2"
branch_labels = None
depends_on = None

#: The roles of a member, as stored (a VARCHAR with a CHECK, like every enum here).
ROLES = ("owner", "admin", "coach", "member")


def upgrade() -> None:
    _create_organizations()
    _create_memberships()
    _create_invitations()


def downgrade() -> None:
    for index in (
        "ix_invitations_accepted_by",
        "ix_invitations_user",
        "ix_invitations_organization",
    ):
        op.drop_index(index, table_name="invitations")
    op.drop_table("invitations")
    op.drop_index("ix_memberships_user", table_name="memberships")
    op.drop_table("memberships")
    op.drop_table("organizations")


def _timestamp(name: str) -> sa.Column[Any]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"),
        nullable=False,
    )  # fmt: skip


def _role(name: str) -> sa.Column[Any]:
    return sa.Column(
        "role", sa.Enum(*ROLES, name=name, native_enum=False, create_constraint=True, length=32),
        nullable=False,
    )  # fmt: skip


def _foreign_key(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], ondelete=ondelete, name=op.f(f"fk_{table}_{column}_{target}")
    )


def _create_organizations() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_organizations_name_not_empty")),
        sa.CheckConstraint("length(slug) > 0", name=op.f("ck_organizations_slug_not_empty")),
        _foreign_key("organizations", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )


def _create_memberships() -> None:
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _role("membership_role"),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _foreign_key("memberships", "organization_id", "organizations", "CASCADE"),
        _foreign_key("memberships", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "organization_id", "user_id", name=op.f("uq_memberships_organization_id")
        ),
    )
    op.create_index("ix_memberships_user", "memberships", ["user_id"])


def _create_invitations() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=1024), nullable=False),
        _role("invitation_role"),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _foreign_key("invitations", "organization_id", "organizations", "CASCADE"),
        _foreign_key("invitations", "user_id", "users", "CASCADE"),
        _foreign_key("invitations", "accepted_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index("ix_invitations_organization", "invitations", ["organization_id"])
    op.create_index("ix_invitations_user", "invitations", ["user_id"])
    op.create_index("ix_invitations_accepted_by", "invitations", ["accepted_by"])
