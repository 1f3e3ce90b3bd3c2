"""kill -9 at a random moment of a restore of over 100,000 rows, 8 times on each engine.

Both engines run side by side, each in a worker process of its own. Each time
the database must pass its integrity checks (SQLite: integrity_check,
foreign_key_check and the full-text indexes' own check; PostgreSQL: no dangling
reference in one consistent read) and hold exactly the old data or exactly the
new, never a mix. The restores skip their safety backup (``safety_backup=False``):
the kills are aimed at the replacement itself, and a safety backup of
100,000 rows per kill would only fill the disk.
"""

from __future__ import annotations

import time
from collections import Counter
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import pytest

from database.core.config import DatabaseConfig
from database.io.backup import BackupManager
from tests.support.big_data import BigBackups, fingerprint
from tests.support.processes import (
    DONE,
    READY,
    VALIDATING,
    WRITING,
    integrity_problems,
    new_phase,
    on_each_engine,
    open_manager,
    run_and_kill,
    wait_until_quiet,
)
from tests.support.reliability import engine_configs, prepared_manager, report

KILLS = 8
#: The kill moments cover a little more than the restore took in the parent: in a
#: fresh child it runs a little slower, and the last moments reach its commit.
REACH = 1.2


def restore_in_child(
    config: DatabaseConfig, folder: Path, backup: Path, phase: Synchronized[int]
) -> None:
    manager = open_manager(config)
    phase.value = READY

    def progress(step: str, done: int, total: int) -> None:
        phase.value = VALIDATING if step == "validating" else WRITING

    BackupManager(folder, database_manager=manager).restore_backup(
        backup, confirm=True, safety_backup=False, progress=progress
    )
    phase.value = DONE


def kill_restores(
    engine: str, config: DatabaseConfig, folder: Path, big: BigBackups
) -> dict[str, Any]:
    """The kill loop of one engine; returns its figures (run in a worker process)."""
    manager = prepared_manager(config)
    backups = BackupManager(folder, database_manager=manager)
    files = {"a": big.a, "b": big.b}
    backups.restore_backup(files["a"], confirm=True, safety_backup=False)
    started = time.perf_counter()
    backups.restore_backup(files["b"], confirm=True, safety_backup=False)
    window = time.perf_counter() - started
    outcomes: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    try:
        for i in range(KILLS):
            current = big.which(fingerprint(manager))
            assert current in files, "the database holds neither backup before the kill"
            target = "b" if current == "a" else "a"
            manager.engine.dispose()
            args = (config, folder, files[target])
            moment = run_and_kill(
                restore_in_child, args, new_phase(), window * REACH, stratum=(i, KILLS)
            )
            phases[moment] += 1
            wait_until_quiet(manager)
            problems = integrity_problems(manager)
            assert problems == [], problems
            after = big.which(fingerprint(manager))
            assert after in (current, target), "a kill left a mix of old and new data"
            outcomes["old" if after == current else "new"] += 1
    finally:
        manager.close()
    return {"outcomes": dict(outcomes), "phases": dict(phases), "window": window}


def test_kill_9_during_restore_leaves_all_old_or_all_new_data(
    request: pytest.FixtureRequest, tmp_path: Path, big_backups: BigBackups
) -> None:
    configs = engine_configs(request, tmp_path)
    args = {engine: (config, tmp_path / engine, big_backups) for engine, config in configs.items()}
    for engine, figures in on_each_engine(kill_restores, args).items():
        outcomes = Counter(figures["outcomes"])
        assert sum(outcomes.values()) == KILLS
        report(
            f"kill -9 during restore [{engine}]: {KILLS}/{KILLS} intact "
            f"(all old: {outcomes['old']}, all new: {outcomes['new']}); "
            f"killed while {figures['phases']}; restore of "
            f"{min(big_backups.rows.values()):,}+ rows took {figures['window']:.1f} s"
        )
