"""The backup command line, on a SQLite file and PostgreSQL.

An in-memory database cannot be reached by a command line (it lives and dies
inside one process), so these tests use the two engines a user points it at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli import backup as backup_cli
from database.connection import cleanup_database, init_database
from database.utilities import DatabaseUtils
from tests.support.backup_files import edited, fill_sample_data, row_counts
from tests.support.checks import existing
from tests.support.engines import ENGINES, ROOT, open_database

CLI_ENGINES = [e for e in ("sqlite_file", "postgresql") if e in ENGINES]


@pytest.fixture(params=CLI_ENGINES)
def cli_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """A database with sample data, closed again so the command line opens its own."""
    manager = open_database(request.param, request, tmp_path, monkeypatch)
    environment = "production" if request.param == "postgresql" else "development"
    fill_sample_data()
    counts = row_counts()
    cleanup_database()
    monkeypatch.setenv("ENVIRONMENT", environment)
    yield {"environment": environment, "counts": counts, "url": os.environ["DATABASE_URL"]}
    manager.close()


def run_cli(*args: str, backup_dir: Path) -> int:
    return backup_cli.main(["--backup-dir", str(backup_dir), *args])


def counts_now() -> dict[str, int]:
    init_database()
    try:
        return row_counts()
    finally:
        cleanup_database()


def test_create_list_verify_and_restore_with_yes(
    cli_db: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "b"
    assert run_cli("create", "nightly", backup_dir=folder) == 0
    assert f"Backup created: {folder / 'nightly.json'}" in capsys.readouterr().out.replace("\n", "")
    assert run_cli("list", backup_dir=folder) == 0
    listing = capsys.readouterr().out
    assert "nightly.json" in listing and "yes" in listing
    assert run_cli("verify", "nightly.json", backup_dir=folder) == 0
    assert "OK" in capsys.readouterr().out
    init_database()
    DatabaseUtils.delete_user(existing(DatabaseUtils.get_user_by_email("ann@example.com")).id)
    cleanup_database()
    assert counts_now() != cli_db["counts"]
    capsys.readouterr()
    assert run_cli("restore", "nightly.json", "--yes", backup_dir=folder) == 0
    assert counts_now() == cli_db["counts"]
    out = capsys.readouterr().out.replace("\n", "")
    [safety] = [p for p in folder.iterdir() if p.name.startswith("pre-restore-")]
    assert f"Safety backup of the data before the restore: {safety}" in out


def test_restore_with_no_safety_backup_writes_none(
    cli_db: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "b"
    assert run_cli("create", "only", backup_dir=folder) == 0
    assert run_cli("restore", "only", "--yes", "--no-safety-backup", backup_dir=folder) == 0
    assert "Safety backup" not in capsys.readouterr().out
    assert [p.name for p in folder.iterdir()] == ["only.json"]


def test_create_lists_the_resume_files_it_could_not_back_up(
    cli_db: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "b"
    assert run_cli("create", "partial", backup_dir=folder) == 0
    out = capsys.readouterr().out
    assert "Resume files: 0" in out and "missing: /r/ann.pdf (not found)" in out


def test_restore_without_confirmation_changes_nothing(
    cli_db: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "b"
    assert run_cli("create", "keep", backup_dir=folder) == 0
    init_database()
    DatabaseUtils.create_user(email="new@example.com")
    cleanup_database()
    before = counts_now()
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda: "no")
    assert run_cli("restore", "keep", backup_dir=folder) == 1
    assert "nothing was changed" in capsys.readouterr().out
    assert counts_now() == before


def test_a_bad_backup_is_one_error_line_and_exit_1(
    cli_db: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "b"
    assert run_cli("create", "good", backup_dir=folder) == 0
    bad = edited(
        folder / "good.json",
        tmp_path / "bad.json",
        lambda d: d["data"]["users"][0].update(id="one"),
        reseal=False,
    )
    capsys.readouterr()
    before = counts_now()
    assert run_cli("restore", str(bad), "--yes", backup_dir=folder) == 1
    err = capsys.readouterr().err
    assert err.startswith("backup_cli: error: backup.data.users[0].id: must be an integer")
    assert err.count("\n") == 1
    assert counts_now() == before
    assert run_cli("create", "../escape", backup_dir=folder) == 1
    assert capsys.readouterr().err.startswith("backup_cli: error: backup_name:")


def test_the_command_runs_as_a_module_in_its_own_process(
    cli_db: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "b"
    env = {**os.environ, "DATABASE_URL": cli_db["url"], "ENVIRONMENT": cli_db["environment"]}
    command = [sys.executable, "-m", "database.backup_cli", "--backup-dir", str(folder)]
    created = subprocess.run(
        [*command, "create", "proc.json.gz"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert created.returncode == 0, created.stderr
    assert (folder / "proc.json.gz").stat().st_mode & 0o777 == 0o600
    refused = subprocess.run(
        [*command, "restore", "proc.json.gz"],
        env=env, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert refused.returncode == 1 and "not confirmed" in refused.stdout
    missing = subprocess.run(
        [*command, "verify", "missing.json"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        "backup_cli: error: backup_path: must name an existing backup file"
    ]


@pytest.mark.parametrize("cli_db", ["sqlite_file"], indirect=True)
@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_list_never_cuts_a_name_short_however_narrow_the_terminal(
    cli_db: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    columns: str,
) -> None:
    folder = tmp_path / "b"
    name = "before-moving-to-the-new-laptop-in-december"
    assert run_cli("create", name, backup_dir=folder) == 0
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", columns)
    assert run_cli("list", backup_dir=folder) == 0
    listing = capsys.readouterr().out
    assert f"{name}.json" in listing and "…" not in listing
