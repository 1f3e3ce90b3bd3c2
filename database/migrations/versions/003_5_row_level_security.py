"""Row-level security: the second wall between people's data (PostgreSQL)

- ``application_status_history.user_id``: the application's owner on every
  history row (backfilled from ``job_applications``; deleted with the person),
  so that every person-owned table carries ``user_id``.
- PostgreSQL only: ``ENABLE`` + ``FORCE ROW LEVEL SECURITY`` on every table of
  a person's data and on the account and organization tables, with permissive
  policies. The role running this revision (the tables' owner: migrations,
  backups and the trusted local API connect as it) sees and writes every row.
  Any other role (the application role of a hosted deployment) sees and writes
  only the rows of the acting user, bound per transaction with
  ``set_config('auto_applyer.user_id', id, true)``; with no actor bound it sees
  nothing. Owners, admins and coaches of an organization also read its
  members' applications, status history and notes. Before anyone is signed
  in, a transaction may claim one credential (``auto_applyer.token_hash``, the
  SHA-256 of a presented token) or one account (``auto_applyer.email_key``):
  it then sees that account and its tokens, never anyone's data. The helper
  functions that look across tables are ``SECURITY DEFINER`` (run as the
  owner), so no policy reads a table whose policy reads it back.

SQLite has no row-level security: there the revision only adds the column.

Revision ID: 003.5
Revises: 003.4
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "003.5"
down_revision = "003.4"
branch_labels = None
depends_on = None

HISTORY = "application_status_history"
#: Tables of one person's data: the acting user's rows only.
PERSON_TABLES = (
    "user_preferences",
    "resumes",
    "job_applications",
    HISTORY,
    "application_notes",
    "search_history",
    "idempotency_keys",
)
#: Person tables that an organization's owners, admins and coaches read too.
STAFF_READ_TABLES = ("job_applications", HISTORY, "application_notes")
ACCOUNT_TABLES = ("users", "auth_tokens", "organizations", "memberships", "invitations")
SECURED_TABLES = PERSON_TABLES + ACCOUNT_TABLES

ACTOR = "auto_applyer_actor()"
SUBJECT = "auto_applyer_subject()"
CLAIMED_TOKEN = "nullif(current_setting('auto_applyer.token_hash', true), '')"  # noqa: S105 (a setting)
CLAIMED_EMAIL = "nullif(current_setting('auto_applyer.email_key', true), '')"
STAFF = "ARRAY['owner', 'admin', 'coach']"
MANAGERS = "ARRAY['owner', 'admin']"
EVERY_ROLE = "ARRAY['owner', 'admin', 'coach', 'member']"


def _in_organizations(column: str, roles: str) -> str:
    return f"{column} IN (SELECT auto_applyer_organizations({roles}))"


#: The helpers of the policies. Definers run as the owner (whose policy shows every row).
FUNCTIONS = {
    "auto_applyer_actor()": (
        "integer", "STABLE",
        "SELECT nullif(current_setting('auto_applyer.user_id', true), '')::integer",
    ),
    "auto_applyer_subject()": (
        "integer", "STABLE SECURITY DEFINER SET search_path FROM CURRENT",
        f"SELECT coalesce({ACTOR},"  # noqa: S608
        f" (SELECT t.user_id FROM auth_tokens t WHERE t.token_hash = {CLAIMED_TOKEN}),"
        f" (SELECT u.id FROM users u WHERE u.email_key = {CLAIMED_EMAIL}))",
    ),
    "auto_applyer_organizations(roles text[])": (
        "SETOF integer", "STABLE SECURITY DEFINER SET search_path FROM CURRENT",
        f"SELECT m.organization_id FROM memberships m"  # noqa: S608
        f" WHERE m.user_id = {ACTOR} AND m.role = ANY(roles)",
    ),
    "auto_applyer_staff_readable()": (
        "SETOF integer", "STABLE SECURITY DEFINER SET search_path FROM CURRENT",
        f"SELECT m.user_id FROM memberships m JOIN memberships s"  # noqa: S608
        f" ON s.organization_id = m.organization_id"
        f" WHERE s.user_id = {ACTOR} AND s.role = ANY({STAFF})",
    ),
    "auto_applyer_invited_organizations()": (
        "SETOF integer", "STABLE SECURITY DEFINER SET search_path FROM CURRENT",
        f"SELECT i.organization_id FROM invitations i WHERE i.token_hash = {CLAIMED_TOKEN}",  # noqa: S608
    ),
}  # fmt: skip

STAFF_READS = "user_id IN (SELECT auto_applyer_staff_readable())"
ACCOUNT_ROW = f"id = {SUBJECT} OR email_key = {CLAIMED_EMAIL}"
MEMBER_ORGANIZATION = _in_organizations("organization_id", EVERY_ROLE)
MANAGED_ORGANIZATION = _in_organizations("organization_id", MANAGERS)
FOUNDED_OR_INVITED = (
    f"organization_id IN (SELECT o.id FROM organizations o WHERE o.created_by = {ACTOR})"  # noqa: S608
    " OR organization_id IN (SELECT auto_applyer_invited_organizations())"
)
#: (table, policy, command, USING, WITH CHECK) for every role but the owner.
POLICIES = (
    *(
        (table, "aa_actor_rows", "ALL", f"user_id = {ACTOR}", f"user_id = {ACTOR}")
        for table in PERSON_TABLES
    ),
    # Made with the account, before anyone is signed in.
    ("user_preferences", "aa_new_account", "ALL", f"user_id = {SUBJECT}", f"user_id = {SUBJECT}"),
    *((table, "aa_staff_reads", "SELECT", STAFF_READS, None) for table in STAFF_READ_TABLES),
    ("users", "aa_own_account", "ALL", ACCOUNT_ROW, ACCOUNT_ROW),
    ("users", "aa_staff_reads", "SELECT", "id IN (SELECT auto_applyer_staff_readable())", None),
    ("auth_tokens", "aa_own_tokens", "ALL", f"user_id = {SUBJECT}", f"user_id = {SUBJECT}"),
    ("organizations", "aa_read", "SELECT",
     f"created_by = {ACTOR} OR {_in_organizations('id', EVERY_ROLE)}"
     " OR id IN (SELECT auto_applyer_invited_organizations())", None),
    ("organizations", "aa_found", "INSERT", None, f"created_by = {ACTOR}"),
    ("organizations", "aa_manage", "UPDATE",
     _in_organizations("id", EVERY_ROLE), _in_organizations("id", MANAGERS)),
    ("organizations", "aa_delete", "DELETE", _in_organizations("id", "ARRAY['owner']"), None),
    ("memberships", "aa_read", "SELECT", f"user_id = {ACTOR} OR {MEMBER_ORGANIZATION}", None),
    ("memberships", "aa_join", "INSERT", None,
     f"{MANAGED_ORGANIZATION} OR (user_id = {ACTOR} AND ({FOUNDED_OR_INVITED}))"),
    ("memberships", "aa_manage", "UPDATE", MANAGED_ORGANIZATION, MANAGED_ORGANIZATION),
    ("memberships", "aa_leave", "DELETE", f"user_id = {ACTOR} OR {MANAGED_ORGANIZATION}", None),
    ("invitations", "aa_invitations", "ALL",
     f"{MANAGED_ORGANIZATION} OR token_hash = {CLAIMED_TOKEN}",
     f"{MANAGED_ORGANIZATION} OR token_hash = {CLAIMED_TOKEN}"),
    ("invitations", "aa_own_invitations", "SELECT", f"user_id = {ACTOR}", None),
)  # fmt: skip
# The SQL here is assembled from the constants above and the quoted owner name only.


def upgrade() -> None:
    _add_history_owner()
    if op.get_bind().dialect.name == "postgresql":
        _secure_rows()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _unsecure_rows()
    op.drop_index("ix_application_status_history_user", table_name=HISTORY)
    with op.batch_alter_table(HISTORY) as batch:
        batch.drop_constraint(op.f("fk_application_status_history_user_id_users"), "foreignkey")
        batch.drop_column("user_id")


def _add_history_owner() -> None:
    op.add_column(HISTORY, sa.Column("user_id", sa.Integer(), nullable=True))
    op.execute(
        f"UPDATE {HISTORY} SET user_id = (SELECT a.user_id FROM job_applications a"  # noqa: S608
        f" WHERE a.id = {HISTORY}.application_id)"
    )
    with op.batch_alter_table(HISTORY) as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_application_status_history_user_id_users"), "users",
            ["user_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip
    op.create_index("ix_application_status_history_user", HISTORY, ["user_id"])


def _secure_rows() -> None:
    owner = op.get_bind().scalar(sa.text("SELECT format('%I', current_user)"))
    for signature, (returns, options, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {signature} RETURNS {returns}"
            f" LANGUAGE sql {options} AS $$ {body} $$"
        )
    for table in SECURED_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY aa_owner ON {table} TO {owner} USING (true) WITH CHECK (true)")
    for table, name, command, using, check in POLICIES:
        clauses = (f" USING ({using})" if using else "") + (
            f" WITH CHECK ({check})" if check else ""
        )
        op.execute(f"CREATE POLICY {name} ON {table} FOR {command}{clauses}")


def _unsecure_rows() -> None:
    for table in SECURED_TABLES:
        op.execute(f"DROP POLICY IF EXISTS aa_owner ON {table}")
    for table, name, _command, _using, _check in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
    for table in SECURED_TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for signature in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
