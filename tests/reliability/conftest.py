"""Fixtures of the reliability suite, and the figures it prints at the end of the run.

The suite runs on a SQLite file and on PostgreSQL (in-memory SQLite dies with
its process, so killing a process proves nothing there). Each test records its
figures with :func:`report`; they are printed in a "reliability figures"
section of the terminal summary, whether or not ``-s`` is given.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.core.config import DatabaseConfig, parse_url
from database.migrations import MigrationManager
from tests.conftest import ENGINES, open_database, truncate_all
from tests.reliability.big_data import BigBackups, build_big_backups

RELIABILITY_ENGINES = [e for e in ("sqlite_file", "postgresql") if e in ENGINES]
FIGURES: list[str] = []


def report(line: str) -> None:
    """Record one line for the "reliability figures" summary."""
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(params=RELIABILITY_ENGINES)
def reliability_engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rdb(
    reliability_engine: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[DatabaseManager]:
    """The global database on a SQLite file or PostgreSQL, empty."""
    manager = open_database(reliability_engine, request, tmp_path, monkeypatch)
    yield manager
    manager.close()


def engine_configs(request: pytest.FixtureRequest, folder: Path) -> dict[str, DatabaseConfig]:
    """A private database (not the global one) on each reliability engine."""
    configs: dict[str, DatabaseConfig] = {}
    for engine in RELIABILITY_ENGINES:
        if engine == "sqlite_file":
            (folder / engine).mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{folder / engine / 'reliability.db'}"
            configs[engine] = DatabaseConfig(environment="development", url=parse_url(url))
        else:
            url = str(request.getfixturevalue("postgres_url"))
            configs[engine] = DatabaseConfig(environment="production", url=parse_url(url))
    return configs


def prepared_manager(config: DatabaseConfig) -> DatabaseManager:
    """A manager of ``config``'s database, migrated and emptied."""
    manager = DatabaseManager(config)
    MigrationManager(manager).migrate_to_latest()
    if config.database_type == "postgresql":
        truncate_all(manager)
    return manager


@pytest.fixture(scope="session")
def big_backups(tmp_path_factory: pytest.TempPathFactory) -> BigBackups:
    """Two backups of over 100,000 rows each that differ in every table (built once)."""
    folder = tmp_path_factory.mktemp("big")
    rows = int(os.environ.get("AUTO_APPLYER_RELIABILITY_ROWS", "100000"))
    return build_big_backups(folder, rows)
