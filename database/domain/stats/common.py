"""What every statistic shares: input bounds, percentages, bound values, date arithmetic.

The names here are for the modules of :mod:`database.domain.stats`; callers
outside the family use the statistics themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Hashable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, bindparam, func
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database.core.column_types import UTCDateTime, utcnow
from database.domain import users
from database.domain.schemas import require_id
from utils.errors import ValidationError

#: A set of people whose applications a statistic covers together: their ids, or
#: a query of one column of ids (such as ``organizations.readable_user_ids(...)``).
UserSet = Select[Any] | CompoundSelect[Any] | Collection[int]
#: Whose applications a statistic covers: one user's id (the ``user_id`` bound value), or a set.
Owner = int | UserSet

#: The longest period, in days, a statistic looks back (a century).
MAX_DAYS = 36_500


def percent(part: int, whole: int) -> float:
    """``part`` as a percentage of ``whole``, 1 decimal; 0.0 when ``whole`` is 0."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def check_int(value: Any, field: str, low: int, high: int) -> int:
    """``value`` if it is an integer from ``low`` to ``high``, else :class:`ValidationError`."""
    # bool is an int subclass, but True days is a caller's mistake, not 1 day.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(field, f"must be an integer from {low} to {high}", value)
    return value


def check_days(days: Any) -> int:
    """A period of 1 to :data:`MAX_DAYS` days, or :class:`ValidationError` on ``days``."""
    return check_int(days, "days", 1, MAX_DAYS)


def check_optional_days(days: Any) -> int | None:
    """Like :func:`check_days`, with ``None`` meaning all time."""
    return None if days is None else check_days(days)


def check_users(user_ids: Any) -> UserSet:
    """``user_ids``: a query of ids or a collection of ids, else :class:`ValidationError`."""
    if isinstance(user_ids, Select | CompoundSelect):
        return user_ids
    if isinstance(user_ids, str | bytes) or not isinstance(user_ids, Collection):
        raise ValidationError("user_ids", "must be a query or a collection of user ids")
    return [require_id(user_id, "user_ids") for user_id in user_ids]


def statement(build: Callable[..., Executable], owner: Owner, *key: Hashable) -> Executable:
    """``build(*key, user_ids)`` for ``owner``: built once for one user (bound ``user_id``).

    A set of users is a query of its own, built for the call: caching it would
    keep every set ever asked about.
    """
    if isinstance(owner, int):
        return _cached(build, key)
    return build(*key, owner)


@functools.cache
def _cached(build: Callable[..., Executable], key: tuple[Hashable, ...]) -> Executable:
    return build(*key, None)


def cutoff(days: int) -> datetime:
    """The moment ``days`` days ago, in UTC: the start of the period."""
    return utcnow() - timedelta(days=days)


def cutoff_values(days: int | None) -> dict[str, Any]:
    """The ``cutoff`` bound value for a period, none for all time."""
    return {} if days is None else {"cutoff": cutoff(days)}


def ensure_known_user(session: Session | Connection, owner: Owner, found: int) -> None:
    """Nothing found: make sure the user exists (found rows prove it, saving a query).

    A set of users needs no such check: unknown ids simply have no applications.
    """
    if not found and isinstance(owner, int):
        users.ensure_exists(session, owner)


def bind_values(session: Session, owner: Owner, **extra: Any) -> tuple[str, dict[str, Any]]:
    """The dialect name and the bound values shared by the statements.

    One user is the ``user_id`` bound value; a set of users is in the query itself.
    """
    user = {"user_id": owner} if isinstance(owner, int) else {}
    return session.get_bind().dialect.name, {**user, "now": utcnow(), **extra}


def now_param() -> ColumnElement[datetime]:
    """The ``now`` bound value of :func:`bind_values`, in SQL."""
    return bindparam("now", type_=UTCDateTime)


def days_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[Any]:
    """``later - earlier`` in days (fractional), in SQL."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0
