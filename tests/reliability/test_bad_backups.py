"""Tampered, truncated, wrong-version, wrong-checksum and dangling-reference backups.

Every one is rejected by ``restore_backup`` (and by ``verify_backup``) with the
project's error saying what and where, and the database is left exactly as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.io.backup import BackupManager, verify_backup
from database.utilities import DatabaseUtils
from tests.support.backup_files import Document, fill_sample_data, load, save
from tests.support.reliability import report
from tests.support.snapshot import snapshot
from utils.errors import AutoApplyerError, BackupError, ValidationError

Maker = Callable[[Path, Path], Path]


def _edit(change: Callable[[Document], None], *, reseal: bool = True) -> Maker:
    def make(good: Path, target: Path) -> Path:
        document = load(good)
        change(document)
        return save(document, target, reseal=reseal)

    return make


def _bytes(change: Callable[[bytes], bytes]) -> Maker:
    def make(good: Path, target: Path) -> Path:
        target.write_bytes(change(good.read_bytes()))
        return target

    return make


def _gzip(change: Callable[[bytes], bytes]) -> Maker:
    def make(good: Path, target: Path) -> Path:
        target = target.with_name(target.name + ".gz")
        target.write_bytes(change(gzip.compress(good.read_bytes())))
        return target

    return make


def _first(table: str, **values: object) -> Callable[[Document], None]:
    return lambda d: d["data"][table][0].update(values)


def _reorder(d: Document) -> None:
    d["data"] = dict(reversed(list(d["data"].items())))


def _data_first(good: Path, target: Path) -> Path:
    document = load(good)
    target.write_text(json.dumps({"data": document["data"], "metadata": document["metadata"]}))
    return target


def _duplicate_id(d: Document) -> None:
    d["data"]["users"].append(dict(d["data"]["users"][0], email="other@example.com"))


def _unknown_table(d: Document) -> None:
    d["data"]["secrets"] = []


def _stray_file(d: Document) -> None:
    d["files"].append({"path": "/etc/passwd", "content": ["cm9vdA=="], "size": 4,
                       "sha256": hashlib.sha256(b"root").hexdigest()})  # fmt: skip


def _stray_file_not_base64(d: Document) -> None:
    _stray_file(d)
    d["files"][-1]["content"] = ["../../etc/passwd"]


BAD_BACKUPS: dict[str, Maker] = {
    "tampered value": _edit(_first("users", first_name="Mallory"), reseal=False),
    "tampered password hash": _edit(_first("users", password_hash="scrypt$00$00"), reseal=False),
    "wrong checksum": _edit(lambda d: d["metadata"].update(sha256="0" * 64), reseal=False),
    "checksum not hex": _edit(lambda d: d["metadata"].update(sha256="xyz"), reseal=False),
    "wrong version": _edit(lambda d: d["metadata"].update(version="2.0")),
    "no version": _edit(lambda d: d["metadata"].pop("version")),
    "wrong format name": _edit(lambda d: d["metadata"].update(format="other")),
    "newer schema": _edit(lambda d: d["metadata"].update(schema_version="999")),
    "row count mismatch": _edit(
        lambda d: d["metadata"]["row_counts"].update(users=7), reseal=False
    ),
    "dangling user reference": _edit(_first("job_applications", user_id=9999)),
    "dangling application reference": _edit(
        _first("application_status_history", application_id=9999)
    ),
    "dangling resume reference": _edit(_first("job_applications", resume_id=9999)),
    "truncated at 10%": _bytes(lambda b: b[: len(b) // 10]),
    "truncated at 50%": _bytes(lambda b: b[: len(b) // 2]),
    "truncated by one byte": _bytes(lambda b: b.rstrip()[:-1]),
    "truncated gzip": _gzip(lambda b: b[: len(b) // 2]),
    "corrupt gzip": _gzip(lambda b: b[:20] + bytes(40) + b[60:]),
    "empty file": _bytes(lambda b: b""),
    "not JSON": _bytes(lambda b: b"this is not a backup"),
    "binary garbage": _bytes(lambda b: bytes(range(256)) * 4),
    "JSON array": _bytes(lambda b: b"[1, 2, 3]"),
    "trailing garbage": _bytes(lambda b: b + b'{"more": 1}'),
    "data before metadata": _data_first,
    "unknown table": _edit(_unknown_table),
    "unknown column": _edit(_first("users", is_admin=True)),
    "missing required column": _edit(lambda d: d["data"]["users"][0].pop("email")),
    "id of wrong type": _edit(_first("users", id="1")),
    "boolean of wrong type": _edit(_first("users", is_active="yes")),
    "32-bit overflow": _edit(_first("job_applications", salary_max=2**40)),
    "naive timestamp": _edit(_first("users", created_at="2024-01-01T00:00:00")),
    "not a timestamp": _edit(_first("users", created_at="yesterday")),
    "unknown status": _edit(_first("job_applications", status="hired!")),
    "NUL in text": _edit(_first("users", first_name="a\x00b")),
    "text too long": _edit(_first("users", first_name="x" * 101)),
    "null in required column": _edit(_first("job_applications", company=None)),
    "duplicate id": _edit(_duplicate_id),
    "tables out of order": _edit(_reorder),
    "CHECK constraint broken": _edit(_first("job_applications", salary_min=9, salary_max=1)),
    "emails equal but for case": _edit(
        lambda d: d["data"]["users"][1].update(email=d["data"]["users"][0]["email"].upper())
    ),
    "missing-files list emptied": _edit(
        lambda d: d["metadata"]["files"]["missing"].clear(), reseal=False
    ),
    "files section dropped": _edit(lambda d: d.pop("files")),
    "file no resume uses": _edit(_stray_file),
    "file content not base64": _edit(_stray_file_not_base64),
}


def test_bad_backups_are_rejected_and_change_nothing(
    rdb: DatabaseManager, reliability_engine: str, tmp_path: Path
) -> None:
    fill_sample_data()
    backups = BackupManager(tmp_path / "backups")
    good = Path(backups.create_backup("good"))
    DatabaseUtils.create_user(email="after-the-backup@example.com")
    before = snapshot()
    reasons: dict[str, str] = {}
    for name, make in BAD_BACKUPS.items():
        bad = make(good, tmp_path / f"{name.replace(' ', '_')}.json")
        with pytest.raises(AutoApplyerError) as restoring:
            backups.restore_backup(bad, confirm=True)
        assert isinstance(restoring.value, ValidationError | BackupError), name
        assert snapshot() == before, f"{name}: the database changed"
        with pytest.raises(AutoApplyerError):
            verify_backup(bad)
        reasons[name] = str(restoring.value)
    assert len(reasons) == len(BAD_BACKUPS)
    report(
        f"bad backups [{reliability_engine}]: {len(reasons)}/{len(BAD_BACKUPS)} kinds rejected, "
        "database unchanged after each"
    )
    if reliability_engine == "sqlite_file":
        for name, reason in reasons.items():
            report(f"    {name}: {reason}")
