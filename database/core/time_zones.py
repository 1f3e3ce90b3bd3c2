"""A person's time zone: IANA names, UTC to local time and back, and dates as people read them.

Every moment is stored in UTC; a person's ``UserPreferences.time_zone`` (an
IANA name such as ``Europe/Paris``, default ``UTC``) is only how it is shown
and entered. The names are those :mod:`zoneinfo` knows, from the system's
zone database or, without one, the ``tzdata`` package.

Local times that clocks skip or repeat at a daylight-saving change:

- a *nonexistent* time (Europe/Paris, last Sunday of March, 02:00-02:59) is
  refused with a :class:`ValidationError` saying so, never silently shifted;
- an *ambiguous* time (last Sunday of October, 02:00-02:59 happens twice) is
  read as its first occurrence, still on summer time (``fold=0``, as Python
  and most calendar programs do).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from utils.errors import ValidationError

DEFAULT_ZONE = "UTC"
ZONE_RULE = "must be an IANA time zone such as Europe/Paris"
MAX_NAME_LENGTH = 64


@cache
def available_zones() -> tuple[str, ...]:
    """Every IANA zone name known to this machine, sorted, ``UTC`` included."""
    names = {n for n in available_timezones() if len(n) <= MAX_NAME_LENGTH}
    names.add(DEFAULT_ZONE)
    # "posixrules" and friends are files of the database, not zones a person lives in.
    return tuple(sorted(n for n in names if not n.startswith(("posix/", "right/"))))


def is_zone(name: object) -> bool:
    """Whether ``name`` is a time zone name :func:`available_zones` lists."""
    return isinstance(name, str) and name in _known()


@cache
def _known() -> frozenset[str]:
    return frozenset(available_zones())


def check_zone(name: object, field: str = "time_zone") -> str:
    """``name`` if it is a known IANA zone, else :class:`ValidationError` naming ``field``."""
    if not is_zone(name):
        raise ValidationError(field, ZONE_RULE, name)
    assert isinstance(name, str)
    return name


def zone(name: str | None) -> ZoneInfo:
    """The :class:`ZoneInfo` of ``name``; UTC for ``None`` or a name this machine lacks.

    Reading never fails: a stored name a later zone database dropped shows
    dates in UTC rather than breaking the page.
    """
    if not is_zone(name):
        return ZoneInfo(DEFAULT_ZONE)
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def to_local(moment: datetime, name: str | None) -> datetime:
    """``moment`` (aware; a naive one is taken as UTC) as the wall-clock time of zone ``name``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(name))


def to_utc(local: datetime, name: str | None, field: str = "interview_date") -> datetime:
    """The UTC moment of the wall-clock time ``local`` (naive) in zone ``name``.

    A time the clocks skip is a :class:`ValidationError` on ``field``; a time
    they repeat is its first occurrence (see the module's docstring). An aware
    ``local`` is already a moment and is only converted.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    where = zone(name)
    if not exists(local, name):
        raise ValidationError(
            field,
            f"does not exist in {where.key}: the clocks move forward at that time;"
            " choose a time after the change",
            local.isoformat(),
        )
    return local.replace(tzinfo=where, fold=0).astimezone(UTC)


def exists(local: datetime, name: str | None) -> bool:
    """Whether the naive wall-clock time ``local`` happens at all in zone ``name``."""
    where = zone(name)
    placed = local.replace(tzinfo=where, fold=0)
    return placed.astimezone(UTC).astimezone(where).replace(tzinfo=None) == local.replace(fold=0)


def is_ambiguous(local: datetime, name: str | None) -> bool:
    """Whether the naive wall-clock time ``local`` happens twice in zone ``name``."""
    where = zone(name)
    first = local.replace(tzinfo=where, fold=0).utcoffset()
    second = local.replace(tzinfo=where, fold=1).utcoffset()
    return first != second and exists(local, name)


def abbreviation(moment: datetime, name: str | None) -> str:
    """The zone's abbreviation at ``moment``: "CET", "CEST", "UTC" (or "+0530" without one)."""
    return to_local(moment, name).tzname() or DEFAULT_ZONE


def format_moment(moment: datetime | None, name: str | None) -> str:
    """``moment`` as a person reads it in zone ``name``: "Tue 3 Mar 14:00 CET"."""
    if moment is None:
        return "-"
    local = to_local(moment, name)
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname() or DEFAULT_ZONE}"


def format_with_zone(moment: datetime | None, name: str | None) -> str:
    """``moment`` in zone ``name`` as "2026-03-03 14:00 CET"."""
    if moment is None:
        return "-"
    local = to_local(moment, name)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or DEFAULT_ZONE}"


def format_short(moment: datetime | None, name: str | None) -> str:
    """``moment`` in zone ``name`` as "2026-03-03 14:00" (a table's column says the zone)."""
    if moment is None:
        return "-"
    return f"{to_local(moment, name):%Y-%m-%d %H:%M}"


def format_day(moment: datetime | None, name: str | None) -> str:
    """The local date of ``moment`` in zone ``name`` as "2026-03-03"."""
    if moment is None:
        return "-"
    return f"{to_local(moment, name):%Y-%m-%d}"
