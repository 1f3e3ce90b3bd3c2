"""Create or migrate the Auto Applyer database and print its status.

auto-applyer-init-db --environment development
auto-applyer-init-db --environment production
auto-applyer-init-db --environment development --reset [--yes]
auto-applyer-init-db --environment development --demo

``python database/init_db.py`` and ``python -m database.init_db`` (the
specification's spelling) run the same command.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.table import Table

from cli.runner import run_command
from database.core.config import ENVIRONMENTS


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``init_db``."""
    parser = argparse.ArgumentParser(
        prog="init_db", description="Create or migrate the Auto Applyer database."
    )
    parser.add_argument(
        "--environment", "-e", choices=ENVIRONMENTS, default=None,
        help="database environment (default: $ENVIRONMENT or development)",
    )  # fmt: skip
    parser.add_argument(
        "--reset", action="store_true",
        help="drop every table first (destroys all data; asks for confirmation)",
    )  # fmt: skip
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before --reset")
    parser.add_argument("--demo", action="store_true", help="load a small demo dataset once")
    parser.add_argument(
        "--grant-app-role", metavar="ROLE", default=None,
        help="PostgreSQL: after migrating, give the existing role ROLE data access only "
        "(the hosted service's non-owner role, held to row-level security)",
    )  # fmt: skip
    parser.add_argument("--verbose", "-v", action="store_true", help="log what happens")
    return parser


def _confirm_reset(environment: str, console: Console) -> bool:
    # No terminal, or standard input closed (``sys.stdin`` is then ``None``): not confirmed.
    if sys.stdin is None or not sys.stdin.isatty():
        return False
    console.print(
        f"[bold red]--reset destroys every row of the {environment} database.[/] "
        f"Type [bold]{environment}[/] to confirm: ",
        end="",
    )
    try:
        return input().strip() == environment
    except EOFError:
        return False


def run(args: argparse.Namespace, console: Console) -> int:
    """Carry out ``args``; returns the exit code."""
    from database.bootstrap import init_database
    from database.core.config import DatabaseConfig
    from database.core.tenant import grant_app_role
    from database.services.demo import load_demo_data
    from database.services.status import database_status

    config = DatabaseConfig.for_environment(args.environment)
    if args.reset and not args.yes and not _confirm_reset(config.environment, console):
        console.print("init_db: reset not confirmed; nothing was changed (use --yes to skip)")
        return 1
    with console.status(f"Preparing the {config.environment} database..."):
        manager = init_database(config.environment, drop_existing=args.reset)
    if args.grant_app_role is not None:
        if manager.config.database_type != "postgresql":
            console.print("init_db: --grant-app-role needs PostgreSQL (SQLite has no roles)")
            return 2
        grant_app_role(manager.engine, args.grant_app_role)
        console.print(f"Granted data access to the role {args.grant_app_role}.")
    if args.demo and load_demo_data():
        console.print("Loaded the demo dataset.")
    _print_status(database_status(manager), console)
    return 0


def _print_status(status: dict[str, object], console: Console) -> None:
    table = Table(title="Auto Applyer database", show_header=False)
    table.add_row("environment", str(status["environment"]))
    table.add_row("engine", str(status["database_type"]))
    table.add_row("url", str(status["url"]))
    table.add_row("schema version", str(status["schema_version"]))
    console.print(table)
    counts = Table("table", "rows")
    row_counts = status["row_counts"]
    assert isinstance(row_counts, dict)
    for name, count in row_counts.items():
        counts.add_row(name, str(count))
    console.print(counts)


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear line and a non-zero exit on failure."""
    args = build_parser().parse_args(argv)
    return run_command("init_db", args.verbose, lambda console: run(args, console))


if __name__ == "__main__":
    sys.exit(main())
