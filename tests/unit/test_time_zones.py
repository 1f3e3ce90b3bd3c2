"""A person's time zone: names checked, UTC to local and back, the daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from database.core import time_zones
from utils.errors import ValidationError

PARIS = "Europe/Paris"


@pytest.mark.parametrize("name", ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"])
def test_iana_names_are_known_zones(name: str) -> None:
    assert time_zones.check_zone(name) == name
    assert name in time_zones.available_zones()


@pytest.mark.parametrize("name", ["Mars/Base", "", "europe/paris", "CET+1", 5, None])
def test_anything_else_is_refused_naming_the_field(name: object) -> None:
    with pytest.raises(ValidationError) as refused:
        time_zones.check_zone(name)
    assert refused.value.field == "time_zone"
    assert refused.value.rule == "must be an IANA time zone such as Europe/Paris"


def test_the_list_of_zones_is_sorted_for_searching() -> None:
    zones = time_zones.available_zones()
    assert list(zones) == sorted(zones) and len(zones) > 300


def test_a_winter_and_a_summer_time_convert_with_their_own_offsets() -> None:
    winter = time_zones.to_utc(datetime(2026, 3, 3, 14, 0), PARIS)
    summer = time_zones.to_utc(datetime(2026, 7, 3, 14, 0), PARIS)
    assert winter == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    assert summer == datetime(2026, 7, 3, 12, 0, tzinfo=UTC)
    assert time_zones.to_local(winter, PARIS).replace(tzinfo=None) == datetime(2026, 3, 3, 14, 0)


def test_a_time_the_clocks_skip_in_spring_is_refused_not_shifted() -> None:
    # 29 March 2026: Paris goes from 02:00 straight to 03:00.
    skipped = datetime(2026, 3, 29, 2, 30)
    assert not time_zones.exists(skipped, PARIS)
    with pytest.raises(ValidationError) as refused:
        time_zones.to_utc(skipped, PARIS)
    assert refused.value.field == "interview_date"
    assert "does not exist in Europe/Paris" in refused.value.rule
    assert time_zones.to_utc(datetime(2026, 3, 29, 3, 0), PARIS) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_repeat_in_autumn_is_its_first_occurrence() -> None:
    # 25 October 2026: 02:00-02:59 happens twice; the first is still summer time (UTC+2).
    repeated = datetime(2026, 10, 25, 2, 30)
    assert time_zones.is_ambiguous(repeated, PARIS)
    assert time_zones.to_utc(repeated, PARIS) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert not time_zones.is_ambiguous(datetime(2026, 10, 25, 4, 0), PARIS)


def test_moments_are_written_with_the_zones_abbreviation() -> None:
    winter = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 3, 12, 0, tzinfo=UTC)
    assert time_zones.format_moment(winter, PARIS) == "Tue 3 Mar 14:00 CET"
    assert time_zones.format_moment(summer, PARIS) == "Fri 3 Jul 14:00 CEST"
    assert time_zones.format_with_zone(winter, "UTC") == "2026-03-03 13:00 UTC"
    assert time_zones.format_day(datetime(2026, 3, 3, 23, 30, tzinfo=UTC), PARIS) == "2026-03-04"


def test_an_unknown_stored_name_shows_utc_rather_than_failing() -> None:
    moment = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    assert time_zones.format_with_zone(moment, "Mars/Base") == "2026-03-03 13:00 UTC"
