"""``python -m api`` / ``auto-applyer-api``: serve the REST API with uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cli.runner import run_command
from database.bootstrap import init_database
from database.core.config import DatabaseConfig
from utils.errors import ConfigurationError

PROG = "auto-applyer-api"


def build_parser() -> argparse.ArgumentParser:
    """The command line: where to listen and how many worker processes."""
    parser = argparse.ArgumentParser(prog=PROG, description="Serve the Auto Applyer REST API.")
    parser.add_argument(
        "--host", default=os.environ.get("API_HOST", "127.0.0.1"), help="default: $API_HOST"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("API_PORT", "8000")),
        help="default: $API_PORT",
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Migrate the configured database, then serve until interrupted.

    A project error is one line on stderr and exit 1, as for every command line.
    """
    args = build_parser().parse_args(argv)
    return run_command(PROG, args.verbose, lambda _console: serve(args))


def serve(args: argparse.Namespace) -> int:
    """Fail fast on an unusable database, then run uvicorn with one app per worker.

    Several workers share their state through the database, so an in-memory
    one (each worker would hold a database of its own) is refused for them.
    """
    import uvicorn  # only once the command runs: ``--help`` stays fast

    if args.workers > 1 and DatabaseConfig.for_environment().is_memory:
        raise ConfigurationError(
            "several workers need a database they share, not an in-memory SQLite one"
        )
    init_database()
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
