"""``init_db --grant-app-role``: how a deployment gives its application role data access only."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from database.connection import DatabaseManager
from tests.support.app_role import AppRole
from tests.support.cli import run_init_db


def _url(db: DatabaseManager) -> str:
    return db.config.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_the_granted_role_reads_and_writes_rows_but_cannot_change_the_schema(
    db: DatabaseManager, app_role: AppRole
) -> None:
    result = run_init_db("--grant-app-role", app_role.name, url=_url(db))
    assert result.returncode == 0, result.stderr
    assert f"Granted data access to the role {app_role.name}" in result.stdout

    engine = create_engine(app_role.url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            # Bound to nobody, row-level security shows no one's rows.
            assert conn.scalar(text("SELECT count(*) FROM job_applications")) == 0
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("DROP TABLE job_applications"))
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("DELETE FROM alembic_version"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_granting_a_missing_role_is_one_clear_line_and_a_failure(db: DatabaseManager) -> None:
    result = run_init_db("--grant-app-role", "aa_no_such_role_here", url=_url(db))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "aa_no_such_role_here" in result.stderr + result.stdout


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_role_name_that_is_not_plain_is_refused_before_any_sql(db: DatabaseManager) -> None:
    result = run_init_db("--grant-app-role", 'x"; DROP TABLE users; --', url=_url(db))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "role" in result.stderr


@pytest.mark.parametrize("engine_name", ["sqlite_file"])
def test_sqlite_has_no_roles_to_grant(db: DatabaseManager) -> None:
    result = run_init_db("--grant-app-role", "anyone", url=_url(db))
    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stdout
