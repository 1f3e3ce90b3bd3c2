"""Migration 003: search index and posting keys built for existing rows, removed cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from database.connection import DatabaseManager
from database.core.keys import keys_for
from database.migrations import MigrationManager
from database.utilities import DatabaseUtils

SEARCH_TABLES = ("job_applications_fts", "resumes_fts")


def seed_at_002(db: DatabaseManager) -> int:
    """Rows written with plain SQL, as a 002 database would hold them."""
    with db.engine.begin() as conn:
        user_id = conn.execute(
            text("INSERT INTO users (email, skills) VALUES ('old@example.com', '[]') RETURNING id")
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO job_applications (user_id, job_title, company, location, "
                "job_description, job_url, status, is_remote) VALUES "
                "(:u, 'Data Engineer', 'Initech', 'Berlin', 'Airflow and Spark pipelines', "
                "'https://www.jobs.example/1?utm_source=x', 'applied', false)"
            ),
            {"u": user_id},
        )
        conn.execute(
            text(
                "INSERT INTO resumes (user_id, filename, file_path, parsed_text, skills_extracted,"
                " is_active) VALUES (:u, 'cv.pdf', '/cv.pdf', 'Spark specialist', '[]', true)"
            ),
            {"u": user_id},
        )
    return int(user_id)


def search_objects(db: DatabaseManager) -> set[str]:
    with db.engine.connect() as conn:
        if db.config.database_type == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE '%fts%'"
            ).scalars()
            return set(rows)
        functions = conn.execute(
            text("SELECT proname FROM pg_proc WHERE starts_with(proname, 'aa_')")
        ).scalars()
        found = set(functions)
    for table in ("job_applications", "resumes"):
        names = {c["name"] for c in inspect(db.engine).get_columns(table)}
        found |= {f"{table}.{n}" for n in names & {"search_vector"}}
    return found


def history_index(db: DatabaseManager) -> list[str | None]:
    (index,) = [
        ix
        for ix in inspect(db.engine).get_indexes("application_status_history")
        if ix["name"] == "ix_application_status_history_application"
    ]
    return index["column_names"]


def app_columns(db: DatabaseManager) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("job_applications")}


def test_upgrade_indexes_existing_rows_and_downgrade_removes_everything(
    db: DatabaseManager,
) -> None:
    manager = MigrationManager()
    try:
        # Later revisions roll back first.
        assert manager.migrate_to_version("002")[-2:] == ["003.1", "003"]
        assert search_objects(db) == set()
        assert not {"url_key", "posting_key"} & app_columns(db)
        assert history_index(db) == ["application_id", "changed_at"]
        user_id = seed_at_002(db)

        assert manager.migrate_to_latest()[:2] == ["003", "003.1"]
        (hit,) = DatabaseUtils.search_applications(user_id, "airflow")
        assert hit["job_title"] == "Data Engineer"
        assert len(DatabaseUtils.search_resumes(user_id, "spark")) == 1
        (app,) = DatabaseUtils.get_user_applications(user_id)
        assert app.url_key == keys_for({"job_url": "jobs.example/1"})["url_key"]
        assert app.posting_key is not None
        assert history_index(db) == ["application_id", "changed_at", "id", "to_status"]

        manager.rollback_migration("003")
        assert search_objects(db) == set()
        assert not {"url_key", "posting_key"} & app_columns(db)
        with db.engine.connect() as conn:
            titles = conn.exec_driver_sql("SELECT job_title FROM job_applications").scalars()
            assert list(titles) == ["Data Engineer"]

        manager.migrate_to_latest()
        assert len(DatabaseUtils.search_applications(user_id, "spark pipelines")) == 1
        added = DatabaseUtils.add_job_application(user_id, "Spark Developer", "Hooli")
        assert DatabaseUtils.search_applications(user_id, "hooli")[0]["id"] == added.id
    finally:
        manager.migrate_to_latest()


def test_latest_schema_has_the_search_objects(db: DatabaseManager) -> None:
    objects = search_objects(db)
    if db.config.database_type == "sqlite":
        assert set(SEARCH_TABLES) <= objects
        assert {f"job_applications_fts_{t}" for t in ("ai", "ad", "au")} <= objects
    else:
        assert {"job_applications.search_vector", "resumes.search_vector"} <= objects
        assert {"aa_job_applications_search_vector", "aa_resumes_search_vector"} <= objects


@pytest.mark.parametrize("version", ["002", "001"])
def test_downgrade_below_003_leaves_no_search_trigger_behind(
    db: DatabaseManager, version: str
) -> None:
    manager = MigrationManager()
    try:
        manager.migrate_to_version(version)
        assert search_objects(db) == set()
        if version == "002":
            user_id = seed_at_002(db)  # inserts work without the search machinery
            assert user_id > 0
    finally:
        manager.migrate_to_latest()
