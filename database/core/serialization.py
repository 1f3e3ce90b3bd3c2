"""``to_dict()`` for every model: its columns as JSON-ready values.

Datetimes become ISO 8601 strings in UTC, enums their value strings, lists and
JSON documents stay lists and dicts. Columns only by default; relationships are
added when named in ``include``. Secrets and derived lookup keys (each model's
``hidden_fields``, e.g. ``password_hash``) are never part of the result.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import inspect

from database.core.column_types import as_utc
from utils.errors import ValidationError


def json_value(value: Any) -> Any:
    """``value`` as something :func:`json.dumps` writes (recursively for lists and dicts)."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return value


class DictMixin:
    """Gives a mapped class :meth:`to_dict`."""

    #: Columns that never leave the model through :meth:`to_dict`.
    hidden_fields: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self, include: Iterable[str] = ()) -> dict[str, Any]:
        """The columns as JSON-ready values, plus the relationships named in ``include``.

        A related object is given as its own ``to_dict()``, a collection as a
        list of them. An included relationship must be loaded (see
        :mod:`database.core.loading`); an unknown name is a :class:`ValidationError`.
        """
        mapper = inspect(type(self))
        result = {
            attr.key: json_value(getattr(self, attr.key))
            for attr in mapper.column_attrs
            if attr.key not in self.hidden_fields
        }
        names = (include,) if isinstance(include, str) else tuple(include)
        for name in names:
            if not isinstance(name, str) or name not in mapper.relationships:
                known = ", ".join(sorted(mapper.relationships.keys())) or "none"
                raise ValidationError(
                    "include", f"must name relationships of {type(self).__name__} ({known})", name
                )
            related = getattr(self, name)
            if related is None or isinstance(related, DictMixin):
                result[name] = None if related is None else related.to_dict()
            else:
                result[name] = [item.to_dict() for item in related]
        return result
