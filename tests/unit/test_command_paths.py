"""Every command line answers on each of its documented paths."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.engines import ROOT

SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
SPEC_PATHS = [
    [str(ROOT / "database" / "init_db.py")],
    ["-m", "database.init_db"],
    ["-m", "database.backup_cli"],
    ["-m", "database.import_cli"],
    ["-m", "cli.init_db"],
    ["-m", "cli.backup"],
    ["-m", "cli.import_csv"],
    ["-m", "cli.maintenance"],
]


def _help(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_console_script_is_installed_and_prints_its_usage(name: str) -> None:
    script = Path(sys.executable).parent / name
    result = _help([str(script)])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")


@pytest.mark.parametrize("command", SPEC_PATHS, ids=lambda c: " ".join(c[-2:]))
def test_each_documented_command_path_prints_its_usage(command: list[str]) -> None:
    result = _help([sys.executable, *command])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_console_script_is_documented_in_the_readme(name: str) -> None:
    assert f"`{name}`" in (ROOT / "README.md").read_text(encoding="utf-8")
