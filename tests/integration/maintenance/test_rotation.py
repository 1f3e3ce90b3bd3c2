"""Backup rotation: daily, weekly and monthly rules over the backups' own dates.

The backups are copies of one real backup with their metadata's ``backup_date``
changed (the checksum covers the data, so they still verify); their files were
all written just now, so only the metadata can tell their ages apart.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from database.io.backup import BackupManager
from database.io.backup.rotation import (
    BackupFile,
    RotationSettings,
    kept_by_rules,
    rotate_backups,
)
from tests.support.backup_files import Document, load, save
from tests.support.engines import open_database

DAY = timedelta(days=1)


def at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def name_of(moment: datetime) -> str:
    return f"backup_{moment:%Y%m%d_%H%M%S}.json"


@pytest.fixture
def base_backup(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Document:
    """One real backup of an empty database, as a document to copy."""
    manager = open_database("sqlite_memory", request, tmp_path, monkeypatch)
    path = BackupManager(tmp_path / "source", manager).create_backup("base")
    return load(path)


@pytest.fixture
def make_backups(base_backup: Document, tmp_path: Path) -> Callable[..., Path]:
    folder = tmp_path / "backups"
    folder.mkdir()

    def make(moments: list[datetime], *, broken: tuple[datetime, ...] = ()) -> Path:
        for moment in moments:
            document = load_copy(base_backup)
            document["metadata"]["backup_date"] = moment.isoformat().replace("+00:00", "Z")
            if moment in broken:
                document["metadata"]["sha256"] = "0" * 64
            save(document, folder / name_of(moment), reseal=False)
        return folder

    return make


def load_copy(document: Document) -> Document:
    return copy.deepcopy(document)


def files_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_the_rules_keep_seven_days_four_weeks_and_twelve_months() -> None:
    first = date(2026, 1, 1)
    backups = [BackupFile(name_of(at(first + n * DAY)), at(first + n * DAY)) for n in range(120)]
    kept = kept_by_rules(backups, RotationSettings())
    days = [date(2026, 4, d) for d in range(24, 31)]
    weeks = [date(2026, 4, 19), date(2026, 4, 12)]  # the newest of weeks 16 and 15
    months = [date(2026, 3, 31), date(2026, 2, 28), date(2026, 1, 31)]
    assert kept == {name_of(at(d)) for d in days + weeks + months}


def test_of_several_backups_in_a_day_the_newest_is_kept() -> None:
    day = date(2026, 5, 1)
    backups = [BackupFile(name_of(at(day, hour)), at(day, hour)) for hour in (1, 9, 17)]
    settings = RotationSettings(daily=1, weekly=0, monthly=0)
    assert kept_by_rules(backups, settings) == {name_of(at(day, 17))}


def test_days_without_backups_do_not_count() -> None:
    # Backups stopped in March: the last seven that exist are kept, not none at all.
    backups = [
        BackupFile(name_of(at(date(2026, 3, d))), at(date(2026, 3, d))) for d in range(1, 11)
    ]
    settings = RotationSettings(daily=7, weekly=0, monthly=0)
    assert len(kept_by_rules(backups, settings)) == 7


def test_a_dry_run_names_what_the_real_run_removes_and_a_second_run_removes_nothing(
    make_backups: Callable[..., Path],
) -> None:
    moments = [at(date(2026, 5, 1) + n * DAY) for n in range(10)]
    folder = make_backups(moments)
    settings = RotationSettings(daily=3, weekly=0, monthly=0)
    dry = rotate_backups(folder, dry_run=True, settings=settings)
    assert set(dry.removed) == {name_of(m) for m in moments[:7]}
    assert len(files_in(folder)) == 10
    real = rotate_backups(folder, settings=settings)
    assert real.removed == dry.removed
    assert files_in(folder) == {name_of(m) for m in moments[7:]}
    assert real.newest_verified == name_of(moments[-1])
    assert rotate_backups(folder, settings=settings).removed == ()


def test_the_newest_verified_backup_is_never_removed(make_backups: Callable[..., Path]) -> None:
    moments = [at(date(2026, 5, 1) + n * DAY) for n in range(6)]
    folder = make_backups(moments, broken=(moments[-1], moments[-2]))
    settings = RotationSettings(daily=1, weekly=0, monthly=0)
    report = rotate_backups(folder, settings=settings)
    assert report.newest_verified == name_of(moments[-3])
    assert files_in(folder) == {name_of(moments[-1]), name_of(moments[-3])}


def test_with_no_rules_left_only_the_newest_verified_backup_stays(
    make_backups: Callable[..., Path],
) -> None:
    moments = [at(date(2026, 5, 1) + n * DAY) for n in range(3)]
    folder = make_backups(moments)
    rotate_backups(folder, settings=RotationSettings(daily=0, weekly=0, monthly=0))
    assert files_in(folder) == {name_of(moments[-1])}


def test_files_that_are_not_backups_are_left_alone(make_backups: Callable[..., Path]) -> None:
    moments = [at(date(2026, 5, 1) + n * DAY) for n in range(3)]
    folder = make_backups(moments)
    (folder / "notes.json").write_text('{"hello": "world"}', encoding="utf-8")
    (folder / "readme.txt").write_text("not a backup", encoding="utf-8")
    rotate_backups(folder, settings=RotationSettings(daily=1, weekly=0, monthly=0))
    assert files_in(folder) == {name_of(moments[-1]), "notes.json", "readme.txt"}


def test_rotation_can_be_turned_off(
    make_backups: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    moments = [at(date(2026, 5, 1) + n * DAY) for n in range(3)]
    folder = make_backups(moments)
    monkeypatch.setenv("RETENTION_BACKUPS_ROTATE", "false")
    monkeypatch.setenv("RETENTION_BACKUPS_DAILY", "1")
    report = rotate_backups(folder)
    assert report.removed == () and len(files_in(folder)) == 3


def test_a_missing_folder_has_nothing_to_rotate(tmp_path: Path) -> None:
    report = rotate_backups(tmp_path / "none", settings=RotationSettings())
    assert (report.kept, report.removed, report.newest_verified) == ((), (), None)
