"""The ``init_db`` command, run as a user would: a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

from database.connection import cleanup_database
from tests.support.cli import run_init_db
from tests.support.engines import ROOT, open_database, url_for

SECRET = "s3cret-Pa55word"


#: init_db works on databases that outlive the process: a SQLite file and PostgreSQL.
persistent = pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])


@pytest.fixture
def target(
    engine_name: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[str, str]:
    """(environment, DATABASE_URL) of an empty throwaway database."""
    url = url_for(engine_name, request, tmp_path)
    assert url is not None
    if engine_name == "postgresql":  # the run's PostgreSQL database: emptied first
        open_database(engine_name, request, tmp_path, monkeypatch)
        cleanup_database()
    return ("production" if engine_name == "postgresql" else "development"), url


def user_rows(output: str) -> int:
    line = next(line for line in output.splitlines() if " users " in f" {line} ")
    return int(line.strip(" │|").split()[-1])


@persistent
def test_creates_the_database_and_prints_its_status(target: tuple[str, str]) -> None:
    environment, url = target
    result = run_init_db("--environment", environment, url=url)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "schema version" in out and out.split("schema version")[1].split()[1] >= "002"
    assert ("postgresql" if environment == "production" else "sqlite") in out
    for table in ("users", "job_applications", "application_status_history"):
        assert table in out
    password = make_url(url).password
    assert password is None or str(password) not in out


@persistent
def test_demo_data_is_loaded_once(target: tuple[str, str]) -> None:
    environment, url = target
    first = run_init_db("-e", environment, "--demo", url=url, as_module=True)
    second = run_init_db("-e", environment, "--demo", url=url, as_module=True)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "Loaded the demo dataset" in first.stdout
    assert "Loaded the demo dataset" not in second.stdout
    assert user_rows(second.stdout) == 1


@persistent
def test_reset_without_confirmation_changes_nothing(target: tuple[str, str]) -> None:
    environment, url = target
    run_init_db("-e", environment, "--demo", url=url)
    result = run_init_db("-e", environment, "--reset", url=url)
    assert result.returncode == 1
    assert "not confirmed" in result.stdout
    assert user_rows(run_init_db("-e", environment, url=url).stdout) == 1


@pytest.mark.parametrize("engine_name", ["sqlite_file"])
def test_reset_with_standard_input_closed_is_not_confirmed(target: tuple[str, str]) -> None:
    environment, url = target
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["DATABASE_URL"] = url
    script = str(ROOT / "database" / "init_db.py")
    # bash closes descriptor 0 before starting Python: sys.stdin is None there.
    result = subprocess.run(
        ["bash", "-c", 'exec "$0" "$@" 0<&-', sys.executable, script, "-e", environment, "--reset"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "not confirmed" in result.stdout
    assert "Traceback" not in result.stderr


@persistent
def test_reset_with_yes_empties_the_database(target: tuple[str, str]) -> None:
    environment, url = target
    run_init_db("-e", environment, "--demo", url=url)
    result = run_init_db("-e", environment, "--reset", "--yes", url=url)
    assert result.returncode == 0, result.stderr
    assert user_rows(result.stdout) == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://app:{SECRET}@127.0.0.1:9/x", "Cannot connect"),
        (f"mysql://app:{SECRET}@localhost/x", "unsupported database"),
    ],
)
def test_failures_are_one_line_without_traceback_or_password(url: str, expected: str) -> None:
    result = run_init_db("-e", "production", url=url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("init_db: error:") and expected in lines[0]


def test_bad_setting_is_reported_by_name() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["DATABASE_PORT"] = "not-a-port"
    result = subprocess.run(
        [sys.executable, "-m", "database.init_db", "-e", "production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "DATABASE_PORT" in result.stderr and "Traceback" not in result.stderr


def test_development_default_is_the_project_data_file() -> None:
    from database.core.config import DEFAULT_SQLITE_PATH

    assert Path(ROOT) / "data" / "auto_applyer.db" == DEFAULT_SQLITE_PATH
