"""A reset removes the project's own objects only, never another application's beside them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from database.connection import DatabaseManager
from database.migrations import MigrationManager
from database.utilities import DatabaseUtils
from tests.support.cli import run_init_db
from tests.support.engines import url_for

FOREIGN_TABLE = "other_app_notes"


@pytest.fixture
def foreign(db: DatabaseManager) -> Iterator[Callable[[], None]]:
    """Another application's table, view, index and search objects beside ours; removed after."""
    yield lambda: add_foreign_objects(db)
    with db.engine.begin() as conn:
        conn.execute(text("DROP VIEW IF EXISTS other_app_view"))
        conn.execute(text(f"DROP TABLE IF EXISTS {FOREIGN_TABLE}"))
        conn.execute(text("DROP TABLE IF EXISTS other_app_fts"))
        if db.config.database_type != "sqlite":
            conn.execute(text("DROP FUNCTION IF EXISTS aa_other_app_helper()"))


def add_foreign_objects(db: DatabaseManager) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {FOREIGN_TABLE} (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text(f"INSERT INTO {FOREIGN_TABLE} (id, body) VALUES (1, 'keep me')"))
        conn.execute(text(f"CREATE INDEX ix_other_app_body ON {FOREIGN_TABLE} (body)"))
        conn.execute(text(f"CREATE VIEW other_app_view AS SELECT body FROM {FOREIGN_TABLE}"))
        if db.config.database_type == "sqlite":
            conn.execute(text("CREATE VIRTUAL TABLE other_app_fts USING fts5(body)"))
            conn.execute(text("INSERT INTO other_app_fts (body) VALUES ('searchable')"))
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION aa_other_app_helper() RETURNS integer "
                    "LANGUAGE sql AS 'SELECT 1'"
                )
            )


def assert_foreign_objects_intact(db: DatabaseManager) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(text(f"SELECT body FROM {FOREIGN_TABLE}")).scalar() == "keep me"
        assert conn.execute(text("SELECT body FROM other_app_view")).scalar() == "keep me"
        if db.config.database_type == "sqlite":
            found = conn.execute(
                text("SELECT body FROM other_app_fts WHERE other_app_fts MATCH 'searchable'")
            )
            assert found.scalar() == "searchable"
        else:
            assert conn.execute(text("SELECT aa_other_app_helper()")).scalar() == 1
    indexes = {ix["name"] for ix in inspect(db.engine).get_indexes(FOREIGN_TABLE)}
    assert "ix_other_app_body" in indexes


def test_reset_database_keeps_other_applications_objects(
    db: DatabaseManager, foreign: Callable[[], None]
) -> None:
    user = DatabaseUtils.create_user(email="gone@example.com")
    DatabaseUtils.add_job_application(user.id, "Engineer", "Acme")
    foreign()

    MigrationManager().reset_database(confirm=True)

    assert DatabaseUtils.get_user_by_email("gone@example.com") is None
    assert_foreign_objects_intact(db)
    # The project's schema is back, complete and usable.
    again = DatabaseUtils.create_user(email="back@example.com")
    app = DatabaseUtils.add_job_application(again.id, "Data Engineer", "Initech")
    assert DatabaseUtils.search_applications(again.id, "initech")[0]["id"] == app.id


def test_rollback_of_every_migration_keeps_other_applications_objects(
    db: DatabaseManager, foreign: Callable[[], None]
) -> None:
    foreign()
    manager = MigrationManager()
    manager.rollback_migration("001")
    assert set(db.table_names()) >= {FOREIGN_TABLE}
    assert_foreign_objects_intact(db)
    manager.migrate_to_latest()


@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])
def test_init_db_reset_yes_keeps_other_applications_tables(
    db: DatabaseManager, foreign: Callable[[], None], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    DatabaseUtils.create_user(email="gone@example.com")
    foreign()
    environment = "production" if db.config.database_type == "postgresql" else "development"
    url = url_for(request.getfixturevalue("engine_name"), request, tmp_path)
    db.engine.dispose()

    result = run_init_db("--environment", environment, "--reset", "--yes", url=url)

    assert result.returncode == 0, result.stderr
    assert_foreign_objects_intact(db)
    assert DatabaseUtils.get_user_by_email("gone@example.com") is None
