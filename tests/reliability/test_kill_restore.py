"""kill -9 at a random moment of a restore of over 100,000 rows, 20 times.

Each time the database must pass its integrity checks (SQLite: integrity_check,
foreign_key_check and the full-text indexes' own check; PostgreSQL: no dangling
reference in one consistent read) and hold exactly the old data or exactly the
new, never a mix.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from database.backup import BackupManager
from database.config import DatabaseConfig
from tests.reliability.big_data import fingerprint
from tests.reliability.conftest import private_manager, report
from tests.reliability.processes import (
    DONE,
    READY,
    VALIDATING,
    WRITING,
    integrity_problems,
    new_phase,
    open_manager,
    run_and_kill,
    wait_until_quiet,
)

KILLS = 20


def restore_in_child(config: DatabaseConfig, folder: Path, backup: Path, phase) -> None:
    manager = open_manager(config)
    phase.value = READY

    def progress(step: str, done: int, total: int) -> None:
        phase.value = VALIDATING if step == "validating" else WRITING

    BackupManager(folder, database_manager=manager).restore_backup(
        backup, confirm=True, progress=progress
    )
    phase.value = DONE


def test_kill_9_during_restore_leaves_all_old_or_all_new_data(
    reliability_engine, request, tmp_path, big_backups
):
    manager = private_manager(reliability_engine, request, tmp_path)
    backups = BackupManager(tmp_path, database_manager=manager)
    files = {"a": big_backups.a, "b": big_backups.b}
    backups.restore_backup(files["a"], confirm=True)
    started = time.perf_counter()
    backups.restore_backup(files["b"], confirm=True)
    window = time.perf_counter() - started
    outcomes: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    try:
        for _ in range(KILLS):
            current = big_backups.which(fingerprint(manager))
            assert current in files, "the database holds neither backup before the kill"
            target = "b" if current == "a" else "a"
            manager.engine.dispose()
            phases[
                run_and_kill(
                    restore_in_child, (manager.config, tmp_path, files[target]), new_phase(), window
                )
            ] += 1
            wait_until_quiet(manager)
            assert integrity_problems(manager) == []
            after = big_backups.which(fingerprint(manager))
            assert after in (current, target), "a kill left a mix of old and new data"
            outcomes["old" if after == current else "new"] += 1
    finally:
        manager.close()
    assert sum(outcomes.values()) == KILLS
    report(
        f"kill -9 during restore [{reliability_engine}]: {KILLS}/{KILLS} intact "
        f"(all old: {outcomes['old']}, all new: {outcomes['new']}); "
        f"killed while {dict(phases)}; restore of {min(big_backups.rows.values()):,}+ rows "
        f"took {window:.1f} s"
    )
