"""Running the command lines as a user would: a separate process."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.engines import ROOT


def run_init_db(
    *args: str, url: str | None, as_module: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.pop("ENVIRONMENT", None)
    if url is not None:
        env["DATABASE_URL"] = url
    env["COLUMNS"] = "200"
    command = ["-m", "database.init_db"] if as_module else [str(ROOT / "database" / "init_db.py")]
    return subprocess.run(
        [sys.executable, *command, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
