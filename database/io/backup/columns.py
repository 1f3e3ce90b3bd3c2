"""How each column's values travel between the database and a backup file.

A :class:`TableCodec` turns a database row into JSON values (timestamps as ISO
8601 UTC text, enums as their value) and a JSON row back into database values,
checking on the way every rule a value must meet to be stored the same way on
SQLite and PostgreSQL: its JSON type, ``NULL`` where allowed, text length, no NUL
character (PostgreSQL cannot store it), 32-bit integers, finite floats, known enum
values, timestamps with a UTC offset. Rules that span rows or tables (keys,
references) are checked by :mod:`database.io.backup.validation`; CHECK constraints
by the database itself, inside the restore's one transaction.

Columns derived from others (``users.email_key`` from ``users.email``, the
duplicate-posting keys of ``job_applications``) are never taken from the file:
they are computed again, by :mod:`database.core.keys`, from the restored values,
so a backup cannot smuggle in a key that disagrees with its source, and backups
older than the column restore too.
"""

from __future__ import annotations

import bisect
import enum
import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, Enum, Float, Integer, String, Table

from database.core.column_types import JSONValue, UTCDateTime, as_utc
from database.core.keys import email_key, posting_key, tag_key, url_key
from utils.errors import ValidationError

INT32 = (-(2**31), 2**31 - 1)

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]

#: (table, column) -> (the columns it is derived from, how).
DERIVED: dict[tuple[str, str], tuple[tuple[str, ...], Callable[..., str | None]]] = {
    ("users", "email_key"): (("email",), email_key),
    ("job_applications", "url_key"): (("job_url",), url_key),
    ("job_applications", "posting_key"): (("company", "job_title", "location"), posting_key),
    ("tags", "name_key"): (("name",), tag_key),
}
#: (table, column) -> (the column naming a parent row, the parent table): a copy of
#: the parent's ``user_id``, set from the restored parent (see validation.OwnerMap).
DERIVED_OWNER: dict[tuple[str, str], tuple[str, str]] = {
    ("application_status_history", "user_id"): ("application_id", "job_applications"),
}


class BadValue(Exception):
    """A value broke a column rule; ``rule`` says which."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise BadValue("must be an integer")
    if not INT32[0] <= value <= INT32[1]:
        raise BadValue("must fit in a 32-bit integer")
    return value


def _float(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise BadValue("must be a finite number")
    return float(value)


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise BadValue("must be true or false")
    return value


def _text(limit: int | None) -> Decoder:
    def decode(value: Any) -> str:
        if type(value) is not str:
            raise BadValue("must be a string")
        if limit is not None and len(value) > limit:
            raise BadValue(f"must be at most {limit} characters")
        if "\x00" in value:
            raise BadValue("must not contain NUL characters")
        return value

    return decode


def _timestamp(value: Any) -> datetime:
    if type(value) is not str:
        raise BadValue("must be an ISO 8601 timestamp string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue("must be an ISO 8601 timestamp like 2024-01-15T10:30:00+00:00") from None
    if parsed.tzinfo is None:
        raise BadValue("must be an ISO 8601 timestamp with a UTC offset")
    return as_utc(parsed)


def _json_value(value: Any) -> Any:
    if _has_nul(value):
        raise BadValue("must not contain NUL characters")
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def _enum(enum_cls: type[enum.Enum] | None, allowed: Sequence[str]) -> Decoder:
    choices = frozenset(allowed)

    def decode(value: Any) -> Any:
        if type(value) is not str or value not in choices:
            raise BadValue(f"must be one of {', '.join(sorted(choices))}")
        return enum_cls(value) if enum_cls is not None else value

    return decode


def _encode_timestamp(value: datetime) -> str:
    return as_utc(value).isoformat()


def _encode_enum(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _codecs_for(column: Column[Any]) -> tuple[Decoder, Encoder | None]:
    """The decoder and (``None``: identity) encoder of ``column``'s type."""
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _timestamp, _encode_timestamp
    if isinstance(kind, JSONValue):
        return _json_value, None
    if isinstance(kind, Enum):
        return _enum(kind.enum_class, list(kind.enums)), _encode_enum
    if isinstance(kind, Boolean):
        return _boolean, None
    if isinstance(kind, Integer):
        return _integer, None
    if isinstance(kind, Float):
        return _float, None
    if isinstance(kind, String):
        return _text(kind.length), None
    raise TypeError(f"no backup codec for column {column.table.name}.{column.name} ({kind!r})")


@dataclass(frozen=True)
class ColumnCodec:
    """One column: its name, whether it may be left out or ``null``, and its codecs."""

    name: str
    nullable: bool
    null_ok: bool
    decode: Decoder
    encode: Encoder | None


