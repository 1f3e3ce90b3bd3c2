"""Every table of a person's rows is behind row-level security; the revision undoes cleanly.

The live schema is inspected, so a new table with a ``user_id`` column and no
policy fails here, whoever adds it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from database.connection import DatabaseManager
from database.migrations import MigrationManager

#: Tables without ``user_id`` that hold people's accounts and organizations.
ACCOUNT_TABLES = {"users", "organizations"}
RLS_STATE = text(
    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
    " (SELECT count(*) FROM pg_policies p WHERE p.schemaname = n.nspname"
    "  AND p.tablename = c.relname AND p.policyname <> 'aa_owner') AS policies"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
)


def secured_tables(db: DatabaseManager) -> dict[str, bool]:
    """Each table of the schema: whether RLS is enabled, forced and has a policy of its own."""
    with db.engine.connect() as conn:
        return {
            name: on and forced and count > 0 for name, on, forced, count in conn.execute(RLS_STATE)
        }


def person_tables(db: DatabaseManager) -> set[str]:
    inspector = inspect(db.engine)
    names = inspector.get_table_names()
    with_owner = {t for t in names if any(c["name"] == "user_id" for c in inspector.get_columns(t))}
    return with_owner | ACCOUNT_TABLES


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_every_table_with_a_user_id_has_forced_row_level_security_and_a_policy(
    db: DatabaseManager,
) -> None:
    secured = secured_tables(db)
    tables = person_tables(db)
    assert "idempotency_keys" in tables and "application_status_history" in tables
    unsecured = sorted(t for t in tables if not secured.get(t))
    assert unsecured == []


def test_every_status_history_row_carries_its_owner_after_the_migration(
    db: DatabaseManager,
) -> None:
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("application_status_history")}
    assert columns["user_id"]["nullable"] is False
    keys = inspect(db.engine).get_foreign_keys("application_status_history")
    assert {"users"} <= {k["referred_table"] for k in keys}


def test_the_revision_rolls_back_and_reapplies_cleanly(db: DatabaseManager) -> None:
    manager = MigrationManager(db)
    assert manager.migrate_to_version("003.4")[-1] == "003.5"
    columns = {c["name"] for c in inspect(db.engine).get_columns("application_status_history")}
    assert "user_id" not in columns
    if db.config.database_type == "postgresql":
        assert not any(secured_tables(db).values())
        with db.engine.connect() as conn:
            left = conn.scalar(
                text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'auto_applyer_%'")
            )
        assert left == 0
    assert manager.migrate_to_latest()[0] == "003.5"
    assert "user_id" in {
        c["name"] for c in inspect(db.engine).get_columns("application_status_history")
    }
    if db.config.database_type == "postgresql":
        assert secured_tables(db)["job_applications"]
