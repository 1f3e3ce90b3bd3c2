"""``python -m api``: its options, and one line with exit 1 when the database fails."""

from __future__ import annotations

import subprocess
import sys

import pytest

import api.__main__ as command
from tests.support.engines import ROOT
from utils.errors import DatabaseError


def test_help_names_the_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    for option in ("--host", "--port", "--workers"):
        assert option in result.stdout


def test_host_and_port_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_HOST", "0.0.0.0")
    monkeypatch.setenv("API_PORT", "9123")
    args = command.build_parser().parse_args([])
    assert (args.host, args.port, args.workers) == ("0.0.0.0", 9123, 1)


def test_defaults_are_loopback_8000(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_HOST", raising=False)
    monkeypatch.delenv("API_PORT", raising=False)
    args = command.build_parser().parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_an_unreachable_database_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unreachable(environment: str | None = None) -> None:
        raise DatabaseError("cannot connect")

    monkeypatch.setattr(command, "init_database", unreachable)
    assert command.main(["--port", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["auto-applyer-api: error: cannot connect"]