@dataclass
class TableCodec:
    """The codecs of one table's columns, in the table's column order."""

    table: Table
    columns: list[ColumnCodec] = field(init=False)
    names: frozenset[str] = field(init=False)
    index: dict[str, int] = field(init=False)
    pk: int = field(init=False)

    def __post_init__(self) -> None:
        self.columns = []
        for column in self.table.columns:
            decode, encode = _codecs_for(column)
            # JSON null is a value of a JSON column (stored as the JSON text "null").
            null_ok = bool(column.nullable) or isinstance(column.type, JSONValue)
            # A derived owner is filled in after decoding, so the file may lack it.
            nullable = bool(column.nullable) or (self.table.name, column.name) in DERIVED_OWNER
            self.columns.append(
                ColumnCodec(column.name, nullable, null_ok or nullable, decode, encode)
            )
        self.names = frozenset(c.name for c in self.columns)
        self.index = {c.name: i for i, c in enumerate(self.columns)}
        (key,) = self.table.primary_key.columns  # every table has a one-column id
        self.pk = self.index[key.name]
        self._plan = [(c.name, c.nullable, c.null_ok, c.decode) for c in self.columns]
        self._names = tuple(c.name for c in self.columns)
        self._timestamps = tuple(
            i for i, c in enumerate(self.table.columns) if isinstance(c.type, UTCDateTime)
        )
        self._derived = [
            (self.index[column], tuple(self.index[name] for name in sources), derive)
            for (table, column), (sources, derive) in DERIVED.items()
            if table == self.table.name
        ]

    @property
    def name(self) -> str:
        """The table's name."""
        return self.table.name

    def encode(self, values: Sequence[Any]) -> dict[str, Any]:
        """A database row (values in column order) as a JSON-ready object."""
        row: dict[str, Any] = {}
        for codec, value in zip(self.columns, values, strict=True):
            if value is not None and codec.encode is not None:
                value = codec.encode(value)
            row[codec.name] = value
        return row

    def where(self, index: int) -> str:
        """How messages name row ``index`` of this table in a backup."""
        return f"backup.data.{self.name}[{index}]"

    def decode(self, raw: dict[str, Any], index: int) -> list[Any]:
        """Row ``index`` of a backup as database values in column order.

        A broken rule is a :class:`ValidationError` naming the row and column. A
        missing nullable column (a backup from an older schema) becomes ``NULL``.
        """
        values: list[Any] = []
        append = values.append
        get = raw.get
        for name, nullable, null_ok, decode in self._plan:
            value = get(name)
            if value is None:
                if not null_ok or (not nullable and name not in raw):
                    raise self._missing(raw, name, self.where(index))
                append(None)
                continue
            try:
                append(decode(value))
            except BadValue as bad:
                raise ValidationError(f"{self.where(index)}.{name}", bad.rule) from None
        if not self.names.issuperset(raw):
            unknown = sorted(set(raw) - self.names)[0]
            raise ValidationError(
                f"{self.where(index)}.{unknown}", f"is not a column of {self.name}"
            )
        return self._derive(values)

    def _derive(self, values: list[Any]) -> list[Any]:
        for target, sources, derive in self._derived:
            values[target] = derive(*(values[i] for i in sources))
        return values

    def convert(self, raw: dict[str, Any]) -> list[Any]:
        """A row already validated by :meth:`decode`, converted the quick way."""
        get = raw.get
        values = [get(name) for name in self._names]
        for i in self._timestamps:
            stamp = values[i]
            if stamp is not None:
                values[i] = as_utc(datetime.fromisoformat(stamp))
        return self._derive(values) if self._derived else values

    def _missing(self, raw: dict[str, Any], name: str, where: str) -> ValidationError:
        if name not in raw:
            return ValidationError(f"{where}.{name}", "is required")
        return ValidationError(f"{where}.{name}", "must not be null")


class OwnerMap:
    """Fills in the :data:`DERIVED_OWNER` columns from the parents' restored ``user_id``.

    Parents come first and in id order (the backup's rule), so their ids and
    owners are kept in two flat arrays and found by bisection: memory stays
    at 16 bytes a parent.
    """

    def __init__(self, codecs: dict[str, TableCodec]) -> None:
        self._parents = {parent for _, parent in DERIVED_OWNER.values()}
        self._ids: dict[str, array[int]] = {}
        self._owners: dict[str, array[int]] = {}
        self._plans: dict[str, list[tuple[int, int, str, str]]] = {}
        for (table, column), (reference, parent) in DERIVED_OWNER.items():
            codec = codecs[table]
            plan = (codec.index[column], codec.index[reference], reference, parent)
            self._plans.setdefault(table, []).append(plan)
        self._user = {name: codecs[name].index["user_id"] for name in self._parents}
        self._pk = {name: codecs[name].pk for name in self._parents}

    def apply(self, table: str, values: list[Any], where: str) -> None:
        """Record a parent row, or fill in a child row's owner (``where`` names it)."""
        if table in self._parents:
            self._ids.setdefault(table, array("q")).append(values[self._pk[table]])
            self._owners.setdefault(table, array("q")).append(values[self._user[table]])
        for target, position, reference, parent in self._plans.get(table, ()):
            values[target] = self._owner(parent, values[position], f"{where}.{reference}")

    def _owner(self, parent: str, parent_id: int, where: str) -> int:
        ids = self._ids.get(parent, array("q"))
        index = bisect.bisect_left(ids, parent_id)
        if index == len(ids) or ids[index] != parent_id:
            raise ValidationError(
                where, f"refers to {parent} id {parent_id}, which is not in the backup"
            )
        return self._owners[parent][index]


def table_codecs(tables: Sequence[Table]) -> dict[str, TableCodec]:
    """A codec for each of ``tables``, by table name."""
    return {table.name: TableCodec(table) for table in tables}
