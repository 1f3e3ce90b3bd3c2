"""Forms whose errors show next to the field they are about.

A form's submit button runs :func:`attempt` as its callback, before the page is
drawn: a :class:`ValidationError` is stored under its ``field``, so the page
then draws that field with its message right below it. Other project errors
show once above the form. Nothing raised by the API reaches the user as a
traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard import state
from dashboard.components import field_errors
from utils.errors import AutoApplyerError, ValidationError

GENERAL = "_form"


def _errors_key(form: str) -> str:
    return f"_errors.{form}"


def errors(form: str) -> dict[str, str]:
    """The messages of the form's last failed submission, by field."""
    found: dict[str, str] = st.session_state.get(_errors_key(form), {})
    return found


def field_error(form: str, name: str) -> None:
    """Draw the message about ``name``, if its last submission failed on it."""
    message = errors(form).get(name)
    if message:
        st.error(message, icon="⚠️")


def general_error(form: str, known_fields: Iterable[str]) -> None:
    """Draw the messages that belong to no field drawn by the form."""
    known = set(known_fields)
    for name, message in errors(form).items():
        if name not in known:
            st.error(message if name == GENERAL else f"{name}: {message}")


def set_error(form: str, field: str, message: str) -> None:
    """Make ``message`` the form's error, drawn next to ``field`` (or above the form)."""
    st.session_state[_errors_key(form)] = {field: message}


def set_errors(form: str, messages: Mapping[str, str]) -> None:
    """Make ``messages`` (by field) the form's errors, each drawn next to its field."""
    st.session_state[_errors_key(form)] = dict(messages)


def attempt(
    form: str,
    action: Callable[[], Any],
    success: str,
    clear: Iterable[str] = (),
    check: Callable[[], Mapping[str, str]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> bool:
    """Run ``action``; on success flash ``success`` and clear the keys ``clear``.

    ``check`` first finds every error of the submission at once (see
    :func:`dashboard.components.field_errors.check`); when it finds any,
    ``action`` does not run. ``labels`` name the fields in messages.
    """
    if check is not None:
        found = check()
        if found:
            set_errors(form, found)
            return False
    try:
        action()
    except ValidationError as exc:
        set_error(form, exc.field, field_errors.plain(exc.field, exc.rule, labels or {}))
        return False
    except AutoApplyerError as exc:
        set_error(form, GENERAL, str(exc))
        return False
    st.session_state[_errors_key(form)] = {}
    for key in clear:
        st.session_state.pop(key, None)
    state.data_changed()
    state.flash("success", success)
    return True


def uploaded_file(form: str, missing: str) -> UploadedFile | None:
    """The file chosen in the form's ``file`` uploader, or ``None`` with ``missing`` as error."""
    upload: UploadedFile | None = st.session_state.get(f"{form}.file")
    if upload is None:
        set_error(form, "file", missing)
    return upload


def text_or_none(key: str) -> str | None:
    """The stripped text of a text widget, or ``None`` when it is empty."""
    value = st.session_state.get(key)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def text_list(key: str) -> list[str]:
    """A comma-separated text widget as a list of non-empty items."""
    value = st.session_state.get(key) or ""
    return [item.strip() for item in str(value).split(",") if item.strip()]


def number_or_none(key: str) -> Any:
    """The value of a number widget (``None`` when left empty)."""
    return st.session_state.get(key)


def utc_datetime(day: date | None, at: time | None = None) -> datetime | None:
    """A date (and optional time) from date/time widgets, as an aware UTC datetime."""
    if day is None:
        return None
    return datetime.combine(day, at or time(hour=12), tzinfo=UTC)
