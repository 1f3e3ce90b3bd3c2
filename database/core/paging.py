"""Pages of results: how many rows (``limit``) from which row (``offset``).

A :class:`Page` is checked once, when it is made, against the
:class:`PageBounds` of the call it serves: listings take any positive limit or
``None`` for every row; searches require a limit and cap both numbers, because
each extra row costs a ranked match and a snippet. A bad number is a
:class:`ValidationError` on ``limit`` or ``offset`` that says the bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

from sqlalchemy import Select

from utils.errors import ValidationError

_Query = TypeVar("_Query", bound=Select[Any])


def _is_int(value: Any) -> TypeGuard[int]:
    # bool is an int subclass, but True is no row count.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class PageBounds:
    """What one call accepts as a page.

    ``limit_required``: ``None`` (every row) is refused. ``max_limit`` and
    ``max_offset``: the largest values accepted (``None``: no maximum).
    """

    limit_required: bool = False
    max_limit: int | None = None
    max_offset: int | None = None

    def check_limit(self, limit: Any) -> int | None:
        """``limit`` if these bounds accept it, else :class:`ValidationError` on ``limit``."""
        if limit is None and not self.limit_required:
            return None
        if _is_int(limit) and limit >= 1 and (self.max_limit is None or limit <= self.max_limit):
            return limit
        raise ValidationError("limit", self._limit_rule(), limit)

    def check_offset(self, offset: Any) -> int:
        """``offset`` if these bounds accept it, else :class:`ValidationError` on ``offset``."""
        if (
            _is_int(offset)
            and offset >= 0
            and (self.max_offset is None or offset <= self.max_offset)
        ):
            return offset
        raise ValidationError("offset", self._offset_rule(), offset)

    def _limit_rule(self) -> str:
        if self.max_limit is None:
            rule = "must be a positive integer"
        else:
            rule = f"must be an integer from 1 to {self.max_limit}"
        return rule if self.limit_required else f"{rule} or None"

    def _offset_rule(self) -> str:
        if self.max_offset is None:
            return "must be a non-negative integer"
        return f"must be an integer from 0 to {self.max_offset}"


#: Listings: any positive limit, or ``None`` for every row, from any offset.
ANY_PAGE = PageBounds()


@dataclass(frozen=True)
class Page:
    """A window of results: at most ``limit`` rows (``None``: all), skipping ``offset``.

    Made directly, it is checked against :data:`ANY_PAGE`; :meth:`of` checks
    it against the bounds of a particular call.
    """

    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        ANY_PAGE.check_limit(self.limit)
        ANY_PAGE.check_offset(self.offset)

    @classmethod
    def of(cls, limit: Any = None, offset: Any = 0, bounds: PageBounds = ANY_PAGE) -> Page:
        """The page ``limit``/``offset``, or :class:`ValidationError` naming the bad one.

        ``limit`` is checked first.
        """
        return cls(bounds.check_limit(limit), bounds.check_offset(offset))

    def apply(self, query: _Query) -> _Query:
        """``query`` restricted to this page (no ``OFFSET`` clause for the first row)."""
        return query.limit(self.limit).offset(self.offset or None)

    def params(self) -> dict[str, int | None]:
        """The bound values of ``LIMIT :limit OFFSET :offset`` in a text statement."""
        return {"limit": self.limit, "offset": self.offset}
