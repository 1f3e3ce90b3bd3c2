"""Benchmark: backup and restore against the engines' own tools, and memory as data grows.

python -m benchmarks.backup               # 200,000 applications, both engines, and peak
                                          # memory at 10k and 100k applications (SQLite)
python -m benchmarks.backup --series 10000,100000,1000000   # the memory series up to 1M
                                          # (adds about 10 minutes on a 2-core machine)
python -m benchmarks.backup --apps 20000 --series ""        # a quick look

Every operation runs in a process of its own, so its peak memory is its own
(maximum resident set size from ``wait4``) and its time excludes interpreter
start-up (the child times the work itself; the engines' command-line tools are
timed from start to exit). The data is a deterministic synthetic backup
(``benchmarks/dataset.py`` rows, 1,000 users, one status-history row per
application), restored first with ``BackupManager`` into an empty migrated
database; the same database is then backed up by ``BackupManager`` and by the
raw tools, measured in the same run:

* SQLite: the ``sqlite3`` module's online backup API (a page copy, the fastest
  possible), and the ``sqlite3`` command's ``.dump`` to an SQL file and ``.read``
  of it into an empty file;
* PostgreSQL: ``pg_dump -Fc`` and ``pg_restore`` into an empty database, on the
  server of ``scripts/pg-test-server.sh``.

The raw restores rebuild schema, indexes and full-text data too; ours loads the
data into an existing schema (and rebuilds the SQLite full-text index).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

from benchmarks.dataset import Dataset, with_keys
from database.io.backup.format import (
    BACKUP_TABLES,
    FORMAT_NAME,
    FORMAT_VERSION,
    DataDigest,
    canonical_json,
)
from database.io.backup.validation import CODECS
from database.io.backup.writer import BackupFileWriter

ROOT = Path(__file__).resolve().parent.parent
USERS = 1_000
console = Console(width=160)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.backup", description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--apps", type=int, default=200_000, help="applications to compare at")
    parser.add_argument("--description", type=int, default=1_500, help="characters per job")
    parser.add_argument(
        "--series", default="10000,100000", help="sizes of the memory series (SQLite)"
    )
    parser.add_argument(
        "--series-description", type=int, default=300, help="characters per job in the series"
    )
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (default: test server)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# -- the synthetic backup ---------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.isoformat()


def _rows(apps: int, description: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of a backup with ``apps`` applications, as (table, database values)."""
    when = datetime(2024, 1, 1, tzinfo=UTC)
    for u in range(1, USERS + 1):
        yield "users", {"id": u, "email": f"user{u}@example.com", "skills": ["Python", "SQL"],
                        "password_hash": f"scrypt${u:032x}${u:0128x}", "first_name": f"User {u}",
                        "is_active": True, "created_at": when, "updated_at": when}  # fmt: skip
    for u in range(1, USERS + 1):
        yield "resumes", {"id": u, "user_id": u, "filename": f"cv{u}.pdf",
                          "file_path": f"/r/cv{u}.pdf", "skills_extracted": ["Python"],
                          "is_active": True, "upload_date": when, "created_at": when,
                          "updated_at": when}  # fmt: skip
    for u in range(1, USERS + 1):
        yield "user_preferences", {"id": u, "user_id": u, "preferred_job_titles": [],
                                   "preferred_locations": ["Remote"], "preferred_companies": [],
                                   "preferred_job_types": [], "remote_work_preference": False,
                                   "email_notifications": True, "created_at": when,
                                   "updated_at": when}  # fmt: skip
    dataset = Dataset(USERS, description_length=description)
    for i in range(1, apps + 1):
        row = with_keys(dataset.row(i))
        user = dataset.user_of(i)
        stamp = row["application_date"]
        yield "job_applications", {**row, "id": i, "user_id": user, "resume_id": user,
                                   "status_changed_at": stamp, "created_at": stamp,
                                   "updated_at": stamp}  # fmt: skip
    for i in range(1, apps + 1):
        yield "application_status_history", {
            "id": i, "application_id": i, "to_status": "applied",
            "changed_at": when + timedelta(minutes=i),
        }  # fmt: skip


def write_synthetic_backup(path: Path, apps: int, description: int) -> int:
    """A backup file of the format with ``apps`` applications; returns its rows."""
    digest = DataDigest()
    counts = {t.name: 0 for t in BACKUP_TABLES}
    with BackupFileWriter(path, compress=False) as out:
        rows = _rows(apps, description)
        pending: tuple[str, dict[str, Any]] | None = next(rows)
        for table in BACKUP_TABLES:
            out.start_table(table.name)
            codec = CODECS[table.name]
            while pending is not None and pending[0] == table.name:
                values = pending[1]
                row_json = canonical_json(codec.encode([values.get(c.name) for c in codec.columns]))
                digest.add(table.name, row_json)
                out.add_row(row_json)
                counts[table.name] += 1
                pending = next(rows, None)
        out.publish({
            "format": FORMAT_NAME, "version": FORMAT_VERSION,
            "backup_date": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "environment": "benchmark", "database_type": "synthetic", "schema_version": None,
            "row_counts": counts, "sha256": digest.hexdigest(),
        })  # fmt: skip
    return sum(counts.values())


