"""Typed checks for test code: narrow an optional result, failing the test when it is absent."""

from typing import TypeVar

T = TypeVar("T")


def existing(value: T | None) -> T:
    """``value`` itself; fails the test when it is ``None`` (a row that should exist)."""
    if value is None:
        raise AssertionError("expected a value, got None")
    return value
