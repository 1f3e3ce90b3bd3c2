"""Connection management: environments, sessions, error translation, SQLite settings."""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from database.connection import (
    DatabaseManager,
    cleanup_database,
    db_session_scope,
    get_database_manager,
    get_db_session,
    init_database,
)
from database.core.config import DEFAULT_SQLITE_PATH, DatabaseConfig
from database.models import JobApplication, User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ConfigurationError, DatabaseError, NotInitializedError, ValidationError

SECRET = "s3cret-Pa55word"


@pytest.mark.parametrize(
    "call",
    [
        get_database_manager,
        get_db_session,
        lambda: db_session_scope().__enter__(),
        lambda: DatabaseUtils.create_user(email="a@example.com"),
        lambda: DatabaseUtils.get_user_by_id(1),
    ],
)
def test_use_before_init_says_database_not_initialized(call: Callable[[], object]) -> None:
    cleanup_database()
    with pytest.raises(DatabaseError, match="Database not initialized") as info:
        call()
    assert isinstance(info.value, NotInitializedError)


def test_database_info_describes_the_database(db: DatabaseManager, engine_name: str) -> None:
    info = db.get_database_info()
    assert info["status"] == "connected"
    assert info["database_type"] == ("postgresql" if engine_name == "postgresql" else "sqlite")
    assert info["environment"] == db.config.environment
    assert {"users", "job_applications", "schema_migrations"} <= set(info["tables"])
    assert info["table_count"] == len(info["tables"])
    assert info["schema_version"] == db.schema_version() and info["schema_version"] >= "002"


def test_session_scope_commits_on_success(db: DatabaseManager) -> None:
    with db_session_scope() as session:
        session.add(User(email="a@example.com"))
    assert DatabaseUtils.get_user_by_email("a@example.com") is not None


def test_session_scope_rolls_back_and_reraises(db: DatabaseManager) -> None:
    with pytest.raises(RuntimeError), db_session_scope() as session:
        session.add(User(email="a@example.com"))
        session.flush()
        raise RuntimeError("boom")
    assert DatabaseUtils.get_user_by_email("a@example.com") is None


def test_status_change_and_history_are_all_or_nothing(db: DatabaseManager) -> None:
    from database.domain import applications

    user = DatabaseUtils.create_user(email="a@example.com")
    app = DatabaseUtils.add_job_application(user.id, "Dev", "Co")
    with pytest.raises(RuntimeError), db_session_scope() as session:
        applications.change_status(session, app.id, "offer_received")
        raise RuntimeError("crash between the change and the commit")
    assert existing(DatabaseUtils.get_application(app.id)).status.value == "applied"
    assert len(DatabaseUtils.get_application_history(app.id)) == 1


def test_violated_constraint_becomes_validation_error_with_cause(db: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="a@example.com")
    with pytest.raises(ValidationError) as info, db_session_scope() as session:
        session.add(JobApplication(user_id=user.id, job_title="x", company="y", match_score=150))
    assert info.value.field == "match_score"
    assert isinstance(info.value.__cause__, IntegrityError)


def test_case_insensitive_email_is_enforced_by_the_schema(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError) as info, db_session_scope() as session:
        session.add_all([User(email="a@example.com"), User(email="A@EXAMPLE.COM")])
    assert info.value.field == "email"


def test_foreign_keys_are_enforced(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError) as info, db_session_scope() as session:
        session.add(JobApplication(user_id=4242, job_title="x", company="y"))
    assert info.value.field in ("user_id", "reference")


def test_driver_error_becomes_database_error_with_cause(db: DatabaseManager) -> None:
    with pytest.raises(DatabaseError) as info, db_session_scope() as session:
        session.execute(text("SELECT * FROM no_such_table"))
    assert isinstance(info.value.__cause__, OperationalError | ProgrammingError)


def test_scoped_session_is_thread_local(db: DatabaseManager) -> None:
    registry = db.get_scoped_session()
    assert registry() is registry()
    seen = []
    thread = threading.Thread(target=lambda: seen.append(registry()))
    thread.start()
    thread.join()
    assert seen[0] is not registry()
    registry.remove()


