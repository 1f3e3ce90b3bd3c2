"""What every command line of the project shares: logging, errors, exit codes.

A command prints one clear line and exits 1 on a project error, and exits 130
when interrupted; it never shows a traceback. It always releases the database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from rich.console import Console

from utils.errors import AutoApplyerError


def run_command(prog: str, verbose: bool, work: Callable[[Console], int]) -> int:
    """Run ``work`` with logging set up; turn failures into one line and an exit code."""
    from database.core.session import cleanup_database  # only once the command runs

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return work(Console())
    except AutoApplyerError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    finally:
        cleanup_database()
