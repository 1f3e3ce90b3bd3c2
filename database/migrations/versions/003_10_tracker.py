"""The tracker a job seeker expects: contacts, tags, cover letters and a time zone

- ``contacts``: people at a company (name, company, role, e-mail, phone,
  LinkedIn, notes, when last contacted), one person's own.
- ``application_contacts``: which contacts an application involves (a contact
  may be linked to several applications; both ends are the same person's).
- ``tags``: a person's own tag vocabulary; ``name_key`` (case-folded, spaces
  collapsed) is unique per person, so "Remote" and "remote" are one tag.
- ``application_tags``: the tags on an application.
- ``cover_letters``: at most one per application: its text, an uploaded file
  (stored like a resume), or both.
- ``user_preferences.time_zone``: the IANA name dates are shown and entered in
  (default ``UTC``; timestamps stay stored as UTC).
- PostgreSQL only: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY`` on the five new
  tables: the owner role sees every row, any other role the acting user's
  rows; an organization's owners, admins and coaches also read the tags of
  their members' applications (they read those applications already).
  Contacts and cover letters stay the person's alone.

Revision ID: 003.10
Revises: 003.9
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "003.10"
down_revision = "003.9"
branch_labels = None
depends_on = None

CONTACTS = "contacts"
APPLICATION_CONTACTS = "application_contacts"
TAGS = "tags"
APPLICATION_TAGS = "application_tags"
COVER_LETTERS = "cover_letters"
PREFERENCES = "user_preferences"
NEW_TABLES = (CONTACTS, APPLICATION_CONTACTS, TAGS, APPLICATION_TAGS, COVER_LETTERS)

ACTOR = "auto_applyer_actor()"
STAFF_READS = "user_id IN (SELECT auto_applyer_staff_readable())"
#: (table, policy, command, USING, WITH CHECK) for every role but the owner.
POLICIES = (
    *((table, "aa_actor_rows", "ALL", f"user_id = {ACTOR}", f"user_id = {ACTOR}")
      for table in NEW_TABLES),
    (TAGS, "aa_staff_reads", "SELECT", STAFF_READS, None),
    (APPLICATION_TAGS, "aa_staff_reads", "SELECT", STAFF_READS, None),
)  # fmt: skip
# The SQL here is assembled from the constants above and the quoted owner name only.


def upgrade() -> None:
    _create_contacts()
    _create_tags()
    _create_cover_letters()
    with op.batch_alter_table(PREFERENCES) as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64),
                                   server_default=sa.text("'UTC'"), nullable=False))  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        _secure_rows()


def downgrade() -> None:
    # Dropping a table drops its policies with it.
    with op.batch_alter_table(PREFERENCES) as batch:
        batch.drop_column("time_zone")
    op.drop_index("ix_cover_letters_user", table_name=COVER_LETTERS)
    op.drop_table(COVER_LETTERS)
    op.drop_index("ix_application_tags_user", table_name=APPLICATION_TAGS)
    op.drop_index("ix_application_tags_tag", table_name=APPLICATION_TAGS)
    op.drop_table(APPLICATION_TAGS)
    op.drop_table(TAGS)
    op.drop_index("ix_application_contacts_user", table_name=APPLICATION_CONTACTS)
    op.drop_index("ix_application_contacts_contact", table_name=APPLICATION_CONTACTS)
    op.drop_table(APPLICATION_CONTACTS)
    op.drop_index("ix_contacts_user_company", table_name=CONTACTS)
    op.drop_index("ix_contacts_user_name", table_name=CONTACTS)
    op.drop_table(CONTACTS)


def _time(name: str, *, nullable: bool = True, now: bool = False) -> sa.Column[Any]:
    default = sa.text("CURRENT_TIMESTAMP") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _owner(table: str) -> list[Any]:
    return [
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f(f"fk_{table}_user_id_users")),
    ]  # fmt: skip


def _link(table: str, column: str, target: str) -> list[Any]:
    return [
        sa.Column(column, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete="CASCADE",
                                name=op.f(f"fk_{table}_{column}_{target}")),
    ]  # fmt: skip


def _create_contacts() -> None:
    op.create_table(
        CONTACTS,
        sa.Column("id", sa.Integer(), nullable=False),
        *_owner(CONTACTS),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("linkedin_url", sa.String(length=2048), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        _time("last_contacted_at"),
        _time("created_at", nullable=False, now=True),
        _time("updated_at", nullable=False, now=True),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_contacts_name_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index("ix_contacts_user_name", CONTACTS, ["user_id", "name"])
    op.create_index("ix_contacts_user_company", CONTACTS, ["user_id", "company"])
    op.create_table(
        APPLICATION_CONTACTS,
        sa.Column("id", sa.Integer(), nullable=False),
        *_link(APPLICATION_CONTACTS, "application_id", "job_applications"),
        *_link(APPLICATION_CONTACTS, "contact_id", CONTACTS),
        *_owner(APPLICATION_CONTACTS),
        _time("created_at", nullable=False, now=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_contacts")),
        sa.UniqueConstraint("application_id", "contact_id",
                            name=op.f("uq_application_contacts_application_id")),
    )  # fmt: skip
    op.create_index("ix_application_contacts_contact", APPLICATION_CONTACTS, ["contact_id"])
    op.create_index("ix_application_contacts_user", APPLICATION_CONTACTS, ["user_id"])


def _create_tags() -> None:
    op.create_table(
        TAGS,
        sa.Column("id", sa.Integer(), nullable=False),
        *_owner(TAGS),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        _time("created_at", nullable=False, now=True),
        _time("updated_at", nullable=False, now=True),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_tags_name_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("user_id", "name_key", name=op.f("uq_tags_user_name_key")),
    )
    op.create_table(
        APPLICATION_TAGS,
        sa.Column("id", sa.Integer(), nullable=False),
        *_link(APPLICATION_TAGS, "application_id", "job_applications"),
        *_link(APPLICATION_TAGS, "tag_id", TAGS),
        *_owner(APPLICATION_TAGS),
        _time("created_at", nullable=False, now=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_tags")),
        sa.UniqueConstraint("application_id", "tag_id",
                            name=op.f("uq_application_tags_application_id")),
    )  # fmt: skip
    op.create_index("ix_application_tags_tag", APPLICATION_TAGS, ["tag_id", "application_id"])
    op.create_index("ix_application_tags_user", APPLICATION_TAGS, ["user_id"])


def _create_cover_letters() -> None:
    op.create_table(
        COVER_LETTERS,
        sa.Column("id", sa.Integer(), nullable=False),
        *_link(COVER_LETTERS, "application_id", "job_applications"),
        *_owner(COVER_LETTERS),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("file_path", sa.String(length=1024), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("file_type", sa.String(length=20), nullable=True),
        _time("created_at", nullable=False, now=True),
        _time("updated_at", nullable=False, now=True),
        sa.CheckConstraint("body IS NOT NULL OR file_path IS NOT NULL",
                           name=op.f("ck_cover_letters_body_or_file")),
        sa.CheckConstraint("file_size IS NULL OR file_size >= 0",
                           name=op.f("ck_cover_letters_file_size_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cover_letters")),
        sa.UniqueConstraint("application_id", name=op.f("uq_cover_letters_application_id")),
    )  # fmt: skip
    op.create_index("ix_cover_letters_user", COVER_LETTERS, ["user_id"])


def _secure_rows() -> None:
    owner = op.get_bind().scalar(sa.text("SELECT format('%I', current_user)"))
    for table in NEW_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY aa_owner ON {table} TO {owner} USING (true) WITH CHECK (true)")
    for table, name, command, using, check in POLICIES:
        clauses = (f" USING ({using})" if using else "") + (
            f" WITH CHECK ({check})" if check else ""
        )
        op.execute(f"CREATE POLICY {name} ON {table} FOR {command}{clauses}")
