"""The shared pieces of the statistics: percentages, period bounds, cutoffs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from database.domain.stats.common import (
    MAX_DAYS,
    check_days,
    check_int,
    check_optional_days,
    cutoff,
    cutoff_values,
    percent,
)
from utils.errors import ValidationError


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5), (3, 3, 100.0), (0, 7, 0.0), (1, 1000, 0.1)],
)
def test_percent_rounds_to_one_decimal(part: int, whole: int, expected: float) -> None:
    assert percent(part, whole) == expected


@pytest.mark.parametrize("part", [0, 5])
def test_percent_of_nothing_is_zero(part: int) -> None:
    assert percent(part, 0) == 0.0


@pytest.mark.parametrize("days", [1, 30, MAX_DAYS])
def test_check_days_accepts_one_day_to_a_century(days: int) -> None:
    assert check_days(days) == days
    assert check_optional_days(days) == days


@pytest.mark.parametrize("days", [0, -1, MAX_DAYS + 1, True, 1.0, "30", None])
def test_check_days_refuses_what_is_not_a_day_count_in_bounds(days: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        check_days(days)
    assert caught.value.field == "days"
    assert caught.value.rule == "must be an integer from 1 to 36500"
    assert caught.value.value == days


def test_check_optional_days_takes_none_as_all_time() -> None:
    assert check_optional_days(None) is None
    with pytest.raises(ValidationError):
        check_optional_days(0)


def test_check_int_names_the_field_and_bounds() -> None:
    assert check_int(520, "weeks", 1, 520) == 520
    with pytest.raises(ValidationError) as caught:
        check_int(521, "weeks", 1, 520)
    assert (caught.value.field, caught.value.rule) == ("weeks", "must be an integer from 1 to 520")


def test_cutoff_is_that_many_days_ago_in_utc() -> None:
    before = datetime.now(UTC)
    moment = cutoff(7)
    after = datetime.now(UTC)
    assert moment.tzinfo is not None
    assert before - timedelta(days=7) <= moment <= after - timedelta(days=7)


def test_cutoff_values_bind_nothing_for_all_time() -> None:
    assert cutoff_values(None) == {}
    assert set(cutoff_values(3)) == {"cutoff"}
