"""kill -9 at a random moment of a backup, 20 times: the backup is absent or complete.

A file under the backup's name must pass every check of a restore (the first
two also a trial restore) and hold exactly the data of a backup taken without
interruption; hidden work files of killed writers are cleared by the next backup.
"""

from __future__ import annotations

import time
from collections import Counter
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import pytest

from database.core.config import DatabaseConfig
from database.io.backup import BackupManager, verify_backup
from database.io.backup.validation import validate_backup
from tests.support.processes import (
    DONE,
    READY,
    WRITING,
    new_phase,
    on_each_engine,
    open_manager,
    run_and_kill,
    wait_until_quiet,
)
from tests.support.reliability import engine_configs, prepared_manager, report

KILLS = 20


def backup_in_child(
    config: DatabaseConfig, folder: Path, name: str, phase: Synchronized[int]
) -> None:
    manager = open_manager(config)
    phase.value = READY

    def progress(step: str, done: int, total: int) -> None:
        phase.value = WRITING

    BackupManager(folder, database_manager=manager).create_backup(name, progress=progress)
    phase.value = DONE


def kill_backups(engine: str, config: DatabaseConfig, folder: Path, source: Path) -> dict[str, Any]:
    """The kill loop of one engine; returns its figures (run in a worker process)."""
    manager = prepared_manager(config)
    backups = BackupManager(folder, database_manager=manager)
    backups.restore_backup(source, confirm=True)
    started = time.perf_counter()
    reference_path = Path(backups.create_backup("reference.json"))
    window = time.perf_counter() - started
    reference = validate_backup(reference_path)
    outcomes: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    verified = 0
    try:
        for i in range(KILLS):
            manager.engine.dispose()
            name = f"killed_{i}.json.gz" if i % 2 else f"killed_{i}.json"
            # Past the usual duration, so that some kills land after the rename.
            args = (config, folder, name)
            moment = run_and_kill(
                backup_in_child, args, new_phase(), window * 1.5, stratum=(i, KILLS)
            )
            phases[moment] += 1
            wait_until_quiet(manager)
            path = folder / name
            if not path.exists():
                outcomes["absent"] += 1
                continue
            summary = verify_backup(path) if verified < 2 else validate_backup(path)
            verified += 1
            assert summary.sha256 == reference.sha256
            assert summary.row_counts == reference.row_counts
            outcomes["complete"] += 1
        leftovers = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        backups.create_backup("after_the_kills.json")
        assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
    finally:
        manager.close()
    return {
        "outcomes": dict(outcomes), "phases": dict(phases), "window": window,
        "leftovers": len(leftovers), "rows": reference.total_rows,
    }  # fmt: skip


def test_kill_9_during_backup_leaves_no_file_or_a_complete_one(
    request: pytest.FixtureRequest, tmp_path: Path, backup_source: Path
) -> None:
    configs = engine_configs(request, tmp_path)
    args = {
        engine: (config, tmp_path / engine / "backups", backup_source)
        for engine, config in configs.items()
    }
    for engine, figures in on_each_engine(kill_backups, args).items():
        outcomes = Counter(figures["outcomes"])
        assert sum(outcomes.values()) == KILLS
        report(
            f"kill -9 during backup [{engine}]: {KILLS}/{KILLS} absent or complete "
            f"(absent: {outcomes['absent']}, complete and verified: {outcomes['complete']}); "
            f"killed while {figures['phases']}; hidden work files of killed writers left: "
            f"{figures['leftovers']}, after the next backup: 0; "
            f"backup of {figures['rows']:,} rows took {figures['window']:.1f} s"
        )
