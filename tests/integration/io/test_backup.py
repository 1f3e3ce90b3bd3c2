"""BackupManager on every engine: complete, private, atomic, validated, all-or-nothing."""

from __future__ import annotations

import gzip
import json
import os
import stat
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from database.connection import DatabaseManager, init_database
from database.core.config import PROJECT_ROOT, DatabaseConfig, parse_url
from database.core.keys import email_key, keys_for
from database.io.backup import BackupManager, verify_backup
from database.io.backup.format import BACKUP_TABLES, FORMAT_VERSION
from database.migrations import MigrationManager
from database.models import ApplicationNote, JobApplication, User
from database.utilities import BackupManager as SpecBackupManager
from database.utilities import DatabaseUtils
from tests.support.backup_files import Document, edited, fill_sample_data, load, row_counts, save
from tests.support.checks import existing
from tests.support.engines import truncate_all
from tests.support.snapshot import snapshot
from utils.errors import BackupError, ValidationError


@pytest.fixture
def backups(db: DatabaseManager, tmp_path: Path) -> BackupManager:
    return BackupManager(backup_dir=tmp_path / "backups")


def test_the_spec_imports_backup_manager_from_utilities() -> None:
    assert SpecBackupManager is BackupManager
    assert BackupManager().backup_dir == PROJECT_ROOT / "backups"


def test_a_backup_holds_every_table_column_id_timestamp_and_password_hash(
    backups: BackupManager,
) -> None:
    ids = fill_sample_data()
    document = load(backups.create_backup("full"))
    data = document["data"]
    assert list(data) == [t.name for t in BACKUP_TABLES]
    assert "schema_migrations" not in data
    for table in BACKUP_TABLES:
        for row in data[table.name]:
            assert set(row) == {c.name for c in table.columns}
    ann = next(u for u in data["users"] if u["id"] == ids["ann"])
    assert ann["password_hash"].startswith("$argon2id$")
    assert ann["created_at"].endswith("+00:00") and ann["skills"] == ["Python", "SQL"]
    first = next(a for a in data["job_applications"] if a["id"] == ids["first"])
    assert first["application_date"] == "2024-01-15T10:30:00.123456+00:00"
    assert first["status"] == "interview_scheduled" and first["match_score"] == 87.25
    history = [h for h in data["application_status_history"] if h["application_id"] == ids["first"]]
    assert [h["to_status"] for h in history] == ["applied", "interview_scheduled"]
    assert data["ai_analysis_cache"][0]["results"] == {"score": 0.8, "tags": ["a", "b"]}
    assert data["system_settings"][0]["setting_value"] == "dark"


def test_metadata_has_the_spec_fields_counts_schema_version_and_checksum(
    db: DatabaseManager, backups: BackupManager
) -> None:
    fill_sample_data()
    metadata = load(backups.create_backup())["metadata"]
    assert metadata["version"] == FORMAT_VERSION
    assert metadata["backup_date"].endswith("Z")
    assert metadata["environment"] == db.config.environment
    assert metadata["schema_version"] == db.schema_version()
    assert metadata["row_counts"] == row_counts()
    assert len(metadata["sha256"]) == 64


def test_backup_restore_backup_gives_identical_data(backups: BackupManager) -> None:
    fill_sample_data()
    first = backups.create_backup("first")
    DatabaseUtils.create_user(email="later@example.com")
    backups.restore_backup(first, confirm=True)
    second = backups.create_backup("second")
    assert load(first)["data"] == load(second)["data"]
    assert load(first)["metadata"]["sha256"] == load(second)["metadata"]["sha256"]


def test_restore_brings_back_deleted_rows_with_their_ids_and_relationships(
    backups: BackupManager,
) -> None:
    ids = fill_sample_data()
    before = snapshot(BACKUP_TABLES)  # the outbox's events are not backed up
    path = backups.create_backup("before_delete")
    DatabaseUtils.delete_user(ids["ann"])
    DatabaseUtils.set_setting("theme", "light")
    backups.restore_backup(path, confirm=True)
    assert snapshot(BACKUP_TABLES) == before
    history = DatabaseUtils.get_application_history(ids["first"])
    assert [h.to_status.value for h in history] == ["applied", "interview_scheduled"]
    assert DatabaseUtils.verify_user_password("ann@example.com", "correct horse battery")


def test_new_rows_after_a_restore_get_fresh_ids(backups: BackupManager) -> None:
    fill_sample_data()
    path = backups.create_backup("ids")
    biggest = max(u["id"] for u in load(path)["data"]["users"])
    backups.restore_backup(path, confirm=True)
    assert DatabaseUtils.create_user(email="new@example.com").id > biggest


