"""A reset leaves an empty schema (no project table or function) and migrates it back."""

from __future__ import annotations

from sqlalchemy import text

from database.connection import DatabaseManager
from database.migrations import MigrationManager
from database.migrations.schema_reset import project_tables, search_functions
from database.utilities import DatabaseUtils

# Every function a migration may create: the search triggers' and the row-security helpers.
PROJECT_FUNCTIONS = text(
    "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = current_schema() "
    "AND (p.proname LIKE 'auto\\_applyer\\_%' OR p.proname = ANY(:search))"
)


def _functions(db: DatabaseManager) -> set[str]:
    if db.config.database_type == "sqlite":
        return set()
    with db.engine.connect() as conn:
        return set(conn.execute(PROJECT_FUNCTIONS, {"search": search_functions()}).scalars())


def test_dropping_everything_leaves_no_project_table_or_function(db: DatabaseManager) -> None:
    DatabaseUtils.create_user(email="gone@example.com")
    manager = MigrationManager()
    if db.config.database_type != "sqlite":
        assert {"auto_applyer_actor", "auto_applyer_organizations"} <= _functions(db)

    manager.drop_everything()

    assert not set(db.table_names()) & set(project_tables())
    assert _functions(db) == set()
    manager.migrate_to_latest()


def test_a_reset_migrates_the_schema_back_with_its_functions(db: DatabaseManager) -> None:
    before = _functions(db)
    DatabaseUtils.create_user(email="gone@example.com")

    MigrationManager().reset_database(confirm=True)

    assert _functions(db) == before
    assert DatabaseUtils.get_user_by_email("gone@example.com") is None
    again = DatabaseUtils.create_user(email="back@example.com")
    app = DatabaseUtils.add_job_application(again.id, "Data Engineer", "Initech")
    assert DatabaseUtils.search_applications(again.id, "initech")[0]["id"] == app.id
