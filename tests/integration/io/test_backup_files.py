"""Backups hold the resume and cover letter files their rows point at; restores put them back.

Machine A (the source) and machine B (the target) have data folders of their
own (``$AUTO_APPLYER_DATA_DIR``); machine A's folder is deleted before each
restore on B, so every file B ends up with came out of the backup.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
import random
import shutil
import stat
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Enum, Float, Integer, String, Table, Text, insert, select

from database.connection import DatabaseManager
from database.core.column_types import JSONValue, UTCDateTime
from database.core.config import DatabaseConfig, parse_url
from database.core.files import DATA_DIR_VARIABLE
from database.io.backup import BackupManager, verify_backup
from database.io.backup.columns import DERIVED
from database.io.backup.files import CHUNK_BYTES
from database.io.backup.format import BACKUP_TABLES
from database.migrations import MigrationManager
from database.utilities import DatabaseUtils
from tests.support.backup_files import Document, edited, load
from tests.support.engines import truncate_all
from tests.support.snapshot import snapshot
from utils.errors import ValidationError

ROWS = 4
MB = 1024 * 1024
TEXTS = ["  padded\tand spaced  ", "line one\nline two\r\n\ttab é\u0301 😀 中文 ß", "", None]
LONG_TEXT = ("Ünïcødé line with spaces   and\ttabs\n" * 3000)[:100_000]
JSONS: list[Any] = [
    ["Python", "  C++ ", "ünï 😀", ""],
    [],
    {"nested": [1, 2.5, None, "x\ny"], "empty": {}, "ключ": True},
    None,
]
STAMPS = [
    datetime(2024, 1, 15, 10, 30, 0, 123456, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2038, 1, 19, 3, 14, 8, 1, tzinfo=UTC),
    None,
]


# -- machines and files -------------------------------------------------------


@pytest.fixture
def machine_a(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Machine A's data folder, the one the source database's resumes live in."""
    folder = tmp_path / "machine_a"
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    return folder


def move_to_machine_b(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine_a: Path) -> Path:
    """From now on the data folder is machine B's; machine A's files are gone."""
    shutil.rmtree(machine_a, ignore_errors=True)
    folder = tmp_path / "machine_b"
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    return folder


def put_file(folder: Path, content: bytes, name: str) -> Path:
    """A resume file stored the way the dashboard stores one (private)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    path.write_bytes(content)
    path.chmod(0o600)
    return path


def files_under(folder: Path) -> dict[str, bytes]:
    """Every regular file under ``folder`` (hidden ones included), by relative path."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# -- awkward data in every table ------------------------------------------------


def _value(table: Table, column: Any, row: int) -> Any:
    """An awkward value of ``column`` for row ``row`` (0..3), within its rules."""
    if column.primary_key:
        return row + 1
    if column.foreign_keys:
        return row + 1
    kind = column.type
    nullable = bool(column.nullable)
    if isinstance(kind, UTCDateTime):
        return STAMPS[row] if STAMPS[row] is not None or nullable else STAMPS[0]
    if isinstance(kind, JSONValue):
        return JSONS[row]  # the last is JSON null, a value of its own
    if isinstance(kind, Enum):
        return None if nullable and row == 3 else list(kind.enums)[row % len(kind.enums)]
    if isinstance(kind, Boolean):
        return row % 2 == 0
    if isinstance(kind, Integer):
        return [0, 2**31 - 1, 7, None][row] if nullable else [0, 2**31 - 1, 7, 3][row]
    if isinstance(kind, Float):
        return [0.1, 87.25, 100.0, None][row] if nullable else [0.1, 87.25, 100.0, 1e-9][row]
    if isinstance(kind, Text):
        return (
            [LONG_TEXT, TEXTS[1], "", None][row]
            if nullable
            else [LONG_TEXT, TEXTS[1], "", "x"][row]
        )
    if isinstance(kind, String):
        text = TEXTS[row] if TEXTS[row] is not None or nullable else "último"
        return text if text is None or kind.length is None else text[: kind.length]
    raise AssertionError(f"no awkward value for {table.name}.{column.name}")