# -- child processes ------------------------------------------------------------------


def child(argv: list[str]) -> None:
    """Run one operation and print its time and memory as JSON (inside a child process)."""
    operation, *rest = argv
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    extra = CHILD_OPERATIONS[operation](*rest)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "start_rss_kib": start_rss, **(extra or {})}))


def _manager(url: str) -> Any:
    from database.core.config import DatabaseConfig, parse_url
    from database.core.session import DatabaseManager

    return DatabaseManager(DatabaseConfig(environment="benchmark", url=parse_url(url)))


def _ours_restore(url: str, path: str) -> dict[str, Any]:
    from database.io.backup import BackupManager

    BackupManager(tempfile.gettempdir(), database_manager=_manager(url)).restore_backup(
        path, confirm=True, safety_backup=False
    )
    return {}


def _ours_backup(url: str, folder: str, name: str) -> dict[str, Any]:
    from database.io.backup import BackupManager

    BackupManager(folder, database_manager=_manager(url)).create_backup(name)
    return {}


CHILD_OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "ours-restore": _ours_restore,
    "ours-backup": _ours_backup,
}


@dataclass
class Run:
    """Time and peak memory of one operation in its own process."""

    seconds: float
    peak_kib: int
    start_kib: int = 0


# A process's peak RSS counts the pages it inherited when it was forked, so each
# measured command is started by a bare interpreter (a few MiB), not by this one.
_LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump({"rss": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}, out)
"""


def _launch(command: list[str], env: dict[str, str] | None = None) -> tuple[str, int, float]:
    """Run ``command``; returns its standard output, peak RSS (KiB) and wall time."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, report.name, *command],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        result = json.loads(report.read() or "{}")
    if done.returncode != 0 or result.get("code") != 0:
        raise SystemExit(f"benchmark step failed: {command[:6]}")
    return done.stdout.decode(), int(result["rss"]), seconds


def run_python(*args: str) -> Run:
    """``python -m benchmarks.backup --child ARGS`` in a process of its own."""
    output, rss, _wall = _launch([sys.executable, "-m", "benchmarks.backup", "--child", *args])
    result = json.loads(output.strip().splitlines()[-1])
    return Run(result["seconds"], rss, result["start_rss_kib"])


def run_tool(command: list[str], env: dict[str, str]) -> Run:
    """An engine's command-line tool, timed from start to exit."""
    _output, rss, wall = _launch(command, env)
    return Run(wall, rss)


# -- databases -----------------------------------------------------------------------


