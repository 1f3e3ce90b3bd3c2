"""Assertions shared by the dashboard tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def no_exceptions(at: AppTest) -> None:
    """The run raised nothing (no traceback on the page)."""
    assert not at.exception, [e.value for e in at.exception]


def errors(at: AppTest) -> list[str]:
    """The error messages shown."""
    return [str(e.value) for e in at.error]


def successes(at: AppTest) -> list[str]:
    """The success messages shown."""
    return [str(e.value) for e in at.success]
