"""Where backups go: one default folder for the library, the CLI and the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.core.config import PROJECT_ROOT
from database.io.backup.manager import DEFAULT_BACKUP_DIR
from database.utilities import BackupManager


def test_default_folder_is_backups_under_the_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTO_APPLYER_BACKUP_DIR", raising=False)
    assert BackupManager().backup_dir == DEFAULT_BACKUP_DIR == PROJECT_ROOT / "backups"


def test_environment_variable_moves_the_default_folder(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_BACKUP_DIR", str(tmp_path / "elsewhere"))
    manager = BackupManager()
    assert manager.backup_dir == tmp_path / "elsewhere"
    path = Path(manager.create_backup("moved"))
    assert path.parent == tmp_path / "elsewhere"
    assert [b["filename"] for b in BackupManager().list_backups()] == [path.name]


def test_explicit_folder_wins_over_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_BACKUP_DIR", str(tmp_path / "a"))
    assert BackupManager(backup_dir=tmp_path / "b").backup_dir == tmp_path / "b"


def test_resume_files_live_in_the_data_folder_the_dashboard_uses(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from database.core.files import data_dir, resume_dir

    monkeypatch.delenv("AUTO_APPLYER_DATA_DIR", raising=False)
    sqlite_file = db.config.sqlite_file
    expected = sqlite_file.resolve().parent if sqlite_file else PROJECT_ROOT / "data"
    assert data_dir(db.config) == expected
    assert BackupManager().resume_dir == expected / "resumes" == resume_dir(db.config)
    monkeypatch.setenv("AUTO_APPLYER_DATA_DIR", str(tmp_path / "elsewhere"))
    assert BackupManager().resume_dir == (tmp_path / "elsewhere" / "resumes").resolve()
    assert BackupManager(data_dir=tmp_path / "given").resume_dir == tmp_path / "given" / "resumes"
