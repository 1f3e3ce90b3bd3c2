"""Import or export a user's job applications as CSV.

python -m cli.import_csv import applications.csv --user ann@example.com
python -m cli.import_csv import jobs.csv --user ann@example.com --map Title=job_title
python -m cli.import_csv export backup.csv --user ann@example.com -e production

Exit codes: 0 done; 1 an error (one line, nothing imported); 3 imported, but some
rows were rejected (listed, and counted on standard error).
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.runner import run_command
from database.core.config import ENVIRONMENTS
from database.domain.duplicates import OnDuplicate
from utils.errors import ValidationError

MAX_REJECTS_SHOWN = 20
#: The exit code of an import that rejected rows (the others were imported).
REJECTED_ROWS = 3


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``import_cli``."""
    parser = argparse.ArgumentParser(
        prog="import_cli", description="Import or export job applications as CSV."
    )
    parser.add_argument("action", choices=("import", "export"))
    parser.add_argument("file", help="the CSV file to read or write")
    parser.add_argument("--user", "-u", required=True, help="the email of the user")
    parser.add_argument(
        "--environment", "-e", choices=ENVIRONMENTS, default=None,
        help="database environment (default: $ENVIRONMENT or development)",
    )  # fmt: skip
    parser.add_argument(
        "--on-duplicate", choices=[o.value for o in OnDuplicate], default="skip",
        help="what to do with a posting the user already has (default: skip)",
    )  # fmt: skip
    parser.add_argument(
        "--map", action="append", default=[], metavar="COLUMN=FIELD",
        help="read CSV column COLUMN as application field FIELD (repeatable)",
    )  # fmt: skip
    parser.add_argument("--verbose", "-v", action="store_true", help="log what happens")
    return parser


def _column_map(pairs: list[str]) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        column, sep, name = pair.partition("=")
        if not sep or not column or not name:
            raise ValidationError("--map", "must look like COLUMN=FIELD", pair)
        mapping[column] = name.strip()
    return mapping


def run(args: argparse.Namespace, console: Console) -> int:
    """Carry out ``args``; returns the exit code."""
    from database.bootstrap import init_database
    from database.utilities import DatabaseUtils

    column_map = _column_map(args.map)
    init_database(args.environment)
    user = DatabaseUtils.get_user_by_email(args.user)
    if user is None:
        raise ValidationError("--user", "no user has this email", args.user)
    if args.action == "export":
        count = DatabaseUtils.export_applications_csv(user.id, args.file)
        console.print(f"Exported {count} applications to {args.file}")
        return 0
    return _import(args, user.id, column_map, console)


def _import(
    args: argparse.Namespace, user_id: int, column_map: dict[str, str] | None, console: Console
) -> int:
    from database.utilities import DatabaseUtils

    columns = (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
    )  # fmt: skip
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Checking rows", total=None)
        report = DatabaseUtils.import_applications_csv(
            user_id,
            args.file,
            column_map=column_map,
            on_duplicate=args.on_duplicate,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    summary = Table("added", "skipped duplicates", "updated", "rejected", title="CSV import")
    summary.add_row(
        str(report.added), str(report.skipped_duplicates), str(report.updated),
        str(len(report.rejected)),
    )  # fmt: skip
    console.print(summary)
    if report.ignored_columns:
        console.print(f"Ignored columns: {', '.join(report.ignored_columns)}")
    if report.rejected:
        rejects = Table("row", "field", "reason", title="Rejected rows")
        for reject in report.rejected[:MAX_REJECTS_SHOWN]:
            rejects.add_row(str(reject.row), reject.field, reject.reason)
        console.print(rejects)
        hidden = len(report.rejected) - MAX_REJECTS_SHOWN
        if hidden > 0:
            console.print(f"... and {hidden} more rejected rows")
        rows = "row was" if len(report.rejected) == 1 else "rows were"
        print(f"import_cli: {len(report.rejected)} {rows} rejected", file=sys.stderr)
        return REJECTED_ROWS
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: one clear line and a non-zero exit on failure."""
    args = build_parser().parse_args(argv)
    return run_command("import_cli", args.verbose, lambda console: run(args, console))


if __name__ == "__main__":
    sys.exit(main())
