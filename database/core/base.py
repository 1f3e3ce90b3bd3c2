"""The declarative base of the schema and the column and relationship builders its tables share.

Constraint names follow one naming convention, so the data boundary can turn a
violated constraint back into the field it protects (see :mod:`database.core.errors`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Enum, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column, relationship

from database.core.column_types import UTCDateTime, utcnow
from database.core.loading import explain_unloaded_relationships
from database.core.serialization import DictMixin

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DictMixin, DeclarativeBase):
    """The one declarative base of the project; every model has ``to_dict()``.

    Relationships: typed, ``back_populates``, lazy inside a session; the
    loading policy of detached objects is in :mod:`database.core.loading`.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    #: The attributes ``repr()`` shows, in order.
    repr_fields: ClassVar[tuple[str, ...]] = ("id",)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.repr_fields)
        return f"{type(self).__name__}({shown})"


explain_unloaded_relationships(Base)

# Owned rows: the database cascades their deletion (passive_deletes: the ORM never
# loads a collection just to delete it).
_OWNED = "all, delete-orphan"


def owned_collection(back_populates: str, order_by: str) -> Any:
    """A collection its parent owns: deleted with it, by the database's ON DELETE CASCADE."""
    return relationship(
        back_populates=back_populates, order_by=order_by, cascade=_OWNED, passive_deletes=True
    )


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """The column type of ``enum_cls``: its value strings, with a CHECK named ``name``."""
    # A VARCHAR plus a CHECK of the allowed values: portable, and migrations stay plain.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def timestamp_column(**options: Any) -> MappedColumn[datetime]:
    """A UTC timestamp that defaults to the time the row is written, in Python and in SQL."""
    return mapped_column(
        UTCDateTime, default=utcnow, server_default=func.current_timestamp(), **options
    )


class TimestampMixin:
    """``created_at`` and ``updated_at``, timezone-aware UTC, set by the ORM."""

    created_at: Mapped[datetime] = timestamp_column()
    updated_at: Mapped[datetime] = timestamp_column(onupdate=utcnow)
