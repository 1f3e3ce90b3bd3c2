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


def move_on_board(at: AppTest, application_id: int, status: str) -> None:
    """Move a card with the board's accessible move form, and run."""
    at.selectbox(key="board.move.application").set_value(application_id)
    at.selectbox(key="board.move.status").set_value(status)
    at.button(key="FormSubmitter:board-Move").click().run()
