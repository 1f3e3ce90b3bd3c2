"""The interview calendar feed as an RFC 5545 ``VCALENDAR`` (through :mod:`icalendar`).

One ``VEVENT`` per interview: ``UID`` stable per application (so a rescheduled
interview moves in the person's calendar instead of doubling), ``DTSTAMP`` the
time of the feed, ``DTSTART`` in UTC, a default one-hour ``DTEND``, ``SUMMARY``
"company — position". ``X-WR-TIMEZONE`` names the person's time zone, so
calendar programs that honour it show the feed in that zone; the times stay
in UTC (``Z``), which every client reads correctly, rather than ``TZID`` with
a ``VTIMEZONE`` that some clients mistranslate. The library escapes ``,``,
``;``, ``\\`` and newlines in text values, folds lines at 75 octets and ends every line with CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from database.core.time_zones import DEFAULT_ZONE, zone
from database.models import JobApplication

PRODUCT = "-//Auto Applyer//Interview calendar//EN"
CALENDAR_NAME = "Auto Applyer interviews"
UID_DOMAIN = "auto-applyer"
DEFAULT_LENGTH = timedelta(hours=1)
MEDIA_TYPE = "text/calendar; charset=utf-8"


def interview_calendar(
    applications: Iterable[JobApplication], now: datetime, time_zone: str = DEFAULT_ZONE
) -> bytes:
    """The ``.ics`` bytes of the interviews of ``applications`` (those without one left out).

    ``time_zone`` is the person's IANA zone (``UserPreferences.time_zone``).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("x-wr-timezone", zone(time_zone).key)
    stamp = now.astimezone(UTC)
    for application in applications:
        if application.interview_date is not None:
            calendar.add_component(_event(application, application.interview_date, stamp))
    return bytes(calendar.to_ical())


def _event(application: JobApplication, start: datetime, stamp: datetime) -> Event:
    event = Event()
    begins = start.astimezone(UTC)
    event.add("uid", f"application-{application.id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", begins)
    event.add("dtend", begins + DEFAULT_LENGTH)
    event.add("summary", f"{application.company} — {application.job_title}")
    details = [f"Interview for {application.job_title} at {application.company}."]
    if application.interview_type:
        details.append(f"Type: {application.interview_type}")
    if application.location:
        details.append(f"Job location: {application.location}")
    event.add("description", "\n".join(details))
    return event
