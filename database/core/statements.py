"""Statements run on the driver's cursor: the hot paths that skip result objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from database.core.column_types import UTCDateTime, as_utc


def fetch_rows(conn: Connection, statement: str, parameters: Any) -> list[tuple[Any, ...]]:
    """Every row of a read ``statement`` in the driver's SQL, as plain tuples.

    For the hot reads whose cost is near that of the engine's own work: the
    statement goes through the connection's cursor-execution step, so events
    (statement capture, ``echo``) and the wrapping of driver errors are as for
    any statement, but no execution context or result object is built.
    ``tests/integration/core/test_query_plans.py`` sees these statements, so an
    SQLAlchemy upgrade that changed that step would fail there.
    """
    cursor = conn.connection.cursor()
    try:
        conn._cursor_execute(cursor, statement, parameters)
        try:
            return list(cursor.fetchall())
        except conn.dialect.loaded_dbapi.Error as exc:
            dbapi_error = conn.dialect.loaded_dbapi.Error
            raise DBAPIError.instance(statement, parameters, exc, dbapi_error) from exc
    finally:
        cursor.close()


class DriverStatement:
    """A Core statement compiled once for one dialect, run on the driver's cursor.

    For the hot writes: each value goes through the bind conversion of its
    column type for the dialect, as the engine would convert it, and the
    statement through the connection's cursor-execution step (see
    :func:`fetch_rows`), without an execution context or a result object.
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        self._positions = tuple(compiled.positiontup) if compiled.positiontup else None
        self._converters: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            if isinstance(bind.type, UTCDateTime) and dialect.name == "sqlite":
                convert: Callable[[Any], Any] | None = _sqlite_time_or_none
            else:
                convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                self._converters[name] = convert

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """``values`` (one per bound name) converted, in the driver's parameter style."""
        converters = self._converters
        converted = {
            name: converters[name](value) if name in converters else value
            for name, value in values.items()
        }
        if self._positions is None:
            return converted
        return tuple(converted[name] for name in self._positions)

    def run(self, conn: Connection, values: Mapping[str, Any]) -> tuple[int | None, list[Any]]:
        """Execute with ``values``: the driver's last row id, and the rows it returned."""
        parameters = self.parameters(values)
        cursor = conn.connection.cursor()
        try:
            conn._cursor_execute(cursor, self.sql, parameters)
            rows = list(cursor.fetchall()) if cursor.description else []
            return getattr(cursor, "lastrowid", None), rows  # psycopg has none
        except conn.dialect.loaded_dbapi.Error as exc:
            dbapi_error = conn.dialect.loaded_dbapi.Error
            raise DBAPIError.instance(self.sql, parameters, exc, dbapi_error) from exc
        finally:
            cursor.close()


def sqlite_time(value: datetime) -> str:
    """A timestamp as SQLite stores a ``UTCDateTime``: the UTC wall time as text.

    The same text as the engine's own conversion, at a tenth of its cost.
    """
    return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_time_or_none(value: datetime | None) -> str | None:
    return None if value is None else sqlite_time(value)
