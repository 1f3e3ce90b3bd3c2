"""Bulk insertion of restored rows through the raw driver.

A restore inserts hundreds of thousands of rows whose values are already
checked, so it skips the per-statement work of SQLAlchemy's ``insert()`` and
hands batches straight to the driver: ``executemany`` on SQLite, ``COPY ... FROM
STDIN`` on PostgreSQL. Values still go through each column type's own bind
processor (SQLAlchemy's, for that dialect), so they are stored exactly as the
ORM would store them. Errors come back as the project's errors, naming the
table and the rows of the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from database.core.errors import translated
from database.core.tenant import copy_allowed
from utils.errors import AutoApplyerError, ValidationError

SQLITE_BATCH = 2000
COPY_BATCH = 10000


class RowInserter:
    """Inserts one table's rows (values in column order) in batches."""

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn = conn
        self.table = table
        dialect = conn.dialect
        processors: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns
        ]
        self._processors = [(i, p) for i, p in enumerate(processors) if p is not None]
        self._copy = copy_allowed(conn, table.name)
        self.batch_size = COPY_BATCH if self._copy else SQLITE_BATCH
        quote = dialect.identifier_preparer.quote
        columns = ", ".join(quote(c.name) for c in table.columns)
        if self._copy:
            self._sql = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        else:
            mark = "%s" if dialect.name == "postgresql" else "?"
            marks = ", ".join(mark for _ in table.columns)
            self._sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"  # noqa: S608
        self._batch: list[list[Any]] = []
        self.inserted = 0

    def add(self, values: list[Any]) -> None:
        """Queue one row; a full batch is sent to the database."""
        for index, process in self._processors:
            values[index] = process(values[index])
        self._batch.append(values)
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Send the queued rows."""
        if not self._batch:
            return
        with translated(self._located):
            if self._copy:
                self._send_copy()
            else:
                self.conn.exec_driver_sql(self._sql, [tuple(row) for row in self._batch])
        self.inserted += len(self._batch)
        self._batch.clear()

    def _send_copy(self) -> None:
        # psycopg's own connection: its cursor speaks COPY, which the DB-API does not.
        dbapi: Any = self.conn.connection.dbapi_connection
        try:
            with dbapi.cursor() as cursor, cursor.copy(self._sql) as copy:
                for row in self._batch:
                    copy.write_row(row)
        except self.conn.dialect.loaded_dbapi.Error as exc:
            raise sa_exc.DBAPIError.instance(
                self._sql, None, exc, self.conn.dialect.loaded_dbapi.Error
            ) from exc

    def _located(self, error: AutoApplyerError) -> AutoApplyerError:
        """``error`` naming the table and the rows of the batch that failed."""
        first, last = self.inserted, self.inserted + len(self._batch) - 1
        where = f"backup.data.{self.table.name}[{first}..{last}]"
        if isinstance(error, ValidationError):
            return ValidationError(f"{where}.{error.field}", error.rule)
        return type(error)(f"{error} (restoring {where})")