def migrated_sqlite(template: Path, target: Path) -> str:
    """An empty database at the latest schema (a copy of a migrated template)."""
    if not template.exists():
        from database.migrations import MigrationManager

        manager = _manager(f"sqlite:///{template}")
        MigrationManager(manager).migrate_to_latest()
        manager.close()
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@contextmanager
def postgres_databases(server_url: str) -> Iterator[Any]:
    """Makes throwaway PostgreSQL databases on the test server; drops them all at the end."""
    base = make_url(server_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    made: list[str] = []

    def new(migrate: bool) -> Any:
        name = f"aa_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        url = base.set(database=name)
        if migrate:
            from database.migrations import MigrationManager

            manager = _manager(url.render_as_string(hide_password=False))
            MigrationManager(manager).migrate_to_latest()
            manager.close()
        return url

    try:
        yield new
    finally:
        with admin.connect() as conn:
            for name in made:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def pg_tool_env(url: Any) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in the environment."""
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    return ["-h", url.host, "-p", str(url.port), "-U", url.username], env


def test_server_url() -> str:
    result = subprocess.run(
        [str(ROOT / "scripts" / "pg-test-server.sh"), "start"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


# -- the measurements ------------------------------------------------------------------


@dataclass
class Line:
    engine: str
    operation: str
    ours: Run
    raw: Run | None
    raw_name: str
    size: int


_BACKUP_API = """
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as source, sqlite3.connect(sys.argv[2]) as target:
    source.backup(target)
"""


def compare_sqlite(work: Path, backup: Path) -> list[Line]:
    template = work / "template.db"
    db = work / "ours.db"
    url = migrated_sqlite(template, db)
    restore = run_python("ours-restore", url, str(backup))
    ours_backup = run_python("ours-backup", url, str(work), "sqlite_backup.json")
    copy = run_tool([sys.executable, "-S", "-c", _BACKUP_API, str(db), str(work / "copy.db")], {})
    size = (work / "sqlite_backup.json").stat().st_size
    lines = [Line("sqlite", "backup", ours_backup, copy, "backup API (page copy)", size)]
    cli = shutil.which("sqlite3")
    if cli is None:
        console.print("[yellow]the sqlite3 command is not installed: no .dump / .read lines[/]")
        lines.append(Line("sqlite", "restore", restore, None, "-", size))
        return lines
    env = dict(os.environ)
    dump_file = work / "dump.sql"
    dump = run_tool([cli, str(db), f".output {dump_file}", ".dump"], env)
    load = run_tool([cli, str(work / "loaded.db"), f".read {dump_file}"], env)
    return [
        *lines,
        Line("sqlite", "backup", ours_backup, dump, "sqlite3 .dump", size),
        Line("sqlite", "restore", restore, load, "sqlite3 .read of the dump", size),
    ]


def compare_postgres(work: Path, backup: Path, server: str) -> list[Line]:
    with postgres_databases(server) as new:
        target = new(migrate=True)
        url = target.render_as_string(hide_password=False)
        restore = run_python("ours-restore", url, str(backup))
        ours_backup = run_python("ours-backup", url, str(work), "pg_backup.json")
        options, env = pg_tool_env(target)
        dump_file = work / "pg.dump"
        dump = run_tool(["pg_dump", *options, "-Fc", "-f", str(dump_file), target.database], env)
        empty = new(migrate=False)
        load = run_tool(["pg_restore", *options, "-d", empty.database, str(dump_file)], env)
    size = (work / "pg_backup.json").stat().st_size
    return [
        Line("postgresql", "backup", ours_backup, dump, "pg_dump -Fc", size),
        Line("postgresql", "restore", restore, load, "pg_restore", size),
    ]


def memory_series(
    work: Path, sizes: list[int], description: int
) -> list[tuple[int, Run, Run, int]]:
    results = []
    for size in sizes:
        folder = work / f"series_{size}"
        folder.mkdir()
        backup = folder / "synthetic.json"
        write_synthetic_backup(backup, size, description)
        url = migrated_sqlite(work / "template.db", folder / "db.sqlite")
        restore = run_python("ours-restore", url, str(backup))
        backed_up = run_python("ours-backup", url, str(folder), "again.json")
        results.append((size, backed_up, restore, (folder / "again.json").stat().st_size))
        shutil.rmtree(folder)
    return results


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def print_comparison(lines: list[Line], apps: int, rows: int) -> None:
    table = Table(title=f"Backup and restore of {apps:,} applications ({rows:,} rows)")
    for column in ("engine", "operation", "ours (s)", "raw tool", "raw (s)", "time ratio",
                   "ours peak RSS", "raw peak RSS", "backup file"):  # fmt: skip
        table.add_column(column, justify="right" if "(" in column or "RSS" in column else "left")
    for line in lines:
        raw = line.raw
        table.add_row(
            line.engine, line.operation, f"{line.ours.seconds:.1f}", line.raw_name,
            f"{raw.seconds:.1f}" if raw else "-",
            f"{line.ours.seconds / raw.seconds:.1f}x" if raw and raw.seconds else "-",
            _mib(line.ours.peak_kib), _mib(raw.peak_kib) if raw else "-",
            f"{line.size / 2**20:,.0f} MiB",
        )  # fmt: skip
    console.print(table)
    console.print(
        "ratio = our time / the raw tool's; peak RSS = maximum resident set of the process "
        f"(a Python process that has imported the project starts at about "
        f"{_mib(lines[0].ours.start_kib)})."
    )


def print_series(results: list[tuple[int, Run, Run, int]], description: int) -> None:
    table = Table(title=f"Peak memory as data grows (SQLite, {description}-character jobs)")
    for column in ("applications", "backup (s)", "backup peak RSS", "restore (s)",
                   "restore peak RSS", "backup file"):  # fmt: skip
        table.add_column(column, justify="right")
    for size, backed_up, restore, file_size in results:
        table.add_row(
            f"{size:,}", f"{backed_up.seconds:.1f}", _mib(backed_up.peak_kib),
            f"{restore.seconds:.1f}", _mib(restore.peak_kib), f"{file_size / 2**20:,.0f} MiB",
        )  # fmt: skip
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    engines = [e for e in args.engines.split(",") if e]
    sizes = [int(s) for s in args.series.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="aa_backup_bench_") as folder:
        work = Path(folder)
        started = time.perf_counter()
        backup = work / "synthetic.json"
        rows = write_synthetic_backup(backup, args.apps, args.description)
        console.print(
            f"synthetic backup: {args.apps:,} applications, {rows:,} rows, "
            f"{backup.stat().st_size / 2**20:,.0f} MiB, "
            f"written in {time.perf_counter() - started:.0f} s"
        )
        lines: list[Line] = []
        if "sqlite" in engines:
            lines += compare_sqlite(work, backup)
        if "postgresql" in engines:
            lines += compare_postgres(work, backup, args.pg_url or test_server_url())
        if lines:
            print_comparison(lines, args.apps, rows)
        if sizes:
            print_series(
                memory_series(work, sizes, args.series_description), args.series_description
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
