"""Statements run on the driver's cursor: the hot paths that skip result objects."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.cache_key import CacheKey
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

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, cache_key: CacheKey | None = None
    ) -> None:
        if cache_key is None:
            compiled = statement.compile(dialect=dialect)
        else:  # compiled as the engine compiles for its cache: values can be passed anew
            compiled = dialect.statement_compiler(dialect, statement, cache_key=cache_key)
        assert isinstance(compiled, SQLCompiler)
        self.compiled = compiled
        self.sql = str(compiled)
        self._positions = tuple(compiled.positiontup) if compiled.positiontup else None
        self._converters = _bind_converters(compiled, dialect)
        # A statement with RETURNING gives rows: no description needed to know it.
        self._returning = bool(compiled.effective_returning)

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
        lastrowid, _, rows = self._execute(conn, values, returns_rows=self._returning)
        return lastrowid, rows

    def _execute(
        self, conn: Connection, values: Mapping[str, Any], *, returns_rows: bool = False
    ) -> tuple[int | None, Any, list[Any]]:
        """Run with ``values``: the last row id, the description and the rows.

        With ``returns_rows`` the caller knows the statement returns rows and
        needs no description: psycopg builds it anew on every access.
        """
        parameters = self.parameters(values)
        cursor = conn.connection.cursor()
        try:
            conn._cursor_execute(cursor, self.sql, parameters)
            if returns_rows:
                return getattr(cursor, "lastrowid", None), None, list(cursor.fetchall())
            description = cursor.description
            rows = list(cursor.fetchall()) if description else []
            return getattr(cursor, "lastrowid", None), description, rows  # psycopg has none
        except conn.dialect.loaded_dbapi.Error as exc:
            dbapi_error = conn.dialect.loaded_dbapi.Error
            raise DBAPIError.instance(self.sql, parameters, exc, dbapi_error) from exc
        finally:
            cursor.close()


class DriverQuery(DriverStatement):
    """A Core ``SELECT`` compiled once for one dialect, its rows read on the driver's cursor.

    For the hot reads that show many rows: each result value goes through the
    result conversion of its column's type for the dialect, as the engine
    would convert it, into one dictionary per row keyed by the selected
    columns' names, without a result object, a row object or an ORM load.
    :func:`fetch_dicts` finds one by the statement's cache key, the key the
    engine's own compiled cache uses, so two statements of the same shape
    share one whatever their bound values.
    """

    def __init__(
        self, statement: Select[Any], dialect: Dialect, cache_key: CacheKey | None = None
    ) -> None:
        super().__init__(statement, dialect, cache_key)
        self.keys = tuple(statement.selected_columns.keys())
        self._types = tuple(column.type for column in statement.selected_columns)
        self._dialect = dialect
        # Known at the first execution: a conversion may depend on the driver's type code.
        self._result_converters: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows for ``values`` (one per bound name), converted, as dictionaries."""
        converters = self._result_converters
        if converters is None:
            _, description, found = self._execute(conn, values)
            converters = self._result_converters = self._converters_for(description)
        else:
            _, _, found = self._execute(conn, values, returns_rows=True)
        keys = self.keys
        if not converters:
            return [dict(zip(keys, row, strict=True)) for row in found]
        rows = []
        for row in found:
            converted = list(row)
            for position, convert in converters:
                converted[position] = convert(converted[position])
            rows.append(dict(zip(keys, converted, strict=True)))
        return rows

    def _converters_for(self, description: Any) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        dialect = self._dialect
        found = []
        for position, (kind, column) in enumerate(zip(self._types, description, strict=True)):
            convert = kind.dialect_impl(dialect).result_processor(dialect, column[1])
            if convert is not None:
                found.append((position, convert))
        return tuple(found)


#: How many compiled reads :func:`fetch_dicts` keeps per process (a few shapes per listing).
QUERY_CACHE_SIZE = 256
_queries: dict[tuple[str, Any], DriverQuery | None] = {}


class _Unknown:
    """The look-up's answer for a shape not compiled yet (``None`` is one the engine runs)."""


_UNKNOWN = _Unknown()
_queries_lock = threading.Lock()


def fetch_dicts(conn: Connection, statement: Select[Any]) -> list[dict[str, Any]]:
    """The rows of ``statement`` as dictionaries by column name, read on the driver's cursor.

    The statement is compiled once per dialect and shape (see
    :class:`DriverQuery`); its bound values are those of ``statement`` itself,
    and those given by its ``params()``.
    A statement whose SQL depends on its values (an ``IN`` list expanded at
    execution) runs through the engine instead, with the same answer.
    """
    key = statement._generate_cache_key()
    query = None if key is None else _query_for(statement, conn.dialect, key)
    if query is None or key is None:
        return [dict(row) for row in conn.execute(statement).mappings()]
    # The values set by ``statement.params()`` by name, then those of its own bound parameters.
    named = getattr(statement, "_params", None)
    values = query.compiled.construct_params(
        params=dict(named) if named else None, extracted_parameters=key.bindparams
    )
    return query.rows(conn, values)


def _query_for(statement: Select[Any], dialect: Dialect, key: CacheKey) -> DriverQuery | None:
    """The compiled query of ``statement``'s shape; ``None`` for one the engine must run."""
    cache_key = (dialect.name, key.key)
    known = _queries.get(cache_key, _UNKNOWN)  # one look-up: another thread may clear the cache
    if not isinstance(known, _Unknown):
        return known
    query = _compiled_query(statement, dialect, key)
    with _queries_lock:
        if len(_queries) >= QUERY_CACHE_SIZE:
            _queries.clear()
        _queries[cache_key] = query
    return query


def session_dicts(session: Session, statement: Select[Any]) -> list[dict[str, Any]]:
    """:func:`fetch_dicts` in ``session``'s transaction, its pending changes flushed first."""
    session.flush()
    return fetch_dicts(session.connection(), statement)


def _compiled_query(
    statement: Select[Any], dialect: Dialect, cache_key: CacheKey
) -> DriverQuery | None:
    query = DriverQuery(statement, dialect, cache_key)
    compiled = query.compiled
    if compiled.literal_execute_params or compiled.post_compile_params:
        return None  # its SQL is made anew for each set of values
    return query


def _bind_converters(compiled: SQLCompiler, dialect: Dialect) -> dict[str, Callable[[Any], Any]]:
    converters: dict[str, Callable[[Any], Any]] = {}
    for name, bind in compiled.binds.items():
        if isinstance(bind.type, UTCDateTime) and dialect.name == "sqlite":
            convert: Callable[[Any], Any] | None = _sqlite_time_or_none
        else:
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            converters[name] = convert
    return converters


def sqlite_time(value: datetime) -> str:
    """A timestamp as SQLite stores a ``UTCDateTime``: the UTC wall time as text.

    The same text as the engine's own conversion, at a tenth of its cost.
    """
    return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_time_or_none(value: datetime | None) -> str | None:
    return None if value is None else sqlite_time(value)