def awkward_rows(table: Table) -> list[dict[str, Any]]:
    rows = []
    for row in range(ROWS):
        values = {c.name: _value(table, c, row) for c in table.columns}
        if table.name == "users":
            values["email"] = [" Ünïcødé.One@Exämple.ORG ", "two+tag@example.org",
                               "ДВА@пример.рф", "ß@strasse.de"][row]  # fmt: skip
        if table.name in ("organizations", "contacts", "tags") and not values["name"]:
            # CHECKs refuse an empty name or slug.
            values.update(name="\u00a0último")
            if table.name == "organizations":
                values.update(slug="\u00a0ultimo")
        if table.name == "idempotency_keys":
            # CHECKs refuse an empty key and a status outside 100..599.
            values.update(
                key=values["key"] or "\u00a0último", status_code=[100, 599, 201, None][row]
            )
        if table.name == "user_preferences":
            # A CHECK keeps the follow-up wait within 1..365 days.
            values["follow_up_days"] = [1, 365, 14, 7][row]
            # And the archiving period within 1..3650 days, or NULL (off).
            values["archive_after_days"] = [1, 3650, 90, None][row]
        # Derived columns hold what their sources give, as the application writes them.
        for (name, column), (sources, derive) in DERIVED.items():
            if name == table.name:
                values[column] = derive(*(values[source] for source in sources))
        rows.append(values)
    return rows


#: The files of cover letters 1 and 4 (letter 2 shares resume 2's file, letter 3 has none).
LETTERS = {1: "Dear team, ✉ 中文".encode(), 4: b"letter four"}


def fill_every_table(manager: DatabaseManager, data: Path) -> dict[int, bytes]:
    """Four awkward rows in every table, and the stored files: returns content by resume id.

    Resume 1 and 4 share one file; resume 3's path is relative to the data folder
    and its file is empty; resume 2's file is 5 MB of random bytes. Cover letter
    1 has a file of its own, 2 the file of resume 2, 3 none, and 4's path is
    relative (their contents: :data:`LETTERS`).
    """
    rng = random.Random(8)
    resumes = data / "resumes"
    contents = {1: bytes(range(256)) * 40, 2: rng.randbytes(5 * MB), 3: b""}
    shared = put_file(resumes / "1", contents[1], "a1b2.pdf")
    paths = {
        1: str(shared),
        2: str(put_file(resumes / "2", contents[2], "c3d4.docx")),
        3: "resumes/3/empty.txt",
        4: str(shared),
    }
    put_file(resumes / "3", b"", "empty.txt")
    contents[4] = contents[1]
    letters = data / "cover_letters"
    letter_paths = {
        1: str(put_file(letters / "1", LETTERS[1], "l1.txt")),
        2: paths[2],
        3: None,
        4: "cover_letters/4/l4.pdf",
    }
    put_file(letters / "4", LETTERS[4], "l4.pdf")
    with manager.engine.begin() as conn:
        for table in BACKUP_TABLES:
            rows = awkward_rows(table)
            if table.name == "resumes":
                for row in rows:
                    row["file_path"] = paths[row["id"]]
            if table.name == "cover_letters":
                for row in rows:
                    row["file_path"] = letter_paths[row["id"]]
                    if row["file_path"] is None and row["body"] is None:
                        row["body"] = "x"  # a CHECK wants its text or its file
            conn.execute(insert(table), rows)
    return contents


def all_rows(manager: DatabaseManager) -> dict[str, list[dict[str, Any]]]:
    with manager.engine.connect() as conn:
        return {
            t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id))]
            for t in BACKUP_TABLES
        }


def _without_path(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "file_path"}


def fresh_target(engine_name: str, db: DatabaseManager, folder: Path) -> DatabaseManager:
    """An empty database on machine B, on the same kind of engine as ``db``."""
    if engine_name == "postgresql":
        truncate_all(db)
        return db
    folder.mkdir(parents=True, exist_ok=True)
    url = parse_url(f"sqlite:///{folder / 'target.db'}")
    manager = DatabaseManager(DatabaseConfig(environment="development", url=url))
    MigrationManager(manager).migrate_to_latest()
    return manager


# -- the tests ------------------------------------------------------------------------


