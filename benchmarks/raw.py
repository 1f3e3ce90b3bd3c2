"""The same work done with the raw drivers (``sqlite3``, ``psycopg``): the baseline."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from database.bulk import APP_COLUMNS

COLUMNS = tuple(c for c in APP_COLUMNS if c != "id")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def app_tuple(user_id: int, row: dict[str, Any], now: datetime, sqlite: bool) -> tuple[Any, ...]:
    """A ready-made parameter tuple for one application (conversion is not timed)."""
    values = {
        **row,
        "user_id": user_id,
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    out = []
    for name in COLUMNS:
        value = values.get(name)
        if sqlite and isinstance(value, datetime):
            value = value.replace(tzinfo=None).strftime(_SQLITE_TIME)
        out.append(value)
    return tuple(out)


class RawSQLite:
    """A plain ``sqlite3`` connection with the project's pragmas."""

    def __init__(self, path: str, synchronous: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("foreign_keys = ON", "busy_timeout = 30000", "journal_mode = WAL",
                       f"synchronous = {synchronous}"):  # fmt: skip
            self.conn.execute(f"PRAGMA {pragma}")
        marks = ", ".join("?" for _ in COLUMNS)
        self.insert_app = f"INSERT INTO job_applications ({', '.join(COLUMNS)}) VALUES ({marks})"

    def bulk(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """executemany of the applications, then their history rows by INSERT ... SELECT."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        (last,) = c.execute("SELECT coalesce(max(id), 0) FROM job_applications").fetchone()
        c.executemany(self.insert_app, rows)
        c.execute(
            "INSERT INTO application_status_history (application_id, to_status, changed_at) "
            "SELECT id, status, status_changed_at FROM job_applications WHERE id > ?",
            (last,),
        )
        c.execute("COMMIT")

    def add_one(self, row: tuple[Any, ...]) -> None:
        """One application and its history row, committed."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        new_id = c.execute(self.insert_app, row).lastrowid
        c.execute(
            "INSERT INTO application_status_history (application_id, to_status, changed_at) "
            "VALUES (?, ?, ?)",
            (new_id, row[COLUMNS.index("status")], row[COLUMNS.index("status_changed_at")]),
        )
        c.execute("COMMIT")

    def run(self, statement: str, parameters: Any) -> list[Any]:
        """A read statement with its parameters, all rows fetched."""
        return self.conn.execute(statement, parameters).fetchall()

    def close(self) -> None:
        self.conn.close()


class RawPostgres:
    """A plain ``psycopg`` connection."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url)
        marks = ", ".join("%s" for _ in COLUMNS)
        self.insert_app = (
            f"INSERT INTO job_applications ({', '.join(COLUMNS)}) VALUES ({marks}) RETURNING id"
        )

    def bulk(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY of the applications, then their history rows by INSERT ... SELECT."""
        with self.conn.cursor() as cur:
            cur.execute("SELECT coalesce(max(id), 0) FROM job_applications")
            (last,) = cur.fetchone() or (0,)
            with cur.copy(f"COPY job_applications ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                "INSERT INTO application_status_history (application_id, to_status, changed_at) "
                "SELECT id, status, status_changed_at FROM job_applications WHERE id > %s",
                (last,),
            )
        self.conn.commit()

    def add_one(self, row: tuple[Any, ...]) -> None:
        """One application and its history row, committed."""
        with self.conn.cursor() as cur:
            cur.execute(self.insert_app, row)
            (new_id,) = cur.fetchone() or (0,)
            cur.execute(
                "INSERT INTO application_status_history (application_id, to_status, changed_at) "
                "VALUES (%s, %s, %s)",
                (new_id, row[COLUMNS.index("status")], row[COLUMNS.index("status_changed_at")]),
            )
        self.conn.commit()

    def run(self, statement: str, parameters: Any) -> list[Any]:
        """A read statement with its parameters, all rows fetched."""
        with self.conn.cursor() as cur:
            cur.execute(statement, parameters)
            rows = cur.fetchall()
        self.conn.rollback()
        return rows

    def close(self) -> None:
        self.conn.close()