def test_restore_without_confirm_is_refused_and_changes_nothing(backups: BackupManager) -> None:
    fill_sample_data()
    path = backups.create_backup("unconfirmed")
    DatabaseUtils.create_user(email="kept@example.com")
    before = snapshot()
    confirm: Any  # deliberately not always a bool
    for confirm in (False, None, "yes", 1):
        with pytest.raises(ValidationError) as info:
            backups.restore_backup(path, confirm=confirm)
        assert info.value.field == "confirm"
    assert snapshot() == before


def test_backup_files_are_private_and_no_temporary_file_is_left(backups: BackupManager) -> None:
    fill_sample_data()
    path = Path(backups.create_backup("private"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["private.json"]


@pytest.mark.parametrize(
    "name",
    ["../x", "../../etc/passwd", "/tmp/abs", "a/b", "a\\b", "..", ".", ".hidden", "x..json",
     "", "   ", "a\x00b", "line\nbreak", "x" * 201],
)  # fmt: skip
def test_a_backup_name_can_never_leave_the_backup_folder(tmp_path: Path, name: str) -> None:
    manager = BackupManager(backup_dir=tmp_path / "backups")
    with pytest.raises(ValidationError) as info:
        manager.create_backup(name)
    assert info.value.field == "backup_name"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == []


def test_an_existing_backup_is_never_replaced(backups: BackupManager) -> None:
    fill_sample_data()
    path = Path(backups.create_backup("same"))
    original = path.read_bytes()
    DatabaseUtils.create_user(email="changed@example.com")
    with pytest.raises(ValidationError) as info:
        backups.create_backup("same.json")
    assert info.value.field == "backup_name"
    assert path.read_bytes() == original


def test_default_names_are_timestamped_and_never_collide(backups: BackupManager) -> None:
    first = Path(backups.create_backup())
    second = Path(backups.create_backup())
    assert first.name.startswith("backup_") and first.suffix == ".json"
    assert first != second and first.exists() and second.exists()


def test_a_json_gz_name_writes_a_gzip_backup_that_restores(backups: BackupManager) -> None:
    ids = fill_sample_data()
    path = Path(backups.create_backup("packed.json.gz"))
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert document["metadata"]["row_counts"]["users"] == 2
    DatabaseUtils.delete_user(ids["bob"])
    backups.restore_backup(path, confirm=True)
    assert DatabaseUtils.get_user_by_id(ids["bob"]) is not None


def test_list_backups_is_newest_first_with_metadata_and_verification(
    db: DatabaseManager, backups: BackupManager
) -> None:
    fill_sample_data()
    older = backups.create_backup("older")
    os.utime(older, (1_000_000_000, 1_000_000_000))
    doc = load(older)
    doc["metadata"]["backup_date"] = "2001-01-01T00:00:00Z"
    save(doc, Path(older))
    newer = backups.create_backup("newer.json.gz")
    listed = backups.list_backups()
    assert [b["path"] for b in listed] == [newer, older]
    entry = listed[0]
    assert entry["filename"] == "newer.json.gz" and entry["size"] == Path(newer).stat().st_size
    assert entry["environment"] == db.config.environment
    assert entry["schema_version"] == db.schema_version()
    assert entry["row_counts"] == row_counts() and entry["verified"] is True
    assert entry["created"].tzinfo is not None


def test_list_backups_flags_a_damaged_backup(backups: BackupManager, tmp_path: Path) -> None:
    fill_sample_data()
    path = Path(backups.create_backup("damaged"))
    path.write_bytes(path.read_bytes().replace(b"ann@example.com", b"eve@example.com"))
    (backups.backup_dir / "notes.txt").write_text("not a backup")
    [entry] = backups.list_backups()
    assert entry["verified"] is False and "sha256" in entry["error"]


def test_verify_backup_checks_everything_and_restores_on_trial(backups: BackupManager) -> None:
    fill_sample_data()
    path = backups.create_backup("good")
    summary = verify_backup(path)
    assert summary.row_counts == row_counts()
    assert backups.verify_backup("good.json").sha256 == summary.sha256


def test_verify_catches_what_only_the_database_checks(
    backups: BackupManager, tmp_path: Path
) -> None:
    fill_sample_data()
    path = backups.create_backup("source")

    def inverted_salary(doc: Document) -> None:
        doc["data"]["job_applications"][0].update(salary_min=90_000, salary_max=10)

    bad = edited(path, tmp_path / "bad.json", inverted_salary)
    with pytest.raises(ValidationError) as info:
        verify_backup(bad)
    assert info.value.field.startswith("backup.data.job_applications[")
    assert info.value.field.endswith("salary_min")


def test_a_row_the_database_rejects_rolls_the_whole_restore_back(
    backups: BackupManager, tmp_path: Path
) -> None:
    fill_sample_data()
    path = backups.create_backup("source")

    def emails_equal_but_for_case(doc: Document) -> None:
        doc["data"]["users"][1]["email"] = doc["data"]["users"][0]["email"].upper()

    bad = edited(path, tmp_path / "dupe.json", emails_equal_but_for_case)
    DatabaseUtils.create_user(email="only-now@example.com")
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        backups.restore_backup(bad, confirm=True)
    assert info.value.field.startswith("backup.data.users[")
    assert snapshot() == before


def test_restore_of_a_missing_file_is_a_validation_error(
    backups: BackupManager, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError) as info:
        backups.restore_backup(tmp_path / "nope.json", confirm=True)
    assert info.value.field == "backup_path"


def test_restoring_an_empty_backup_empties_the_database(
    backups: BackupManager, tmp_path: Path
) -> None:
    empty = backups.create_backup("empty")
    fill_sample_data()
    backups.restore_backup(empty, confirm=True)
    assert set(row_counts().values()) == {0}


def _triggers(db: DatabaseManager) -> Sequence[Any]:
    if db.config.database_type != "sqlite":
        return []
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    with db.engine.connect() as conn:
        return conn.execute(text(query)).all()


def test_full_text_search_finds_restored_rows_and_keeps_indexing_new_ones(
    db: DatabaseManager, backups: BackupManager
) -> None:
    ids = fill_sample_data()
    triggers = _triggers(db)
    path = backups.create_backup("search")
    DatabaseUtils.delete_application(ids["first"])
    assert DatabaseUtils.search_applications(ids["ann"], "PostgreSQL") == []
    backups.restore_backup(path, confirm=True)
    found = DatabaseUtils.search_applications(ids["ann"], "PostgreSQL")
    assert [hit["id"] for hit in found] == [ids["first"]]
    assert _triggers(db) == triggers
    later = DatabaseUtils.add_job_application(ids["ann"], "Kotlin Developer", "Zebra")
    assert [h["id"] for h in DatabaseUtils.search_applications(ids["ann"], "Kotlin")] == [later.id]
    if db.config.database_type == "sqlite":
        with db.engine.begin() as conn:
            for fts in ("job_applications_fts", "resumes_fts"):
                check = f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"
                conn.exec_driver_sql(check)


def test_a_backup_sees_one_moment_and_does_not_block_writers(
    db: DatabaseManager, engine_name: str, backups: BackupManager
) -> None:
    """A write made while the backup streams is committed at once, and not in the backup.

    In-memory SQLite has one connection shared by everyone, so there the writer
    waits for the backup to finish (by design) instead of running alongside it.
    """
    user = DatabaseUtils.create_user(email="bulk@example.com")
    rows = [{"user_id": user.id, "job_title": f"Job {i}", "company": "Bulk"} for i in range(5000)]
    with db.engine.begin() as conn:
        conn.execute(insert(JobApplication), rows)
    written: list[int] = []
    finished = threading.Event()

    def writer() -> None:
        written.append(DatabaseUtils.create_user(email="during@example.com").id)
        finished.set()

    thread = threading.Thread(target=writer)

    def write_during_backup(phase: str, done: int, total: int) -> None:
        if thread.ident is None:
            thread.start()
            if engine_name != "sqlite_memory":
                assert finished.wait(10), "the writer was blocked by the backup"

    path = backups.create_backup("moment", progress=write_during_backup)
    thread.join(30)
    document = load(path)
    assert "during@example.com" not in [u["email"] for u in document["data"]["users"]]
    assert written and DatabaseUtils.get_user_by_id(written[0]) is not None
    assert document["metadata"]["row_counts"]["job_applications"] == 5000


def _pg_manager(request: pytest.FixtureRequest) -> DatabaseManager:
    url = request.getfixturevalue("postgres_url")
    manager = DatabaseManager(DatabaseConfig(environment="production", url=parse_url(url)))
    MigrationManager(manager).migrate_to_latest()
    truncate_all(manager)
    return manager


def test_a_backup_moves_between_sqlite_and_postgresql_intact(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'source.db'}")
    sqlite = init_database("development")
    ids = fill_sample_data()
    pg = _pg_manager(request)
    try:
        to_pg = BackupManager(tmp_path / "b", database_manager=pg)
        from_sqlite = BackupManager(tmp_path / "b").create_backup("from_sqlite")
        to_pg.restore_backup(from_sqlite, confirm=True)
        from_pg = to_pg.create_backup("from_pg.json.gz")
        assert load(from_sqlite)["metadata"]["sha256"] == verify_backup(from_pg).sha256
        with pg.engine.begin() as conn:
            new_id = conn.execute(
                insert(User).values(email="pg-only@example.com").returning(User.id)
            ).scalar_one()
        assert new_id > max(ids["ann"], ids["bob"])
        back = BackupManager(tmp_path / "b", database_manager=pg).create_backup("round")
        BackupManager(tmp_path / "b", database_manager=sqlite).restore_backup(back, confirm=True)
        assert existing(DatabaseUtils.get_user_by_email("pg-only@example.com")).id == new_id
        with sqlite.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        truncate_all(pg)
        pg.close()


def test_restore_refuses_a_backup_from_a_newer_schema(
    backups: BackupManager, tmp_path: Path
) -> None:
    path = backups.create_backup("future")
    future = edited(
        path, tmp_path / "future.json", lambda d: d["metadata"].update(schema_version="999")
    )
    with pytest.raises(ValidationError) as info:
        backups.restore_backup(future, confirm=True)
    assert info.value.field == "backup.metadata.schema_version"


def test_an_unwritable_backup_folder_is_a_backup_error(db: DatabaseManager, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BackupError):
        BackupManager(backup_dir=blocker / "backups").create_backup("x")


# -- safety backups ---------------------------------------------------------------


def test_a_restore_first_writes_a_safety_backup_of_the_data_it_replaces(
    backups: BackupManager,
) -> None:
    ids = fill_sample_data()
    path = backups.create_backup("old")
    DatabaseUtils.create_user(email="only-in-the-current-data@example.com")
    current = snapshot(BACKUP_TABLES)
    summary = backups.restore_backup(path, confirm=True)
    safety = Path(existing(summary.safety_backup))
    assert (
        safety == Path(existing(backups.last_safety_backup)) and safety.parent == backups.backup_dir
    )
    assert safety.name.startswith("pre-restore-") and safety.suffix == ".json"
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600
    assert DatabaseUtils.get_user_by_email("only-in-the-current-data@example.com") is None
    backups.restore_backup(safety, confirm=True)
    assert snapshot(BACKUP_TABLES) == current
    assert DatabaseUtils.get_user_by_id(ids["ann"]) is not None
    assert len([b for b in backups.list_backups() if b["filename"].startswith("pre-restore-")]) == 2


def test_safety_backup_false_writes_none(backups: BackupManager) -> None:
    fill_sample_data()
    path = backups.create_backup("only")
    summary = backups.restore_backup(path, confirm=True, safety_backup=False)
    assert summary.safety_backup is None and backups.last_safety_backup is None
    assert [p.name for p in backups.backup_dir.iterdir()] == ["only.json"]


def test_a_bad_file_is_refused_before_any_safety_backup_is_written(
    backups: BackupManager, tmp_path: Path
) -> None:
    fill_sample_data()
    path = backups.create_backup("good")
    bad = edited(
        path, tmp_path / "bad.json", lambda d: d["metadata"].update(sha256="0" * 64), reseal=False
    )
    with pytest.raises(ValidationError):
        backups.restore_backup(bad, confirm=True)
    assert [p.name for p in backups.backup_dir.iterdir()] == ["good.json"]


# -- email identity and older backups ----------------------------------------------


def test_restore_derives_email_key_from_each_email_and_ignores_the_files(
    backups: BackupManager, tmp_path: Path
) -> None:
    fill_sample_data()
    path = backups.create_backup("source")

    def forged_keys(doc: Document) -> None:
        doc["data"]["users"][0]["email_key"] = "someone-else@example.com"
        doc["data"]["users"][1]["email_key"] = None

    forged = edited(path, tmp_path / "forged.json", forged_keys)
    backups.restore_backup(forged, confirm=True)
    with backups.database.engine.connect() as conn:
        rows = conn.execute(select(User.email, User.email_key)).all()
    assert sorted(existing(key) for _, key in rows) == sorted(email_key(email) for email, _ in rows)
    assert DatabaseUtils.get_user_by_email("ANN@example.com") is not None


def test_restore_derives_posting_keys_from_each_application_and_ignores_the_files(
    backups: BackupManager, tmp_path: Path
) -> None:
    fill_sample_data()
    path = backups.create_backup("source")

    def forged_keys(doc: Document) -> None:
        first, second = doc["data"]["job_applications"][:2]
        first.update(url_key="f" * 32, posting_key=second["posting_key"])
        second.pop("url_key")
        second.pop("posting_key")

    backups.restore_backup(edited(path, tmp_path / "forged.json", forged_keys), confirm=True)
    sources = ("job_url", "company", "job_title", "location")
    with backups.database.engine.connect() as conn:
        rows = conn.execute(select(JobApplication.__table__)).mappings().all()
    assert len(rows) >= 2
    for row in rows:
        expected = keys_for({name: row[name] for name in sources})
        assert {"url_key": row["url_key"], "posting_key": row["posting_key"]} == expected


def test_two_users_whose_emails_differ_only_by_unicode_case_are_refused(
    backups: BackupManager, tmp_path: Path
) -> None:
    fill_sample_data()
    path = backups.create_backup("source")

    def unicode_twins(doc: Document) -> None:
        doc["data"]["users"][0]["email"] = "Émile.Straße@example.org"
        doc["data"]["users"][1]["email"] = "émile.strasse@EXAMPLE.ORG"

    twins = edited(path, tmp_path / "twins.json", unicode_twins)
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        backups.restore_backup(twins, confirm=True)
    assert info.value.field.startswith("backup.data.users[")
    assert snapshot() == before


def _as_format_1_0(doc: Document) -> None:
    """What the previous format wrote, at schema 003: no files, email_key or notes table."""
    del doc["files"]
    del doc["metadata"]["files"]
    doc["metadata"].update(version="1.0", schema_version="003")
    del doc["data"]["application_notes"]
    for user in doc["data"]["users"]:
        del user["email_key"]


def test_a_backup_of_the_previous_format_and_schema_still_restores(
    backups: BackupManager, tmp_path: Path
) -> None:
    ids = fill_sample_data()
    path = backups.create_backup("new")
    old = edited(path, tmp_path / "format_1_0.json", _as_format_1_0)
    assert "application_notes" not in load(old)["metadata"]["row_counts"]
    DatabaseUtils.delete_user(ids["ann"])
    summary = backups.restore_backup(old, confirm=True)
    assert summary.version == "1.0" and summary.files.count == 0
    ann = DatabaseUtils.get_user_by_email("ANN@EXAMPLE.COM")
    assert ann is not None and ann.id == ids["ann"]
    [resume] = DatabaseUtils.get_user_resumes(ann.id, active_only=False)
    assert resume.file_path == "/r/ann.pdf", "a 1.0 backup has no files: paths are kept"
    assert row_counts()["application_notes"] == 0
    verify_backup(old)


def test_application_notes_are_backed_up_and_restored(backups: BackupManager) -> None:
    ids = fill_sample_data()
    assert "application_notes" in [t.name for t in BACKUP_TABLES]
    with backups.database.engine.begin() as conn:
        conn.execute(
            insert(ApplicationNote),
            [{"application_id": ids["first"], "user_id": ids["ann"], "body": "Called back\n☎"}],
        )
    path = backups.create_backup("notes")
    assert [n["body"] for n in load(path)["data"]["application_notes"]] == ["Called back\n☎"]
    DatabaseUtils.delete_application(ids["first"])
    assert row_counts()["application_notes"] == 0
    backups.restore_backup(path, confirm=True)
    with backups.database.engine.connect() as conn:
        assert conn.scalars(select(ApplicationNote.body)).all() == ["Called back\n☎"]


# In-memory SQLite has one shared connection: no writer can run beside a restore there.
@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])
def test_a_write_during_the_safety_backup_waits_for_the_restore_and_is_not_lost(
    db: DatabaseManager, backups: BackupManager
) -> None:
    """The safety backup runs with writers locked out: no write falls between it and the restore."""
    fill_sample_data()
    path = backups.create_backup("target")
    finished = threading.Event()

    def writer() -> None:
        DatabaseUtils.create_user(email="during@example.com")
        finished.set()

    thread = threading.Thread(target=writer)

    def write_during_safety_backup(phase: str, done: int, total: int) -> None:
        if phase == "backing up" and thread.ident is None:
            thread.start()
            assert not finished.wait(0.5), "a writer got in while the safety backup ran"

    summary = backups.restore_backup(path, confirm=True, progress=write_during_safety_backup)
    thread.join(30)
    assert finished.is_set()
    assert DatabaseUtils.get_user_by_email("during@example.com") is not None
    emails = [u["email"] for u in load(existing(summary.safety_backup))["data"]["users"]]
    assert "during@example.com" not in emails