def test_every_row_and_file_survives_a_move_to_another_machine_exactly(
    db: DatabaseManager,
    engine_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    machine_a: Path,
) -> None:
    contents = fill_every_table(db, machine_a)
    before = all_rows(db)
    assert all(len(rows) == ROWS for rows in before.values()), "every table is filled"
    backup = BackupManager(tmp_path / "backups").create_backup("move")
    machine_b = move_to_machine_b(tmp_path, monkeypatch, machine_a)
    target = fresh_target(engine_name, db, machine_b)
    try:
        backups = BackupManager(tmp_path / "backups", database_manager=target)
        summary = backups.restore_backup(backup, confirm=True)
        after = all_rows(target)
    finally:
        if target is not db:
            target.close()
    assert summary.files.count == 5 and summary.files.missing == ()
    for table in BACKUP_TABLES:
        assert [_without_path(r) for r in after[table.name]] == [
            _without_path(r) for r in before[table.name]
        ], table.name
    restored = {r["id"]: Path(r["file_path"]) for r in after["resumes"]}
    resume_dir = (machine_b / "resumes").resolve()
    # Each file goes to the folder of the user of the first resume that uses it.
    folders = {1: "1", 2: "2", 3: "3", 4: "1"}
    for resume_id, path in restored.items():
        assert path.parent == resume_dir / folders[resume_id], path
        assert path.read_bytes() == contents[resume_id]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert restored[1] == restored[4], "one file shared by two resumes stays one file"
    assert restored[2].suffix == ".docx" and restored[3].suffix == ".txt"
    assert len(files_under(machine_b / "resumes")) == 3, "no staging or extra file is left"
    letters = {r["id"]: r["file_path"] for r in after["cover_letters"]}
    letter_dir = (machine_b / "cover_letters").resolve()
    for letter_id in (1, 4):
        path = Path(letters[letter_id])
        assert path.parent == letter_dir / str(letter_id), path
        assert path.read_bytes() == LETTERS[letter_id]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(letter_dir.stat().st_mode) == 0o700
    assert Path(letters[2]) == restored[2], "a file a resume and a letter share stays one file"
    assert letters[3] is None
    assert len(files_under(machine_b / "cover_letters")) == 2


def test_a_backup_holds_each_resume_file_once_with_its_size_and_checksum(
    db: DatabaseManager, tmp_path: Path, machine_a: Path
) -> None:
    contents = fill_every_table(db, machine_a)
    document = load(BackupManager(tmp_path / "backups").create_backup("files"))
    entries = {entry["path"]: entry for entry in document["files"]}
    stored = {r["id"]: r["file_path"] for r in document["data"]["resumes"]}
    letters = {r["id"]: r["file_path"] for r in document["data"]["cover_letters"]}
    assert list(entries) == [stored[1], stored[2], stored[3], letters[1], letters[4]]
    for letter_id, content in LETTERS.items():
        entry = entries[letters[letter_id]]
        assert b"".join(base64.b64decode(c) for c in entry["content"]) == content
    for resume_id in (1, 2, 3):
        entry = entries[stored[resume_id]]
        data = b"".join(base64.b64decode(chunk) for chunk in entry["content"])
        assert data == contents[resume_id]
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert all(len(base64.b64decode(c)) <= CHUNK_BYTES for c in entry["content"])
    assert document["metadata"]["files"] == {
        "count": 5,
        "bytes": sum(len(contents[i]) for i in (1, 2, 3)) + sum(map(len, LETTERS.values())),
        "missing": [],
    }


