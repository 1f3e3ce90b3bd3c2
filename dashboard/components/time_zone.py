"""Dates in the person's time zone: shown in it, entered in it, stored as UTC.

The zone is the profile's ``UserPreferences.time_zone`` (UTC without one),
read once per change of the data (:func:`dashboard.state.data_version`).
"""

from __future__ import annotations

from datetime import date, datetime, time

import streamlit as st

from dashboard import scope, state
from database.core import time_zones
from database.core.time_zones import DEFAULT_ZONE

_CACHE = "_time_zone"
#: The time an entered date stands for when no time is given: midday, the same day everywhere.
MIDDAY = time(hour=12)


def current_zone(user_id: int | None = None) -> str:
    """The IANA zone of the profile in use (``UTC`` when there is none)."""
    user_id = user_id if user_id is not None else state.current_user_id()
    if user_id is None:
        return DEFAULT_ZONE
    token = (user_id, state.data_version())
    cached = st.session_state.get(_CACHE)
    if isinstance(cached, tuple) and cached[0] == token:
        return str(cached[1])
    user = scope.get_user(user_id)
    preferences = user.preferences if user is not None else None
    zone = preferences.time_zone if preferences is not None else DEFAULT_ZONE
    st.session_state[_CACHE] = (token, zone)
    return zone


def moment(value: datetime | None, zone: str | None = None) -> str:
    """``value`` as "2026-03-03 14:00 CET" in the person's zone."""
    return time_zones.format_with_zone(value, zone or current_zone())


def short(value: datetime | None, zone: str | None = None) -> str:
    """``value`` as "2026-03-03 14:00" in the person's zone (the page names the zone)."""
    return time_zones.format_short(value, zone or current_zone())


def day(value: datetime | None, zone: str | None = None) -> str:
    """The date of ``value`` in the person's zone, "2026-03-03"."""
    return time_zones.format_day(value, zone or current_zone())


def local_date(value: datetime, zone: str | None = None) -> date:
    """The calendar date of ``value`` in the person's zone (a date widget's first value)."""
    return time_zones.to_local(value, zone or current_zone()).date()


def entered(
    on: date | None, at: time | None = None, zone: str | None = None, field: str = "interview_date"
) -> datetime | None:
    """The UTC moment of a date (and time, default midday) entered in the person's zone.

    A time the clocks skip that day is a :class:`ValidationError` on ``field``.
    """
    if not isinstance(on, date):
        return None
    wall = datetime.combine(on, at if isinstance(at, time) else MIDDAY)
    return time_zones.to_utc(wall, zone or current_zone(), field)


def label(text: str, zone: str | None = None) -> str:
    """A widget's label naming the zone its times are in: "Interview time (Europe/Paris)"."""
    return f"{text} ({zone or current_zone()})"
