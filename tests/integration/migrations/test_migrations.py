"""Migrations: models agree with the migrated schema; every step goes down and up."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from database.connection import DatabaseManager, init_database
from database.core.keys import version_key
from database.migrations import Migration, MigrationManager, builtin_migrations
from database.migrations.compare import schema_differences
from database.utilities import DatabaseUtils
from utils.errors import MigrationError, ValidationError


def columns(db: DatabaseManager, table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def seed() -> int:
    user = DatabaseUtils.create_user(email="keep@example.com", skills=["SQL"])
    app = DatabaseUtils.add_job_application(user.id, "Dev", "Co", match_score=70)
    DatabaseUtils.update_application_status(app.id, "screening")
    return user.id


def test_builtin_migrations_form_one_chain() -> None:
    versions = [m.version for m in builtin_migrations()]
    assert versions[:2] == ["001", "002"]
    assert versions == sorted(versions, key=version_key)
    assert len(set(versions)) == len(versions)


def test_models_match_the_migrated_schema(db: DatabaseManager) -> None:
    with db.engine.connect() as conn:
        assert schema_differences(conn) == []


def test_email_identity_has_a_unique_index(db: DatabaseManager) -> None:
    indexes = {ix["name"]: ix for ix in inspect(db.engine).get_indexes("users")}
    assert indexes["uq_users_email_key"]["unique"]
    assert indexes["uq_users_email_key"]["column_names"] == ["email_key"]


def test_spec_performance_indexes_exist(db: DatabaseManager) -> None:
    expected = {
        "job_applications": {"ix_job_applications_user_date", "ix_job_applications_status"},
        "resumes": {"ix_resumes_user_active"},
        "search_history": {"ix_search_history_user_date"},
    }
    for table, names in expected.items():
        present = {ix["name"] for ix in inspect(db.engine).get_indexes(table)}
        assert names <= present, table
    user_date = next(
        ix
        for ix in inspect(db.engine).get_indexes("job_applications")
        if ix["name"] == "ix_job_applications_user_date"
    )
    assert user_date["column_names"] == ["user_id", "application_date"]


def test_status_reports_applied_and_pending(db: DatabaseManager) -> None:
    manager = MigrationManager()
    status = manager.get_migration_status()
    latest = builtin_migrations()[-1].version
    assert status["current_version"] == latest
    assert status["pending_count"] == 0
    assert status["applied_count"] == status["total_count"] == len(builtin_migrations())
    first = status["migrations"][0]
    assert first["version"] == "001" and first["applied"] and first["applied_at"].tzinfo
    assert first["description"] == "Initial database schema"


def test_every_migration_goes_down_and_up_with_data(db: DatabaseManager) -> None:
    user_id = seed()
    manager = MigrationManager()
    versions = [m.version for m in builtin_migrations()]
    for version in reversed(versions[1:]):
        manager.rollback_migration(version)
        assert manager.get_migration_status()["pending_versions"][0] == version
        with db.engine.connect() as conn:  # the live models describe the latest schema only
            email = conn.execute(text("SELECT email FROM users WHERE id = :id"), {"id": user_id})
            assert email.scalar() == "keep@example.com"
    assert manager.migrate_to_latest() == versions[1:]
    assert len(DatabaseUtils.get_user_applications(user_id)) == 1
    with db.engine.connect() as conn:
        assert schema_differences(conn) == []


def test_rolling_back_the_first_migration_empties_the_schema(db: DatabaseManager) -> None:
    seed()
    manager = MigrationManager()
    rolled_back = manager.rollback_migration("001")
    assert rolled_back[-1] == "001"
    assert set(db.table_names()) <= {"alembic_version"}
    assert not db.has_table("users") and not db.has_table("schema_migrations")
    assert db.schema_version() is None
    assert manager.get_migration_status()["applied_count"] == 0
    manager.migrate_to_latest()
    assert DatabaseUtils.get_user_by_email("keep@example.com") is None
    assert "users" in db.table_names()
    assert db.has_table("users") and db.has_table("schema_migrations")


def test_migrate_to_version_moves_both_ways(db: DatabaseManager) -> None:
    manager = MigrationManager()
    manager.migrate_to_version("001")
    assert manager.get_migration_status()["current_version"] == "001"
    assert "ix_job_applications_status" not in {
        ix["name"] for ix in inspect(db.engine).get_indexes("job_applications")
    }
    manager.migrate_to_version("002")
    assert "002" in manager.get_migration_status()["applied_versions"]
    manager.migrate_to_latest()


def test_unknown_versions_are_rejected(db: DatabaseManager) -> None:
    manager = MigrationManager()
    with pytest.raises(ValidationError) as info:
        manager.migrate_to_version("999")
    assert info.value.field == "version"
    with pytest.raises(ValidationError):
        manager.rollback_migration("nope")


def test_rolling_back_an_unapplied_migration_changes_nothing(db: DatabaseManager) -> None:
    manager = MigrationManager()
    manager.migrate_to_version("001")
    assert manager.rollback_migration("002") == []
    assert manager.get_migration_status()["current_version"] == "001"
    manager.migrate_to_latest()


def test_spec_custom_migration_004_applies_and_rolls_back(db: DatabaseManager) -> None:
    def migration_004_upgrade(session: Session) -> None:
        """Add new column example."""
        session.execute(
            text("""
        ALTER TABLE users ADD COLUMN phone_verified BOOLEAN DEFAULT FALSE
    """)
        )

    def migration_004_downgrade(session: Session) -> None:
        """Remove new column example."""
        session.execute(
            text("""
        ALTER TABLE users DROP COLUMN phone_verified
    """)
        )

    migration_manager = MigrationManager()
    migration_manager.migrations.append(
        Migration(
            "004", "Add phone verification field", migration_004_upgrade, migration_004_downgrade
        )
    )
    seed()
    try:
        assert migration_manager.migrate_to_latest() == ["004"]
        assert "phone_verified" in columns(db, "users")
        status = migration_manager.get_migration_status()
        assert status["current_version"] == "004" and status["pending_count"] == 0
    finally:
        assert migration_manager.rollback_migration("004") == ["004"]
    assert "phone_verified" not in columns(db, "users")
    assert migration_manager.get_migration_status()["pending_versions"] == ["004"]
    assert DatabaseUtils.get_user_by_email("keep@example.com") is not None


def test_failed_migration_leaves_no_trace(db: DatabaseManager) -> None:
    def half_done(session: Session) -> None:
        session.execute(text("ALTER TABLE users ADD COLUMN half_done INTEGER"))
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))

    manager = MigrationManager()
    manager.migrations.append(Migration("005", "Fails half-way", half_done, half_done))
    with pytest.raises(MigrationError, match="005"):
        manager.migrate_to_latest()
    assert "half_done" not in columns(db, "users")
    assert manager.get_migration_status()["pending_versions"] == ["005"]


def test_duplicate_versions_are_refused(db: DatabaseManager) -> None:
    manager = MigrationManager()
    manager.migrations.append(Migration("001", "again", lambda s: None, lambda s: None))
    with pytest.raises(MigrationError, match="twice"):
        manager.get_migration_status()


def test_reset_requires_confirmation(db: DatabaseManager) -> None:
    seed()
    manager = MigrationManager()
    with pytest.raises(ValidationError) as info:
        manager.reset_database()
    assert info.value.field == "confirm"
    assert DatabaseUtils.get_user_by_email("keep@example.com") is not None
    manager.reset_database(confirm=True)
    assert DatabaseUtils.get_user_by_email("keep@example.com") is None
    assert manager.get_migration_status()["pending_count"] == 0


def test_init_database_with_drop_existing_starts_empty(db: DatabaseManager) -> None:
    seed()
    init_database(db.config.environment, drop_existing=True)
    assert DatabaseUtils.get_user_by_email("keep@example.com") is None


@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])
def test_init_database_keeps_data_and_is_idempotent(db: DatabaseManager) -> None:
    seed()
    init_database(db.config.environment)
    assert DatabaseUtils.get_user_by_email("keep@example.com") is not None
