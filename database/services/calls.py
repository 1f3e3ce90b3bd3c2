"""What every ``DatabaseUtils`` call shares: one transaction, and reading its arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from database.core.session import db_session_scope
from utils.errors import ValidationError

T = TypeVar("T")


def run(work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction on the global database: commit, or roll back on error."""
    with db_session_scope() as session:
        return work(session)


def target_id(name: str, args: tuple[Any, ...], fields: dict[str, Any]) -> Any:
    """The id an ``update_*(id, **fields)`` call is about.

    Taken apart by hand so that ``update_user(5, user_id=6)`` is a
    :class:`ValidationError` on the protected field, not a ``TypeError``, while
    ``update_user(user_id=5, ...)`` keeps working.
    """
    if len(args) > 1:
        raise TypeError(f"expected one positional argument ({name}), got {len(args)}")
    if args:
        if name in fields:
            raise ValidationError(name, "cannot be set or updated directly", fields[name])
        return args[0]
    if name not in fields:
        raise TypeError(f"missing required argument: {name!r}")
    return fields.pop(name)


def given(**values: Any) -> dict[str, Any]:
    """The arguments the caller actually gave (``None`` means "not given")."""
    return {name: value for name, value in values.items() if value is not None}
