"""Shared parts of the reliability suite: its engines, private databases and figures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.core.config import DatabaseConfig, parse_url
from database.migrations import MigrationManager
from tests.support.engines import ENGINES, truncate_all

RELIABILITY_ENGINES = [e for e in ("sqlite_file", "postgresql") if e in ENGINES]
#: The file the figures of every test process go to (set once by the main process).
FIGURES_FILE = "AUTO_APPLYER_FIGURES_FILE"


def start_figures() -> None:
    """Give this run (and the xdist workers it starts) one figures file."""
    if FIGURES_FILE not in os.environ:
        handle, path = tempfile.mkstemp(prefix="auto-applyer-figures-", suffix=".txt")
        os.close(handle)
        os.environ[FIGURES_FILE] = path


def report(line: str) -> None:
    """Record one line for the "reliability figures" summary, from any test process."""
    path = os.environ.get(FIGURES_FILE)
    if path:
        with open(path, "a", encoding="utf-8") as figures:
            figures.write(line + "\n")


def collected_figures() -> list[str]:
    """Every line reported so far by any process of this run."""
    path = os.environ.get(FIGURES_FILE)
    if not path or not Path(path).exists():
        return []
    return Path(path).read_text(encoding="utf-8").splitlines()


def end_figures() -> None:
    """Remove this run's figures file."""
    path = os.environ.pop(FIGURES_FILE, None)
    if path:
        Path(path).unlink(missing_ok=True)


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
