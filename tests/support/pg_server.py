"""``scripts/pg-test-server.sh``: the test PostgreSQL server, its standby and PgBouncer."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.engines import ROOT


def server(command: str) -> str:
    """Run ``scripts/pg-test-server.sh command``; the last line it printed (a URL, or nothing).

    A failure fails the test with the script's own message.
    """
    result = subprocess.run(
        [str(ROOT / "scripts" / "pg-test-server.sh"), command],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"pg-test-server.sh {command} failed:\n{result.stderr}", pytrace=False)
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""
