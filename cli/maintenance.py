"""Run maintenance on the Auto Applyer database: archiving, retention, backup rotation, optimising.

auto-applyer-maintenance run [--dry-run] [--environment development] [--backup-dir DIR]

``python -m cli.maintenance run`` is the same command. ``--dry-run`` reports
what a run would archive and remove and changes nothing. Exit codes: 0 when
the run succeeded, 1 on failure (one line on stderr; the run is recorded as
failed), 3 when another maintenance run holds the lock (nothing was done).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.runner import run_command
from database.core.config import ENVIRONMENTS

if TYPE_CHECKING:
    from database.services.maintenance import MaintenanceSummary

PROG = "auto-applyer-maintenance"
#: The exit code when another run holds the lock.
ALREADY_RUNNING = 3
#: Old backups named one by one in the summary, at most.
SHOWN_BACKUPS = 10


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``auto-applyer-maintenance``."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Archive, apply retention, rotate backups and optimise."
    )
    parser.add_argument(
        "--environment", "-e", choices=ENVIRONMENTS, default=None,
        help="database environment (default: $ENVIRONMENT or development)",
    )  # fmt: skip
    parser.add_argument(
        "--backup-dir", type=Path, default=None,
        help="backup folder to rotate (default: $AUTO_APPLYER_BACKUP_DIR or backups/)",
    )  # fmt: skip
    parser.add_argument("--verbose", "-v", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run maintenance once")
    run.add_argument(
        "--dry-run", action="store_true", help="report what would be archived and removed only"
    )
    return parser


@contextmanager
def step_progress(console: Console, total: int) -> Iterator[Callable[[str], None]]:
    """A Rich progress bar over the steps of a run, fed with each step's name."""
    columns = (
        TextColumn("{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("steps"),
        TimeElapsedColumn(),
    )
    bar = Progress(*columns, console=console, transient=False)
    task = bar.add_task("starting", total=total)
    started = [False]

    def update(step: str) -> None:
        if not started[0]:
            bar.start()
            started[0] = True
        else:
            bar.advance(task)
        bar.update(task, description=step)

    try:
        yield update
        if started[0]:
            bar.update(task, completed=total, description="done")
    finally:
        if started[0]:
            bar.stop()


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    """Run maintenance once and print its summary."""
    from database.bootstrap import init_database
    from database.core.tenant import trusted_manager
    from database.services.maintenance import STEPS, run_maintenance

    init_database(args.environment)
    with step_progress(console, len(STEPS)) as progress:
        summary = run_maintenance(
            dry_run=args.dry_run,
            trigger="cli",
            manager=trusted_manager(),
            backup_dir=args.backup_dir,
            progress=progress,
        )
    if summary.status == "already_running":
        holder = f" (held by {summary.holder})" if summary.holder else ""
        print(f"{PROG}: maintenance is already running{holder}; nothing was done", file=sys.stderr)
        return ALREADY_RUNNING
    _print_summary(summary, console)
    return 0


def _print_summary(summary: MaintenanceSummary, console: Console) -> None:
    dry = summary.dry_run
    title = "Maintenance (dry run: nothing was changed)" if dry else "Maintenance"
    table = Table("step", "would remove" if dry else "removed", title=title)
    table.add_row("archived applications", str(summary.archived))
    for policy, rows in summary.retention.items():
        table.add_row(f"retention: {policy}", str(rows))
    table.add_row("orphan resume files", str(summary.orphan_files))
    table.add_row("old backups", str(len(summary.backups_removed)))
    console.print(table)
    for name in summary.backups_removed[:SHOWN_BACKUPS]:
        console.print(f"{'would remove' if dry else 'removed'} backup {name}")
    if len(summary.backups_removed) > SHOWN_BACKUPS:
        console.print(f"... and {len(summary.backups_removed) - SHOWN_BACKUPS} more backups")
    verified = summary.newest_verified_backup or "none"
    console.print(f"Backups kept: {summary.backups_kept} (newest verified: {verified})")
    if summary.optimised:
        console.print(f"Optimised: {'; '.join(summary.optimised)}")
    console.print(f"Run {summary.run_id} took {summary.seconds:.1f} s.")


COMMANDS = {"run": cmd_run}


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear line and a non-zero exit on failure."""
    args = build_parser().parse_args(argv)
    return run_command(PROG, args.verbose, lambda console: COMMANDS[args.command](args, console))


if __name__ == "__main__":
    sys.exit(main())
