"""Create, list, verify and restore backups of the Auto Applyer database.

python -m cli.backup create [NAME] [--environment development]
python -m cli.backup list
python -m cli.backup verify PATH_OR_NAME
python -m cli.backup restore PATH_OR_NAME [--yes] [--no-safety-backup]

A name ending in ``.json.gz`` writes a gzip backup. Backups hold the resume
files too. ``restore`` replaces all data and asks for confirmation unless
``--yes`` is given; it first writes a safety backup of the current data into
the backup folder and prints its path (``--no-safety-backup`` skips it). On
failure: one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from cli.runner import run_command
from database.core.config import ENVIRONMENTS

if TYPE_CHECKING:
    from database.io.backup import BackupManager

PROG = "backup_cli"
ProgressCallback = Callable[[str, int, int], None]
#: Resume files that could not be backed up, listed by ``create`` at most.
SHOWN_MISSING = 10


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``backup_cli``."""
    parser = argparse.ArgumentParser(prog=PROG, description="Back up and restore the database.")
    parser.add_argument(
        "--environment", "-e", choices=ENVIRONMENTS, default=None,
        help="database environment (default: $ENVIRONMENT or development)",
    )  # fmt: skip
    parser.add_argument(
        "--backup-dir", type=Path, default=None, help="backup folder (default: backups/)"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="back up every table to a new file")
    create.add_argument("name", nargs="?", help="file name (default: timestamped); .json.gz: gzip")
    listing = commands.add_parser("list", help="list the backups, newest first")
    listing.add_argument(
        "--no-verify", action="store_true", help="do not read each file in full to verify it"
    )
    verify = commands.add_parser("verify", help="check a backup in full and restore it on trial")
    verify.add_argument("backup", help="path of the backup, or its name in the backup folder")
    restore = commands.add_parser("restore", help="replace ALL data with a backup's")
    restore.add_argument("backup", help="path of the backup, or its name in the backup folder")
    restore.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    restore.add_argument(
        "--no-safety-backup",
        action="store_true",
        help="do not back up the current data first (it is then lost for good)",
    )
    return parser


@contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback]:
    """A Rich progress bar, fed by the backup package's progress callback."""
    columns = (
        TextColumn("{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
    )
    # Started on the first report, so a command that fails at once prints no empty bar.
    bar = Progress(*columns, console=console, transient=False)
    tasks: dict[str, TaskID] = {}

    def update(phase: str, done: int, total: int) -> None:
        if not tasks:
            bar.start()
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total)
        bar.update(tasks[phase], completed=done, total=max(total, done))

    try:
        yield update
    finally:
        if tasks:
            bar.stop()


def _manager(args: argparse.Namespace, with_database: bool) -> BackupManager:
    from database.bootstrap import init_database
    from database.io.backup import BackupManager

    database = init_database(args.environment) if with_database else None
    return BackupManager(backup_dir=args.backup_dir, database_manager=database)


def cmd_create(args: argparse.Namespace, console: Console) -> int:
    """Write a new backup and print its path."""
    manager = _manager(args, with_database=True)
    with progress_bar(console) as progress:
        path = manager.create_backup(args.name, progress=progress)
    console.print(f"Backup created: [bold]{path}[/]")
    from database.io.backup.format import read_metadata

    files = read_metadata(Path(path))["files"]
    console.print(f"Resume files: {files['count']} ({_size(files['bytes'])})")
    for missing in files["missing"][:SHOWN_MISSING]:
        console.print(f"[yellow]missing[/]: {missing['path']} ({missing['reason']})")
    if len(files["missing"]) > SHOWN_MISSING:
        console.print(f"... and {len(files['missing']) - SHOWN_MISSING} more missing files")
    return 0


#: A width no table reaches: measuring at it gives the table's natural width.
UNBOUNDED = 100_000


def cmd_list(args: argparse.Namespace, console: Console) -> int:
    """Print a table of the backups, newest first."""
    manager = _manager(args, with_database=False)
    entries = manager.list_backups(verify=not args.no_verify)
    if not entries:
        console.print(f"No backups in {manager.backup_dir}")
        return 0
    rows = [_list_row(entry, verify=not args.no_verify) for entry in entries]
    table = Table("file", "created (UTC)", "size", "environment", "schema", "rows", "verified")
    for row in rows:
        table.add_row(*row)
    unbounded = console.options.update_width(UNBOUNDED)
    if console.measure(table, options=unbounded).maximum <= console.width:
        console.print(table)
    else:
        # Too narrow for the table: a name a person must type is never cut short.
        for name, *details in rows:
            console.print(name, soft_wrap=True, highlight=False)
            console.print("  " + "  ".join(details), soft_wrap=True)
    for entry in entries:
        if entry["error"]:
            console.print(f"[red]{entry['filename']}[/]: {entry['error']}")
    return 0


def _list_row(entry: dict[str, Any], *, verify: bool) -> list[str]:
    verified = ("yes" if entry["verified"] else "[red]NO[/]") if verify else "-"
    return [
        entry["filename"],
        f"{entry['created']:%Y-%m-%d %H:%M:%S}",
        _size(entry["size"]),
        str(entry["environment"] or "?"),
        str(entry["schema_version"] or "?"),
        str(sum(entry["row_counts"].values())),
        verified,
    ]


def cmd_verify(args: argparse.Namespace, console: Console) -> int:
    """Check a backup and restore it into a scratch database."""
    manager = _manager(args, with_database=False)
    with progress_bar(console) as progress:
        summary = manager.verify_backup(args.backup, progress=progress)
    console.print(
        f"[green]OK[/]: {summary.path.name} verifies ({summary.total_rows} rows, "
        f"schema {summary.schema_version}, taken {summary.backup_date:%Y-%m-%d %H:%M:%S} UTC "
        f"from {summary.environment})"
    )
    return 0


def _confirm(target: str, console: Console) -> bool:
    # No terminal, or standard input closed (``sys.stdin`` is then ``None``): not confirmed.
    if sys.stdin is None or not sys.stdin.isatty():
        return False
    console.print(
        f"[bold red]Restoring replaces every row of the {target} database.[/] "
        "Type [bold]restore[/] to confirm: ",
        end="",
    )
    try:
        return input().strip() == "restore"
    except EOFError:
        return False


def cmd_restore(args: argparse.Namespace, console: Console) -> int:
    """Replace all data with the backup's, after confirmation."""
    manager = _manager(args, with_database=True)
    target = manager.database.config.environment
    if not args.yes and not _confirm(target, console):
        console.print(f"{PROG}: restore not confirmed; nothing was changed (use --yes to skip)")
        return 1
    try:
        with progress_bar(console) as progress:
            summary = manager.restore_backup(
                args.backup,
                confirm=True,
                safety_backup=not args.no_safety_backup,
                progress=progress,
            )
    finally:
        safety = manager.last_safety_backup
        if safety is not None:
            console.print(f"Safety backup of the data before the restore: [bold]{safety}[/]")
    console.print(
        f"Restored {summary.total_rows} rows and {summary.files.count} resume files "
        f"from [bold]{summary.path.name}[/]."
    )
    return 0


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


COMMANDS = {"create": cmd_create, "list": cmd_list, "verify": cmd_verify, "restore": cmd_restore}


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear line and a non-zero exit on failure."""
    args = build_parser().parse_args(argv)
    return run_command(PROG, args.verbose, lambda console: COMMANDS[args.command](args, console))


if __name__ == "__main__":
    sys.exit(main())
