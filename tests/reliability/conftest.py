"""Fixtures of the reliability suite, and the figures it prints at the end of the run.

The suite runs on a SQLite file and on PostgreSQL (in-memory SQLite dies with
its process, so killing a process proves nothing there). Each test records its
figures with :func:`tests.support.reliability.report`; tests/conftest.py prints
them in a "reliability figures" section of the terminal summary, whether or not
``-s`` is given and from every xdist worker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from database.connection import DatabaseManager
from tests.support.big_data import BigBackups, build_big_backups
from tests.support.engines import open_database
from tests.support.reliability import RELIABILITY_ENGINES


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


@pytest.fixture(scope="session")
def big_backups(tmp_path_factory: pytest.TempPathFactory) -> BigBackups:
    """Two backups of over 100,000 rows each that differ in every table (built once)."""
    folder = tmp_path_factory.mktemp("big")
    rows = int(os.environ.get("AUTO_APPLYER_RELIABILITY_ROWS", "100000"))
    return build_big_backups(folder, rows)


@pytest.fixture(scope="session")
def backup_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of some 20,000 rows, the data of the kill-during-backup loop.

    A backup of it takes long enough for kills at every moment of its writing,
    and short enough for twenty of them; the restore loop is the one with the
    large data.
    """
    folder = tmp_path_factory.mktemp("backup_source")
    rows = int(os.environ.get("AUTO_APPLYER_RELIABILITY_BACKUP_ROWS", "20000"))
    return build_big_backups(folder, rows).a