def test_files_that_cannot_be_read_are_listed_as_missing_and_the_backup_succeeds(
    db: DatabaseManager, tmp_path: Path, machine_a: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    kept = put_file(machine_a / "resumes" / str(user.id), b"kept", "k.txt")
    folder = machine_a / "resumes" / "a-folder"
    folder.mkdir(parents=True)
    fifo = machine_a / "pipe.pdf"
    os.mkfifo(fifo)  # opening it for reading would block a careless backup forever
    paths = [str(kept), "/nowhere/cv.pdf", str(folder), str(fifo), "../../etc/x"]
    for path in paths:
        DatabaseUtils.add_resume(user.id, "cv.pdf", path)
    with caplog.at_level(logging.WARNING, logger="database.io.backup"):
        backup = BackupManager(tmp_path / "backups").create_backup("partial")
    metadata = load(backup)["metadata"]
    assert metadata["files"]["count"] == 1
    assert metadata["files"]["missing"] == [
        {"path": "/nowhere/cv.pdf", "reason": "not found"},
        {"path": str(folder), "reason": "not a regular file"},
        {"path": str(fifo), "reason": "not a regular file"},
        {"path": "../../etc/x", "reason": "not found"},
    ]
    assert "4 resume file(s) could not be read" in caplog.text
    listed = BackupManager(tmp_path / "backups").list_backups()[0]
    assert listed["verified"] and listed["files"] == 1 and len(listed["missing_files"]) == 4
    BackupManager(tmp_path / "backups").restore_backup(backup, confirm=True, safety_backup=False)
    restored = [r.file_path for r in DatabaseUtils.get_user_resumes(user.id, active_only=False)]
    # The missing ones keep their path as it was; the one file is restored under a new name.
    assert sorted(p for p in restored if p in paths) == sorted(paths[1:])
    [new] = [Path(p) for p in restored if p not in paths]
    assert new.read_bytes() == b"kept" and new.parent == kept.parent


def test_a_path_in_the_backup_never_decides_where_a_file_is_written(
    db: DatabaseManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine_a: Path
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    real = put_file(machine_a / "resumes" / str(user.id), b"payload", "cv.txt")
    DatabaseUtils.add_resume(user.id, "cv.txt", str(real))
    good = BackupManager(tmp_path / "backups").create_backup("good")
    machine_b = move_to_machine_b(tmp_path, monkeypatch, machine_a)
    escape = tmp_path / "escaped"
    hostile_paths = ["../../escaped/x.sh", str(escape / "abs.txt"), f"{machine_b}/../escaped/y"]
    for number, hostile in enumerate(hostile_paths):

        def aim(document: Document, hostile: str = hostile) -> None:
            document["data"]["resumes"][0]["file_path"] = hostile
            document["files"][0]["path"] = hostile

        bad = edited(good, tmp_path / f"hostile_{number}.json", aim)
        BackupManager(tmp_path / "backups").restore_backup(bad, confirm=True)
        [resume] = DatabaseUtils.get_user_resumes(user.id, active_only=False)
        restored = Path(resume.file_path)
        assert restored.is_relative_to((machine_b / "resumes").resolve())
        assert restored.read_bytes() == b"payload"
    assert not escape.exists()
    assert not [p for p in tmp_path.rglob("*") if p.name in ("x.sh", "abs.txt", "y")]


def _chunk(document: Document) -> None:
    content = document["files"][0]["content"]
    data = bytearray(base64.b64decode(content[0]))
    data[0] ^= 0xFF
    content[0] = base64.b64encode(bytes(data)).decode()


def _sha(document: Document) -> None:
    document["files"][0]["sha256"] = "0" * 64


def _forged(document: Document) -> None:
    _chunk(document)
    entry = document["files"][0]
    data = b"".join(base64.b64decode(chunk) for chunk in entry["content"])
    entry["sha256"] = hashlib.sha256(data).hexdigest()


def _bad_base64(document: Document) -> None:
    document["files"][0]["content"][0] = "not base64!"


def _unused(document: Document) -> None:
    document["files"].append(dict(document["files"][0], path="/not/used/by/any/resume"))


def _unaccounted(document: Document) -> None:
    first = document["data"]["resumes"][0]
    second = dict(first, id=first["id"] + 1, file_path="/neither/a/file/nor/missing")
    document["data"]["resumes"].append(second)


def _also_missing(document: Document) -> None:
    document["metadata"]["files"]["missing"].append({"path": document["files"][0]["path"],
                                                     "reason": "x"})  # fmt: skip


def _dropped_files(document: Document) -> None:
    del document["files"]


TAMPERED = {
    "content changed": (_chunk, True, "backup.files[0].sha256"),
    "checksum of the file changed": (_sha, True, "backup.files[0].sha256"),
    "content and its checksum forged": (_forged, False, "backup.metadata.sha256"),
    "content not base64": (_bad_base64, True, "backup.files[0].content"),
    "file no resume uses": (_unused, True, "backup.files[1].path"),
    "resume with no file": (_unaccounted, True, "backup.data.resumes[1].file_path"),
    "file both held and missing": (_also_missing, True, "backup.files[0].path"),
    "files section removed": (_dropped_files, True, "backup.files"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_file_section_is_rejected_and_nothing_changes(
    db: DatabaseManager, tmp_path: Path, machine_a: Path, case: str
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    real = put_file(machine_a / "resumes" / str(user.id), b"x" * 1000, "cv.pdf")
    DatabaseUtils.add_resume(user.id, "cv.pdf", str(real))
    backups = BackupManager(tmp_path / "backups")
    good = backups.create_backup("good")
    DatabaseUtils.create_user(email="later@example.com")
    change, reseal, field = TAMPERED[case]
    bad = edited(good, tmp_path / "bad.json", change, reseal=reseal)
    before, files_before = snapshot(), files_under(machine_a)
    with pytest.raises(ValidationError) as info:
        backups.restore_backup(bad, confirm=True)
    assert info.value.field == field
    with pytest.raises(ValidationError):
        verify_backup(bad)
    assert snapshot() == before and files_under(machine_a) == files_before
    assert [p.name for p in backups.backup_dir.iterdir()] == ["good.json"], "no safety backup"


def test_a_restore_the_database_rejects_leaves_no_new_file_and_the_old_ones_untouched(
    db: DatabaseManager, tmp_path: Path, machine_a: Path
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    real = put_file(machine_a / "resumes" / str(user.id), b"old file", "cv.pdf")
    DatabaseUtils.add_resume(user.id, "cv.pdf", str(real))
    DatabaseUtils.add_job_application(user.id, "Dev", "Acme")
    backups = BackupManager(tmp_path / "backups")
    good = backups.create_backup("good")

    def inverted_salary(document: Document) -> None:
        document["data"]["job_applications"][0].update(salary_min=9, salary_max=1)

    bad = edited(good, tmp_path / "check.json", inverted_salary)
    before, files_before = snapshot(), files_under(machine_a)
    with pytest.raises(ValidationError) as info:
        backups.restore_backup(bad, confirm=True)
    assert info.value.field.startswith("backup.data.job_applications[")
    assert snapshot() == before
    assert files_under(machine_a) == files_before, "no new, staged or changed file"
    assert backups.last_safety_backup is not None
    safety = Path(backups.last_safety_backup)
    assert safety.name.startswith("pre-restore-") and safety.is_file()


def test_restoring_on_the_same_machine_keeps_the_files_of_the_replaced_data(
    db: DatabaseManager, tmp_path: Path, machine_a: Path
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    real = put_file(machine_a / "resumes" / str(user.id), b"mine", "cv.pdf")
    DatabaseUtils.add_resume(user.id, "cv.pdf", str(real))
    backups = BackupManager(tmp_path / "backups")
    path = backups.create_backup("same")
    backups.restore_backup(path, confirm=True)
    [resume] = DatabaseUtils.get_user_resumes(user.id, active_only=False)
    assert resume.file_path != str(real) and Path(resume.file_path).read_bytes() == b"mine"
    assert real.read_bytes() == b"mine", "a restore never deletes a file"


def test_a_gzip_backup_carries_the_files_too(
    db: DatabaseManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine_a: Path
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    content = random.Random(3).randbytes(300_000)
    real = put_file(machine_a / "resumes" / str(user.id), content, "cv.pdf")
    DatabaseUtils.add_resume(user.id, "cv.pdf", str(real))
    path = BackupManager(tmp_path / "backups").create_backup("packed.json.gz")
    assert json.loads(gzip.decompress(Path(path).read_bytes()))["metadata"]["files"]["count"] == 1
    move_to_machine_b(tmp_path, monkeypatch, machine_a)
    BackupManager(tmp_path / "backups").restore_backup(path, confirm=True)
    [resume] = DatabaseUtils.get_user_resumes(user.id, active_only=False)
    assert Path(resume.file_path).read_bytes() == content


def test_verify_restores_the_files_on_trial_and_writes_nothing_here(
    db: DatabaseManager, tmp_path: Path, machine_a: Path
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    real = put_file(machine_a / "resumes" / str(user.id), b"cv", "cv.txt")
    DatabaseUtils.add_resume(user.id, "cv.txt", str(real))
    path = BackupManager(tmp_path / "backups").create_backup("v")
    before = files_under(machine_a)
    assert verify_backup(path).files.count == 1
    assert files_under(machine_a) == before


def test_the_staging_folder_of_a_killed_restore_is_removed_by_the_next_one(
    db: DatabaseManager, tmp_path: Path, machine_a: Path
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    real = put_file(machine_a / "resumes" / str(user.id), b"cv", "cv.txt")
    DatabaseUtils.add_resume(user.id, "cv.txt", str(real))
    path = BackupManager(tmp_path / "backups").create_backup("k")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = machine_a / "resumes" / f".restoring.{int(dead.stdout)}.0123abcd"
    stale.mkdir()
    (stale / "0").write_bytes(b"half a file")
    BackupManager(tmp_path / "backups").restore_backup(path, confirm=True, safety_backup=False)
    assert not stale.exists()


def test_memory_stays_flat_while_files_are_backed_up_and_restored(
    db: DatabaseManager, tmp_path: Path, machine_a: Path
) -> None:
    user = DatabaseUtils.create_user(email="ann@example.com")
    rng = random.Random(5)
    for number in range(4):
        real = put_file(
            machine_a / "resumes" / str(user.id), rng.randbytes(5 * MB), f"{number}.pdf"
        )
        DatabaseUtils.add_resume(user.id, f"{number}.pdf", str(real))
    backups = BackupManager(tmp_path / "backups")
    tracemalloc.start()
    try:
        path = backups.create_backup("big")
        _, backup_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        backups.restore_backup(path, confirm=True, safety_backup=False)
        _, restore_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert backup_peak < 3 * MB, f"backing up 20 MB of files took {backup_peak / MB:.1f} MB"
    assert restore_peak < 3 * MB, f"restoring 20 MB of files took {restore_peak / MB:.1f} MB"
