"""The documentation's Python examples are executed, on every engine.

``docs/database.md`` runs top to bottom in one namespace. Each example of the
specification (``docs/specification.md``) runs unchanged on a fresh database,
with the obvious imports and the objects earlier sections of the spec create
(``user``, ``application``, ``migration_manager``, ...) already in scope.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from database.connection import DatabaseManager
from tests.support.engines import ROOT
from tests.support.markdown import python_blocks

DOCS = ROOT / "docs"
SPEC_BLOCKS = python_blocks(DOCS / "specification.md")
PLACEHOLDER_BACKUP = "/path/to/backup.json"


def spec_context() -> dict[str, object]:
    """What a reader of the spec has in scope when they reach an example."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from database.connection import (
        cleanup_database,
        db_session_scope,
        get_database_manager,
        init_database,
    )
    from database.migrations import Migration, MigrationManager
    from database.models import ApplicationStatus
    from database.utilities import BackupManager, DatabaseUtils

    user = DatabaseUtils.create_user(email="reader@example.com", first_name="Reader")
    application = DatabaseUtils.add_job_application(user.id, "Developer", "TechCorp")
    return {
        "datetime": datetime,
        "text": text,
        "Session": Session,
        "logger": logging.getLogger("docs"),
        "ApplicationStatus": ApplicationStatus,
        "DatabaseUtils": DatabaseUtils,
        "Migration": Migration,
        "MigrationManager": MigrationManager,
        "init_database": init_database,
        "cleanup_database": cleanup_database,
        "db_session_scope": db_session_scope,
        "get_database_manager": get_database_manager,
        "migration_manager": MigrationManager(),
        "BackupManager": BackupManager,
        "backup_manager": BackupManager(),
        "user": user,
        "user_id": user.id,
        "application": application,
    }


def test_the_api_guide_runs_top_to_bottom(
    db: DatabaseManager, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, object] = {"__name__": "docs_database"}
    blocks = python_blocks(DOCS / "database.md")
    assert len(blocks) >= 8
    for number, block in enumerate(blocks, start=1):
        code = compile(block, f"docs/database.md (block {number})", "exec")
        exec(code, namespace)
    assert "Total applications: 1" in capsys.readouterr().out


def test_the_readme_example_runs(db: DatabaseManager, capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = python_blocks(ROOT / "README.md")
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    assert "'screening': 1" in capsys.readouterr().out


@pytest.mark.parametrize("number", range(1, len(SPEC_BLOCKS) + 1), ids=lambda n: f"spec-block-{n}")
def test_the_specification_examples_run_unchanged(
    db: DatabaseManager, number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("database.io.backup.manager.DEFAULT_BACKUP_DIR", tmp_path / "backups")
    block = SPEC_BLOCKS[number - 1]
    namespace = {"__name__": f"spec_block_{number}", **spec_context()}
    if PLACEHOLDER_BACKUP in block:
        # The one placeholder of the spec: "/path/to/backup.json" stands for a real backup.
        from database.utilities import BackupManager

        real = BackupManager().create_backup("spec_example")
        block = block.replace(PLACEHOLDER_BACKUP, str(real))
    exec(compile(block, f"docs/specification.md (block {number})", "exec"), namespace)