def test_many_threads_can_write_concurrently(db: DatabaseManager) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                user = DatabaseUtils.create_user(email=f"t{n}-{i}@example.com")
                DatabaseUtils.add_job_application(user.id, "Dev", "Co")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db_session_scope() as session:
        assert session.scalar(text("SELECT count(*) FROM job_applications")) == 60


def test_cleanup_database_is_idempotent(db: DatabaseManager) -> None:
    cleanup_database()
    cleanup_database()
    with pytest.raises(NotInitializedError):
        get_database_manager()


# -- SQLite settings -----------------------------------------------------------


@pytest.mark.parametrize("engine_name", ["sqlite_file"], indirect=False)
def test_sqlite_file_settings(db: DatabaseManager) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    path = existing(db.config.sqlite_file)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("engine_name", ["sqlite_memory"], indirect=False)
def test_testing_environment_is_in_memory(db: DatabaseManager) -> None:
    assert db.config.is_memory
    assert db.config.sqlite_file is None
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_synchronous_can_be_relaxed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("DATABASE_SQLITE_SYNCHRONOUS", "NORMAL")
    manager = init_database("development")
    with manager.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1


# -- configuration ---------------------------------------------------------------


def test_environment_defaults_to_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_SQLITE_PATH")
    config = DatabaseConfig.for_environment()
    assert config.environment == "development"
    assert config.sqlite_file == DEFAULT_SQLITE_PATH
    assert DEFAULT_SQLITE_PATH.parts[-2:] == ("data", "auto_applyer.db")


def test_environment_variable_chooses_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "testing")
    manager = init_database()
    assert manager.config.environment == "testing"
    assert manager.config.is_memory


def test_unknown_environment_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="staging"):
        DatabaseConfig.for_environment("staging")


def test_production_url_is_built_from_the_spec_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "DATABASE_HOST": "db.internal",
        "DATABASE_PORT": "6543",
        "DATABASE_NAME": "tracker",
        "DATABASE_USER": "app",
        "DATABASE_PASSWORD": SECRET,
        "DATABASE_POOL_SIZE": "7",
        "DATABASE_MAX_OVERFLOW": "3",
        "DATABASE_POOL_RECYCLE": "120",
        "DATABASE_TIMEOUT": "9",
        "DATABASE_ECHO": "true",
    }.items():
        monkeypatch.setenv(name, value)
    config = DatabaseConfig.for_environment("production")
    url = config.url
    assert (url.drivername, url.host, url.port, url.database, url.username) == (
        "postgresql+psycopg",
        "db.internal",
        6543,
        "tracker",
        "app",
    )
    assert url.password == SECRET
    assert (config.pool_size, config.max_overflow, config.pool_recycle, config.timeout) == (
        7,
        3,
        120,
        9,
    )
    assert config.echo is True
    assert SECRET not in repr(config) and SECRET not in config.safe_url


def test_database_url_overrides_and_postgres_scheme_uses_psycopg(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgres://u:{SECRET}@h:1/d")
    config = DatabaseConfig.for_environment("development")
    assert config.url.drivername == "postgresql+psycopg"
    assert config.database_type == "postgresql"


@pytest.mark.parametrize(("name", "value"), [("DATABASE_PORT", "abc"), ("DATABASE_POOL_SIZE", "0")])
def test_invalid_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        DatabaseConfig.for_environment("production")


def test_invalid_database_url_does_not_echo_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"not a url {SECRET}")
    with pytest.raises(ConfigurationError) as info:
        DatabaseConfig.for_environment("production")
    assert SECRET not in str(info.value)


def test_unreachable_postgres_error_never_shows_the_password(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://app:{SECRET}@127.0.0.1:9/x")
    monkeypatch.setenv("DATABASE_TIMEOUT", "2")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DatabaseError) as info:
        init_database("production")
    message = str(info.value)
    assert "Cannot connect" in message and "127.0.0.1" in message
    assert SECRET not in message
    assert SECRET not in caplog.text
